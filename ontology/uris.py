"""Deterministic URIs for everything analogmap puts in a graph.

Pure functions: the same input always gives the same URI, so re-scans and re-exports MERGE
instead of duplicating.  The patterns (documented as well in the header of ``analogmap.ttl``)::

    Statute work        {BASE}/eli/jp/{type}/{year}/{LawId}
                        e.g. {BASE}/eli/jp/act/1950/325AC0000000201
    Municipal work      {BASE}/eli/jp-lg/{団体コード6}/{kind}/{year}/{number}   (when all are known)
                        {BASE}/eli/jp-lg/doc/{doc_id}                           (otherwise)
    Expression          {work}/{YYYY-MM-DD}/jpn
    Subdivision         {expression or work}/{eId}
                        eId: art_12_2__para_1__item_2__subitem1_1 ; 附則: suppl_R5L63__art_2 ;
                        別表: appdx_1 ; table under a provision: …__table_1
    Finding             {BASE}/id/finding/{sha256(expression|start|end|type|ruleset)[:16]}
    Suggestion          {BASE}/id/suggestion/{sha256(finding|template|technology)[:16]}
    Review              {BASE}/id/review/{sha256(target|reviewer|time)[:16]}
    Scan run            {BASE}/id/run/{run_id}
    Agent               {BASE}/id/agent/{name}
    Analog type         https://w3id.org/analogmap/ontology#VisualInspection …  (skos:notation = code)
    Phase               https://w3id.org/analogmap/ontology#Phase1 … Phase3
    Technology type     {BASE}/techmap/technology/{1001…1043}
    Technology group    {BASE}/techmap/group/{530…549}
    Function            {BASE}/techmap/function/{501…530}
    Business type       {BASE}/techmap/business-type/{54…63}
    Map heading         {BASE}/techmap/heading/{1…162}
    Map / row / column  {BASE}/techmap/map/{1…4}[/row/{n}|/column/{n}]
    Process step        {BASE}/techmap/step/{key}
    Catalog call        {BASE}/techmap/call/{10001…10007}[/step/{n}]
    Product             {BASE}/techmap/product/{id}[/component/{n}]
    Catalog listing     {BASE}/techmap/listing/{call}/{product}
    Organisation        {BASE}/techmap/org/{法人番号} or {BASE}/techmap/org/h{sha256(name)[:12]}
    Type–tech link      {BASE}/techmap/type-link/{code}/{technology}
    Type process step   {BASE}/techmap/type-step/{code}/{n}
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

BASE = "https://w3id.org/analogmap"
AR = "https://w3id.org/analogmap/ontology#"
TECHMAP = f"{BASE}/techmap/"

#: The 11 type codes of typology.md and the local names of their SKOS concepts.
ANALOG_TYPES: dict[str, str] = {
    "visual_inspection": "VisualInspection",
    "onsite_audit": "OnSiteAudit",
    "periodic_inspection": "PeriodicInspection",
    "resident_dedicated": "ResidentDedicatedStaff",
    "inperson_training": "InPersonTraining",
    "paper_posting": "PaperPosting",
    "inperson_viewing": "InPersonViewing",
    "physical_media": "RecordingMediaDesignation",
    "paper_procedure": "PaperProcedure",
    "inperson_procedure": "InPersonProcedure",
    "inperson_meeting": "InPersonMeeting",
}

#: e-Gov LawId type part → ELI {type} segment.
_LAW_TYPES = (
    ("CONSTITUTION", "constitution"),
    ("AC", "act"),
    ("CO", "cabinet-order"),
    ("IO", "imperial-order"),
    ("DF", "dajokan-fukoku"),
    ("DT", "dajokan-tasshi"),
    ("DH", "dajokan-hokoku"),
    ("M", "ministerial-ordinance"),
    ("R", "rule"),
)
_ERA_START = {"1": 1867, "2": 1911, "3": 1925, "4": 1988, "5": 2018}
_LAW_ID = re.compile(r"^([1-5])(\d{2})(CONSTITUTION|AC|CO|IO|DF|DT|DH|M|R)[0-9A-Za-z]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _sha16(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _segment(text: str) -> str:
    """A path segment: NFC-normalised, percent-encoded except for unreserved characters."""
    return quote(unicodedata.normalize("NFC", text), safe="-._~")


def law_id_parts(law_id: str) -> tuple[str, int] | None:
    """`325AC0000000201` → ("act", 1950); None when `law_id` is not an e-Gov LawId."""
    match = _LAW_ID.match(law_id)
    if not match:
        return None
    era, year, kind = match.groups()
    eli_type = dict(_LAW_TYPES)[kind]
    return eli_type, _ERA_START[era] + int(year)


def document_uri(doc_id: str, *, municipality_code: str | None = None, kind: str | None = None,
                 year: int | None = None, number: str | None = None) -> str:
    """The work (eli:LegalResource) URI of a document.

    e-Gov LawIds give `{BASE}/eli/jp/{type}/{year}/{LawId}`.  Municipal documents give
    `{BASE}/eli/jp-lg/{code}/{kind}/{year}/{number}` when the 団体コード, kind (jorei, kisoku,
    kunrei, yoko …), promulgation year and number are all known, else
    `{BASE}/eli/jp-lg/doc/{doc_id}`.
    """
    if not doc_id:
        raise ValueError("empty doc_id")
    parts = law_id_parts(doc_id)
    if parts is not None:
        eli_type, law_year = parts
        return f"{BASE}/eli/jp/{eli_type}/{law_year}/{doc_id}"
    if municipality_code and kind and year and number:
        return (f"{BASE}/eli/jp-lg/{_segment(municipality_code)}/{_segment(kind)}/{int(year)}/"
                f"{_segment(str(number))}")
    return f"{BASE}/eli/jp-lg/doc/{_segment(doc_id)}"


def expression_uri(doc_id: str, version_date: str, **municipal: object) -> str:
    """The point-in-time version (eli:LegalExpression): `{work}/{YYYY-MM-DD}/jpn`."""
    if not _DATE.match(version_date or ""):
        raise ValueError(f"version_date must be YYYY-MM-DD, got {version_date!r}")
    return f"{document_uri(doc_id, **municipal)}/{version_date}/jpn"  # type: ignore[arg-type]


_PART_NAMES = {"a": "art", "p": "para", "i": "item", "t": "table"}


def provision_eid(local_id: str) -> str:
    """The AKN-style eId of a provision's local id (the part after `#`).

    `a12_2-p1-i2.1` → `art_12_2__para_1__item_2__subitem1_1`; `R5L63-s2-p1` →
    `suppl_R5L63__art_2__para_1`; `s2` → `suppl_orig__art_2`; `appdx1` → `appdx_1`;
    a deduplication suffix `~2` becomes `__dup_2`.
    """
    local_id, _, dup = local_id.partition("~")
    pieces: list[str] = []
    parts = local_id.split("-") if local_id else []
    if parts and parts[0].startswith("appdx"):
        pieces.append("appdx_" + _segment(parts[0][5:] or "0"))
        parts = parts[1:]
    elif len(parts) > 1 and re.match(r"^[MTSHR]\d", parts[0]) and parts[1].startswith("s"):
        pieces.append("suppl_" + _segment(parts[0]))  # 附則 of an amending law, key such as R5L63
        if parts[1][1:]:
            pieces.append("art_" + _segment(parts[1][1:]))
        parts = parts[2:]
    elif parts and parts[0].startswith("s"):
        pieces.append("suppl_orig")
        if parts[0][1:]:
            pieces.append("art_" + _segment(parts[0][1:]))
        parts = parts[1:]
    for part in parts:
        head, rest = part[0], part[1:]
        if head == "i" and "." in rest:
            item, *subs = rest.split(".")
            pieces.append(f"item_{_segment(item)}")
            pieces.extend(f"subitem{level}_{_segment(num)}" for level, num in enumerate(subs, 1))
        elif head in _PART_NAMES:
            pieces.append(f"{_PART_NAMES[head]}_{_segment(rest)}")
        else:
            pieces.append(_segment(part))
    if dup:
        pieces.append(f"dup_{_segment(dup)}")
    return "__".join(pieces) or "main"


def provision_uri(provision_id: str, version_date: str | None = None, **municipal: object) -> str:
    """The subdivision URI of `<doc_id>#<local>`; under the expression when a version date is given."""
    doc_id, sep, local = provision_id.partition("#")
    if not sep:
        raise ValueError(f"provision id without '#': {provision_id!r}")
    parent = (expression_uri(doc_id, version_date, **municipal) if version_date
              else document_uri(doc_id, **municipal))  # type: ignore[arg-type]
    return f"{parent}/{provision_eid(local)}"


def finding_uri(provision_id: str, start: int, end: int, type_code: str, ruleset_version: str = "",
                version_date: str | None = None) -> str:
    """A finding: hash of (document expression or work, start, end, type code, ruleset version).

    Offsets are document offsets, so the provision only contributes its document part.
    """
    analog_type_uri(type_code)  # validates the code
    doc_id = provision_id.partition("#")[0]
    target = expression_uri(doc_id, version_date) if version_date else document_uri(doc_id)
    return f"{BASE}/id/finding/{_sha16(target, int(start), int(end), type_code, ruleset_version)}"


def suggestion_uri(finding: str, template: str, technology_id: int | str | None = None) -> str:
    """A revision suggestion derived from `finding` (a finding URI) with a drafting template."""
    return f"{BASE}/id/suggestion/{_sha16(finding, template, technology_id or '')}"


def review_uri(target: str, reviewer: str, time: str) -> str:
    """A review of `target` (finding or suggestion URI) by `reviewer` at ISO `time`."""
    return f"{BASE}/id/review/{_sha16(target, reviewer, time)}"


def scan_run_uri(run_id: str) -> str:
    return f"{BASE}/id/run/{_segment(run_id)}"


def agent_uri(name: str) -> str:
    return f"{BASE}/id/agent/{_segment(name)}"


def analog_type_uri(code: str) -> str:
    """`visual_inspection` → `https://w3id.org/analogmap/ontology#VisualInspection`."""
    try:
        return AR + ANALOG_TYPES[code]
    except KeyError:
        raise ValueError(f"unknown analog type code {code!r}") from None


def analog_type_code(uri: str) -> str:
    """Inverse of `analog_type_uri`."""
    local = uri.removeprefix(AR)
    for code, name in ANALOG_TYPES.items():
        if name == local:
            return code
    raise ValueError(f"not an analog type URI: {uri!r}")


def phase_uri(phase: int) -> str:
    if int(phase) not in (1, 2, 3):
        raise ValueError(f"phase must be 1, 2 or 3, got {phase!r}")
    return f"{AR}Phase{int(phase)}"


def technology_uri(technology_id: int | str) -> str:
    return f"{TECHMAP}technology/{int(technology_id)}"


def technology_group_uri(group_id: int | str) -> str:
    return f"{TECHMAP}group/{int(group_id)}"


def function_uri(function_id: int | str) -> str:
    return f"{TECHMAP}function/{int(function_id)}"


def business_type_uri(business_type_id: int | str) -> str:
    return f"{TECHMAP}business-type/{int(business_type_id)}"


def heading_uri(heading_id: int | str) -> str:
    return f"{TECHMAP}heading/{int(heading_id)}"


def map_uri(map_number: int | str) -> str:
    return f"{TECHMAP}map/{int(map_number)}"


def map_row_uri(map_number: int | str, row: int) -> str:
    return f"{map_uri(map_number)}/row/{int(row)}"


def map_column_uri(map_number: int | str, column: int) -> str:
    return f"{map_uri(map_number)}/column/{int(column)}"


def process_step_uri(key: str) -> str:
    return f"{TECHMAP}step/{_segment(key)}"


def call_uri(call_id: int | str) -> str:
    return f"{TECHMAP}call/{int(call_id)}"


def call_step_uri(call_id: int | str, order: int) -> str:
    return f"{call_uri(call_id)}/step/{int(order)}"


def product_uri(product_id: int | str) -> str:
    return f"{TECHMAP}product/{int(product_id)}"


def component_uri(product_id: int | str, order: int) -> str:
    return f"{product_uri(product_id)}/component/{int(order)}"


def listing_uri(call_id: int | str, product_id: int | str) -> str:
    return f"{TECHMAP}listing/{int(call_id)}/{int(product_id)}"


def organization_uri(name: str, corporate_number: str | None = None) -> str:
    """An organisation by its 13-digit 法人番号, else by a hash of its NFKC-normalised name."""
    number = unicodedata.normalize("NFKC", corporate_number or "").strip()
    if re.fullmatch(r"\d{13}", number):
        return f"{TECHMAP}org/{number}"
    key = unicodedata.normalize("NFKC", name).strip()
    return f"{TECHMAP}org/h{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"


def type_link_uri(code: str, technology_id: int | str) -> str:
    analog_type_uri(code)
    return f"{TECHMAP}type-link/{code}/{int(technology_id)}"


def type_step_uri(code: str, order: int) -> str:
    analog_type_uri(code)
    return f"{TECHMAP}type-step/{code}/{int(order)}"


__all__ = [name for name in dir() if name.endswith("_uri") or name in {
    "BASE", "AR", "TECHMAP", "ANALOG_TYPES", "law_id_parts", "provision_eid", "analog_type_code"}]

#: Document kinds of `analogmap.corpus.model.DOCUMENT_KINDS` → local names in ar:DocTypeScheme.
DOC_TYPES: dict[str, str] = {
    "法律": "DocAct", "政令": "DocCabinetOrder", "勅令": "DocImperialOrder",
    "府省令": "DocMinisterialOrdinance", "規則": "DocRule", "憲法": "DocConstitution",
    "条例": "DocLocalOrdinance", "規則(自治体)": "DocLocalRule", "規程": "DocRegulation",
    "要綱": "DocGuideline", "訓令": "DocInstruction", "告示": "DocNotice", "その他": "DocOther",
}
#: Provision kinds of `analogmap.corpus.model.PROVISION_KINDS` → local names in ar:SubdivisionTypeScheme.
SUBDIVISION_TYPES: dict[str, str] = {
    "suppl_provision": "SubSupplProvision", "article": "SubArticle", "paragraph": "SubParagraph",
    "item": "SubItem", "subitem": "SubSubitem", "table": "SubTable", "appdx_table": "SubAppdxTable",
    "appendix": "SubAppendix",
}
#: Review decisions (architecture.md) → local names in ar:ReviewStatusScheme.
REVIEW_STATUSES: dict[str, str] = {
    "該当": "StatusApplicable", "非該当": "StatusNotApplicable", "見直し不要": "StatusNoRevisionNeeded",
    "要改正": "StatusRevisionNeeded", "改正済": "StatusRevised",
}
#: Suggestion workflow states → local names in ar:SuggestionStatusScheme.
SUGGESTION_STATUSES: dict[str, str] = {
    "draft": "SuggestionDraft", "reviewed": "SuggestionReviewed", "accepted": "SuggestionAccepted",
    "rejected": "SuggestionRejected",
}


def _lookup(table: dict[str, str], key: str, what: str) -> str:
    try:
        return AR + table[key]
    except KeyError:
        raise ValueError(f"unknown {what} {key!r}") from None


def doc_type_uri(kind: str) -> str:
    """`法律` → ar:DocAct (the value of eli:type_document)."""
    return _lookup(DOC_TYPES, kind, "document kind")


def subdivision_type_uri(kind: str) -> str:
    """`paragraph` → ar:SubParagraph (the value of eli:type_subdivision)."""
    return _lookup(SUBDIVISION_TYPES, kind, "provision kind")


def review_status_uri(status: str) -> str:
    """`要改正` → ar:StatusRevisionNeeded."""
    return _lookup(REVIEW_STATUSES, status, "review status")


def suggestion_status_uri(status: str) -> str:
    """`draft` → ar:SuggestionDraft."""
    return _lookup(SUGGESTION_STATUSES, status, "suggestion status")


__all__ += ["DOC_TYPES", "SUBDIVISION_TYPES", "REVIEW_STATUSES", "SUGGESTION_STATUSES", "doc_type_uri",
            "subdivision_type_uri", "review_status_uri", "suggestion_status_uri"]
__all__ = sorted(set(__all__))
