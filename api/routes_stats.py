"""`GET /stats`: finding counts by type, law, jurisdiction, review status, phase, technology and
document kind (the data behind the overview charts)."""
from __future__ import annotations

from analogmap.kg.records import ProvisionFilter
from fastapi import APIRouter, Request

from . import schemas
from .problems import problem_responses
from .routes_common import FilterDep, StoreDep, store_call, technology_names, type_labels

router = APIRouter(tags=["stats"])

_KEYS = {"by_type": "type", "by_law": "law", "by_jurisdiction": "jurisdiction", "by_status": "status",
         "by_phase": "phase", "by_technology": "technology", "by_doc_kind": "doc_kind"}


def compute_stats(store, titles, filter: ProvisionFilter | None = None) -> schemas.StatsResponse:
    counts = {name: store_call(store.counts, by, filter) for name, by in _KEYS.items()}
    labels = {
        "type": {code: label for code, label in type_labels().items()},
        "law": {doc_id: titles.get(store, doc_id) or doc_id for doc_id in counts["by_law"]},
        "technology": {tid: technology_names(tid)[0] or tid for tid in counts["by_technology"]},
        "status": {"unreviewed": "未確認"},
    }
    return schemas.StatsResponse(totals=store.stats(), **counts, labels=labels)


@router.get("/stats", response_model=schemas.StatsResponse, summary="Counts for the charts",
            responses=problem_responses(422))
def stats(request: Request, store: StoreDep, filter: FilterDep) -> schemas.StatsResponse:
    """Findings grouped by type, law (document id), jurisdiction, review status, phase, technology of
    their matches and document kind; `totals` counts every entity in the store.  The filters are those
    of `/provisions`."""
    return compute_stats(store, request.app.state.titles, filter if filter != ProvisionFilter() else None)
