"""Typed records that cross the `GraphStore` boundary, and the query filter / page types.

Every store takes and returns these records (never driver or SQL rows), so the API, the CLI and the
contract tests see the same objects whatever the backend.  Ids are deterministic:

* documents and provisions keep the corpus ids (`325AC0000000201`, `325AC0000000201#a12-p1-i2`);
* a finding id is `sha256(doc_id|provision_id|type|start|end|rule)[:16]` (`finding_id`);
* a suggestion id is `sha256(finding_id|template_id|technology_id)[:16]` (`suggestion_id`);
* a review id is `sha256(finding_id|reviewer|created_at)[:16]` (`review_id`).

The RDF export maps them to the URIs of `analogmap.ontology.uris`.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Generic, Iterable, Literal, TypeVar

#: A reviewer's decision on a finding (architecture.md "Review").
REVIEW_DECISIONS = ("該当", "非該当", "見直し不要", "要改正", "改正済")
#: `review_status` of a finding that has no (current) review.
UNREVIEWED = "unreviewed"
REVIEW_STATUSES = (*REVIEW_DECISIONS, UNREVIEWED)

#: Groupings accepted by `GraphStore.counts`.
COUNT_KEYS = ("type", "law", "jurisdiction", "doc_kind", "status", "phase", "technology", "digital_alternative")

SORT_KEYS = ("id", "document", "confidence")
MAX_LIMIT = 1000
MAX_TEXT_TERMS = 16
MAX_TERM_LENGTH = 200


def _sha16(*parts: object) -> str:
    return hashlib.sha256("|".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def finding_id(doc_id: str, provision_id: str, type_code: str, start: int, end: int, rule: str) -> str:
    """The deterministic id of a finding."""
    return _sha16(doc_id, provision_id, type_code, int(start), int(end), rule)


def suggestion_id(finding: str, template_id: str, technology_id: str | None = None) -> str:
    return _sha16(finding, template_id, technology_id or "")


def review_id(finding: str, reviewer: str, created_at: str) -> str:
    return _sha16(finding, reviewer, created_at)


class _Record:
    """Shared helpers: `to_dict` and a tolerant `from_dict` (unknown keys are ignored)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class DocumentRecord(_Record):
    id: str
    title: str
    kind: str
    jurisdiction: str
    version_date: str | None = None
    law_num: str | None = None
    source_path: str = ""
    sha256: str = ""
    source_format: str = ""

    @classmethod
    def from_document(cls, document) -> "DocumentRecord":
        """From an `analogmap.corpus.model.Document`."""
        return cls(id=document.doc_id, title=document.title, kind=document.kind,
                   jurisdiction=document.jurisdiction, version_date=document.version_date,
                   law_num=document.law_num, source_path=document.source_path, sha256=document.sha256,
                   source_format=document.source_format)


@dataclass(slots=True)
class ProvisionRecord(_Record):
    id: str
    doc_id: str
    kind: str
    label: str
    text: str
    start: int
    end: int
    num: str | None = None
    caption: str | None = None
    parent_id: str | None = None
    deleted: bool = False

    @classmethod
    def from_provision(cls, doc_id: str, provision) -> "ProvisionRecord":
        """From an `analogmap.corpus.model.Provision` (children are not followed)."""
        return cls(id=provision.provision_id, doc_id=doc_id, kind=provision.kind, label=provision.label,
                   text=provision.text, start=provision.start, end=provision.end, num=provision.num,
                   caption=provision.caption, parent_id=provision.parent_id, deleted=bool(provision.deleted))


def provisions_of(document) -> list[ProvisionRecord]:
    """All provisions of a `Document`, in document order."""
    return [ProvisionRecord.from_provision(document.doc_id, p) for p in document.walk()]


@dataclass(slots=True)
class FindingRecord(_Record):
    """A `Finding` plus its deterministic id, the scan run that produced it and its review status."""

    id: str
    doc_id: str
    provision_id: str
    type: str
    trigger: str
    start: int
    end: int
    sentence: str
    rule: str
    confidence: float
    digital_alternative: bool
    phase: int
    max_phase: int
    obliged: str
    label: str = ""
    rationale: str = ""
    alternative_rule: str | None = None
    applies_to: list[str] = field(default_factory=list)
    scan_run_id: str | None = None
    #: Derived by the store from the reviews (latest review not replaced by another); read-only.
    review_status: str = UNREVIEWED

    @classmethod
    def from_finding(cls, finding, scan_run_id: str | None = None) -> "FindingRecord":
        """From an `analogmap.extractors.engine.Finding`."""
        return cls(
            id=finding_id(finding.doc_id, finding.provision_id, finding.type, finding.start, finding.end,
                          finding.rule),
            doc_id=finding.doc_id, provision_id=finding.provision_id, type=finding.type,
            trigger=finding.trigger, start=int(finding.start), end=int(finding.end), sentence=finding.sentence,
            rule=finding.rule, confidence=float(finding.confidence),
            digital_alternative=bool(finding.digital_alternative), phase=int(finding.phase),
            max_phase=int(finding.max_phase), obliged=finding.obliged, label=finding.label,
            rationale=finding.rationale, alternative_rule=finding.alternative_rule,
            applies_to=list(finding.applies_to), scan_run_id=scan_run_id,
        )


@dataclass(slots=True)
class TechMatchRecord(_Record):
    finding_id: str
    technology_id: str
    rank: int
    phase: int
    rationale: str = ""


@dataclass(slots=True)
class SuggestionRecord(_Record):
    id: str
    finding_id: str
    old_text: str
    new_text: str
    template_id: str
    precedent: str | None = None
    technology_id: str | None = None
    phase: int | None = None


@dataclass(slots=True)
class ReviewRecord(_Record):
    id: str
    finding_id: str
    decision: str
    reviewer: str
    created_at: str  # ISO 8601, compared as text (use one time zone, e.g. UTC "…Z")
    comment: str = ""
    replaces: str | None = None

    def __post_init__(self) -> None:
        if self.decision not in REVIEW_DECISIONS:
            raise ValueError(f"review decision must be one of {REVIEW_DECISIONS}, got {self.decision!r}")


@dataclass(slots=True)
class ScanRunRecord(_Record):
    id: str
    started_at: str
    ended_at: str | None = None
    versions: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CitationRecord(_Record):
    """A resolved reference from one provision's text to another provision (a CITES edge).

    `start`/`end` are document offsets of the reference text in the citing document.
    """

    source_id: str
    target_id: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class FindingDetail:
    finding: FindingRecord
    tech_matches: list[TechMatchRecord]
    suggestions: list[SuggestionRecord]
    reviews: list[ReviewRecord]


@dataclass(slots=True)
class ProvisionDetail:
    """`get_provision`: the provision, its document, findings with everything attached, citations."""

    provision: ProvisionRecord
    document: DocumentRecord | None
    findings: list[FindingDetail]
    cites: list[CitationRecord]
    cited_by: list[CitationRecord]


# -- queries ------------------------------------------------------------------------------------

@dataclass(slots=True, frozen=True)
class ProvisionFilter:
    """What `find_provisions`, `find_findings`, `counts` and `export_rdf` select.

    Document-level fields (`doc_id`, `jurisdiction`, `doc_kind`) and `provision_kind` restrict the
    provision.  Finding-level fields (`type`, `technology_id`, `phase`, `review_status`,
    `min_confidence`, `digital_alternative`) must all hold for the *same* finding; a provision matches
    when at least one of its findings does (when no finding-level field is set, every provision matches).
    `text` is free text: whitespace-separated terms that must all occur (case-sensitive substrings) in
    the provision text (`find_provisions`) or the finding's sentence (`find_findings`).  It is always
    passed to the database as a parameter, never spliced into a query.
    `include_deleted` keeps provisions marked 削除.
    """

    doc_id: str | None = None
    jurisdiction: str | None = None
    doc_kind: str | None = None
    provision_kind: str | None = None
    type: str | None = None
    technology_id: str | None = None
    phase: int | None = None
    review_status: str | None = None
    min_confidence: float | None = None
    digital_alternative: bool | None = None
    text: str | None = None
    include_deleted: bool = True

    def has_finding_conditions(self) -> bool:
        return any(v is not None for v in (self.type, self.technology_id, self.phase, self.review_status,
                                           self.min_confidence, self.digital_alternative))

    def terms(self) -> list[str]:
        """The free-text terms (split on whitespace, empty ones dropped, bounded in number and length)."""
        if not self.text:
            return []
        terms = [t for t in self.text.split() if t]
        if len(terms) > MAX_TEXT_TERMS or any(len(t) > MAX_TERM_LENGTH for t in terms):
            raise ValueError(f"free text: at most {MAX_TEXT_TERMS} terms of {MAX_TERM_LENGTH} characters")
        return terms


@dataclass(slots=True, frozen=True)
class Page:
    """Keyset pagination: `cursor` is the opaque `next_cursor` of the previous page (None = first).

    `sort`: `id` (default), `document` (document id, then offset in the document, then id) or
    `confidence` (findings only: highest first, then id).
    """

    cursor: str | None = None
    limit: int = 50
    sort: Literal["id", "document", "confidence"] = "id"

    def __post_init__(self) -> None:
        if not 1 <= int(self.limit) <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if self.sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {SORT_KEYS}")


T = TypeVar("T")


@dataclass(slots=True)
class PageResult(Generic[T]):
    items: list[T]
    next_cursor: str | None


class InvalidCursor(ValueError):
    """A cursor that this store did not produce (or for another sort order)."""


def encode_cursor(sort: str, key: Iterable[Any]) -> str:
    payload = json.dumps([sort, *key], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort key stored in `cursor`; InvalidCursor when it is malformed or for another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except Exception as error:  # noqa: BLE001 - any decoding problem is the caller's bad cursor
        raise InvalidCursor(f"invalid cursor: {error}") from None
    expected = {"id": 1, "document": 3, "confidence": 2}[sort]
    if not isinstance(data, list) or not data or data[0] != sort or len(data) != expected + 1:
        raise InvalidCursor("invalid cursor for this sort order")
    key = data[1:]
    if sort == "id" and not isinstance(key[0], str):
        raise InvalidCursor("invalid cursor")
    if sort == "document" and not (isinstance(key[0], str) and isinstance(key[1], int) and isinstance(key[2], str)):
        raise InvalidCursor("invalid cursor")
    if sort == "confidence" and not (isinstance(key[0], (int, float)) and isinstance(key[1], str)):
        raise InvalidCursor("invalid cursor")
    return key


__all__ = [
    "REVIEW_DECISIONS", "UNREVIEWED", "REVIEW_STATUSES", "COUNT_KEYS", "SORT_KEYS", "MAX_LIMIT",
    "finding_id", "suggestion_id", "review_id", "DocumentRecord", "ProvisionRecord", "provisions_of",
    "FindingRecord", "TechMatchRecord", "SuggestionRecord", "ReviewRecord", "ScanRunRecord",
    "CitationRecord", "FindingDetail", "ProvisionDetail", "ProvisionFilter", "Page", "PageResult",
    "InvalidCursor", "encode_cursor", "decode_cursor",
]
