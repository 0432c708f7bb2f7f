"""References between provisions: parse them from the text, resolve them to CITES edges.

Recognised forms (kanji or Arabic numerals, branch numbers 第十二条の二 → `12_2`):

* 「第五条」「第五条第二項」「第五条第二項第三号」「第十二条の二」 — same document (in a 附則: 「附則第三条」
  is an article of the same 附則, a plain 「第三条」 one of the main provisions);
* 「第二項」「第二項第一号」 (the current article), 「第三号」 (the current paragraph; not inside a law number
  such as 法律第二百一号);
* 「前条」「次条」「同条」, 「前項」「次項」「同項」, 「前各項」, each optionally followed by 第…項 / 第…号;
* 「建築基準法第十二条第一項」「建築基準法（昭和二十五年法律第二百一号）第六条」 — another law by its title,
  looked up in the store's title index (`GraphStore.resolve_titles`); a reference after a title-like
  word (…法, …令, …規則, …条例) that is not in the index is dropped, never attributed to the citing document;
* 「同法第三条」 — the law named last before it in the same document (in document order).

Each reference lists candidate targets, most specific first (…#a5-p2-i3, …#a5-p2, …#a5); the first
one present in the graph becomes the CITES edge.  References to provisions not in the graph produce
no edge, so re-run `link_document` after loading the documents a law cites.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from analogmap.corpus.ids import kanji_to_int

from .records import CitationRecord, ProvisionFilter, ProvisionRecord

_N = r"[〇一二三四五六七八九十百千0-9０-９]+"
_BRANCH = rf"(?:の{_N}(?![部つ]))*"
_REFERENCE = re.compile(
    rf"(?P<samelaw>同法|同令)?"
    rf"(?:(?P<suppl>附則)?第(?P<art>{_N})条(?P<artbranch>{_BRANCH})|(?P<relart>前条|次条|同条))"
    rf"(?:第(?P<para>{_N})項|(?P<relpara_in>同項))?"
    rf"(?:第(?P<item>{_N})号(?P<itembranch>{_BRANCH}))?"
    rf"|(?P<allprev>前各項)"
    rf"|(?:第(?P<para2>{_N})項|(?P<relpara>前項|次項|同項))(?:第(?P<item2>{_N})号(?P<item2branch>{_BRANCH}))?"
    rf"|(?<![律令則例示訓号])第(?P<item3>{_N})号(?P<item3branch>{_BRANCH})"
)
_TITLE_END = re.compile(r"(?:法|令|規則|条例|法律)$")
_TRAILING_PAREN = re.compile(r"（[^（）]*）$")
_TITLE_WINDOW = 60
_TEXT_KINDS = ("paragraph", "item", "subitem")


@dataclass(slots=True)
class Reference:
    """One reference found in a provision's text (`start`/`end` are document offsets)."""

    source_id: str
    start: int
    end: int
    text: str
    candidates: list[str] = field(default_factory=list)
    #: Title-like suffixes before the reference (longest first) when it names another law.
    law_titles: list[str] = field(default_factory=list)
    #: Local part (after `#`) of the candidates, for references to another law.
    local_candidates: list[str] = field(default_factory=list)
    same_law_as_previous: bool = False


def num_key(text: str, branch: str | None = None) -> str:
    """`十二の二` (or `十二` with branch `の二`) → `12_2`."""
    text = text + (branch or "")
    return "_".join(str(kanji_to_int(piece)) for piece in text.split("の") if piece)


def _local_parts(local: str) -> tuple[str, str, str | None, str | None]:
    """`R5L63-s2-p1-i3` → (block prefix `R5L63-s`, article num `2`, paragraph `1`, item `3`)."""
    parts = local.split("-")
    block, article, paragraph, item = "a", "", None, None
    for index, part in enumerate(parts):
        if re.match(r"^[MTSHR]\d", part) and index + 1 < len(parts) and parts[index + 1].startswith("s"):
            block = part + "-s"
        elif part.startswith("s") and not article:
            block = block if block.endswith("-s") else "s"
            article = part[1:]
        elif part.startswith("a") and not article and not part.startswith("appdx"):
            article = part[1:]
        elif part.startswith("p") and paragraph is None:
            paragraph = part[1:]
        elif part.startswith("i") and item is None:
            item = part[1:]
    return block, article, paragraph, item


def _article_local(block: str, num: str) -> str:
    return f"{block}{num}"


def _candidates(article_local: str, paragraph: str | None, item: str | None) -> list[str]:
    out = []
    if paragraph and item:
        out.append(f"{article_local}-p{paragraph}-i{item}")
    if paragraph:
        out.append(f"{article_local}-p{paragraph}")
    out.append(article_local)
    return out


def extract_references(provisions: Sequence[ProvisionRecord]) -> list[Reference]:
    """References in the text of one document's provisions (given in document order)."""
    if not provisions:
        return []
    doc_id = provisions[0].doc_id
    articles: dict[str, list[str]] = {}  # block → article nums in order
    for provision in provisions:
        local = provision.id.partition("#")[2]
        if provision.kind == "article":
            block, article, _, _ = _local_parts(local)
            articles.setdefault(block, []).append(article)
    has_children = {p.parent_id for p in provisions if p.parent_id}
    references: list[Reference] = []
    for provision in provisions:
        if provision.deleted or not provision.text:
            continue
        if provision.kind not in _TEXT_KINDS and not (provision.kind == "article" and provision.id not in has_children):
            continue
        local = provision.id.partition("#")[2]
        block, article, paragraph, item = _local_parts(local)
        if not article:
            continue
        references.extend(_provision_references(doc_id, provision, block, article, paragraph, articles))
    return references


def _neighbour(articles: dict[str, list[str]], block: str, article: str, step: int) -> str | None:
    order = articles.get(block, [])
    if article not in order:
        return None
    index = order.index(article) + step
    return order[index] if 0 <= index < len(order) else None


def _provision_references(doc_id: str, provision: ProvisionRecord, block: str, article: str,
                          paragraph: str | None, articles: dict[str, list[str]]) -> list[Reference]:
    text = provision.text
    out: list[Reference] = []
    last_article: str | None = None  # local article id last referred to in this provision
    last_paragraph: str | None = None
    for match in _REFERENCE.finditer(text):
        groups = match.groupdict()
        start, end = provision.start + match.start(), provision.start + match.end()
        reference = Reference(provision.id, start, end, match.group(0))
        try:
            if groups["art"] or groups["relart"]:
                para = num_key(groups["para"]) if groups["para"] else (last_paragraph if groups["relpara_in"] else None)
                item_num = num_key(groups["item"], groups["itembranch"]) if groups["item"] else None
                if groups["art"]:
                    target_block = (block if block != "a" else "s") if groups["suppl"] else "a"
                    article_local = _article_local(target_block, num_key(groups["art"], groups["artbranch"]))
                else:
                    relart = groups["relart"]
                    if relart == "同条":
                        article_local = last_article or _article_local(block, article)
                    else:
                        neighbour = _neighbour(articles, block, article, -1 if relart == "前条" else 1)
                        if neighbour is None:
                            continue
                        article_local = _article_local(block, neighbour)
                local_candidates = _candidates(article_local, para, item_num)
                if groups["samelaw"]:
                    reference.same_law_as_previous = True
                    reference.local_candidates = local_candidates
                elif groups["art"] and not groups["suppl"]:
                    titles = _titles_before(text[:match.start()])
                    if titles is not None:
                        reference.law_titles = titles
                        reference.local_candidates = local_candidates
                if not reference.local_candidates:
                    reference.candidates = [f"{doc_id}#{c}" for c in local_candidates]
                    last_article, last_paragraph = article_local, para
            elif groups["allprev"]:
                if paragraph is None or not paragraph.isdigit():
                    continue
                for number in range(1, int(paragraph)):
                    out.append(Reference(provision.id, start, end, match.group(0),
                                         [f"{doc_id}#{_article_local(block, article)}-p{number}"]))
                continue
            elif groups["para2"] or groups["relpara"]:
                relpara = groups["relpara"]
                if groups["para2"]:
                    para = num_key(groups["para2"])
                elif relpara == "同項":
                    para = last_paragraph or paragraph
                else:
                    if paragraph is None or not paragraph.isdigit():
                        continue
                    para = str(int(paragraph) + (-1 if relpara == "前項" else 1))
                    if para == "0":
                        continue
                item_num = num_key(groups["item2"], groups["item2branch"]) if groups["item2"] else None
                article_local = _article_local(block, article)
                reference.candidates = [f"{doc_id}#{c}" for c in _candidates(article_local, para, item_num)]
                last_paragraph = para
            elif groups["item3"]:
                if paragraph is None:
                    continue
                item_num = num_key(groups["item3"], groups["item3branch"])
                article_local = _article_local(block, article)
                reference.candidates = [f"{doc_id}#{article_local}-p{paragraph}-i{item_num}"]
        except ValueError:  # a numeral kanji_to_int cannot read
            continue
        out.append(reference)
    return out


def _titles_before(before: str) -> list[str] | None:
    """Title-like suffixes (longest first) when the text before a reference ends in a law's name
    (optionally followed by its law number in parentheses); None when it does not."""
    window = before[-_TITLE_WINDOW:]
    window = _TRAILING_PAREN.sub("", window)
    if not _TITLE_END.search(window):
        return None
    if window.endswith("同法") or window.endswith("同令"):
        return None
    titles = []
    for index in range(len(window) - 1):
        suffix = window[index:]
        if re.search(r"[、。，,\s「」（）()]", suffix):
            continue
        titles.append(suffix)
    return titles


def resolve_references(references: Iterable[Reference],
                       title_index: Mapping[str, str] | Callable[[Iterable[str]], dict[str, str]],
                       existing: Callable[[Iterable[str]], set[str]]) -> list[CitationRecord]:
    """Citation records for the references whose target is in the graph.

    `title_index` maps law titles to document ids (a dict or `GraphStore.resolve_titles`); `existing`
    says which provision ids exist (`GraphStore.existing_provision_ids`)."""
    references = list(references)
    wanted = {t for r in references for t in r.law_titles}
    if callable(title_index):
        titles = title_index(wanted) if wanted else {}
    else:
        titles = {t: title_index[t] for t in wanted if t in title_index}
    last_law: dict[str, str] = {}  # citing document → law named last (references come in document order)
    for reference in references:
        source_doc = reference.source_id.partition("#")[0]
        if reference.law_titles:
            law = next((titles[t] for t in reference.law_titles if t in titles), None)
            reference.candidates = [f"{law}#{c}" for c in reference.local_candidates] if law else []
            if law:
                last_law[source_doc] = law
            else:
                last_law.pop(source_doc, None)
        elif reference.same_law_as_previous:
            law = last_law.get(source_doc)
            reference.candidates = [f"{law}#{c}" for c in reference.local_candidates] if law else []
    present = existing({c for r in references for c in r.candidates})
    citations: dict[tuple[str, str, int], CitationRecord] = {}
    for reference in references:
        target = next((c for c in reference.candidates if c in present), None)
        if target is None or target == reference.source_id:
            continue
        key = (reference.source_id, target, reference.start)
        citations.setdefault(key, CitationRecord(reference.source_id, target, reference.start, reference.end,
                                                 reference.text))
    return list(citations.values())


def document_citations(store, provisions: Sequence[ProvisionRecord]) -> list[CitationRecord]:
    """Resolved citations of one document's provisions (in document order) against `store`."""
    return resolve_references(extract_references(provisions), store.resolve_titles, store.existing_provision_ids)


def link_document(store, doc_id: str) -> int:
    """Parse the stored provisions of `doc_id` and write their CITES edges; returns how many."""
    provisions = list(store.iter_provisions(ProvisionFilter(doc_id=doc_id)))
    provisions.sort(key=lambda p: (p.start, p.id))
    return store.upsert_citations(document_citations(store, provisions))


__all__ = ["Reference", "extract_references", "resolve_references", "document_citations", "link_document",
           "num_key"]
