"""Pydantic models of the API's requests and responses (the OpenAPI schemas)."""
from __future__ import annotations

from typing import Any, Literal

from analogmap.kg.records import REVIEW_DECISIONS
from pydantic import BaseModel, ConfigDict, Field

ReviewDecision = Literal["該当", "非該当", "見直し不要", "要改正", "改正済"]
ReviewStatus = Literal["該当", "非該当", "見直し不要", "要改正", "改正済", "unreviewed"]
assert tuple(ReviewDecision.__args__) == REVIEW_DECISIONS  # type: ignore[attr-defined]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Document(_Out):
    id: str
    title: str
    kind: str
    jurisdiction: str
    version_date: str | None = None
    law_num: str | None = None
    source_format: str = ""


class Provision(_Out):
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


class ProvisionItem(Provision):
    """A provision in a result list, with its document's title."""

    document_title: str | None = None


class ProvisionPage(BaseModel):
    items: list[ProvisionItem]
    next_cursor: str | None = Field(None, description="pass as `cursor` to get the next page; null on the last")


class TechMatch(_Out):
    technology_id: str
    rank: int
    phase: int
    rationale: str = ""
    name_ja: str | None = None
    name_en: str | None = None


class Suggestion(_Out):
    id: str
    old_text: str
    new_text: str
    template_id: str
    precedent: str | None = None
    technology_id: str | None = None
    phase: int | None = None
    diff: list[tuple[Literal["equal", "delete", "insert"], str]] = Field(
        default_factory=list, description="old → new as marked segments")


class Review(_Out):
    id: str
    finding_id: str
    decision: str
    reviewer: str
    created_at: str
    comment: str = ""
    replaces: str | None = None


class _FindingFields(_Out):
    """The extractor's output contract, shared by stored findings and /check results."""

    id: str
    doc_id: str
    provision_id: str
    type: str
    type_label: str = ""
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
    rationale: str = ""


class Finding(_FindingFields):
    review_status: str = "unreviewed"
    span_start: int = Field(description="start of the trigger within the provision text")
    span_end: int = Field(description="end of the trigger within the provision text")


class FindingDetail(Finding):
    tech_matches: list[TechMatch] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)


class Citation(_Out):
    source_id: str
    target_id: str
    start: int
    end: int
    text: str


class ProvisionDetail(BaseModel):
    provision: Provision
    document: Document | None
    findings: list[FindingDetail]
    cites: list[Citation]
    cited_by: list[Citation]


# -- check -------------------------------------------------------------------------------------

class CheckRequest(BaseModel):
    """An ordinance or draft to check: plain text, 例規 HTML, e-Gov HTML or e-Gov 法令標準XML."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(..., min_length=1, description="the document itself (text, HTML or XML)")
    format: Literal["auto", "text", "html", "xml"] = Field("auto", description="auto: sniffed from the content")
    title: str | None = Field(None, max_length=500, description="overrides the title found in the text")
    doc_id: str | None = Field(None, max_length=120, pattern=r"^[A-Za-z0-9_.\-]+$",
                               description="id to store it under (with store=true)")
    jurisdiction: str | None = Field(None, max_length=100)


class CheckFinding(_FindingFields):
    """A finding of /check: the extractor's fields plus technology matches and a suggested revision."""

    model_config = ConfigDict(extra="allow", from_attributes=True)

    provision_label: str = ""
    tech_matches: list[TechMatch] = Field(default_factory=list)
    suggestion: dict[str, Any] | None = None
    techmap: Any = None


class CheckResponse(BaseModel):
    document: Document
    text: str = Field(description="the document as plain text; finding start/end are offsets into it")
    provisions: int
    findings: list[CheckFinding]
    counts: dict[str, int] = Field(description="findings by type")
    stored: bool = False
    enriched: bool = Field(False, description="technology matches and suggestions came from the matcher")


# -- reviews -----------------------------------------------------------------------------------

class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_id: str = Field(..., min_length=1, max_length=64)
    provision_id: str = Field(..., min_length=1, max_length=500, description="the finding's provision")
    decision: ReviewDecision
    comment: str = Field("", max_length=4000)
    replaces: str | None = Field(None, max_length=64,
                                 description="review id this decision replaces; default: the current one")


class ReviewResponse(Review):
    review_status: str


# -- techmap -----------------------------------------------------------------------------------

class Product(BaseModel):
    id: int
    name: str
    vendor: str | None = None
    url: str | None = None
    qualification: int | None = None


class TypeLink(BaseModel):
    type_code: str
    type_label: str
    phase: int
    rationale: str


class Technology(BaseModel):
    id: int
    name_ja: str
    name_en: str
    group: int
    group_name_ja: str = ""
    definition_ja: str = ""
    definition: str = ""
    products: int = 0


class TechnologyDetail(Technology):
    functions: list[str] = Field(default_factory=list)
    analog_types: list[TypeLink] = Field(default_factory=list)
    catalog_products: list[Product] = Field(default_factory=list)


class AnalogType(BaseModel):
    code: str
    label: str
    technologies: list[TypeLink] = Field(default_factory=list)


class TechMapResponse(BaseModel):
    technologies: list[Technology]
    groups: dict[str, str]
    types: list[dict[str, Any]]


# -- stats -------------------------------------------------------------------------------------

class StatsResponse(BaseModel):
    totals: dict[str, int]
    by_type: dict[str, int]
    by_law: dict[str, int]
    by_jurisdiction: dict[str, int]
    by_status: dict[str, int]
    by_phase: dict[str, int]
    by_technology: dict[str, int]
    by_doc_kind: dict[str, int]
    labels: dict[str, dict[str, str]] = Field(default_factory=dict, description="display names of the keys")
