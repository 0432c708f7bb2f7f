"""`techmap` and `shinkyu` commands and `enrich` (api/commands_techmap.py)."""
from __future__ import annotations

import json

import pytest
import typer
from analogmap.api.commands_techmap import enrich, register
from shared_data import CORPUS, require_shared
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_techmap_json_for_one_type(app):
    result = runner.invoke(app, ["techmap", "--type", "paper_posting", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) >= 3 and all(r["type"] == "paper_posting" for r in rows)
    assert rows[0]["technology_id"] == 1040 and rows[0]["business_types"] == ["公示・掲示"]


def test_techmap_table_and_ttl(app):
    result = runner.invoke(app, ["techmap", "--format", "table"])
    assert result.exit_code == 0 and "analogmap techmap" in result.output and "phase" in result.output
    result = runner.invoke(app, ["techmap", "--type", "visual_inspection", "--format", "ttl"])
    assert result.exit_code == 0
    from rdflib import Graph
    assert len(Graph().parse(data=result.output, format="turtle")) > 0


def test_techmap_rejects_bad_input(app):
    assert runner.invoke(app, ["techmap", "--type", "nope"]).exit_code == 2
    assert runner.invoke(app, ["techmap", "--format", "csv"]).exit_code == 2


def _law_text(tmp_path):
    path = tmp_path / "law.txt"
    path.write_text("テスト条例\n第一条　事業者は、料金表を営業所において公衆に見やすいように掲示しなければならない。\n"
                    "第二条　審議会は、委員の過半数が出席しなければ、会議を開くことができない。\n", encoding="utf-8")
    return path


def test_shinkyu_html_and_xlsx(app, tmp_path):
    from lxml import html as lxml_html
    from openpyxl import load_workbook

    law = _law_text(tmp_path)
    out = tmp_path / "t.html"
    result = runner.invoke(app, ["shinkyu", str(law), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    tree = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    assert tree.xpath("//td[@class='new']//ins")
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["shinkyu", str(law), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["見直し一覧"]
    assert sheet.max_row >= 2 and sheet["D2"].value


def test_shinkyu_bad_format_and_missing_file(app, tmp_path):
    assert runner.invoke(app, ["shinkyu", str(_law_text(tmp_path)), "--format", "pdf", "--out", "x"]).exit_code == 2
    assert runner.invoke(app, ["shinkyu", str(tmp_path / "none.txt"), "--out", "x"]).exit_code == 2


def test_enrich_adds_techmap_and_suggestion(tmp_path):
    from analogmap.corpus.readers import read_document
    from analogmap.extractors.engine import Extractor

    document = read_document(_law_text(tmp_path))
    findings = Extractor().extract(document)
    records = enrich(document, findings)
    assert records and all("techmap" in r and "suggestion" in r for r in records)
    open_records = [r for r in records if not r["digital_alternative"]]
    assert all(r["suggestion"] and r["suggestion"]["new_text"] != r["suggestion"]["old_text"] for r in open_records)
    assert json.dumps(records, ensure_ascii=False)


@pytest.mark.corpus
def test_shinkyu_on_a_real_law(app, tmp_path):
    from openpyxl import load_workbook

    law = require_shared(CORPUS) / "egov-html-ledmonster-2015" / "S24HO108.html"
    out = tmp_path / "kobutsu.xlsx"
    result = runner.invoke(app, ["shinkyu", str(law), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["見直し一覧"]
    labels = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert "第十二条第一項" in labels
