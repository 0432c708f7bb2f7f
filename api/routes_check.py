"""`POST /check`: an ordinance or draft in, findings with technology matches and suggestions out.

Nothing is stored unless `store=true` (which needs a bearer token); the document is then kept as the
caller's draft (`draft-…` id unless `doc_id` is given; a document from another source is never
overwritten).  `format=csv` answers with the findings as CSV, `format=xlsx|html` with the 新旧対照表.
"""
from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from analogmap.corpus.errors import InputError
from analogmap.corpus.model import Document
from analogmap.kg.records import (
    DocumentRecord,
    FindingRecord,
    SuggestionRecord,
    TechMatchRecord,
    provisions_of,
    suggestion_id,
)
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from . import schemas
from .problems import Problem, problem_responses
from .routes_common import SettingsDep, current_reviewer, technology_names, type_labels

router = APIRouter(tags=["check"])

MEDIA_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_NAME = "upload"
DRAFT_SOURCE = "api:check"
_EXTRACT_LOCK = threading.Lock()  # one Sudachi tokenizer per process: serialise its use
_EXTRACTOR: Any = None


def extractor():
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from analogmap.extractors.engine import Extractor

        _EXTRACTOR = Extractor()
    return _EXTRACTOR


# -- reading ---------------------------------------------------------------------------------------

def read_upload(data: bytes, fmt: str = "auto", *, title: str | None = None, doc_id: str | None = None,
                jurisdiction: str | None = None, filename: str | None = None) -> Document:
    """A `Document` from uploaded bytes (text, 例規 HTML, e-Gov HTML or e-Gov XML)."""
    from analogmap.corpus.readers import sniff_format

    kind = sniff_format(data[:64 * 1024])
    if kind == "empty":
        raise Problem(422, "unreadable-document", "the document is empty",
                      [{"field": "body.content", "message": "empty document"}])
    if kind in ("binary", "json"):
        raise Problem(422, "unreadable-document", f"{kind} data is not a law text: send text, HTML or e-Gov XML",
                      [{"field": "body.content", "message": f"{kind} data"}])
    if fmt == "xml" and kind != "egov-xml":
        raise Problem(422, "unreadable-document", "not an e-Gov 法令標準XML document (root element <Law>)",
                      [{"field": "body.content", "message": "not e-Gov XML"}])
    if fmt == "html" and kind not in ("html", "egov-html"):
        kind = "html" if data.lstrip()[:1] == b"<" else "text"
    if fmt == "text":
        kind = "text"
    sha = hashlib.sha256(data).hexdigest()
    path = Path(filename or UPLOAD_NAME)
    try:
        if kind == "egov-xml":
            from analogmap.corpus.egov_xml import read_egov_xml

            try:
                document = read_egov_xml(path, law_id=doc_id, data=data)
            except InputError as error:
                if "LawId" not in str(error):
                    raise
                document = read_egov_xml(path, law_id=f"draft-{sha[:12]}", data=data)
        elif kind == "xml":
            raise Problem(422, "unreadable-document", "XML whose root is not an e-Gov <Law> element",
                          [{"field": "body.content", "message": "not e-Gov XML"}])
        elif kind == "egov-html":
            from analogmap.corpus.egov_html import read_egov_html

            try:
                document = read_egov_html(path, law_id=doc_id, data=data)
            except InputError as error:
                if "LawId" not in str(error) and "law id" not in str(error).lower():
                    raise
                document = read_egov_html(path, law_id=f"draft-{sha[:12]}", data=data)
        else:
            from analogmap.corpus.reiki import _clean, _title_from_html, decode_bytes, html_to_lines, parse_reiki_lines

            text = decode_bytes(data, path)
            if kind == "html":
                lines, page_title = html_to_lines(text)
                found_title = title or _title_from_html(lines, page_title)
            else:
                lines = [_clean(line) for line in text.splitlines()]
                lines = [line for line in lines if line]
                found_title = title or (lines[0].lstrip("○◯◎ \u3000").strip() if lines else None)
            if not lines:
                raise Problem(422, "unreadable-document", "no visible text in the document",
                              [{"field": "body.content", "message": "no text"}])
            document = parse_reiki_lines(lines, doc_id=doc_id, title=found_title, source_path=DRAFT_SOURCE,
                                         sha256=sha, fmt="reiki-html" if kind == "html" else "reiki-text")
    except InputError as error:
        message = str(error).removeprefix(f"{path}: ")
        raise Problem(422, "unreadable-document", message, [{"field": "body.content", "message": message}]) from None
    except (RecursionError, MemoryError):
        raise Problem(422, "unreadable-document", "the document is too deeply nested to read") from None
    if title:
        document.title = title
    if jurisdiction:
        document.jurisdiction = jurisdiction
    document.source_path = DRAFT_SOURCE
    if not any(True for _ in document.walk()):
        raise Problem(422, "unreadable-document", "no articles (第一条 …) or paragraphs found in the document",
                      [{"field": "body.content", "message": "no provisions"}])
    return document


# -- checking --------------------------------------------------------------------------------------

@dataclass
class CheckResult:
    document: Document
    findings: list[Any]                       # extractor Findings
    items: list[dict[str, Any]]               # enriched dicts (response findings)
    enriched: bool = False
    labels: dict[str, str] = field(default_factory=dict)


def _enricher():
    try:
        from analogmap.api.commands_techmap import enrich  # written by the techmap work package
    except Exception:  # noqa: BLE001 - optional until it lands; findings alone still work
        return None
    return enrich


def _fallback_matches(type_code: str, limit: int = 5) -> list[dict[str, Any]]:
    from analogmap.ontology.techmap import technologies_for_type

    try:
        links = technologies_for_type(type_code)[:limit]
    except ValueError:
        return []
    out = []
    for rank, link in enumerate(links, start=1):
        name_ja, name_en = technology_names(link.technology_id)
        out.append({"technology_id": str(link.technology_id), "rank": rank, "phase": link.phase,
                    "rationale": link.rationale, "name_ja": name_ja, "name_en": name_en})
    return out


def _matches_from_techmap(techmap: Any) -> list[dict[str, Any]] | None:
    """Tech matches from the enricher's `techmap` value (a list of dicts, or a dict with `matches`)."""
    if isinstance(techmap, dict):
        techmap = techmap.get("matches") or techmap.get("technologies")
    if not isinstance(techmap, list):
        return None
    out = []
    for rank, entry in enumerate(techmap, start=1):
        if not isinstance(entry, dict):
            continue
        tid = entry.get("technology_id", entry.get("id"))
        if tid is None:
            continue
        name_ja, name_en = technology_names(tid)
        try:
            phase = int(entry.get("phase") or entry.get("target_phase") or 0)
            rank_value = int(entry.get("rank") or rank)
        except (TypeError, ValueError):
            phase, rank_value = 0, rank
        out.append({"technology_id": str(tid), "rank": rank_value, "phase": phase,
                    "rationale": str(entry.get("rationale") or entry.get("reason") or ""),
                    "name_ja": entry.get("name_ja") or name_ja, "name_en": entry.get("name_en") or name_en})
    return out


def run_check(document: Document) -> CheckResult:
    """Extract findings and add technology matches and suggestions (when the matcher is installed)."""
    from analogmap.kg.records import finding_id

    with _EXTRACT_LOCK:
        findings = extractor().extract(document)
    labels = type_labels()
    dicts = [f.to_dict() for f in findings]
    enriched = False
    enrich = _enricher()
    if enrich is not None:
        try:
            result = enrich(document, findings)
            if isinstance(result, list) and len(result) == len(findings):
                dicts, enriched = [dict(d) for d in result], True
        except Exception:  # noqa: BLE001 - a matcher bug must not hide the findings
            import logging

            logging.getLogger("analogmap.api").exception("techmap enrichment failed; findings only")
    provision_labels = {p.provision_id: p.label for p in document.walk()}
    items = []
    for finding, data in zip(findings, dicts, strict=True):
        data = dict(data)
        data["id"] = finding_id(finding.doc_id, finding.provision_id, finding.type, finding.start, finding.end,
                                finding.rule)
        data["type_label"] = labels.get(finding.type, finding.label or finding.type)
        data["provision_label"] = provision_labels.get(finding.provision_id, "")
        matches = _matches_from_techmap(data.get("techmap")) if enriched else None
        data["tech_matches"] = matches if matches is not None else _fallback_matches(finding.type)
        suggestion = data.get("suggestion")
        if suggestion is not None and not isinstance(suggestion, dict):
            suggestion = {"text": str(suggestion)}
        if isinstance(suggestion, dict):
            old = suggestion.get("old_text") or suggestion.get("old")
            new = suggestion.get("new_text") or suggestion.get("new")
            if isinstance(old, str) and isinstance(new, str) and "diff" not in suggestion:
                from .routes_common import marked_diff

                suggestion = {**suggestion, "diff": marked_diff(old, new)}
        data["suggestion"] = suggestion
        items.append(data)
    return CheckResult(document, findings, items, enriched, labels)


def store_check(store, result: CheckResult, reviewer: str) -> None:
    """Keep the checked document as the caller's document (replacing an earlier draft with its id)."""
    document = result.document
    existing = store.get_document(document.doc_id)
    if existing is not None and not existing.source_path.startswith(DRAFT_SOURCE):
        raise Problem(409, "conflict", f"document {document.doc_id} exists and is not a draft; choose another doc_id",
                      [{"field": "body.doc_id", "message": "already used by a corpus document"}])
    if existing is not None and existing.source_path != f"{DRAFT_SOURCE}:{reviewer}":
        raise Problem(409, "conflict", f"document {document.doc_id} is another reviewer's draft",
                      [{"field": "body.doc_id", "message": "another reviewer's draft"}])
    record = DocumentRecord.from_document(document)
    record.source_path = f"{DRAFT_SOURCE}:{reviewer}"
    findings = [FindingRecord.from_finding(f) for f in result.findings]
    matches, suggestions = [], []
    for item in result.items:
        for match in item["tech_matches"]:
            matches.append(TechMatchRecord(item["id"], str(match["technology_id"]), int(match["rank"]),
                                           int(match["phase"]), match.get("rationale") or ""))
        suggestion = item.get("suggestion")
        if isinstance(suggestion, dict):
            old = suggestion.get("old_text") or suggestion.get("old")
            new = suggestion.get("new_text") or suggestion.get("new")
            if isinstance(old, str) and isinstance(new, str):
                template = str(suggestion.get("template_id") or suggestion.get("template") or "api")
                tech = suggestion.get("technology_id")
                tech = str(tech) if tech is not None else None
                phase = suggestion.get("phase")
                suggestions.append(SuggestionRecord(
                    suggestion.get("id") or suggestion_id(item["id"], template, tech), item["id"], old, new, template,
                    suggestion.get("precedent"), tech, int(phase) if isinstance(phase, int) else None))
    store.replace_document(record, provisions_of(document), findings, matches, suggestions)


# -- outputs ---------------------------------------------------------------------------------------

CSV_FIELDS = ("id", "doc_id", "provision_id", "provision_label", "type", "type_label", "trigger", "start", "end",
              "sentence", "rule", "confidence", "digital_alternative", "phase", "max_phase", "obliged", "rationale",
              "technologies", "suggested_text")


def findings_csv(items: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for item in items:
        row = dict(item)
        row["technologies"] = " / ".join(f"{m.get('name_ja') or m['technology_id']}" for m in item["tech_matches"])
        suggestion = item.get("suggestion") or {}
        row["suggested_text"] = suggestion.get("new_text") or suggestion.get("new") or ""
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def check_response(result: CheckResult, stored: bool) -> schemas.CheckResponse:
    document = result.document
    counts: dict[str, int] = {}
    for item in result.items:
        counts[item["type"]] = counts.get(item["type"], 0) + 1
    return schemas.CheckResponse(
        document=schemas.Document(**DocumentRecord.from_document(document).to_dict()),
        text=document.text, provisions=sum(1 for _ in document.walk()),
        findings=[schemas.CheckFinding(**item) for item in result.items], counts=dict(sorted(counts.items())),
        stored=stored, enriched=result.enriched)


# -- the route -------------------------------------------------------------------------------------

_CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}},
            "multipart/form-data": {"schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "the document file"},
                    "content": {"type": "string", "description": "the document as text (instead of file)"},
                    "format": {"type": "string", "enum": ["auto", "text", "html", "xml"]},
                    "title": {"type": "string", "maxLength": 500},
                    "doc_id": {"type": "string", "maxLength": 120, "pattern": r"^[A-Za-z0-9_.\-]+$"},
                    "jurisdiction": {"type": "string", "maxLength": 100},
                },
            }},
        },
    },
}
_CHECK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "findings (JSON), or the findings as CSV / the 新旧対照表 as XLSX or HTML",
          "content": {"text/csv": {}, MEDIA_XLSX: {}, "text/html": {}}},
    **problem_responses(401, 409, 413, 415, 422, 503),
}


async def _parse_body(request: Request, limit: int) -> tuple[bytes, schemas.CheckRequest, str | None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = await request.body()
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise Problem(422, "validation-error", f"body is not valid JSON: {error}",
                          [{"field": "body", "message": "invalid JSON"}]) from None
        try:
            body = schemas.CheckRequest.model_validate(data)
        except ValidationError as error:
            errors = [{"field": ".".join(["body", *map(str, e["loc"])]), "message": e["msg"]} for e in error.errors()]
            raise Problem(422, "validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors),
                          errors) from None
        return body.content.encode("utf-8"), body, None
    if content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=limit)
        except Problem:
            raise
        except Exception as error:  # noqa: BLE001 - malformed multipart
            raise Problem(422, "validation-error", f"malformed multipart body: {error}",
                          [{"field": "body", "message": "malformed multipart"}]) from None
        upload = form.get("file")
        fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
        if upload is not None and not isinstance(upload, str):
            data = await upload.read(limit + 1)
            filename = upload.filename
            if len(data) > limit:
                raise Problem(413, "payload-too-large", f"the file is over {limit} bytes")
            fields.setdefault("content", "-")
        elif isinstance(upload, str):
            data, filename = upload.encode("utf-8"), None
            fields.setdefault("content", "-")
        else:
            data, filename = fields.get("content", "").encode("utf-8"), None
        try:
            body = schemas.CheckRequest.model_validate({k: v for k, v in fields.items()
                                                        if k in schemas.CheckRequest.model_fields})
        except ValidationError as error:
            errors = [{"field": ".".join(["body", *map(str, e["loc"])]), "message": e["msg"]} for e in error.errors()]
            raise Problem(422, "validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors),
                          errors) from None
        return data, body, filename
    raise Problem(415, "unsupported-media-type", "send application/json or multipart/form-data")


@router.post("/check", summary="Check an ordinance or draft for analog regulations",
             response_model=schemas.CheckResponse, responses=_CHECK_RESPONSES, openapi_extra=_CHECK_BODY)
async def check(
    request: Request,
    settings: SettingsDep,
    format: Annotated[Literal["json", "csv", "xlsx", "html"], Query(
        description="json: findings; csv: findings as CSV; xlsx / html: the 新旧対照表")] = "json",
    store: Annotated[bool, Query(description="keep the document as the caller's draft (needs a token)")] = False,
):
    """Findings with the rule, confidence and rationale of each, ranked technology matches and the
    suggested revision.  Body: JSON `{"content": "…"}` or a multipart upload (`file`), ≤ 5 MB by
    default.  Nothing is stored unless `store=true`."""
    reviewer = None
    if store:  # check the token before reading anything
        from fastapi.security import HTTPAuthorizationCredentials

        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip()) if token else None
        reviewer = current_reviewer(request, credentials)
    data, body, filename = await _parse_body(request, settings.max_upload_bytes)
    if len(data) > settings.max_upload_bytes:
        raise Problem(413, "payload-too-large", f"the document is over {settings.max_upload_bytes} bytes")
    doc_id = body.doc_id
    if store and not doc_id:
        doc_id = "draft-" + hashlib.sha256(f"{reviewer}|".encode() + data).hexdigest()[:16]

    def work() -> CheckResult:
        document = read_upload(data, body.format, title=body.title, doc_id=doc_id,
                               jurisdiction=body.jurisdiction, filename=filename)
        return run_check(document)

    try:
        result = await asyncio.wait_for(asyncio.to_thread(work), timeout=settings.check_timeout_s)
    except asyncio.TimeoutError:
        raise Problem(503, "timeout", f"the check took longer than {settings.check_timeout_s:g} s; "
                                      "split the document or raise ANALOGMAP_CHECK_TIMEOUT_S") from None
    stored = False
    if store:
        from .routes_common import get_store

        target = get_store(request)
        await asyncio.to_thread(store_check, target, result, reviewer)
        titles = getattr(request.app.state, "titles", None)
        if titles is not None:
            titles.forget(result.document.doc_id)
        stored = True
    if format == "csv":
        name = f"{result.document.doc_id}-findings.csv"
        return Response(findings_csv(result.items), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    if format in ("xlsx", "html"):
        from .routes_documents import shinkyu_response

        return shinkyu_response(result.document, result.items, format)
    return check_response(result, stored)
