"""`GET /documents/{id}` and `GET /documents/{id}/shinkyu?format=html|xlsx` — the 新旧対照表.

The table comes from `analogmap.kg.shinkyu` (`build_table`, `write_html`, `write_xlsx`) when that
module is installed; until then a plain fallback lists, per provision with findings, the current text,
the suggested text (or the current text with a note) and the findings.
"""
from __future__ import annotations

import html
import io
import logging
from typing import Annotated, Any, Literal

from analogmap.kg.records import Page, ProvisionFilter
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from . import schemas
from .problems import Problem, problem_responses
from .routes_common import StoreDep, marked_diff, store_call, type_labels

router = APIRouter(tags=["documents"])
log = logging.getLogger("analogmap.api")

MEDIA_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DocId = Annotated[str, Path(min_length=1, max_length=200, description="document id")]


@router.get("/documents/{doc_id}", response_model=schemas.Document, responses=problem_responses(404))
def get_document(doc_id: DocId, store: StoreDep) -> schemas.Document:
    """One document's metadata."""
    document = store.get_document(doc_id)
    if document is None:
        raise Problem(404, "not-found", f"no document {doc_id!r}")
    return schemas.Document(**document.to_dict())


# -- rows ------------------------------------------------------------------------------------------

def rows_from_items(document, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows (one per provision with findings) from a checked document and its finding dicts."""
    by_provision: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_provision.setdefault(item["provision_id"], []).append(item)
    rows = []
    for provision in document.walk():
        found = by_provision.get(provision.provision_id)
        if not found:
            continue
        rows.append(_row(provision.label, provision.text, found))
    return rows


def _row(label: str, old: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    new = old
    precedents, techs, notes = [], [], []
    for item in items:
        suggestion = item.get("suggestion") or {}
        s_old = suggestion.get("old_text") or suggestion.get("old")
        s_new = suggestion.get("new_text") or suggestion.get("new")
        if isinstance(s_old, str) and isinstance(s_new, str) and s_old and s_old in new:
            new = new.replace(s_old, s_new, 1)
        elif isinstance(s_old, str) and isinstance(s_new, str) and s_old == old:
            new = s_new
        if suggestion.get("precedent"):
            precedents.append(str(suggestion["precedent"]))
        for match in item.get("tech_matches", [])[:1]:
            techs.append(match.get("name_ja") or str(match.get("technology_id")))
        notes.append(f"{item.get('type_label') or item['type']}「{item['trigger']}」({item['rule']}, "
                     f"{float(item['confidence']):.2f})")
    types = list(dict.fromkeys(item["type"] for item in items))
    phases = [int((item.get("suggestion") or {}).get("phase") or 0) for item in items]
    templates = [str((item.get("suggestion") or {}).get("template_id") or "") for item in items]
    provision_ids = [item.get("provision_id") for item in items if item.get("provision_id")]
    return {"label": label, "old": old, "new": new, "findings": "、".join(dict.fromkeys(notes)),
            "types": types, "phase": max(phases) or None if phases else None,
            "template_id": "、".join(t for t in dict.fromkeys(templates) if t),
            "provision_id": provision_ids[0] if provision_ids else "",
            "technologies": "、".join(dict.fromkeys(techs)), "precedent": "、".join(dict.fromkeys(precedents)),
            "changed": new != old}


def rows_from_store(store, doc_id: str) -> list[dict[str, Any]]:
    provision_ids: list[str] = []
    cursor = None
    while True:
        page = store_call(store.find_findings, ProvisionFilter(doc_id=doc_id), Page(cursor=cursor, limit=500,
                                                                                       sort="document"))
        for finding in page.items:
            if finding.provision_id not in provision_ids:
                provision_ids.append(finding.provision_id)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    labels = type_labels()
    rows = []
    for provision_id in provision_ids:
        detail = store.get_provision(provision_id)
        if detail is None:
            continue
        items = []
        for fd in detail.findings:
            f = fd.finding
            suggestion = fd.suggestions[0].to_dict() if fd.suggestions else None
            from .routes_common import technology_names

            matches = [{"technology_id": m.technology_id, "name_ja": technology_names(m.technology_id)[0]}
                       for m in fd.tech_matches]
            items.append({"type": f.type, "type_label": labels.get(f.type, f.type), "trigger": f.trigger,
                          "rule": f.rule, "confidence": f.confidence, "suggestion": suggestion,
                          "tech_matches": matches, "provision_id": f.provision_id})
        rows.append(_row(detail.provision.label, detail.provision.text, items))
    return rows


# -- rendering -------------------------------------------------------------------------------------

def _diff_html(old: str, new: str) -> tuple[str, str]:
    left, right = [], []
    for op, text in marked_diff(old, new):
        escaped = html.escape(text)
        if op == "equal":
            left.append(escaped)
            right.append(escaped)
        elif op == "delete":
            left.append(f'<del class="chg">{escaped}</del>')
        else:
            right.append(f'<ins class="chg">{escaped}</ins>')
    return "".join(left), "".join(right)


def fallback_html(title: str, rows: list[dict[str, Any]]) -> bytes:
    body = []
    for row in rows:
        old, new = _diff_html(row["old"], row["new"])
        body.append(f"<tr><th scope=row>{html.escape(row['label'])}</th><td>{new}</td><td>{old}</td>"
                    f"<td>{html.escape(row['findings'])}<br><small>{html.escape(row['technologies'])}</small></td></tr>")
    page = f"""<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>新旧対照表 {html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1rem}}table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #444;padding:.4rem;vertical-align:top;white-space:pre-wrap}}
ins.chg{{background:#fff3a0;text-decoration:underline}}del.chg{{color:#8a1c1c}}</style></head><body>
<h1>新旧対照表（案）</h1><p>{html.escape(title)}</p>
<table><thead><tr><th scope=col>条項</th><th scope=col>改正案</th><th scope=col>現行</th><th scope=col>検出事項・技術</th></tr></thead>
<tbody>{''.join(body)}</tbody></table></body></html>"""
    return page.encode("utf-8")


def fallback_xlsx(title: str, rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "新旧対照表"
    sheet.append([f"新旧対照表（案） {title}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["条項", "改正案", "現行", "検出事項", "技術", "先例"])
    for row in rows:
        sheet.append([row["label"], row["new"], row["old"], row["findings"], row["technologies"], row["precedent"]])
    for column, width in zip("ABCDEF", (14, 60, 60, 40, 24, 20), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _shinkyu_module():
    try:
        from analogmap.kg import shinkyu  # written by the revision work package
    except Exception:  # noqa: BLE001 - optional until it lands
        return None
    if not all(hasattr(shinkyu, name) for name in ("build_table", "write_html", "write_xlsx")):
        return None
    return shinkyu


def _changes(old: str, new: str) -> list:
    """Changed parts of old → new (for marking), as kg.suggest.Change."""
    from difflib import SequenceMatcher

    from analogmap.kg.suggest import Change

    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [Change(i1, i2, j1, j2, old[i1:i2], new[j1:j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _module_table(shinkyu, title: str, rows: list[dict[str, Any]], fmt: str) -> bytes:
    """The review sheet through kg.shinkyu (columns 例規名, 条項, 現行, 改正案, 類型, 技術, フェーズ, 根拠・先例, 判定)."""
    table = [shinkyu.Row(document_title=title, provision_id=row.get("provision_id", ""), label=row["label"],
                         old_text=row["old"], new_text=row["new"], changes=_changes(row["old"], row["new"]),
                         types=row.get("types", []), technology=row["technologies"], phase=row.get("phase"),
                         precedent=row["precedent"], template_id=row.get("template_id", ""), note=row["findings"])
             for row in rows if row.get("changed")]
    out = io.BytesIO()
    if fmt == "xlsx":
        shinkyu.write_xlsx(table, out)
        return out.getvalue()
    return shinkyu.render_html(table, title).encode("utf-8")


def _file_response(data: bytes, fmt: str, doc_id: str) -> Response:
    name = f"{doc_id}-shinkyu.{fmt}"
    media = MEDIA_XLSX if fmt == "xlsx" else "text/html; charset=utf-8"
    disposition = "attachment" if fmt == "xlsx" else "inline"
    return Response(data, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


def shinkyu_response(document, items: list[dict[str, Any]], fmt: str) -> Response:
    """The table of a checked (unstored) document."""
    shinkyu = _shinkyu_module()
    rows = rows_from_items(document, items)
    if shinkyu is not None:
        data = _module_table(shinkyu, document.title, rows, fmt)
    else:
        data = fallback_xlsx(document.title, rows) if fmt == "xlsx" else fallback_html(document.title, rows)
    return _file_response(data, fmt, document.doc_id)


@router.get("/documents/{doc_id}/shinkyu", summary="新旧対照表 / review sheet of a stored document",
            responses={200: {"description": "the table", "content": {MEDIA_XLSX: {}, "text/html": {}}},
                       **problem_responses(404, 422)}, response_class=Response)
def shinkyu(doc_id: DocId, store: StoreDep,
            format: Annotated[Literal["html", "xlsx"], Query(description="html or xlsx")] = "html") -> Response:
    """Current text beside the suggested revision (changes marked) for every provision with findings."""
    document = store.get_document(doc_id)
    if document is None:
        raise Problem(404, "not-found", f"no document {doc_id!r}")
    shinkyu = _shinkyu_module()
    rows = rows_from_store(store, doc_id)
    if shinkyu is not None:
        data = _module_table(shinkyu, document.title, rows, format)
    else:
        data = fallback_xlsx(document.title, rows) if format == "xlsx" else fallback_html(document.title, rows)
    return _file_response(data, format, doc_id)
