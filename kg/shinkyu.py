"""新旧対照表 (old/new comparison table) of a document's suggested revisions: HTML and XLSX.

    rows = build_table(document, [(finding, suggestion), ...])
    write_html(rows, "shinkyu.html")     # 改正案 | 現行, changed parts marked
    write_xlsx(rows, "shinkyu.xlsx")     # sheet 見直し一覧 for a municipal review

The HTML follows Japanese practice: the amended text (改正案) on the left, the current text (現行) on
the right; the changed parts are <ins> in the new text and <del> in the old text (underlined).
"""
from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .suggest import Change, Suggestion

TYPE_NAMES = {
    "visual_inspection": "目視規制", "onsite_audit": "実地監査規制", "periodic_inspection": "定期検査・点検規制",
    "resident_dedicated": "常駐・専任規制", "inperson_training": "対面講習規制", "paper_posting": "書面掲示規制",
    "inperson_viewing": "往訪閲覧・縦覧規制", "physical_media": "FD等記録媒体規制", "paper_procedure": "書面・押印",
    "inperson_procedure": "対面・出頭・来庁", "inperson_meeting": "参集・対面会議",
}
XLSX_COLUMNS = ("例規名", "条項", "現行", "改正案", "類型", "技術", "フェーズ", "根拠・先例", "判定")
DECISIONS = ("該当", "非該当", "見直し不要", "要改正", "改正済")
SHEET = "見直し一覧"


@dataclass(slots=True)
class Row:
    document_title: str
    provision_id: str
    label: str
    old_text: str
    new_text: str
    changes: list[Change]
    types: list[str]
    technology: str
    phase: int | None
    precedent: str
    template_id: str
    note: str = ""
    decision: str = ""
    finding_ids: list[str] = field(default_factory=list)

    @property
    def type_names(self) -> str:
        return "・".join(TYPE_NAMES.get(t, t) for t in self.types)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def build_table(document: Any, findings_with_suggestions: Iterable[tuple[Any, Suggestion | None]]) -> list[Row]:
    """One row per provision with a suggestion (several findings on one provision are merged; the
    first suggestion in document order is shown, the other types are listed)."""
    rows: dict[str, Row] = {}
    order: list[str] = []
    for finding, suggestion in findings_with_suggestions:
        if suggestion is None:
            continue
        pid = suggestion.provision_id or _get(finding, "provision_id", "")
        type_code = _get(finding, "type", suggestion.type)
        if pid in rows:
            row = rows[pid]
            if type_code not in row.types:
                row.types.append(type_code)
            continue
        provision = document.get(pid) if document is not None and hasattr(document, "get") else None
        label = _get(provision, "label", "") or _get(finding, "label", "") or pid
        rows[pid] = Row(_get(document, "title", ""), pid, label, suggestion.old_text, suggestion.new_text,
                        list(suggestion.changes), [type_code],
                        suggestion.technology_name or ("" if suggestion.technology_id is None
                                                       else str(suggestion.technology_id)),
                        suggestion.phase, suggestion.precedent, suggestion.template_id, suggestion.note)
        order.append(pid)
    starts = {}
    if document is not None and hasattr(document, "walk"):
        starts = {p.provision_id: p.start for p in document.walk()}
    return sorted((rows[p] for p in order), key=lambda r: (starts.get(r.provision_id, 0), r.provision_id))


def _marked(text: str, changes: list[Change], side: str) -> str:
    """HTML of `text` with the changed parts wrapped (side 'new' → <ins>, 'old' → <del>)."""
    spans = sorted(((c.new_start, c.new_end) if side == "new" else (c.old_start, c.old_end)) for c in changes)
    tag = "ins" if side == "new" else "del"
    out, last = [], 0
    for start, end in spans:
        if start < last or end <= start:
            continue
        out.append(html.escape(text[last:start]))
        out.append(f'<{tag} class="chg">{html.escape(text[start:end])}</{tag}>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out).replace("\n", "<br>")


_CSS = """
body{font-family:"Hiragino Mincho ProN","Yu Mincho","MS Mincho",serif;margin:1.5em;}
h1{font-size:1.3em;} table{border-collapse:collapse;width:100%;table-layout:fixed;}
th,td{border:1px solid #444;padding:.5em;vertical-align:top;line-height:1.7;}
th{background:#eee;} td.label{font-weight:bold;background:#fafafa;}
ins.chg{text-decoration:underline;text-decoration-thickness:2px;background:#fff3b0;}
del.chg{text-decoration:underline;background:#e8e8e8;}
.meta{font-size:.85em;color:#333;}
"""


def render_html(rows: list[Row], title: str | None = None) -> str:
    doc_title = title or (rows[0].document_title if rows else "")
    parts = ["<!DOCTYPE html>", '<html lang="ja"><head><meta charset="utf-8">',
             f"<title>{html.escape(doc_title)} 新旧対照表</title><style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(doc_title)} 新旧対照表（案）</h1>",
             '<p class="meta">傍線（下線）部分は改正部分。改正案は analogmap による自動起案であり、要確認。</p>',
             '<table class="shinkyu"><colgroup><col style="width:50%"><col style="width:50%"></colgroup>',
             "<thead><tr><th>改正案</th><th>現行</th></tr></thead><tbody>"]
    for row in rows:
        parts.append(f'<tr class="label" data-provision="{html.escape(row.provision_id, quote=True)}">'
                     f'<td class="label" colspan="2">{html.escape(row.label)}（{html.escape(row.type_names)}）</td></tr>')
        parts.append(f'<tr data-provision="{html.escape(row.provision_id, quote=True)}">'
                     f'<td class="new">{_marked(row.new_text, row.changes, "new")}</td>'
                     f'<td class="old">{_marked(row.old_text, row.changes, "old")}</td></tr>')
        meta = (f"技術: {html.escape(row.technology)}／フェーズ{row.phase if row.phase is not None else ''}"
                f"／先例: {html.escape(row.precedent)}／テンプレート: {html.escape(row.template_id)}")
        if row.note:
            meta += f"<br>{html.escape(row.note)}"
        parts.append(f'<tr class="meta"><td class="meta" colspan="2">{meta}</td></tr>')
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts)


def write_html(rows: list[Row], path_or_stream: str | Path | IO[str], title: str | None = None) -> None:
    text = render_html(rows, title)
    if hasattr(path_or_stream, "write"):
        path_or_stream.write(text)  # type: ignore[union-attr]
    else:
        Path(path_or_stream).write_text(text, encoding="utf-8")


def write_xlsx(rows: list[Row], path: str | Path | IO[bytes]) -> None:
    """The municipal review sheet 見直し一覧 (needs openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(XLSX_COLUMNS))
    for row in rows:
        sheet.append([row.document_title, row.label, row.old_text, row.new_text, row.type_names, row.technology,
                      row.phase, row.precedent, row.decision or None])
    widths = {"A": 24, "B": 16, "C": 60, "D": 60, "E": 16, "F": 24, "G": 8, "H": 40, "I": 12}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cells in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    last = max(sheet.max_row, 2)
    sheet.auto_filter.ref = f"A1:I{last}"
    validation = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="判定", error="該当/非該当/見直し不要/要改正/改正済 から選択")
    validation.add(f"I2:I{max(last, 1000)}")
    sheet.add_data_validation(validation)
    workbook.save(path)


def xlsx_bytes(rows: list[Row]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer)
    return buffer.getvalue()


__all__ = [
    "DECISIONS",
    "SHEET",
    "TYPE_NAMES",
    "XLSX_COLUMNS",
    "Row",
    "build_table",
    "render_html",
    "write_html",
    "write_xlsx",
    "xlsx_bytes",
]
