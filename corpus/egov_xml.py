"""Reader for e-Gov 法令標準XML (the `<Law>` documents of e-Gov bulk data and API v2).

Ids come from the `Num` attributes (see `analogmap.corpus.ids`), never from positions.  The law id
is taken from, in order: the caller, the file name (`<LawId>_<date>_<amendLawId>.xml`), the parent
folder (`…/<LawId>/current.xml`), a sidecar JSON (`law_id`), the root's `LawId` attribute, and only
then from the root's era/year/number when that is unambiguous (cabinet and imperial orders; an Act's
id also needs its 閣法/衆法/参法 category, which the XML does not carry).

Parsing is hardened: no DTD is loaded, no entity is resolved, no network is touched, and files
declaring entities are refused.
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from . import ids
from .errors import InputError
from .model import Document, DocumentBuilder, Provision, Sentence

LAW_TYPE_KINDS = {
    "Constitution": "憲法", "Act": "法律", "CabinetOrder": "政令", "ImperialOrder": "勅令",
    "MinisterialOrdinance": "府省令", "Rule": "規則", "Misc": "その他",
}
_ERA_DIGITS = {"Meiji": "1", "Taisho": "2", "Showa": "3", "Heisei": "4", "Reiwa": "5"}
_HEADING_TAGS = {"Part", "Chapter", "Section", "Subsection", "Division"}
_HEADING_TITLE_TAGS = {"PartTitle", "ChapterTitle", "SectionTitle", "SubsectionTitle", "DivisionTitle"}
_APPENDIX_TAGS = {
    "AppdxTable": ("appdx_table", "appdx"), "AppdxNote": ("appendix", "appdxnote"),
    "AppdxStyle": ("appendix", "appdxstyle"), "AppdxFormat": ("appendix", "appdxformat"),
    "AppdxFig": ("appendix", "appdxfig"), "Appdx": ("appendix", "appendix"),
    "SupplProvisionAppdxTable": ("appdx_table", "appdx"), "SupplProvisionAppdxStyle": ("appendix", "appdxstyle"),
    "SupplProvisionAppdx": ("appendix", "appendix"),
}
_TITLE_SUFFIXES = ("Title",)
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def make_parser() -> etree.XMLParser:
    """An lxml parser that never loads DTDs, resolves entities or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_xml_bytes(data: bytes, path: Path) -> etree._Element:
    """Parse XML safely; raise InputError naming the file and line on any problem."""
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise InputError(path, f"malformed XML: {error.msg}", line=line) from None
    except ValueError as error:
        raise InputError(path, f"unreadable XML: {error}") from None
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(path, "XML declares entities in a DTD; refused (entities are never resolved)")
    return root


_TEXT_OF = etree.XPath("string()")


def element_text(element: etree._Element) -> str:
    """Visible text of an element, trimmed (ruby readings are stripped when the file is read)."""
    return _TEXT_OF(element).strip()


def _sentences_of(container: etree._Element | None) -> list[tuple[str, str]]:
    """(text, function) for each Sentence in a *Sentence container, Columns joined by a space."""
    if container is None:
        return []
    if len(container) == 1 and container[0].tag == "Sentence":  # the common case, kept cheap
        only = container[0]
        return [(_clean(_TEXT_OF(only)), only.get("Function") or "main")]
    found: list[tuple[str, str]] = []
    column_run = False
    for child in container:
        tag = child.tag
        if tag == "Sentence":
            found.append((_clean(_TEXT_OF(child)), child.get("Function") or "main"))
            column_run = False
        elif tag == "Column":
            column_text = "".join(_clean(_TEXT_OF(s)) for s in child.iter("Sentence")) \
                or _clean(element_text(child))
            if column_run:
                found[-1] = (found[-1][0] + "　" + column_text, "main")
            else:
                found.append((column_text, "main"))
            column_run = True
        elif tag in ("Table", "TableStruct", "List") or not isinstance(tag, str):
            continue
        else:
            text = _clean(element_text(child))
            if text:
                found.append((text, "main"))
            column_run = False
    return found


def _clean(text: str) -> str:
    return " ".join(text.split()) if "\n" in text else text.strip()


def resolve_law_id(path: Path, root: etree._Element, law_id: str | None = None) -> str:
    """Find the LawId for a file (see module docstring for the order)."""
    if law_id:
        return law_id
    from_name = ids.law_id_from_file_name(path.stem)
    if from_name:
        return from_name[0]
    if ids.looks_like_law_id(path.parent.name):
        return path.parent.name
    sidecar = _sidecar(path)
    if sidecar.get("law_id"):
        return str(sidecar["law_id"])
    if root.get("LawId"):
        return root.get("LawId")
    law_type = root.get("LawType")
    era = _ERA_DIGITS.get(root.get("Era", ""))
    year, num = root.get("Year"), root.get("Num")
    if era and year and num and year.isdigit() and num.isdigit() and law_type in ("CabinetOrder", "ImperialOrder"):
        code = "CO" if law_type == "CabinetOrder" else "IO"
        return f"{era}{int(year):02d}{code}{int(num):010d}"
    raise InputError(path, "cannot determine the LawId (not in the file name, folder, sidecar JSON or root); "
                           "name the file <LawId>_<date>_<amendLawId>.xml or pass --law-id")


def _sidecar(path: Path) -> dict:
    for candidate in (path.with_suffix(".json"), path.parent / "current.json"):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
    return {}


def _version_date(path: Path, root: etree._Element) -> str | None:
    from_name = ids.law_id_from_file_name(path.stem)
    if from_name and from_name[1]:
        return from_name[1]
    revision = str(_sidecar(path).get("revision_id") or "")
    if len(revision) >= 8 and revision[:8].isdigit():
        return f"{revision[:4]}-{revision[4:6]}-{revision[6:8]}"
    enforcement = root.get("EnforcementDate")
    if enforcement:
        return enforcement.replace("/", "-")
    return None


def read_egov_xml(path: Path, law_id: str | None = None, data: bytes | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one e-Gov XML file into a `Document`."""
    path = Path(path)
    if data is None:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"file is {size / 1e6:.0f} MB, over the limit of {max_bytes / 1e6:.0f} MB")
        data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "empty file")
    root = parse_xml_bytes(data, path)
    etree.strip_elements(root, "Rt", with_tail=False)  # ruby readings are not part of the text
    if root.tag != "Law":
        raise InputError(path, f"not an e-Gov law XML (root element <{root.tag}>, expected <Law>)")
    doc_id = resolve_law_id(path, root, law_id)
    body = root.find("LawBody")
    if body is None:
        raise InputError(path, "e-Gov XML without <LawBody>")
    title = element_text(body.find("LawTitle")) if body.find("LawTitle") is not None else doc_id
    law_num = element_text(root.find("LawNum")) if root.find("LawNum") is not None else None
    walker = _Walker(doc_id)
    walker.builder.add_line(title)
    if law_num:
        walker.builder.add_line(law_num)
    for child in body:
        tag = child.tag
        if tag == "Preamble":
            walker.container(child, prefix="preamble", label="前文")
        elif tag == "MainProvision":
            walker.container(child, prefix="", label="")
        elif tag == "SupplProvision":
            walker.suppl_provision(child)
        elif tag in _APPENDIX_TAGS:
            walker.appendix(child, key_prefix="")
        elif tag == "EnactStatement":
            walker.builder.add_line(element_text(child))
    text = walker.builder.text()
    walker.finalise(text)
    return Document(
        doc_id=doc_id, title=title, kind=LAW_TYPE_KINDS.get(root.get("LawType", ""), "その他"),
        jurisdiction="国", version_date=_version_date(path, root), source_path=str(path),
        sha256=hashlib.sha256(data).hexdigest(), text=text, provisions=walker.top,
        law_num=law_num, source_format="egov-xml",
    )


class _Walker:
    """Walks the XML tree, writing document text and building provisions."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.builder = DocumentBuilder()
        self.top: list[Provision] = []
        self.headings: list[tuple[int, str]] = []
        self.spans: list[Provision] = []

    def _id(self, local: str) -> str:
        return self.builder.unique_id(f"{self.doc_id}#{local}")

    def _heading(self) -> str | None:
        return _joined_headings(tuple(self.headings))

    def container(self, element: etree._Element, prefix: str, label: str, suppl: bool = False,
                  parent: Provision | None = None, depth: int = 0) -> None:
        """MainProvision, Preamble, SupplProvision and headings: recurse into articles and paragraphs."""
        siblings = parent.children if parent is not None else self.top
        for child in element:
            tag = child.tag
            if tag == "Article":
                siblings.append(self.article(child, prefix, suppl, parent))
            elif tag == "Paragraph":
                siblings.append(self.paragraph(child, prefix + ("-" if prefix else ""), label, parent,
                                               first_title=None))
            elif tag in _HEADING_TAGS:
                title_element = next((c for c in child if c.tag in _HEADING_TITLE_TAGS), None)
                title = element_text(title_element) if title_element is not None else ""
                level = depth + 1
                self.headings = [h for h in self.headings if h[0] < level] + [(level, title)]
                if title:
                    self.builder.add_line(title)
                self.container(child, prefix, label, suppl, parent, depth=level)
                self.headings = [h for h in self.headings if h[0] < level]
            elif tag in _APPENDIX_TAGS and parent is not None:
                parent.children.append(self.appendix(child, key_prefix=prefix + "-", attach=False))
            elif tag in _APPENDIX_TAGS:
                self.appendix(child, key_prefix=prefix + "-" if prefix else "")
            elif tag == "SupplProvisionLabel":
                continue

    def suppl_provision(self, element: etree._Element) -> None:
        amend_law_num = element.get("AmendLawNum")
        key = ids.amend_key(amend_law_num)
        prefix = f"{key}-s" if key else "s"
        label_element = element.find("SupplProvisionLabel")
        label_text = element_text(label_element) if label_element is not None else "附則"
        if amend_law_num:
            label_text = f"{label_text}（{amend_law_num}）"
        start, end = self.builder.add_line(label_text)
        provision = Provision(
            provision_id=self._id(prefix), kind="suppl_provision", num=key, label=label_text, text="",
            start=start, end=end, amend_law_num=amend_law_num,
        )
        self.top.append(provision)
        saved_headings = self.headings
        self.headings = []
        self.container(element, prefix, "附則", suppl=True, parent=provision)
        self.headings = saved_headings
        self._close_span(provision, start)

    def _close_span(self, provision: Provision, start: int) -> None:
        end = max(self.builder.position - 1, start)
        provision.start = start
        provision.end = end
        self.spans.append(provision)

    def article(self, element: etree._Element, prefix: str, suppl: bool, parent: Provision | None) -> Provision:
        num = ids.normalise_num(element.get("Num")) or str(len(parent.children) + 1 if parent else len(self.top) + 1)
        local = f"{prefix}{num}" if suppl else f"a{num}"
        caption = None
        title = None
        for child in element:
            if child.tag == "ArticleCaption":
                caption = element_text(child) or None
            elif child.tag == "ArticleTitle":
                title = element_text(child)
            elif child.tag == "Paragraph":
                break
        if title is None:
            title = ids.article_label(num, suppl)
        start = self.builder.position
        if caption:
            self.builder.add_line(caption)
        label = ("附則" if suppl and not title.startswith("附則") else "") + title
        provision = Provision(
            provision_id=self._id(local), kind="article", num=num, label=label, text="", start=start, end=start,
            caption=caption, parent_id=parent.provision_id if parent else None,
            deleted=element.get("Delete") == "true", heading=self._heading(),
        )
        first_title: str | None = title
        for child in element:
            if child.tag == "Paragraph":
                provision.children.append(self.paragraph(child, f"{local}-", label, provision, first_title))
                first_title = None
            elif child.tag == "SupplNote":
                self.builder.add_line(element_text(child))
        if first_title is not None:
            self.builder.add_line("", prefix=first_title)
        if provision.children and all(c.text.strip() == "削除" for c in provision.children):
            provision.deleted = True
        self._close_span(provision, start)
        return provision

    def paragraph(self, element: etree._Element, id_prefix: str, parent_label: str, parent: Provision | None,
                  first_title: str | None) -> Provision:
        num = ids.normalise_num(element.get("Num")) or "1"
        caption = None
        shown_num = ""
        sentence_container = None
        nested: list[etree._Element] = []
        for child in element:  # one pass over the children: lxml's find() rescans them every time
            tag = child.tag
            if tag == "ParagraphSentence":
                sentence_container = child
            elif tag == "ParagraphNum":
                shown_num = element_text(child)
            elif tag == "ParagraphCaption":
                caption = element_text(child) or None
            elif isinstance(tag, str):
                nested.append(child)
        if caption:
            self.builder.add_line(caption)
        line_prefix = first_title or shown_num
        text, text_start, text_end, sentence_objs = self._write_sentences(
            _sentences_of(sentence_container), f"{line_prefix}　" if line_prefix else "")
        label = parent_label + ids.paragraph_label(num)
        provision = Provision(
            provision_id=self._id(f"{id_prefix}p{num}"), kind="paragraph", num=num, label=label,
            text=text, start=text_start, end=text_end, caption=caption,
            parent_id=parent.provision_id if parent else None, sentences=sentence_objs,
            heading=self._heading() if parent is None or parent.kind != "article" else None,
            deleted=text == "削除",
        )
        if nested:
            self._children(nested, provision, label)
        return provision

    def _write_sentences(self, sentences: list[tuple[str, str]],
                         line_prefix: str) -> tuple[str, int, int, list[Sentence]]:
        text = sentences[0][0] if len(sentences) == 1 else "".join(s for s, _ in sentences)
        start, end = self.builder.add_line(text, prefix=line_prefix)
        objs: list[Sentence] = []
        offset = start
        for sentence_text, function in sentences:
            objs.append(Sentence(sentence_text, offset, offset + len(sentence_text), function))
            offset += len(sentence_text)
        return text, start, end, objs

    def _children(self, children: list[etree._Element], provision: Provision, label: str) -> None:
        tables = 0
        local = provision.provision_id.split("#", 1)[1]
        for child in children:
            tag = child.tag
            if tag == "Item":
                provision.children.append(self.item(child, provision, local, label, level=0))
            elif tag.startswith("Subitem") and not tag.endswith(("Title", "Sentence")):
                provision.children.append(self.item(child, provision, local, label, level=int(tag[7:])))
            elif tag in ("TableStruct", "FigStruct", "StyleStruct", "List", "AmendProvision", "Class"):
                tables += 1
                provision.children.append(self.table(child, provision, tables, label))
            elif tag == "Paragraph":
                provision.children.append(self.paragraph(child, local + "-", label, provision, None))

    def item(self, element: etree._Element, parent: Provision, parent_local: str, parent_label: str,
             level: int) -> Provision:
        tag = element.tag
        title_tag, sentence_tag = f"{tag}Title", f"{tag}Sentence"
        num = ids.normalise_num(element.get("Num")) or str(len(parent.children) + 1)
        title = ""
        sentence_container = None
        nested: list[etree._Element] = []
        for child in element:
            child_tag = child.tag
            if child_tag == sentence_tag:
                sentence_container = child
            elif child_tag == title_tag:
                title = element_text(child)
            elif isinstance(child_tag, str):
                nested.append(child)
        text, text_start, text_end, sentence_objs = self._write_sentences(
            _sentences_of(sentence_container), f"{title}　" if title else "")
        if level == 0:
            local = f"{parent_local}-i{num}"
            label = parent_label + ids.item_label(num)
        else:
            local = f"{parent_local}.{num}"
            label = parent_label + title
        provision = Provision(
            provision_id=self._id(local), kind="item" if level == 0 else "subitem", num=num, label=label,
            text=text, start=text_start, end=text_end, parent_id=parent.provision_id,
            sentences=sentence_objs, level=level, deleted=text == "削除",
        )
        if nested:
            self._children(nested, provision, label)
        return provision

    def table(self, element: etree._Element, parent: Provision, ordinal: int, parent_label: str) -> Provision:
        text = _table_text(element)
        start, end = self.builder.add_line(text)
        provision = Provision(
            provision_id=self._id(f"{parent.provision_id.split('#', 1)[1]}-t{ordinal}"), kind="table",
            num=str(ordinal), label=f"{parent_label}（表{ids.int_to_kanji(ordinal)}）" if ordinal > 1 else f"{parent_label}（表）",
            text=text, start=start, end=end, parent_id=parent.provision_id,
        )
        self._nested_paragraphs(element, provision, parent_label)
        return provision

    def _nested_paragraphs(self, element: etree._Element, provision: Provision, label: str) -> None:
        """Paragraphs, Articles or Items quoted inside a table or amendment stay addressable."""
        for nested in element.iter("Paragraph"):
            if nested is element:
                continue
            num = ids.normalise_num(nested.get("Num")) or "1"
            sentences = _sentences_of(nested.find("ParagraphSentence"))
            text = "".join(s for s, _ in sentences)
            anchor = self._find_in(provision, text)
            provision.children.append(Provision(
                provision_id=self._id(f"{provision.provision_id.split('#', 1)[1]}-p{num}"), kind="paragraph", num=num,
                label=f"{label}{ids.paragraph_label(num)}", text=text, start=anchor, end=anchor + len(text),
                parent_id=provision.provision_id))

    @staticmethod
    def _find_in(provision: Provision, text: str) -> int:
        position = provision.text.find(text) if text else -1
        return provision.start + position if position >= 0 else provision.start

    def appendix(self, element: etree._Element, key_prefix: str, attach: bool = True) -> Provision:
        kind, id_word = _APPENDIX_TAGS[element.tag]
        title_element = next((c for c in element if isinstance(c.tag, str) and c.tag.endswith("Title")), None)
        title = element_text(title_element) if title_element is not None else "別表"
        num = ids.normalise_num(element.get("Num")) or _num_from_title(title)
        self.builder.add_line(title)
        text = _table_text(element, skip=title_element)
        start, end = self.builder.add_line(text)
        provision = Provision(
            provision_id=self._id(f"{key_prefix}{id_word}{num}"), kind=kind, num=num, label=title, text=text,
            start=start, end=end, caption=title,
        )
        self._nested_paragraphs(element, provision, title)
        if attach:
            self.top.append(provision)
        return provision

    def finalise(self, text: str) -> None:
        """Containers (articles, 附則) get their whole span as text once the document text exists."""
        for provision in self.spans:
            provision.text = text[provision.start:provision.end]


@lru_cache(maxsize=1024)
def _joined_headings(headings: tuple[tuple[int, str], ...]) -> str | None:
    return "／".join(title for _, title in headings) or None


def _num_from_title(title: str) -> str:
    """別表第二の二 → `2_2`; 1 when the title carries no number."""
    match = re.search(r"第([〇一二三四五六七八九十百千0-9０-９]+)((?:の[〇一二三四五六七八九十0-9]+)*)", title)
    if not match:
        return "1"
    parts = [str(ids.kanji_to_int(match.group(1)))]
    parts += [str(ids.kanji_to_int(p)) for p in match.group(2).split("の") if p]
    return "_".join(parts)


def _table_text(element: etree._Element, skip: etree._Element | None = None) -> str:
    """Table rows as lines, cells separated by a tab; other content as plain text."""
    rows = list(element.iter("TableRow"))
    if not rows:
        pieces = []
        for child in element:
            if child is skip or not isinstance(child.tag, str):
                continue
            text = _clean(element_text(child))
            if text:
                pieces.append(text)
        return "\n".join(pieces)
    lines = []
    for row in rows:
        cells = [_clean(element_text(cell)) for cell in row if cell.tag in ("TableColumn", "TableHeaderColumn")]
        lines.append("\t".join(cells))
    return "\n".join(lines)
