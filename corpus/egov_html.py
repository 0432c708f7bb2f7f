"""Reader for the two HTML renderings of national law published by e-Gov.

* ``egov-html-v2``: the page e-Gov 法令API v2 returns from ``law_file/html/<law id>`` (``<section
  class="Article">``, ``_div_ArticleTitle``, ``_div_ParagraphSentence``, ``_div_ItemSentence`` …).  The page
  carries no ``Num`` attributes (its ``id``/``data-xpath`` attributes are empty), so Nums are recovered from
  the visible labels exactly as for the 2015 pages.  The law id and version date come from the file name
  (``<LawId>_<YYYYMMDD>_<AmendLawId>.html``) unless the caller gives the id.
* ``egov-html-2015``: the old 法令データ提供システム page (``DIV.item`` for articles and paragraphs,
  ``DIV.number`` for items, ``DIV.para1``… for subitems, ``DIV.arttitle`` for captions, chapter titles and
  附則 labels in bold outside the divs).  The law id comes from the caller, a mapping file, an
  ``index.tsv`` beside the file (``file<TAB>law_id_new``), or is derived from the law number on the page.

Both produce the same `Document`/`Provision` model and the same provision ids as `egov_xml.read_egov_xml`
for the same law: 「第十二条の二」 → ``a12_2``, 「２」/「○２」/「②」 → ``p2`` (the first paragraph, unnumbered,
is ``p1``), 「十二の二」 → ``i12_2``, イ/ロ/ハ and （１）（２） → ``.1``, ``.2`` (e-Gov numbers subitems by
ordinal), 「第三条から第五条まで」 → ``a3:5``; 附則 of amending laws are keyed with `ids.amend_key`
(``H23L74-s2-p1``), the original 附則 is ``s2-p1``, an article-less 附則 ``H23L74-s-p1``.

Parsing uses lxml.html with a parser that never touches the network; HTML has no external entities to
resolve.  Unusable input raises `InputError`.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

from . import ids
from .errors import InputError
from .model import Document, DocumentBuilder, Provision, Sentence

__all__ = [
    "read_egov_html", "is_egov_html", "load_law_id_mapping", "law_id_from_law_num", "kind_from_law_num",
    "detect_layout", "DEFAULT_MAX_BYTES", "VERSION_DATE_2015",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: The 2015 pages were fetched from the old law.e-gov.go.jp on 2015-12-27 (see the corpus SOURCE.md).
VERSION_DATE_2015 = "2015-12-27"

_KANJI_NUM = "〇一二三四五六七八九十百千"
_N = f"[{_KANJI_NUM}0-9０-９]+"
_ARTICLE_LABEL = re.compile(rf"^(?:附\s*則\s*)?第({_N})条((?:[のノ]{_N})*)$")
_ARTICLE_RANGE = re.compile(rf"^(?:附\s*則\s*)?第({_N})条((?:[のノ]{_N})*)(?:から|及び|及)第({_N})条((?:[のノ]{_N})*)(?:まで)?$")
_ITEM_LABEL = re.compile(rf"^({_N})((?:[のノ]{_N})*)$")
_ITEM_RANGE = re.compile(rf"^({_N})((?:[のノ]{_N})*)(?:から|及び|及|および)({_N})((?:[のノ]{_N})*)(?:まで)?$")
_HEADING_LABEL = re.compile(rf"^第{_N}(編|章|節|款|目)(?:[のノ]{_N})*(?:[\s　]|$)")
_HEADING_LEVELS = {"編": 1, "章": 2, "節": 3, "款": 4, "目": 5}
_SUPPL_LABEL = re.compile(r"^附[\s　]*則")
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン"
_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
          "xvi", "xvii", "xviii", "xix", "xx"]
_FULLWIDTH = str.maketrans("０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ（）",
                           "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ()")
_ERA_DIGIT = {"明治": "1", "大正": "2", "昭和": "3", "平成": "4", "令和": "5"}
_LAW_NUM = re.compile(
    r"(明治|大正|昭和|平成|令和)([元〇一二三四五六七八九十0-9０-９]+)年"
    r"(?:[〇一二三四五六七八九十0-9０-９]+月[〇一二三四五六七八九十0-9０-９]+日)?"
    r"([^第（）()]{0,30}?)(法律|政令|勅令|府令|省令|規則|太政官布告|太政官達|布告|達|告示)第([〇一二三四五六七八九十百千0-9０-９]+)号")
_V2_APPENDIX = {
    "AppdxTable": ("appdx_table", "appdx"), "AppdxNote": ("appendix", "appdxnote"),
    "AppdxStyle": ("appendix", "appdxstyle"), "AppdxFormat": ("appendix", "appdxformat"),
    "AppdxFig": ("appendix", "appdxfig"), "Appdx": ("appendix", "appendix"),
    "SupplProvisionAppdxTable": ("appdx_table", "appdx"), "SupplProvisionAppdxStyle": ("appendix", "appdxstyle"),
    "SupplProvisionAppdx": ("appendix", "appendix"),
}
_V2_SKIP_CLASSES = {"_shokanBox", "_inyoBox", "_shokanBtnIcons", "fig_pdf_icon"}
_V2_HEADING = re.compile(r"^_div_(Part|Chapter|Section|Subsection|Division)Title$")
_V2_HEADING_LEVELS = {"Part": 1, "Chapter": 2, "Section": 3, "Subsection": 4, "Division": 5}
_V2_SUBITEM = re.compile(r"^_div_Subitem(\d+)Sentence$")


# --------------------------------------------------------------------------------------------------------
# public helpers


def is_egov_html(head: bytes) -> bool:
    """Whether the first bytes (up to ~64 KB) look like one of the two e-Gov HTML layouts."""
    return detect_layout(head) is not None


def detect_layout(head: bytes) -> str | None:
    """``egov-html-v2``, ``egov-html-2015`` or None, from the first bytes of a file."""
    lowered = head[:65536].lower()
    if b"<html" not in lowered and b"<body" not in lowered and b"<div" not in lowered and b"<section" not in lowered:
        return None
    if (b"_div_articletitle" in lowered or b'id="lawtitleno"' in lowered or b"_div_paragraphsentence" in lowered
            or b"_shokanbox" in lowered or (b"contentslaw" in lowered and b"innerdocument" in lowered)):
        return "egov-html-v2"
    if (b"div.arttitle" in lowered or b'class="arttitle"' in lowered
            or (b"div.para1" in lowered and b"div.item" in lowered and b"div.number" in lowered)
            or b"/cgi-bin/idxmiseko.cgi" in lowered or b"/cgi-bin/idxrefer.cgi" in lowered):
        return "egov-html-2015"
    return None


def load_law_id_mapping(path: Path | str) -> dict[str, str]:
    """``file<TAB>law_id`` lines (a header line is allowed) → {file name: law id}; the stem is a key too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read the law id mapping: {error}") from None
    mapping: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 2 or not ids.looks_like_law_id(cells[1]):
            continue
        mapping[cells[0]] = cells[1]
        mapping.setdefault(Path(cells[0]).stem, cells[1])
    return mapping


def law_id_from_law_num(law_num: str) -> str | None:
    """昭和二十七年法律第二百三十一号 → ``327AC0000000231``; 政令 → ``CO``, 勅令 → ``IO``.

    Only 法律/政令/勅令 can be derived from the number alone (府省令 ids carry the ministry code).  Acts whose
    id has a non-zero category digit (e.g. ``323AC1000000186``, 議員立法) cannot be told apart from the
    number: use a mapping when exactness matters.
    """
    match = _LAW_NUM.search(law_num.translate(ids.FULLWIDTH_DIGITS))
    if not match:
        return None
    era, year_text, issuer, kind, number_text = match.groups()
    code = {"法律": "AC", "政令": "CO", "勅令": "IO"}.get(kind)
    if code is None or issuer.strip():
        return None
    year = 1 if year_text == "元" else ids.kanji_to_int(year_text)
    return f"{_ERA_DIGIT[era]}{year:02d}{code}{ids.kanji_to_int(number_text):010d}"


def kind_from_law_num(law_num: str | None) -> str:
    """Document kind from a law number: 法律, 政令, 勅令, 府省令 (省令, 府令, 委員会規則), 規則, その他."""
    if not law_num:
        return "その他"
    match = _LAW_NUM.search(law_num)
    kind = match.group(4) if match else None
    if kind is None:
        for candidate in ("法律", "政令", "勅令", "府令", "省令", "規則"):
            if candidate in law_num:
                kind = candidate
                break
    if kind in ("法律", "政令", "勅令"):
        return kind
    if kind in ("府令", "省令"):
        return "府省令"
    if kind == "規則":
        issuer = match.group(3) if match else law_num
        return "府省令" if "委員会" in issuer or "庁" in issuer else "規則"
    return "その他"


# --------------------------------------------------------------------------------------------------------
# numbers from labels


def _num_with_branches(first: str, rest: str) -> str:
    parts = [str(ids.kanji_to_int(first))]
    parts += [str(ids.kanji_to_int(p)) for p in re.split(r"[のノ]", rest) if p]
    return "_".join(parts)


def article_num(label: str) -> str | None:
    """第十二条の二 → ``12_2``; 第三条から第五条まで → ``3:5``; None if the label is not an article."""
    label = re.sub(r"[\s　]", "", label)
    match = _ARTICLE_LABEL.match(label)
    if match:
        return _num_with_branches(match.group(1), match.group(2))
    match = _ARTICLE_RANGE.match(label)
    if match:
        return f"{_num_with_branches(match.group(1), match.group(2))}:{_num_with_branches(match.group(3), match.group(4))}"
    return None


def paragraph_num(label: str) -> str | None:
    """２, ○２, ② → ``2``; None when the label is not a paragraph number."""
    label = label.strip().lstrip("○")
    if not label:
        return None
    if len(label) == 1:
        code = ord(label)
        if 0x2460 <= code <= 0x2473:
            return str(code - 0x2460 + 1)
        if 0x3251 <= code <= 0x325F:
            return str(code - 0x3251 + 21)
        if 0x32B1 <= code <= 0x32BF:
            return str(code - 0x32B1 + 36)
    label = label.translate(ids.FULLWIDTH_DIGITS)
    return label if label.isdigit() else None


def item_num(label: str) -> str | None:
    """一 → ``1``, 十二の二 → ``12_2``, 一から四まで → ``1:4``, 三及び四 → ``3:4``."""
    label = re.sub(r"[\s　]", "", label)
    match = _ITEM_LABEL.match(label)
    if match:
        return _num_with_branches(match.group(1), match.group(2))
    match = _ITEM_RANGE.match(label)
    if match:
        return f"{_num_with_branches(match.group(1), match.group(2))}:{_num_with_branches(match.group(3), match.group(4))}"
    return None


def subitem_ordinal(label: str) -> int | None:
    """イ → 1, ロ → 2, （１） → 1, （ｉｉ） → 2, (a) → 1; None when not recognised."""
    label = label.strip()
    if len(label) == 1 and label in _IROHA:
        return _IROHA.index(label) + 1
    plain = label.translate(_FULLWIDTH)
    inner = plain[1:-1] if plain.startswith("(") and plain.endswith(")") else plain
    if inner.isdigit():
        return int(inner)
    if inner.lower() in _ROMAN:
        return _ROMAN.index(inner.lower()) + 1
    if len(inner) == 1 and inner.isascii() and inner.isalpha():
        return ord(inner.lower()) - ord("a") + 1
    if len(inner) == 1 and inner in _IROHA:
        return _IROHA.index(inner) + 1
    try:
        return ids.kanji_to_int(inner)  # （一）（二）
    except ValueError:
        return None


def subitem_num(label: str) -> str | None:
    """Subitem Num: the ordinal (イ → ``1``), or a range for 「イ及びロ」「イからハまで」 (→ ``1:2``, ``1:3``)."""
    label = re.sub(r"[\s　]", "", label)
    ordinal = subitem_ordinal(label)
    if ordinal is not None:
        return str(ordinal)
    match = re.fullmatch(r"(.+?)(?:から|及び|及)(.+?)(?:まで)?", label)
    if match:
        first, last = subitem_ordinal(match.group(1)), subitem_ordinal(match.group(2))
        if first is not None and last is not None:
            return f"{first}:{last}"
    return None


def _num_from_title(title: str) -> str:
    """別表第二の二（第三条関係） → ``2_2``; ``1`` when the title carries no number (as egov_xml does)."""
    title = re.split(r"[（(]", title, maxsplit=1)[0]
    match = re.search(r"第([〇一二三四五六七八九十百千0-9０-９]+)((?:の[〇一二三四五六七八九十0-9０-９]+)*)", title)
    if not match:
        return "1"
    return _num_with_branches(match.group(1), match.group(2))


# --------------------------------------------------------------------------------------------------------
# the layout-independent assembler


@dataclass(slots=True)
class _Block:
    """One visible unit of the page, in document order."""

    kind: str  # heading, suppl, caption, article, paragraph, item, subitem, table, appendix, line
    label: str = ""
    text: str = ""
    sentences: list[str] = field(default_factory=list)
    level: int = 0
    extra: str | None = None  # amend law num (suppl), appendix tag (appendix), caption target


class _Assembler:
    """Turns the block stream into provisions with e-Gov XML ids (mirrors egov_xml._Walker)."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.builder = DocumentBuilder()
        self.top: list[Provision] = []
        self.spans: list[tuple[Provision, int]] = []
        self.headings: list[tuple[int, str]] = []
        self.prefix = ""  # "" in the main provision, "s" / "H23L74-s" in a 附則
        self.suppl: Provision | None = None
        self.suppl_start = 0
        self.article: Provision | None = None
        self.article_start = 0
        self.paragraph: Provision | None = None
        self.stack: list[Provision] = []  # item, subitem1, subitem2 …
        self.pending_caption: tuple[str, int] | None = None
        self.table_counts: dict[str, int] = {}

    # -- helpers
    def _id(self, local: str) -> str:
        return self.builder.unique_id(f"{self.doc_id}#{local}")

    @staticmethod
    def _local(provision: Provision) -> str:
        return provision.provision_id.split("#", 1)[1]

    def _heading(self) -> str | None:
        return "／".join(title for _, title in self.headings) or None

    def _siblings(self) -> list[Provision]:
        return self.suppl.children if self.suppl is not None else self.top

    def _write(self, text: str, sentences: list[str], prefix: str) -> tuple[int, int, list[Sentence]]:
        start, end = self.builder.add_line(text, prefix=prefix)
        objs: list[Sentence] = []
        cursor = 0
        for sentence in sentences:
            at = text.find(sentence, cursor) if sentence else -1
            if at < 0:
                continue
            function = "proviso" if objs and sentence.startswith(("ただし", "但し")) else "main"
            objs.append(Sentence(sentence, start + at, start + at + len(sentence), function))
            cursor = at + len(sentence)
        if not objs and text:
            objs.append(Sentence(text, start, end, "main"))
        return start, end, objs

    def _close_article(self) -> None:
        if self.article is not None:
            self.spans.append((self.article, self.article_start))
            if self.article.children and all(c.text.strip() == "削除" for c in self.article.children):
                self.article.deleted = True
        self.article = None
        self.paragraph = None
        self.stack = []

    def _close_suppl(self) -> None:
        self._close_article()
        if self.suppl is not None:
            self.spans.append((self.suppl, self.suppl_start))
        self.suppl = None
        self.prefix = ""

    def _take_caption(self, target: str) -> tuple[str | None, int | None]:
        if self.pending_caption is None:
            return None, None
        caption, start = self.pending_caption
        self.pending_caption = None
        return caption, start

    # -- blocks
    def feed(self, block: _Block) -> None:
        kind = block.kind
        if kind != "caption" and kind not in ("article", "paragraph") and self.pending_caption is not None:
            self.pending_caption = None
        if kind == "heading":
            self._close_article()
            self.headings = [h for h in self.headings if h[0] < block.level] + [(block.level, block.text)]
            self.builder.add_line(block.text)
        elif kind == "suppl":
            self.suppl_provision(block)
        elif kind == "suppl_end":
            self._close_suppl()
        elif kind == "caption":
            start = self.builder.position
            self.builder.add_line(block.text)
            self.pending_caption = (block.text, start)
        elif kind == "article":
            self.article_block(block)
        elif kind == "paragraph":
            self.paragraph_block(block)
        elif kind in ("item", "subitem"):
            self.item_block(block)
        elif kind == "table":
            self.table_block(block)
        elif kind == "appendix":
            self.appendix_block(block)
        elif block.text:
            self.builder.add_line(block.text)

    def suppl_provision(self, block: _Block) -> None:
        self._close_suppl()
        amend_law_num = block.extra
        key = ids.amend_key(amend_law_num)
        self.prefix = f"{key}-s" if key else "s"
        label_text = re.sub(r"[\s　]*抄$", "", block.text).strip() or "附則"
        label_text = re.sub(r"[\s　]*[（(].*$", "", label_text) or "附則"
        if amend_law_num:
            label_text = f"{label_text}（{amend_law_num}）"
        start, end = self.builder.add_line(label_text)
        self.suppl = Provision(provision_id=self._id(self.prefix), kind="suppl_provision", num=key, label=label_text,
                               text="", start=start, end=end, amend_law_num=amend_law_num)
        self.suppl_start = start
        self.top.append(self.suppl)
        self.headings = []

    def article_block(self, block: _Block) -> None:
        self._close_article()
        suppl = self.suppl is not None
        num = article_num(block.label) or str(len(self._siblings()) + 1)
        local = f"{self.prefix}{num}" if suppl else f"a{num}"
        caption, caption_start = self._take_caption("article")
        start = caption_start if caption_start is not None else self.builder.position
        title = re.sub(r"^附[\s　]*則[\s　]*", "", block.label.strip())
        label = ("附則" if suppl else "") + title
        article = Provision(provision_id=self._id(local), kind="article", num=num, label=label, text="",
                            start=start, end=start, caption=caption,
                            parent_id=self.suppl.provision_id if suppl else None, heading=self._heading())
        self._siblings().append(article)
        self.article = article
        self.article_start = start
        self._add_paragraph("1", block, line_prefix=f"{block.label.strip()}　", caption=None)

    def paragraph_block(self, block: _Block) -> None:
        num = paragraph_num(block.label)
        if num is None:
            if self.article is not None and self.article.children:
                num = str(len([c for c in self.article.children if c.kind == "paragraph"]) + 1)
            elif self.article is None and self.suppl is not None and any(
                    c.kind == "paragraph" for c in self.suppl.children):
                num = str(len([c for c in self.suppl.children if c.kind == "paragraph"]) + 1)
            else:
                num = "1"
        caption, _ = self._take_caption("paragraph")
        label = block.label.strip()
        self._add_paragraph(num, block, line_prefix=f"{label}　" if label else "", caption=caption)

    def _add_paragraph(self, num: str, block: _Block, line_prefix: str, caption: str | None) -> None:
        self.stack = []
        text_start, text_end, sentences = self._write(block.text, block.sentences, line_prefix)
        if self.article is not None:
            parent: Provision | None = self.article
            local = f"{self._local(self.article)}-p{num}"
            label = f"{self.article.label}{ids.paragraph_label(num)}"
            heading = None
        else:
            parent = self.suppl
            local = f"{self.prefix}-p{num}" if self.prefix else f"p{num}"
            label = ("附則" if self.suppl is not None else "") + ids.paragraph_label(num)
            heading = self._heading()
        paragraph = Provision(provision_id=self._id(local), kind="paragraph", num=num, label=label, text=block.text,
                              start=text_start, end=text_end, caption=caption,
                              parent_id=parent.provision_id if parent else None, sentences=sentences,
                              heading=heading, deleted=block.text.strip() == "削除")
        (parent.children if parent is not None else self.top).append(paragraph)
        self.paragraph = paragraph

    def _ensure_paragraph(self) -> Provision:
        if self.paragraph is None:
            self._add_paragraph("1", _Block("paragraph"), line_prefix="", caption=None)
        assert self.paragraph is not None
        return self.paragraph

    def item_block(self, block: _Block) -> None:
        level = block.level if block.kind == "subitem" else 0
        paragraph = self._ensure_paragraph()
        self.stack = self.stack[:level]
        parent = self.stack[-1] if self.stack else paragraph
        if level > len(self.stack):  # a subitem without its item: hang it on what we have
            level = len(self.stack)
        label_text = block.label.strip()
        if level == 0:
            num = item_num(label_text) or str(len([c for c in parent.children if c.kind == "item"]) + 1)
            local = f"{self._local(parent)}-i{num}"
            label = f"{parent.label}{ids.item_label(num)}"
        else:
            num = subitem_num(label_text) or str(len([c for c in parent.children if c.kind == "subitem"]) + 1)
            local = f"{self._local(parent)}.{num}"
            label = f"{parent.label}{label_text}"
        start, end, sentences = self._write(block.text, block.sentences, f"{label_text}　" if label_text else "")
        provision = Provision(provision_id=self._id(local), kind="item" if level == 0 else "subitem", num=num,
                              label=label, text=block.text, start=start, end=end, parent_id=parent.provision_id,
                              sentences=sentences, level=level, deleted=block.text.strip() == "削除")
        parent.children.append(provision)
        self.stack.append(provision)

    def table_block(self, block: _Block) -> None:
        if self.article is None and self.paragraph is None:
            if block.text:
                self.builder.add_line(block.text)
            return
        parent = self.stack[-1] if self.stack else self._ensure_paragraph()
        count = self.table_counts.get(parent.provision_id, 0) + 1
        self.table_counts[parent.provision_id] = count
        start, end = self.builder.add_line(block.text)
        parent.children.append(Provision(
            provision_id=self._id(f"{self._local(parent)}-t{count}"), kind="table", num=str(count),
            label=f"{parent.label}（表{ids.int_to_kanji(count)}）" if count > 1 else f"{parent.label}（表）",
            text=block.text, start=start, end=end, parent_id=parent.provision_id))

    def appendix_block(self, block: _Block) -> None:
        self._close_article()
        kind, word = _V2_APPENDIX.get(block.extra or "AppdxTable", ("appdx_table", "appdx"))
        title = block.label or "別表"
        num = _num_from_title(title)
        self.builder.add_line(title)
        start, end = self.builder.add_line(block.text)
        in_suppl = self.suppl is not None
        key_prefix = f"{self.prefix}-" if in_suppl else ""
        provision = Provision(provision_id=self._id(f"{key_prefix}{word}{num}"), kind=kind, num=num, label=title,
                              text=block.text, start=start, end=end, caption=title,
                              parent_id=self.suppl.provision_id if in_suppl and self.suppl else None)
        (self.suppl.children if in_suppl and self.suppl else self.top).append(provision)


def _finalise_spans(assembler: _Assembler, ends: dict[int, int], text: str) -> None:
    for provision, start in assembler.spans:
        end = ends.get(id(provision), start)
        provision.start = start
        provision.end = max(start, end)
        provision.text = text[provision.start:provision.end]


# --------------------------------------------------------------------------------------------------------
# text extraction


def _clean(text: str) -> str:
    """Drop source line breaks, trim (full-width spaces included)."""
    return text.replace("\r", "").replace("\n", "").strip()


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _v2_text(element: etree._Element, parts: list[str], skip_first_bold: list[bool] | None = None) -> None:
    """Visible text of a v2 element: ruby readings and the shokan/inyo boxes dropped."""
    if element.text:
        parts.append(element.text)
    for child in element:
        if not isinstance(child.tag, str):
            if child.tail:
                parts.append(child.tail)
            continue
        if child.tag == "rt" or child.tag == "rp" or any(c in _V2_SKIP_CLASSES for c in _classes(child)):
            pass
        else:
            _v2_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def _text_of(element: etree._Element) -> str:
    parts: list[str] = []
    _v2_text(element, parts)
    return "".join(parts)


def _table_lines(table: etree._Element) -> str:
    """Rows as lines, cells separated by a tab (as egov_xml does)."""
    lines = []
    for row in table.iter("tr"):
        cells = [" ".join(_text_of(cell).split()) for cell in row if cell.tag in ("td", "th")]
        lines.append("\t".join(cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# e-Gov API v2 HTML


def _v2_label_and_text(div: etree._Element) -> tuple[str, str, list[str]]:
    """(bold label, own text without the label, sentence texts) of a *Sentence / ArticleTitle div."""
    label = ""
    parts: list[str] = []
    sentences: list[str] = []
    if div.text:
        parts.append(div.text)
    seen_label = False
    for child in div:
        if not isinstance(child.tag, str):
            if child.tail:
                parts.append(child.tail)
            continue
        classes = _classes(child)
        if any(c in _V2_SKIP_CLASSES for c in classes):
            pass
        elif not seen_label and child.tag == "span" and "font-weight: bold" in (child.get("style") or "") \
                and not "".join(parts).strip():
            label = _clean(_text_of(child))
            seen_label = True
            if child.tail:
                parts.append(child.tail.lstrip("　 \n"))
            continue
        else:
            piece = _text_of(child)
            parts.append(piece)
            if child.tag == "span" and child.get("data-xpath") is not None:
                sentences.append(_clean(piece))
        if child.tail:
            parts.append(child.tail)
    return label, _clean("".join(parts)), [s for s in sentences if s]


def _v2_blocks(body: etree._Element) -> list[_Block]:
    blocks: list[_Block] = []

    def appendix_content(section: etree._Element, title_div: etree._Element | None) -> str:
        lines: list[str] = []

        def visit(element: etree._Element) -> None:
            for child in element:
                if not isinstance(child.tag, str) or child is title_div:
                    continue
                classes = _classes(child)
                if any(c in _V2_SKIP_CLASSES for c in classes):
                    continue
                if child.tag == "table":
                    lines.append(_table_lines(child))
                elif any(c.startswith("_div_") for c in classes):
                    label, text, _ = _v2_label_and_text(child)
                    line = f"{label}　{text}" if label and text else (label or text)
                    if line:
                        lines.append(line)
                else:
                    visit(child)

        visit(section)
        return "\n".join(lines)

    def visit(element: etree._Element) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            classes = _classes(child)
            if child.get("id") == "TOC" or "TOC" in classes:
                continue
            if any(c in _V2_SKIP_CLASSES for c in classes):
                continue
            if child.tag == "section":
                appendix_tag = next((c for c in classes if c in _V2_APPENDIX), None)
                if appendix_tag:
                    title_div = next((d for d in child.iter("div")
                                      if any(c.endswith("Title") and c.startswith("_div_") for c in _classes(d))), None)
                    title = _clean(_text_of(title_div)) if title_div is not None else ""
                    blocks.append(_Block("appendix", label=title, text=appendix_content(child, title_div),
                                         extra=appendix_tag))
                    continue
                visit(child)
                if "SupplProvision" in classes:
                    blocks.append(_Block("suppl_end"))
                continue
            div_class = next((c for c in classes if c.startswith("_div_")), None)
            if child.tag == "table":
                blocks.append(_Block("table", text=_table_lines(child)))
                continue
            if div_class is None:
                if child.get("id") in ("lawTitleNo", "lawTitle"):
                    continue
                visit(child)
                continue
            heading = _V2_HEADING.match(div_class)
            if heading:
                blocks.append(_Block("heading", text=_clean(_text_of(child)),
                                     level=_V2_HEADING_LEVELS[heading.group(1)]))
            elif div_class == "_div_SupplProvisionLabel":
                text = _clean(_text_of(child))
                amend = re.search(r"[（(]([^（）()]*?(?:法律|政令|勅令|府令|省令|規則|告示|布告|達)第[^（）()]*?号)[）)]", text)
                blocks.append(_Block("suppl", text=text, extra=amend.group(1) if amend else None))
            elif div_class in ("_div_ArticleCaption", "_div_ParagraphCaption"):
                blocks.append(_Block("caption", text=_clean(_text_of(child))))
            elif div_class == "_div_ArticleTitle":
                label, text, sentences = _v2_label_and_text(child)
                blocks.append(_Block("article", label=label, text=text, sentences=sentences))
            elif div_class == "_div_ParagraphSentence":
                label, text, sentences = _v2_label_and_text(child)
                blocks.append(_Block("paragraph", label=label, text=text, sentences=sentences))
            elif div_class == "_div_ItemSentence":
                label, text, sentences = _v2_label_and_text(child)
                blocks.append(_Block("item", label=label, text=text, sentences=sentences))
            elif _V2_SUBITEM.match(div_class):
                label, text, sentences = _v2_label_and_text(child)
                level = int(_V2_SUBITEM.match(div_class).group(1))
                blocks.append(_Block("subitem", label=label, text=text, sentences=sentences, level=level))
            elif div_class in ("_div_ListSentence", "_div_Fig", "_div_Fig_noImg"):
                blocks.append(_Block("table", text=_clean(_text_of(child))))
            else:
                text = _clean(_text_of(child))
                if text:
                    blocks.append(_Block("line", text=text))

    visit(body)
    return blocks


# --------------------------------------------------------------------------------------------------------
# 2015 法令データ提供システム HTML


def _2015_own(div: etree._Element) -> tuple[str, str, list[etree._Element]]:
    """(label in the first <b>, own text, nested divs and tables in order) of a 2015 div."""
    label = ""
    parts: list[str] = []
    nested: list[etree._Element] = []
    if div.text:
        parts.append(div.text)
    seen_label = False
    for child in div:
        if not isinstance(child.tag, str):
            if child.tail:
                parts.append(child.tail)
            continue
        if child.tag in ("div", "table"):
            nested.append(child)
        elif child.tag == "b" and not seen_label and not "".join(parts).strip():
            label = _clean(_text_of(child))
            seen_label = True
        elif child.tag == "br":
            pass
        else:
            # text-level element; a <div> nested inside it (broken markup) is still a child block
            inner_divs = [d for d in child.iter("div", "table") if d is not child]
            if inner_divs:
                parts.append(child.text or "")
                nested.extend(d for d in inner_divs if d.getparent() is child)
            else:
                parts.append(_text_of(child))
        if child.tail:
            parts.append(child.tail)
    return label, _clean("".join(parts)), nested


def _2015_blocks(body: etree._Element) -> tuple[list[_Block], str, str | None]:
    blocks: list[_Block] = []
    title = ""
    law_num: str | None = None
    started = False

    def handle_div(div: etree._Element) -> None:
        nonlocal started
        cls = (div.get("class") or "").strip()
        if cls == "arttitle":
            text = _clean(_text_of(div))
            if text:
                blocks.append(_Block("caption", text=text))
            return
        if cls in ("item", "number") or re.fullmatch(r"para\d+", cls):
            label, text, nested = _2015_own(div)
            if cls == "item":
                if article_num(label) is not None:
                    blocks.append(_Block("article", label=label, text=text))
                else:
                    blocks.append(_Block("paragraph", label=label, text=text))
            elif cls == "number":
                blocks.append(_Block("item", label=label, text=text))
            else:
                blocks.append(_Block("subitem", label=label, text=text, level=int(cls[4:])))
            started = True
            for child in nested:
                if child.tag == "table":
                    blocks.append(_Block("table", text=_table_lines(child)))
                else:
                    handle_div(child)
            return
        visit(div)

    def handle_bold(b: etree._Element) -> None:
        text = _clean(_text_of(b))
        if not text:
            return
        if _SUPPL_LABEL.match(text):
            amend = re.search(r"[（(]([^（）()]*?第[^（）()]*?号)[）)]", text)
            blocks.append(_Block("suppl", text=text, extra=amend.group(1) if amend else None))
        elif _HEADING_LABEL.match(text):
            unit = _HEADING_LABEL.match(text).group(1)
            blocks.append(_Block("heading", text=text, level=_HEADING_LEVELS[unit]))

    def visit(element: etree._Element) -> None:
        nonlocal title, law_num
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "div":
                if (child.get("align") or "").lower() == "right":
                    continue  # 最終改正 / 未施行 boxes of the header
                handle_div(child)
            elif child.tag == "b":
                if not title:
                    raw = "\n".join(t.strip() for t in child.itertext() if t.strip())
                    lines = raw.split("\n")
                    title = lines[0].strip()
                    rest = "".join(lines[1:])
                    match = re.search(r"[（(](.*?)[）)]", rest)
                    if match:
                        law_num = re.sub(r"[〇一二三四五六七八九十0-9０-９]+月[〇一二三四五六七八九十0-9０-９]+日", "",
                                         match.group(1))
                    continue
                handle_bold(child)
            elif child.tag == "table":
                if started:
                    blocks.append(_Block("table", text=_table_lines(child)))
            elif child.tag == "a" and child.get("href") and not started:
                continue  # table of contents
            else:
                visit(child)

    visit(body)
    return blocks, title, law_num


# --------------------------------------------------------------------------------------------------------
# decoding and the entry point


def _decode_name(head: bytes) -> str:
    """Encoding of an HTML file: BOM, then <meta charset>, then UTF-8 if it decodes, else CP932."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", head[:4096], re.I)
    if match:
        name = match.group(1).decode("ascii").lower()
        if name in ("shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j", "ms932", "cp932"):
            return "cp932"
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            pass
    return "utf-8"


def _decode(data: bytes, path: Path) -> str:
    encoding = _decode_name(data[:8192])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding == "utf-8":
            try:
                return data.decode("cp932")
            except UnicodeDecodeError:
                pass
        raise InputError(path, f"cannot decode the file as {encoding}") from None
    return text.lstrip("\ufeff")


def _parse(text: str, path: Path) -> etree._Element:
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True,
                                  huge_tree=False, default_doctype=False)
    # lxml refuses str input carrying an XML encoding declaration; strip one if present
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise InputError(path, f"unreadable HTML: {error}") from None
    return root


def _law_id_beside(path: Path) -> str | None:
    index = path.parent / "index.tsv"
    if index.is_file():
        try:
            mapping = load_law_id_mapping(index)
        except InputError:
            return None
        return mapping.get(path.name) or mapping.get(path.stem)
    return None


def read_egov_html(path: Path, law_id: str | None = None, data: bytes | None = None,
                   law_id_map: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read an e-Gov HTML page (API v2 or 2015 layout, sniffed from the content) into a `Document`."""
    path = Path(path)
    if data is None:
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError(path, f"file is {size / 1e6:.0f} MB, over the limit of {max_bytes / 1e6:.0f} MB")
            data = path.read_bytes()
        except OSError as error:
            raise InputError(path, f"cannot read: {error.strerror}") from None
    if not data.strip():
        raise InputError(path, "empty file")
    layout = detect_layout(data[:65536])
    if layout is None:
        raise InputError(path, "not an e-Gov HTML page (neither the API v2 nor the 2015 法令データ提供システム layout)")
    root = _parse(_decode(data, path), path)
    body = root.find("body")
    if body is None:
        body = root
    if layout == "egov-html-v2":
        title_el = root.find(".//*[@id='lawTitle']")
        num_el = root.find(".//*[@id='lawTitleNo']")
        title = _clean(_text_of(title_el)) if title_el is not None else ""
        law_num = _clean(_text_of(num_el)) if num_el is not None else None
        if not title:
            title_tag = root.find(".//title")
            title = _clean(title_tag.text_content()) if title_tag is not None else ""
        blocks = _v2_blocks(body)
        from_name = ids.law_id_from_file_name(path.stem)
        version_date = from_name[1] if from_name else None
        doc_id = law_id or (from_name[0] if from_name else None) or (law_id_map or {}).get(path.name) \
            or _law_id_beside(path) or (law_id_from_law_num(law_num) if law_num else None)
    else:
        blocks, title, law_num = _2015_blocks(body)
        if not title:
            title_tag = root.find(".//title")
            title = _clean(title_tag.text_content()) if title_tag is not None else ""
        version_date = VERSION_DATE_2015
        doc_id = law_id or (law_id_map or {}).get(path.name) or (law_id_map or {}).get(path.stem) \
            or _law_id_beside(path) or (law_id_from_law_num(law_num) if law_num else None)
    if not doc_id:
        raise InputError(path, "cannot determine the LawId (not given, not in the file name or an index.tsv beside "
                               "the file, and not derivable from the law number); pass --law-id or a mapping")
    if not any(b.kind in ("article", "paragraph") for b in blocks):
        raise InputError(path, f"{layout} page without any article or paragraph")
    assembler = _Assembler(doc_id)
    assembler.builder.add_line(title or doc_id)
    if law_num:
        assembler.builder.add_line(law_num)
    ends: dict[int, int] = {}
    # article / 附則 spans end where the next one (or a heading / appendix) starts
    for block in blocks:
        before_article = assembler.article
        before_suppl = assembler.suppl
        position = assembler.builder.position
        if assembler.pending_caption is not None:  # a caption written just before belongs to what follows
            position = assembler.pending_caption[1]
        if block.kind in ("heading", "suppl", "suppl_end", "article", "appendix") and before_article is not None:
            ends[id(before_article)] = position - 1
        if block.kind in ("suppl", "suppl_end") and before_suppl is not None:
            ends[id(before_suppl)] = position - 1
        assembler.feed(block)
    if assembler.article is not None:
        ends[id(assembler.article)] = assembler.builder.position - 1
    if assembler.suppl is not None:
        ends[id(assembler.suppl)] = assembler.builder.position - 1
    assembler._close_suppl()
    text = assembler.builder.text()
    _finalise_spans(assembler, ends, text)
    return Document(
        doc_id=doc_id, title=title or doc_id, kind=kind_from_law_num(law_num), jurisdiction="国",
        version_date=version_date, source_path=str(path), sha256=hashlib.sha256(data).hexdigest(), text=text,
        provisions=assembler.top, law_num=law_num, source_format=layout,
    )
