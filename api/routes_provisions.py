"""`GET /provisions`, `GET /provisions/{id}` and `GET /export`."""
from __future__ import annotations

import csv
import io
from typing import Annotated, Iterator, Literal

from analogmap.kg.records import Page, ProvisionFilter
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from . import schemas
from .problems import Problem, problem_responses
from .routes_common import (
    FilterDep,
    SettingsDep,
    StoreDep,
    finding_detail_out,
    store_call,
    technology_names,
    type_labels,
)

router = APIRouter(tags=["provisions"])

MEDIA_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SortParam = Annotated[Literal["id", "document"], Query(
    description="id, or document (document id, then position in the document)")]


@router.get("/provisions", response_model=schemas.ProvisionPage, summary="Search provisions",
            responses=problem_responses(422))
def list_provisions(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    filter: FilterDep,
    sort: SortParam = "id",
    limit: Annotated[int, Query(ge=1, le=1000, description="page size (≤ max_page_size)")] = 50,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> schemas.ProvisionPage:
    """Provisions matching every given filter (finding-level filters must hold for the same finding),
    one page at a time."""
    if limit > settings.max_page_size:
        raise Problem(422, "validation-error", f"limit must be at most {settings.max_page_size}",
                      [{"field": "query.limit", "message": f"at most {settings.max_page_size}"}])
    result = store_call(store.find_provisions, filter, store_call(Page, cursor=cursor or None, limit=limit, sort=sort))
    titles = request.app.state.titles
    items = [schemas.ProvisionItem(**p.to_dict(), document_title=titles.get(store, p.doc_id)) for p in result.items]
    return schemas.ProvisionPage(items=items, next_cursor=result.next_cursor)


@router.get("/provisions/{provision_id:path}", response_model=schemas.ProvisionDetail,
            summary="One provision with its evidence", responses=problem_responses(404))
def get_provision(
    store: StoreDep,
    provision_id: Annotated[str, Path(min_length=1, max_length=500,
                                      description="e.g. 325AC0000000201#a12-p1 (URL-encode # as %23)")],
) -> schemas.ProvisionDetail:
    """The provision's text, its findings (rule, confidence, rationale, span in the text) each with
    ranked technology matches, suggested revisions (old/new with marked changes, precedent) and review
    history, and citations in both directions."""
    detail = store_call(store.get_provision, provision_id)
    if detail is None:
        raise Problem(404, "not-found", f"no provision {provision_id!r}")
    start = detail.provision.start
    return schemas.ProvisionDetail(
        provision=schemas.Provision(**detail.provision.to_dict()),
        document=schemas.Document(**detail.document.to_dict()) if detail.document else None,
        findings=[finding_detail_out(f, start) for f in detail.findings],
        cites=[schemas.Citation(**c.to_dict()) for c in detail.cites],
        cited_by=[schemas.Citation(**c.to_dict()) for c in detail.cited_by],
    )


# -- export --------------------------------------------------------------------------------------

EXPORT_FIELDS = ("finding_id", "doc_id", "document_title", "provision_id", "type", "type_label", "trigger", "rule",
                 "confidence", "phase", "max_phase", "digital_alternative", "review_status", "obliged", "sentence")


def _finding_rows(store, filter: ProvisionFilter, titles, max_rows: int) -> Iterator[list]:
    labels = type_labels()
    cursor, count = None, 0
    while count < max_rows:
        page = store_call(store.find_findings, filter, Page(cursor=cursor, limit=500, sort="document"))
        for f in page.items:
            yield [f.id, f.doc_id, titles.get(store, f.doc_id) or "", f.provision_id, f.type, labels.get(f.type, f.type),
                   f.trigger, f.rule, round(float(f.confidence), 4), f.phase, f.max_phase,
                   "true" if f.digital_alternative else "false", f.review_status, f.obliged, f.sentence]
            count += 1
            if count >= max_rows:
                return
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _csv_stream(rows: Iterator[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(EXPORT_FIELDS)
    for index, row in enumerate(rows):
        writer.writerow(row)
        if index % 200 == 199:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_bytes(rows: Iterator[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("findings")
    sheet.append(list(EXPORT_FIELDS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset:offset + size]


@router.get("/export", summary="Export findings (CSV, XLSX) or the graph (Turtle, JSON-LD)",
            responses={200: {"description": "the export", "content": {
                "text/csv": {}, MEDIA_XLSX: {}, "text/turtle": {}, "application/ld+json": {}}},
                **problem_responses(422)},
            response_class=StreamingResponse)
def export(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    filter: FilterDep,
    format: Annotated[Literal["csv", "xlsx", "ttl", "jsonld"], Query(description="csv, xlsx, ttl or jsonld")] = "csv",
) -> StreamingResponse:
    """With the same filters as `/provisions`: CSV/XLSX list the findings of the matching provisions
    (one row per finding); Turtle/JSON-LD give the matching provisions with everything attached (the
    whole graph when no filter is set)."""
    titles = request.app.state.titles
    store_call(store.find_provisions, filter, Page(limit=1))  # validate the filter before streaming
    if format == "csv":
        return StreamingResponse(_csv_stream(_finding_rows(store, filter, titles, settings.max_export_rows)),
                                 media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="analogmap-findings.csv"'})
    if format == "xlsx":
        data = _xlsx_bytes(_finding_rows(store, filter, titles, settings.max_export_rows))
        return StreamingResponse(_chunks(data), media_type=MEDIA_XLSX,
                                 headers={"Content-Disposition": 'attachment; filename="analogmap-findings.xlsx"'})
    rdf_format = "turtle" if format == "ttl" else "json-ld"
    selected = filter if filter != ProvisionFilter() else None
    text = store_call(store.export_rdf, rdf_format, selected)
    media = "text/turtle; charset=utf-8" if format == "ttl" else "application/ld+json"
    return StreamingResponse(_chunks(text.encode("utf-8")), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="analogmap.{format}"'})


__all__ = ["router", "technology_names"]
