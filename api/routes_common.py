"""Shared dependencies of the routes: settings, the store, the bearer-token check, the provision filter
query parameters, display labels, and record → response conversions."""
from __future__ import annotations

import difflib
import secrets
import threading
from functools import lru_cache
from typing import Annotated, Any

from analogmap.kg.records import (
    MAX_LIMIT,
    FindingRecord,
    InvalidCursor,
    ProvisionFilter,
)
from analogmap.kg.records import (
    FindingDetail as FindingDetailRecord,
)
from analogmap.kg.store import GraphStore
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from . import schemas
from .problems import Problem
from .settings import Settings

# -- dependencies --------------------------------------------------------------------------------

def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise Problem(503, "store-unavailable", "the graph store is not open")
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]

_bearer = HTTPBearer(auto_error=False, description="a reviewer token from ANALOGMAP_API_TOKENS")


def current_reviewer(request: Request,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The reviewer whose token the request carries; 401 otherwise (and always when no token is set)."""
    settings: Settings = request.app.state.settings
    challenge = {"WWW-Authenticate": 'Bearer realm="analogmap"'}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "unauthorized", "this request changes data and needs a bearer token", headers=challenge)
    offered = credentials.credentials.encode("utf-8")
    found = None
    for reviewer, token in settings.api_tokens.items():  # compare with every token: constant time
        if secrets.compare_digest(offered, token.get_secret_value().encode("utf-8")):
            found = reviewer
    if found is None:
        raise Problem(401, "unauthorized", "the bearer token is not valid", headers=challenge)
    return found


ReviewerDep = Annotated[str, Depends(current_reviewer)]


def provision_filter(
    law: Annotated[str | None, Query(max_length=200, description="document id (LawId or ordinance id)")] = None,
    jurisdiction: Annotated[str | None, Query(max_length=100, description="国, or a municipality such as 東京都千代田区")] = None,
    kind: Annotated[str | None, Query(max_length=50, description="document kind: 法律, 政令, 府省令, 条例, 規則(自治体) …")] = None,
    provision_kind: Annotated[str | None, Query(max_length=50, description="article, paragraph, item, subitem …")] = None,
    type: Annotated[str | None, Query(max_length=50, description="analog type code, e.g. visual_inspection")] = None,
    technology: Annotated[str | None, Query(max_length=50, description="technology id of a match, e.g. 1016")] = None,
    phase: Annotated[int | None, Query(ge=0, le=9, description="digitalisation phase of the finding")] = None,
    status: Annotated[schemas.ReviewStatus | None, Query(description="review status of the finding")] = None,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0, description="lowest finding confidence")] = None,
    digital: Annotated[bool | None, Query(description="finding already allows a digital alternative")] = None,
    q: Annotated[str | None, Query(max_length=500, description="free text: all whitespace-separated terms occur")] = None,
) -> ProvisionFilter:
    return ProvisionFilter(doc_id=law or None, jurisdiction=jurisdiction or None, doc_kind=kind or None,
                           provision_kind=provision_kind or None, type=type or None,
                           technology_id=technology or None, phase=phase, review_status=status,
                           min_confidence=min_confidence, digital_alternative=digital,
                           text=q if q and q.strip() else None)


FilterDep = Annotated[ProvisionFilter, Depends(provision_filter)]


def store_call(function, *args, **kwargs):
    """Call the store; its ValueErrors (bad cursor, too many terms) become 422 problems."""
    try:
        return function(*args, **kwargs)
    except InvalidCursor as error:
        raise Problem(422, "invalid-cursor", str(error),
                      [{"field": "query.cursor", "message": str(error)}]) from None
    except ValueError as error:
        raise Problem(422, "validation-error", str(error)) from None


# -- labels ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def type_labels() -> dict[str, str]:
    from analogmap.extractors.rulebook import Rulebook

    try:
        return {code: info.label_ja for code, info in Rulebook.load().types.items()}
    except Exception:  # noqa: BLE001 - labels are cosmetic
        return {}


@lru_cache(maxsize=1)
def techmap():
    from analogmap.ontology.techmap import load_techmap

    return load_techmap()


def technology_names(technology_id: Any) -> tuple[str | None, str | None]:
    try:
        technology = techmap().technologies.get(int(technology_id))
    except (TypeError, ValueError):
        return None, None
    return (technology.name_ja, technology.name_en) if technology else (None, None)


# -- conversions ----------------------------------------------------------------------------------

def marked_diff(old: str, new: str) -> list[tuple[str, str]]:
    """old → new as (`equal`|`delete`|`insert`, text) segments, character level."""
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[a0:a1]))
        else:
            if a1 > a0:
                segments.append(("delete", old[a0:a1]))
            if b1 > b0:
                segments.append(("insert", new[b0:b1]))
    return segments


def finding_out(finding: FindingRecord, provision_start: int) -> dict[str, Any]:
    data = finding.to_dict()
    data["type_label"] = type_labels().get(finding.type, finding.label or finding.type)
    data["span_start"] = max(0, finding.start - provision_start)
    data["span_end"] = max(0, finding.end - provision_start)
    return data


def finding_detail_out(detail: FindingDetailRecord, provision_start: int) -> schemas.FindingDetail:
    data = finding_out(detail.finding, provision_start)
    matches = []
    for match in detail.tech_matches:
        name_ja, name_en = technology_names(match.technology_id)
        matches.append(schemas.TechMatch(technology_id=str(match.technology_id), rank=match.rank, phase=match.phase,
                                         rationale=match.rationale, name_ja=name_ja, name_en=name_en))
    suggestions = [schemas.Suggestion(**s.to_dict(), diff=marked_diff(s.old_text, s.new_text))
                   for s in detail.suggestions]
    reviews = [schemas.Review(**r.to_dict()) for r in detail.reviews]
    return schemas.FindingDetail(**data, tech_matches=matches, suggestions=suggestions, reviews=reviews)


class DocumentTitles:
    """A small cache of document titles for result lists."""

    def __init__(self, size: int = 4096) -> None:
        self._titles: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._size = size

    def get(self, store: GraphStore, doc_id: str) -> str | None:
        with self._lock:
            if doc_id in self._titles:
                return self._titles[doc_id]
        document = store.get_document(doc_id)
        title = document.title if document else None
        with self._lock:
            if len(self._titles) >= self._size:
                self._titles.clear()
            self._titles[doc_id] = title
        return title

    def forget(self, doc_id: str) -> None:
        with self._lock:
            self._titles.pop(doc_id, None)


LIMIT_MAX = MAX_LIMIT
