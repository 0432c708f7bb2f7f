"""Reader for municipal 例規 (条例・規則・規程・要綱 …) in any vendor's HTML or as plain text.

Structure is recovered from the *text* of the lines, not from vendor classes, so the same parser
serves reiki-system/ぎょうせい taikei pages, g-reiki, 第一法規 d1-law, legal-square, joureikun … and
plain-text exports.  `read_reiki_html` turns HTML into visible lines, `read_reiki_text` splits a text
file into lines, and both hand the lines to `parse_reiki_lines`.

HTML → lines (`html_to_lines`)
    Block elements (p, div, li, h1-h6, tr …) and ``<br>`` end a line; inline elements are joined.
    Dropped: script/style/noscript/template/iframe/form controls, ``<head>``, ``<nav>``, anything
    hidden (``hidden``, ``aria-hidden``, ``display:none``) and page furniture whose id/class token is
    toc/nav/navi/menu/sidebar/side/secondary/breadcrumb/pankuzu/topicpath/footer/tab-nav (the
    reiki-system side panel repeats every article caption in a table of contents and the 沿革).
    Tables: a *layout* table (every row starts with a marker cell such as 第1条, 2, （１）, 一, ア) is
    read as ordinary lines, marker cell + "　" + text; any other table is a *data* table whose rows
    become `TableLine`s (a `str` subclass, cells joined by a tab) that are never read as structure.

Whitespace and widths
    Lines are stripped; NBSP and other Unicode spaces become " ", zero-width characters and BOMs are
    removed, runs of ASCII spaces collapse.  A newline inside an HTML text node is removed between
    Japanese characters and becomes a space between ASCII ones.  U+3000 inside a line is kept.
    Nothing else is changed: markers are matched width-insensitively (第１条/第1条/第一条, （１）/(1),
    ２/2) by the regular expressions, never by rewriting the text, so provision texts are the
    original characters.

Structure and ids (``<doc_id>#…``, as in e-Gov, see `analogmap.corpus.ids`)
    - 第N条 / 第N条のM (kanji, ASCII or full-width digits) → ``a<N>[_M]``; a caption line such as
      （目的） just before it (or before it on the same line) becomes `caption`; 第3条から第5条まで
      削除 → ``a3:5``; an article whose text is 削除 is `deleted` (so is its paragraph 1).
      Article text spans the whole article, from its caption line (as the e-Gov reader does) or its
      number to its last line; chapters (第N編/章/節/款/目 lines, as written) become the `heading` of
      the articles under them, joined with ／ (第1章　総則／第2節　許可).
    - Paragraphs: the first is unnumbered (``p1``); ``2``/``２`` followed by a space starts the next
      one (numbers must increase).  Paragraph text is its own sentences without the number and
      without its items.
    - Items under a paragraph: 一 / (1) / （１） / ① (``i<N>``, 一の二 → ``i1_2``); a bare ``1`` under
      the unnumbered first paragraph of an article is an item (some 要綱 number items 1, 2 …), and
      further bare digits continue the items while they count up by one.
    - Subitems: any other marker style nested under an item (ア イ ウ / イ ロ ハ, (ア), (1) under
      一, a, (a) …) → ``i<N>.<n>[.<n>]``, numbered 1, 2, 3 … in their own order: a series that
      starts with ア is read in アイウエオ order, one that starts with イ in いろは order.
    - 附則: every 附則 line opens a `suppl_provision` ``[<key>-]s``; the key is
      `ids.amend_key` of its enactment text (附　則（平成10年3月条例第5号） → ``H10O5``), unkeyed when
      there is none (the original 附則) or it cannot be read (e.g. 訓令).  Articles inside are
      ``[<key>-]s<N>-p<N>``, paragraphs of an article-less 附則 ``[<key>-]s-p<N>``.  Repeated ids
      (two unkeyed 附則, two amendments with the same key) are deduplicated by
      `DocumentBuilder.unique_id` (``s-p1~2``).
    - Documents without any article in the main provisions (many 要綱): paragraphs get ids
      ``p<N>`` directly (``#p1``, ``#p2-i3``), labels 第一項, 第二項 …; the first text line after the
      header opens ``p1`` when it has no number, and a caption line （趣旨） before a paragraph is
      its `caption`.  Items that come before any paragraph text hang under an empty ``p1``.
    - Labels: 第三条第二項第一号, subitems append their marker as written (第二号イ, 第二号ロ（１）),
      provisions inside a 附則 are prefixed 附則 (附則第一項, 附則第二条第一項); the 附則 itself is
      labelled 附則 or 附則（平成10年3月30日条例第5号）, with `num` = its key and `amend_law_num` the
      enactment text (children carry `amend_law_num` too); appended provisions are labelled by their
      heading words (別表第1, 別記様式) and their `caption` is the whole heading line.
    - Lines that match nothing are more text of the innermost open provision (wrapped lines,
      tables), so an article's paragraph text may contain newlines and table rows.
    - 別表 / 別記 / 様式 heading lines open an appended provision holding the following lines, named
      like the e-Gov reader's: 別表第N → ``appdx_table`` ``appdx<N>``; 様式第N号 / 別記様式 →
      ``appendix`` ``appdxstyle<N>``; other 別記 → ``appendix`` ``appdxnote<N>`` (N = 1 when the
      heading has no number; repeats deduplicated).  They close the current article/附則.

Document metadata
    - title: the 例規名 (the body line starting with ○, else ``<title>``, else the first line);
    - law_num: the enactment line (平成9年11月14日 条例第25号) when present;
    - kind: from the title's ending (条例, 規則 → 規則(自治体), 規程, 要綱/要領, 訓令, 告示), else from
      the number (条例第25号 …), else その他;
    - jurisdiction: the municipality at the start of the title (かつらぎ町…) else "municipal";
    - doc_id: the caller's id, else the file stem when it looks like a vendor document id
      (``k518RG00000080``: letters/digits with a run of ≥5 digits), else ``reiki-`` + the first 12 hex
      of the sha256 of `Document.text`; `Document.sha256` is the hash of the raw file bytes.
    - version_date is None (pages do not state an as-of date in the body).

Encoding (`decode_bytes`): BOM, then ``<meta charset>`` / XML declaration, then the candidates
UTF-8, CP932 (Shift_JIS), EUC-JP, ISO-2022-JP and charset-normalizer's guess, each decoded strictly;
among the candidates that decode, the one whose text has the most hiragana wins (EUC-JP bytes also
decode as CP932 half-width kana, so "it decodes" is not enough).  Undecodable input raises
`InputError`.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .ids import amend_key, article_label, item_label, kanji_to_int, paragraph_label
from .model import Document, DocumentBuilder, Provision, Sentence

__all__ = [
    "TableLine",
    "decode_bytes",
    "html_to_lines",
    "parse_reiki_lines",
    "read_reiki_html",
    "read_reiki_text",
]


class TableLine(str):
    """A line rendered from a row of a data table: text of the document, never a structure marker."""


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_ENCODING_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "cp932": "cp932", "ms932": "cp932",
    "euc-jp": "euc_jp", "euc_jp": "euc_jp", "x-euc-jp": "euc_jp", "eucjp": "euc_jp",
    "utf-8": "utf-8", "utf8": "utf-8", "iso-2022-jp": "iso2022_jp",
}
_CANDIDATES = ("utf-8", "cp932", "euc_jp", "euc_jis_2004", "iso2022_jp")
#: charset-normalizer guesses accepted as extra candidates (a Latin-1 guess decodes anything)
_JAPANESE_EXTRA = {"shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jisx0213", "iso2022_jp_2", "iso2022_jp_ext",
                   "utf_16", "utf_32", "utf_8"}


def _hiragana_ratio(text: str) -> float:
    if not text:
        return 0.0
    hiragana = sum(1 for ch in text if "\u3041" <= ch <= "\u309f")
    halfwidth_kana = sum(1 for ch in text if "\uff61" <= ch <= "\uff9f")
    return (hiragana - halfwidth_kana) / len(text)


def _strict(data: bytes, encoding: str) -> str | None:
    """Strict decoding; a multibyte character cut at the very end (a file's head) is dropped."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if error.end >= len(data) and error.start >= len(data) - 3 and error.start > 0:
            try:
                return data[:error.start].decode(encoding)
            except UnicodeDecodeError:
                return None
        return None
    except LookupError:
        return None


def decode_bytes(data: bytes, path: str | Path | None = None) -> str:
    """Decode a 例規 file: UTF-8, Shift_JIS/CP932 or EUC-JP (see the module docstring)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], encoding)
            if text is None:
                raise InputError(path, f"invalid {encoding} after its byte-order mark")
            return text
    if b"\x00" in data[:4096]:
        raise InputError(path, "binary data (NUL bytes), not a text or HTML file")
    head = data[:4096]
    declared = None
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match:
        name = match.group(1).decode("ascii", "replace").lower()
        declared = _ENCODING_ALIASES.get(name, name)
    if declared:
        text = _strict(data, declared)
        if text is not None and (not _has_non_ascii(text) or _hiragana_ratio(text) > 0.02):
            return text
    if b"\x1b$B" in data or b"\x1b$@" in data:
        text = _strict(data, "iso2022_jp")
        if text is not None:
            return text
    candidates = list(_CANDIDATES)
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding in _JAPANESE_EXTRA and best.encoding not in candidates:
            candidates.append(best.encoding)
    except Exception:  # pragma: no cover - charset-normalizer is a dependency, but never fatal
        pass
    decoded: list[tuple[float, int, str]] = []
    for rank, encoding in enumerate(candidates):
        text = _strict(data, encoding)
        if text is None:
            continue
        if not _has_non_ascii(text):
            return text
        decoded.append((_hiragana_ratio(text), -rank, text))
    if not decoded:
        raise InputError(path, "cannot decode: not UTF-8, Shift_JIS/CP932, EUC-JP or ISO-2022-JP")
    decoded.sort(reverse=True)
    return decoded[0][2]


def _has_non_ascii(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


# --------------------------------------------------------------------------------------------
# Whitespace
# --------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_ASCII_RUN = re.compile(r" {2,}")


def _clean(text: str) -> str:
    """Whitespace-only normalisation of one line (see the module docstring)."""
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _ASCII_RUN.sub(" ", text)
    return text.strip()


def _join_source_newlines(text: str) -> str:
    """Remove a source newline between Japanese characters; make it a space between ASCII ones."""

    def repl(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if before and after and before.isascii() and after.isascii() and before != " " and after != " ":
            return " "
        return ""

    return re.sub(r"[ \t]*[\r\n]+[ \t]*", repl, text)


# --------------------------------------------------------------------------------------------
# HTML → lines
# --------------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "ul", "caption",
    "tr", "td", "th", "tbody", "thead", "tfoot", "legend", "option",
}
_DROP_TAGS = {
    "script", "style", "noscript", "template", "nav", "head", "iframe", "object", "embed", "svg", "button",
    "select", "input", "textarea", "map", "area", "canvas", "audio", "video",
}
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(toc|nav|navi|navigation|menu|sidebar|side|secondary|breadcrumbs?|pankuzu|topicpath|"
    r"footer|tab-nav)(?:$|[\s_-])",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _is_dropped(el) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _DROP_TAGS:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true" or el.get("role") == "navigation":
        return True
    if _HIDDEN_STYLE.search(el.get("style", "")):
        return True
    marks = f"{el.get('id', '')} {el.get('class', '')}".strip()
    return bool(marks and _FURNITURE.search(marks))


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self._buffer: list[str] = []

    def text(self, text: str | None) -> None:
        if text:
            self._buffer.append(text)

    def flush(self) -> None:
        if self._buffer:
            line = _clean(_join_source_newlines("".join(self._buffer)))
            self._buffer = []
            if line:
                self.lines.append(line)

    def extend(self, lines: list[str]) -> None:
        self.flush()
        self.lines.extend(lines)


def _walk(el, out: _Lines) -> None:
    if not isinstance(el.tag, str):  # comments, processing instructions
        out.text(el.tail)
        return
    tag = el.tag.lower()
    if _is_dropped(el):
        out.text(el.tail)
        return
    if tag == "br":
        out.flush()
        out.text(el.tail)
        return
    if tag == "pre":  # preformatted export: its own newlines are the lines
        out.extend([line for line in (_clean(part) for part in el.text_content().splitlines()) if line])
        out.text(el.tail)
        return
    if tag == "table":
        out.extend(_table_lines(el))
        out.text(el.tail)
        return
    block = tag in _BLOCK_TAGS
    if block:
        out.flush()
    out.text(el.text)
    for child in el:
        _walk(child, out)
    if block:
        out.flush()
    out.text(el.tail)


_N = r"(?:[0-9０-９]+|[〇一二三四五六七八九十百千]+)"
_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_MARKER_CELL = re.compile(
    rf"^(?:第{_N}条(?:の{_N})*|[0-9０-９]+|[(（][0-9０-９]+[)）]|[(（][{_KANA}][)）]|[〇一二三四五六七八九十]+(?:の[〇一二三四五六七八九十]+)*"
    rf"|[{_KANA}]|[①-⑳]|[(（][^()（）]{{1,30}}[)）])$"
)


def _cell_lines(cell) -> list[str]:
    out = _Lines()
    out.text(cell.text)
    for child in cell:
        _walk(child, out)
    out.flush()
    return out.lines


def _table_lines(table) -> list[str]:
    rows: list[list[list[str]]] = []
    for tr in table.iter("tr"):
        owner = next((a for a in tr.iterancestors("table")), None)
        if owner is not table or _is_dropped(tr):
            continue
        cells = [_cell_lines(td) for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]
        cells = [c for c in cells if c]
        if cells:
            rows.append(cells)
    if not rows:
        return []
    marker_rows = [r for r in rows if len(r) >= 2 and len(r[0]) == 1 and _MARKER_CELL.match(r[0][0])]
    layout = bool(marker_rows) and all(
        len(r) == 1 or (len(r) <= 3 and len(r[0]) == 1 and _MARKER_CELL.match(r[0][0])) for r in rows
    )
    lines: list[str] = []
    for row in rows:
        if layout:
            if len(row) == 1:
                lines.extend(row[0])
                continue
            first, *rest = [line for cell in row[1:] for line in cell] or [""]
            lines.append(_clean(f"{row[0][0]}\u3000{first}"))
            lines.extend(rest)
        else:
            lines.append(TableLine("\t".join(" ".join(cell) for cell in row)))
    return lines


def html_to_lines(html: str) -> tuple[list[str], str | None]:
    """Visible lines of an HTML page and its ``<title>`` text (see the module docstring)."""
    import lxml.html

    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return [], None
    root = lxml.html.document_fromstring(html)
    title_el = root.find(".//title")
    page_title = _clean(title_el.text_content()) if title_el is not None else None
    out = _Lines()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    out.flush()
    return out.lines, page_title or None


# --------------------------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------------------------

_SP = r"[ \u3000]"
_CAPTION = r"[(（][^()（）]{1,40}[)）]"
_ARTICLE = re.compile(
    rf"^(?P<caption>{_CAPTION})?{_SP}*(?P<marker>第(?P<num>{_N})条(?P<sub>(?:の{_N})*)"
    rf"(?:(?:から|～|〜|―|－|-)第(?P<num2>{_N})条(?P<sub2>(?:の{_N})*)(?:まで)?)?)"
    rf"(?P<after>{_CAPTION})?(?:{_SP}+|$)(?P<rest>.*)$"
)
_CAPTION_LINE = re.compile(rf"^{_CAPTION}$")
_HEADING = re.compile(rf"^第{_N}(?:編|章|節|款|目)(?:の{_N})*(?:{_SP}+.*)?$")
_HEADING_LEVEL = {"編": 0, "章": 1, "節": 2, "款": 3, "目": 4}
_SUPPL = re.compile(rf"^附{_SP}*則{_SP}*(?P<rest>(?:[(（][^()（）]*[)）])?{_SP}*(?:抄)?)$")
_APPDX = re.compile(rf"^(?P<label>(?:別表|別記|様式)(?:第(?P<num>{_N})号?)?(?:{_SP}*様式(?:第(?P<num2>{_N})号?)?)?)"
                    rf"{_SP}*(?:{_CAPTION})?{_SP}*$")
_TOC = re.compile(rf"^目{_SP}*次$")
_DIGIT = re.compile(rf"^(?P<marker>[0-9０-９]+){_SP}+(?P<rest>.*)$")
_DATE = re.compile(r"(明治|大正|昭和|平成|令和)(元|[0-9０-９]+|[〇一二三四五六七八九十]+)年")
_NUMBER = re.compile(rf"(条例|規則|規程|訓令|告示|要綱|要領|達|公告)第{_N}号")
_MUNICIPAL_SUFFIX = "都道府県市区町村"

# Item/subitem marker styles: (style, regex).  Each regex captures `marker` and `rest`.
_MARKERS = (
    ("paren_digit", re.compile(rf"^(?P<marker>[(（](?P<v>[0-9０-９]+)[)）]){_SP}*(?P<rest>.*)$")),
    ("paren_kana", re.compile(rf"^(?P<marker>[(（](?P<v>[{_KANA}])[)）]){_SP}*(?P<rest>.*)$")),
    ("paren_alpha", re.compile(rf"^(?P<marker>[(（](?P<v>[a-zａ-ｚ])[)）]){_SP}*(?P<rest>.*)$")),
    ("circled", re.compile(rf"^(?P<marker>(?P<v>[①-⑳])){_SP}*(?P<rest>.*)$")),
    ("kanji", re.compile(
        rf"^(?P<marker>(?P<v>[一二三四五六七八九十百]+(?:の[一二三四五六七八九十]+)*))(?:{_SP}+(?P<rest>.*)|$)")),
    ("kana", re.compile(rf"^(?P<marker>(?P<v>[{_KANA}]))(?:{_SP}+(?P<rest>.*)|$)")),
    ("alpha", re.compile(rf"^(?P<marker>(?P<v>[a-zａ-ｚ]))(?:{_SP}+(?P<rest>.*)|$)")),
    ("digit", re.compile(rf"^(?P<marker>(?P<v>[0-9０-９]+))(?:{_SP}+(?P<rest>.*)|$)")),
)


def _int(text: str) -> int:
    return kanji_to_int(text)


def _num_key(value: str, style: str, order: str | None = None) -> tuple[int, ...] | None:
    """Sequence position of a marker value (``(1,)``, ``(1, 2)`` for 一の二) in its style."""
    if style in ("kana", "paren_kana"):
        order = order or _KANA
        return (order.index(value) + 1,) if value in order else None
    if style in ("alpha", "paren_alpha"):
        return (ord(unicodedata.normalize("NFKC", value)) - ord("a") + 1,)
    if style == "circled":
        return (ord(value) - ord("①") + 1,)
    try:
        return tuple(_int(part) for part in value.split("の"))
    except ValueError:
        return None


def _num_str(key: tuple[int, ...]) -> str:
    return "_".join(str(k) for k in key)


def _article_num(match: re.Match[str]) -> str:
    def one(num: str, sub: str | None) -> str:
        parts = [str(_int(num))] + [str(_int(p)) for p in (sub or "").split("の") if p]
        return "_".join(parts)

    num = one(match.group("num"), match.group("sub"))
    if match.group("num2"):
        num += ":" + one(match.group("num2"), match.group("sub2"))
    return num


def _is_article_line(line: str) -> bool:
    return not isinstance(line, TableLine) and bool(_ARTICLE.match(line))


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


@dataclass
class _Level:
    style: str
    order: str | None
    key: tuple[int, ...]
    provision: Provision


@dataclass
class _Suppl:
    provision: Provision
    prefix: str          # "H10O5-s" or "s", already deduplicated for the container
    key: str | None
    amend: str | None


@dataclass
class _State:
    builder: DocumentBuilder
    doc_id: str
    provisions: list[Provision] = field(default_factory=list)
    headings: dict[int, str] = field(default_factory=dict)
    caption: str | None = None
    suppl: _Suppl | None = None
    article: Provision | None = None
    paragraph: Provision | None = None
    paragraph_key: int = 0
    paragraph_numbered: bool = False
    levels: list[_Level] = field(default_factory=list)
    current: Provision | None = None
    containers: list[Provision] = field(default_factory=list)  # article / 附則 / 別表 whose end grows
    caption_start: int | None = None
    articleless: bool = False
    bases: dict[str, tuple[str, str]] = field(default_factory=dict)  # provision_id → (local base, dup mark)

    def local(self, base: str, parent: Provision | None = None) -> str:
        """A unique local id for `base` (a suffix of the parent's base when `parent` is given).

        A duplicate gets `~N` at the very end (`s-p1~2`), and the mark is inherited by its children
        (`s~2` → `s-p1~2` → `s-p1-i1~2`).
        """
        dup = ""
        if parent is not None:
            parent_base, dup = self.bases[parent.provision_id]
            base = parent_base + base
        unique = self.builder.unique_id(base + dup)
        self.bases[f"{self.doc_id}#{unique}"] = (base, unique[len(base):])
        return unique


def _sentences(text: str, start: int) -> list[Sentence]:
    """Split own text into sentences at 。 outside brackets; ただし… is a proviso."""
    sentences: list[Sentence] = []
    depth = 0
    begin = 0
    for index, ch in enumerate(text):
        if ch in "（(「『":
            depth += 1
        elif ch in "）)」』" and depth:
            depth -= 1
        elif ch == "。" and depth == 0:
            sentences.append((begin, index + 1))
            begin = index + 1
    if text[begin:].strip():
        sentences.append((begin, len(text)))
    result = []
    for first, last in sentences:
        while first < last and text[first] in " \u3000\n":
            first += 1
        piece = text[first:last]
        if piece:
            function = "proviso" if piece.startswith("ただし") else "main"
            result.append(Sentence(piece, start + first, start + last, function))
    return result


def parse_reiki_lines(
    lines: list[str],
    *,
    doc_id: str | None,
    title: str | None,
    source_path: str | Path | None,
    sha256: str,
    fmt: str,
) -> Document:
    """Build a `Document` from the visible lines of a 例規 (see the module docstring)."""
    lines = [line if isinstance(line, TableLine) else _clean(line) for line in lines]
    lines = [line for line in lines if line]
    if doc_id is None:
        doc_id = "reiki-" + hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()[:12]
    builder = DocumentBuilder()
    state = _State(builder=builder, doc_id=doc_id)

    # --- header: title, enactment, 改正 lines --------------------------------------------------
    title_index = _find_title(lines, title)
    if title is None:
        title = lines[title_index] if 0 <= title_index < len(lines) else ""
    title = title.lstrip("○◯◎ \u3000").strip()
    index = 0
    law_num_parts: list[str] = []
    while index <= title_index:
        builder.add_line(lines[index])
        index += 1
    while index < len(lines) and len(law_num_parts) < 4:
        line = lines[index]
        if isinstance(line, TableLine) or not _is_header_line(line):
            break
        if not line.startswith("改正") and (_DATE.search(line) or _NUMBER.search(line)) and not law_num_parts[1:]:
            law_num_parts.append(line.strip("()（） \u3000"))
        builder.add_line(line)
        index += 1
    law_num = " ".join(part.replace("\u3000", " ") for part in law_num_parts) or None

    body = lines[index:]
    main_end = next((i for i, line in enumerate(body) if not isinstance(line, TableLine) and _SUPPL.match(line)),
                    len(body))
    state.articleless = not any(_is_article_line(line) for line in body[:main_end])

    in_toc = False
    toc_seen: set[str] = set()
    for position, line in enumerate(body):
        if isinstance(line, TableLine):
            _continue(state, line)
            continue
        if _TOC.match(line):
            in_toc = True
            builder.add_line(line)
            state.current = None
            continue
        if in_toc:
            # 目次 lists 第1章… (附則, 別表); it ends at the first other line or a chapter listed twice
            heading = _HEADING.match(line) and re.match(rf"^第{_N}(?:編|章|節|款|目)(?:の{_N})*", line).group(0)
            if (heading and heading not in toc_seen) or (not heading and (
                    _SUPPL.match(line) or re.match(r"^(前文|附則|別表)", line))):
                toc_seen.add(heading or line)
                builder.add_line(line)
                continue
            in_toc = False
        if match := _SUPPL.match(line):
            _open_suppl(state, line, match.group("rest"))
            continue
        if (match := _APPDX.match(line)) and len(line) <= 40:
            _open_appendix(state, line, match)
            continue
        if _HEADING.match(line) and state.suppl is None:
            _set_heading(state, line)
            continue
        if match := _ARTICLE.match(line):
            if match.group("caption") or match.group("after"):
                state.caption = match.group("caption") or match.group("after")
                state.caption_start = builder.position
            _open_article(state, line, match)
            continue
        if _CAPTION_LINE.match(line) and _caption_applies(state, body, position):
            state.caption = line
            state.caption_start, _ = builder.add_line(line)
            continue
        if _try_item(state, line):
            continue
        if _try_paragraph(state, line):
            continue
        _continue(state, line)

    text = builder.text()
    for provision in _walk_all(state.provisions):
        provision.text = text[provision.start:provision.end]
        if provision.kind in ("paragraph", "item", "subitem"):
            provision.sentences = _sentences(provision.text, provision.start)
    kind = _document_kind(title, law_num)
    return Document(
        doc_id=doc_id,
        title=title,
        kind=kind,
        jurisdiction=_jurisdiction(title),
        version_date=None,
        source_path=str(source_path) if source_path is not None else "",
        sha256=sha256,
        text=text,
        provisions=state.provisions,
        law_num=law_num,
        source_format=fmt,
    )


def _walk_all(provisions: list[Provision]):
    for provision in provisions:
        yield from provision.walk()


def _find_title(lines: list[str], title: str | None) -> int:
    """Index of the title line (-1 when there is none)."""
    limit = min(len(lines), 40)
    if title:
        wanted = title.lstrip("○◯◎ \u3000").strip()
        for i in range(limit):
            if not isinstance(lines[i], TableLine) and lines[i].lstrip("○◯◎ \u3000").strip() == wanted:
                return i
    for i in range(limit):
        if lines[i].startswith(("○", "◯", "◎")):
            return i
    if title:
        return -1
    for i in range(limit):
        if _is_structural(lines[i]):
            return i - 1 if i > 0 else -1
        return i
    return -1


def _is_structural(line: str) -> bool:
    if isinstance(line, TableLine):
        return False
    return bool(_ARTICLE.match(line) or _SUPPL.match(line) or _HEADING.match(line) or _CAPTION_LINE.match(line)
                or _DIGIT.match(line) or _TOC.match(line))


def _is_header_line(line: str) -> bool:
    if _is_structural(line) and not line.startswith(("(", "（")):
        return False
    stripped = line.strip("()（） \u3000")
    if line.startswith("改正") or line.startswith("最終改正"):
        return True
    if len(stripped) > 60:
        return False
    return bool(re.fullmatch(rf"(?:{_DATE.pattern}[^\s　]*?日)?{_SP}*(?:{_NUMBER.pattern})?", stripped)
                and (_DATE.search(stripped) or _NUMBER.search(stripped)))


def _caption_applies(state: _State, body: list[str], position: int) -> bool:
    """A （…） line is a caption when an article (or, article-less, a paragraph) follows it."""
    for following in body[position + 1:position + 3]:
        if isinstance(following, TableLine):
            return False
        if _ARTICLE.match(following):
            return True
        if state.articleless and state.suppl is None:
            return not _CAPTION_LINE.match(following)
        return False
    return False


def _close_levels(state: _State) -> None:
    state.levels = []


def _add_provision(state: _State, provision: Provision, parent: Provision | None) -> None:
    if parent is None:
        state.provisions.append(provision)
    else:
        provision.parent_id = parent.provision_id
        parent.children.append(provision)


def _extend(state: _State, end: int) -> None:
    for container in state.containers:
        container.end = max(container.end, end)


def _add(state: _State, text: str, prefix: str = "") -> tuple[int, int]:
    start, end = state.builder.add_line(text, prefix)
    _extend(state, end)
    return start, end


def _set_heading(state: _State, line: str) -> None:
    unit = re.match(rf"^第{_N}(編|章|節|款|目)", line).group(1)  # type: ignore[union-attr]
    level = _HEADING_LEVEL[unit]
    state.headings = {k: v for k, v in state.headings.items() if k < level}
    state.headings[level] = line
    state.builder.add_line(line)
    state.article = state.paragraph = state.current = None
    state.containers = [c for c in state.containers if c.kind == "suppl_provision"]
    _close_levels(state)


def _open_suppl(state: _State, line: str, rest: str) -> None:
    enactment = (rest or "").replace("抄", "").strip("()（） \u3000") or None
    key = amend_key(enactment)
    prefix = state.local(f"{key}-s" if key else "s")
    start, end = state.builder.add_line(line)
    label = "附則" + (f"（{enactment}）" if enactment else "")
    provision = Provision(
        provision_id=f"{state.doc_id}#{prefix}", kind="suppl_provision", num=key, label=label, text="",
        start=start, end=end, amend_law_num=enactment,
    )
    state.provisions.append(provision)
    state.suppl = _Suppl(provision, prefix, key, enactment)
    state.containers = [provision]
    state.article = state.paragraph = state.current = None
    state.paragraph_key = 0
    state.paragraph_numbered = False
    state.caption = None
    _close_levels(state)


def _open_appendix(state: _State, line: str, match: re.Match[str]) -> None:
    label = match.group("label")
    if label.startswith("別表"):
        kind, word = "appdx_table", "appdx"
    elif "様式" in label:
        kind, word = "appendix", "appdxstyle"
    else:
        kind, word = "appendix", "appdxnote"
    number = match.group("num") or match.group("num2")
    num = str(_int(number)) if number else "1"
    provision_id = state.local(f"{word}{num}")
    start, end = state.builder.add_line(line)
    provision = Provision(
        provision_id=f"{state.doc_id}#{provision_id}", kind=kind, num=num, label=label,
        text="", start=start, end=end, caption=line,
    )
    state.provisions.append(provision)
    state.suppl = None
    state.containers = [provision]
    state.article = state.paragraph = None
    state.current = provision
    _close_levels(state)


def _suppl_label(state: _State) -> str:
    """Label stem of provisions inside a 附則: 附則 (the amendment is on the container and amend_law_num)."""
    return "" if state.suppl is None else "附則"


def _open_article(state: _State, line: str, match: re.Match[str]) -> None:
    num = _article_num(match)
    suppl = state.suppl
    if suppl is not None:
        local = state.local(num, suppl.provision)
        label = _suppl_label(state) + article_label(num)
    else:
        local = state.local(f"a{num}")
        label = article_label(num)
    rest = match.group("rest").strip()
    marker_end = match.start("rest")
    start, end = state.builder.add_line(line)
    deleted = rest.strip("()（）") == "削除"
    article = Provision(
        provision_id=f"{state.doc_id}#{local}", kind="article", num=num, label=label, text="",
        start=state.caption_start if state.caption and state.caption_start is not None else start,
        end=end, caption=state.caption, deleted=deleted,
        heading=("／".join(v for _, v in sorted(state.headings.items())) or None) if suppl is None else None,
        amend_law_num=suppl.amend if suppl else None,
    )
    _add_provision(state, article, suppl.provision if suppl else None)
    state.caption = state.caption_start = None
    state.containers = ([suppl.provision] if suppl else []) + [article]
    _extend(state, end)
    state.article = article
    state.paragraph_key = 0
    state.paragraph_numbered = False
    _close_levels(state)
    state.paragraph = None
    state.current = None
    if rest:
        para_start = start + marker_end
        _new_paragraph(state, 1, para_start, end, numbered=False, deleted=deleted)
    else:
        _new_paragraph(state, 1, end, end, numbered=False, deleted=deleted)
        state.paragraph.start = state.paragraph.end = end  # type: ignore[union-attr]
        state.current = state.paragraph


def _paragraph_parent(state: _State) -> tuple[str, Provision | None]:
    """(label stem, parent) for a paragraph in the current context."""
    if state.article is not None:
        return state.article.label, state.article
    if state.suppl is not None:
        return _suppl_label(state), state.suppl.provision
    return "", None


def _new_paragraph(state: _State, num: int, start: int, end: int, *, numbered: bool, deleted: bool = False) -> None:
    label_stem, parent = _paragraph_parent(state)
    local = state.local(f"-p{num}" if parent is not None else f"p{num}", parent)
    paragraph = Provision(
        provision_id=f"{state.doc_id}#{local}", kind="paragraph", num=str(num),
        label=label_stem + paragraph_label(str(num)), text="", start=start, end=end,
        caption=state.caption if state.article is None else None, deleted=deleted,
        amend_law_num=state.suppl.amend if state.suppl else None,
    )
    if state.article is None:
        state.caption = state.caption_start = None
    _add_provision(state, paragraph, parent)
    state.paragraph = paragraph
    state.paragraph_key = num
    state.paragraph_numbered = numbered
    state.current = paragraph
    _close_levels(state)


def _try_paragraph(state: _State, line: str) -> bool:
    match = _DIGIT.match(line)
    if not match or (not state.articleless and state.article is None and state.suppl is None):
        return False
    num = _int(match.group("marker"))
    paragraph = state.paragraph
    if num == 1 and paragraph is not None and paragraph.start == paragraph.end and state.paragraph_key == 1 \
            and not paragraph.children:
        # 第1条 alone on its line, then 「1 …」: the explicit first paragraph
        start, end = _add(state, match.group("rest"), prefix=line[:match.start("rest")])
        paragraph.start, paragraph.end = start, end
        state.paragraph_numbered = True
        state.current = paragraph
        return True
    if num <= state.paragraph_key:
        return False
    start, end = _add(state, match.group("rest"), prefix=line[:match.start("rest")])
    _new_paragraph(state, num, start, end, numbered=True)
    return True


def _try_item(state: _State, line: str) -> bool:
    for style, regex in _MARKERS:
        match = regex.match(line)
        if not match:
            continue
        value = match.group("v")
        if style == "digit" and not _digit_is_item(state, value):
            return False
        if _place_marker(state, line, match, style, value):
            return True
    return False


def _digit_is_item(state: _State, value: str) -> bool:
    num = _int(value)
    for level in state.levels:
        if level.style == "digit":
            return num == level.key[0] + 1
    if state.paragraph is None or num != 1:
        return False
    # a bare 1 under an unnumbered first paragraph that already has text is an item
    return (not state.paragraph_numbered and state.paragraph_key == 1
            and state.paragraph.end > state.paragraph.start
            and (state.article is not None or state.suppl is not None or state.articleless))


def _place_marker(state: _State, line: str, match: re.Match[str], style: str, value: str) -> bool:
    # continue an open level of the same style
    for depth, level in enumerate(state.levels):
        if level.style == style:
            key = _num_key(value, style, level.order)
            if key is None or key <= level.key:
                return False
            del state.levels[depth:]
            _new_item(state, line, match, style, level.order, key, depth)
            return True
    # open a new level: the marker must be the first of its series
    order = None
    if style in ("kana", "paren_kana"):
        if value == "ア":
            order = _KANA
        elif value == "イ":
            order = _IROHA
        else:
            return False
    key = _num_key(value, style, order)
    if key is None or key[0] != 1 or len(key) != 1:
        return False
    if state.paragraph is None:
        if state.article is None and state.suppl is None and not state.articleless:
            return False
        position = state.builder.position
        _new_paragraph(state, state.paragraph_key + 1, position, position, numbered=False)
    _new_item(state, line, match, style, order, key, len(state.levels))
    return True


def _new_item(state: _State, line: str, match: re.Match[str], style: str, order: str | None,
              key: tuple[int, ...], depth: int) -> None:
    assert state.paragraph is not None
    rest_start = match.start("rest") if match.group("rest") is not None else len(line)
    start, end = _add(state, line[rest_start:], prefix=line[:rest_start])
    if depth == 0:
        parent = state.paragraph
        num = _num_str(key)
        local = state.local(f"-i{num}", parent)
        label = parent.label + item_label(num)
        kind = "item"
    else:
        parent = state.levels[depth - 1].provision
        num = str(key[0])
        local = state.local(f".{num}", parent)
        label = parent.label + match.group("marker")
        kind = "subitem"
    item = Provision(
        provision_id=f"{state.doc_id}#{local}", kind=kind, num=num, label=label, text="", start=start, end=end,
        level=depth, amend_law_num=state.suppl.amend if state.suppl else None,
    )
    _add_provision(state, item, parent)
    state.levels.append(_Level(style, order, key, item))
    state.current = item


def _continue(state: _State, line: str) -> None:
    """A line that is not a marker: more text of the current provision (or of a new p1)."""
    if state.current is None and state.paragraph is None and (
        (state.articleless and state.suppl is None and state.article is None)
        or (state.suppl is not None and state.article is None)
    ) and not any(c.kind == "appdx_table" for c in state.containers):
        start, end = _add(state, line)
        _new_paragraph(state, 1, start, end, numbered=False)
        return
    start, end = _add(state, line)
    current = state.current
    if current is None:
        return
    if current.start == current.end and current.kind == "paragraph" and not current.children:
        current.start = start
    current.end = end


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------

_KIND_SUFFIXES = (("条例", "条例"), ("規則", "規則(自治体)"), ("規程", "規程"), ("要綱", "要綱"), ("要領", "要綱"),
                  ("訓令", "訓令"), ("告示", "告示"))
_NUMBER_KINDS = {"条例": "条例", "規則": "規則(自治体)", "規程": "規程", "訓令": "訓令", "告示": "告示",
                 "要綱": "要綱", "要領": "要綱", "達": "訓令"}


def _document_kind(title: str, law_num: str | None) -> str:
    bare = re.sub(r"[(（][^()（）]*[)）]$", "", title).strip()
    for suffix, kind in _KIND_SUFFIXES:
        if bare.endswith(suffix):
            return kind
    if law_num and (match := _NUMBER.search(law_num)):
        return _NUMBER_KINDS.get(match.group(1), "その他")
    return "その他"


def _jurisdiction(title: str) -> str:
    match = re.match(rf"^(.+?[{_MUNICIPAL_SUFFIX}])", title)
    if not match:
        return "municipal"
    name = match.group(1)
    end = match.end()
    # 京都|市, 四日市|市, 十日町|市: a municipal suffix right after a suffix belongs to the name
    while end < len(title) and title[end] in "市町村区" and name[-1] in _MUNICIPAL_SUFFIX:
        name += title[end]
        end += 1
    stem = name[:-1]
    if all(ch in _MUNICIPAL_SUFFIX for ch in stem) or end >= len(title):
        return "municipal"
    if len(name) < 3 and name[-1] not in "市区":
        return "municipal"
    return name


_VENDOR_ID = re.compile(r"^(?=.*\d{5})[A-Za-z0-9][A-Za-z0-9_-]{5,39}$")


def _doc_id_from_path(path: Path) -> str | None:
    stem = path.stem
    return stem if _VENDOR_ID.match(stem) else None


# --------------------------------------------------------------------------------------------
# Public readers
# --------------------------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from error


def _title_from_html(lines: list[str], page_title: str | None) -> str | None:
    for line in lines[:40]:
        if line.startswith(("○", "◯", "◎")) and not isinstance(line, TableLine):
            return line.lstrip("○◯◎ \u3000").strip()
    if page_title:
        parts = [p.strip() for p in re.split(r"\s*[|｜]\s*|\s+[-–—:：]\s+", page_title) if p.strip()]
        for part in parts:
            if any(line.lstrip("○◯◎ \u3000").strip() == part for line in lines[:40]):
                return part
        for part in parts:
            if any(part.endswith(suffix) for suffix, _ in _KIND_SUFFIXES):
                return part
        return parts[0] if parts else None
    return None


def read_reiki_html(path: Path, doc_id: str | None = None) -> Document:
    """Read one 例規 HTML page (any vendor's layout) into a `Document`."""
    path = Path(path)
    data = _read(path)
    html = decode_bytes(data, path)
    try:
        lines, page_title = html_to_lines(html)
    except Exception as error:  # lxml raises several types on broken markup
        raise InputError(path, f"cannot parse HTML: {error}") from error
    if not lines:
        raise InputError(path, "no visible text in the HTML page")
    title = _title_from_html(lines, page_title)
    document = parse_reiki_lines(
        lines, doc_id=doc_id or _doc_id_from_path(path), title=title, source_path=path,
        sha256=hashlib.sha256(data).hexdigest(), fmt="reiki-html",
    )
    return document


def read_reiki_text(path: Path, doc_id: str | None = None) -> Document:
    """Read a plain-text export of a 例規 (first non-empty line: its title) into a `Document`."""
    path = Path(path)
    data = _read(path)
    text = decode_bytes(data, path)
    lines = [_clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise InputError(path, "empty text file")
    title = lines[0].lstrip("○◯◎ \u3000").strip()
    document = parse_reiki_lines(
        lines, doc_id=doc_id or _doc_id_from_path(path), title=title, source_path=path,
        sha256=hashlib.sha256(data).hexdigest(), fmt="reiki-text",
    )
    return document
