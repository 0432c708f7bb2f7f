"""新旧対照表 exports read back with openpyxl and lxml (kg/shinkyu.py)."""
from __future__ import annotations

import io

from analogmap.kg.matching import match_finding
from analogmap.kg.shinkyu import (
    DECISIONS,
    SHEET,
    XLSX_COLUMNS,
    build_table,
    render_html,
    write_html,
    write_xlsx,
)
from analogmap.kg.suggest import suggest
from kg_textdocs import make_document, make_finding
from lxml import html as lxml_html
from openpyxl import load_workbook


def _rows():
    document = make_document("999AC0000000001", {
        "1": ("（料金の掲示）", ["事業者は、料金表を営業所において公衆に見やすいように掲示しなければならない。"]),
        "2": (None, ["審議会は、委員の過半数が出席しなければ、会議を開くことができない。"]),
        "3": (None, ["事業者は、<script>alert(1)</script>＆を掲示しなければならない。"]),
    }, title="テスト<法>")
    pairs = []
    for pid, type_code, trigger in (("999AC0000000001#a1-p1", "paper_posting", "掲示"),
                                    ("999AC0000000001#a2-p1", "inperson_meeting", "出席しなければ"),
                                    ("999AC0000000001#a3-p1", "paper_posting", "掲示")):
        finding = make_finding(document, pid, type_code, trigger)
        provision = document.get(pid)
        pairs.append((finding, suggest(finding, provision, document, match_finding(finding, provision.text))))
    return document, build_table(document, pairs)


def test_build_table_rows():
    _, rows = _rows()
    assert [r.provision_id.split("#")[1] for r in rows] == ["a1-p1", "a2-p1", "a3-p1"]
    assert rows[0].type_names == "書面掲示規制" and rows[0].phase == 3 and rows[0].precedent


def test_html_new_left_old_right_with_marked_changes(tmp_path):
    _, rows = _rows()
    path = tmp_path / "shinkyu.html"
    write_html(rows, path)
    tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    assert [th.text_content() for th in tree.xpath("//table[@class='shinkyu']/thead/tr/th")] == ["改正案", "現行"]
    new_cells = tree.xpath("//td[@class='new']")
    old_cells = tree.xpath("//td[@class='old']")
    assert len(new_cells) == len(old_cells) == 3
    assert new_cells[0].text_content() == rows[0].new_text
    assert old_cells[0].text_content() == rows[0].old_text
    inserted = "".join(e.text_content() for e in new_cells[0].xpath(".//ins"))
    assert "自動公衆送信" in inserted
    # escaped: the script tag is text, not markup
    assert not tree.xpath("//script")
    assert "<script>alert(1)</script>" in old_cells[2].text_content()
    stream = io.StringIO()
    write_html(rows, stream)
    assert stream.getvalue() == render_html(rows)


def test_xlsx_review_sheet(tmp_path):
    _, rows = _rows()
    path = tmp_path / "shinkyu.xlsx"
    write_xlsx(rows, path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET]
    assert tuple(c.value for c in sheet[1]) == XLSX_COLUMNS
    assert sheet.max_row == 1 + len(rows)
    first = [c.value for c in sheet[2]]
    assert first[0] == "テスト<法>" and first[2] == rows[0].old_text and first[3] == rows[0].new_text
    assert first[4] == "書面掲示規制" and first[6] == 3 and first[8] is None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:I")
    assert sheet["C2"].alignment.wrap_text
    assert sheet.column_dimensions["C"].width >= 40
    validations = sheet.data_validations.dataValidation
    assert validations and validations[0].formula1 == '"' + ",".join(DECISIONS) + '"'
    assert "I2" in str(validations[0].sqref)
