"""Typed model of a legal document: a `Document` holding a tree of `Provision`s.

Every reader in `analogmap.corpus` produces this model, whatever the source format, so the
extractors and the graph never see XML or HTML.  Offsets are character offsets into
`Document.text`, a plain-text rendering of the whole document built by `DocumentBuilder`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

#: Document kinds (e-Gov law types and municipal 例規 kinds).
DOCUMENT_KINDS = (
    "法律", "政令", "勅令", "府省令", "規則", "憲法", "条例", "規則(自治体)", "規程", "要綱", "訓令", "告示", "その他",
)

#: Provision kinds, in the order they nest.
PROVISION_KINDS = (
    "suppl_provision",  # 附則 (one per SupplProvision element)
    "article",          # 条
    "paragraph",        # 項
    "item",             # 号
    "subitem",          # 号の細分 (イ, ロ, (1) …), depth in `level`
    "table",            # TableStruct inside a provision
    "appdx_table",      # 別表 (AppdxTable)
    "appendix",         # other appended material: 様式, 別記, 付録, 別図
)


@dataclass(slots=True)
class Sentence:
    """One `Sentence` of a provision with its function (main/proviso) and offsets."""

    text: str
    start: int
    end: int
    function: str = "main"


@dataclass(slots=True)
class Provision:
    """A numbered unit of a document (article, paragraph, item …).

    `text` is the provision's own text (for an article: the whole article, for a paragraph: its
    own sentences without the items under it); `start`/`end` locate that text in `Document.text`.
    """

    provision_id: str
    kind: str
    num: str | None
    label: str
    text: str
    start: int
    end: int
    caption: str | None = None
    parent_id: str | None = None
    deleted: bool = False
    level: int = 0
    heading: str | None = None
    amend_law_num: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    children: list["Provision"] = field(default_factory=list)

    def walk(self) -> Iterator["Provision"]:
        """This provision and all its descendants, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(slots=True)
class Document:
    """A law, order, ordinance or rule, with its provisions as a tree."""

    doc_id: str
    title: str
    kind: str
    jurisdiction: str
    version_date: str | None
    source_path: str
    sha256: str
    text: str
    provisions: list[Provision] = field(default_factory=list)
    law_num: str | None = None
    source_format: str = ""
    _by_id: dict[str, Provision] | None = field(default=None, repr=False, compare=False)

    def walk(self) -> Iterator[Provision]:
        """All provisions in document order (pre-order)."""
        for provision in self.provisions:
            yield from provision.walk()

    def get(self, provision_id: str) -> Provision | None:
        """The provision with this id, or None (an index built on first use; documents are read-only)."""
        if self._by_id is None:
            self._by_id = {provision.provision_id: provision for provision in self.walk()}
        return self._by_id.get(provision_id)


class DocumentBuilder:
    """Builds `Document.text` and provision offsets while a reader walks its source.

    Readers append text with `add_line`, which returns the (start, end) of what was added.
    Provision ids are deduplicated: a second provision with the same id gets `~2`, `~3` …
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._seen_ids: dict[str, int] = {}

    @property
    def position(self) -> int:
        return self._length

    def add_line(self, text: str, prefix: str = "") -> tuple[int, int]:
        """Append `prefix + text + newline`; return the offsets of `text`."""
        if prefix:
            self._parts.append(prefix)
            self._length += len(prefix)
        start = self._length
        self._parts.append(text)
        self._parts.append("\n")
        self._length += len(text) + 1
        return start, start + len(text)

    def unique_id(self, provision_id: str) -> str:
        count = self._seen_ids.get(provision_id, 0) + 1
        self._seen_ids[provision_id] = count
        return provision_id if count == 1 else f"{provision_id}~{count}"

    def text(self) -> str:
        return "".join(self._parts)


def paragraph_level_id(provision_id: str) -> str:
    """The paragraph a provision id belongs to, as used for scoring (typology.md).

    `…#a12-p1-i2.1` → `…#a12-p1`; an article id alone → `…-p1`.
    """
    law, _, local = provision_id.partition("#")
    parts = local.split("-")
    kept: list[str] = []
    for part in parts:
        if part.startswith("i") or part.startswith("t"):
            break
        kept.append(part)
    if not any(p.startswith("p") for p in kept):
        kept.append("p1")
    return f"{law}#{'-'.join(kept)}"
