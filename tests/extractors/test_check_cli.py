"""The `check` and `eval` commands: the output contract other parts rely on."""
import hashlib
import json

import pytest
from typer.testing import CliRunner

from analogmap.api.cli import app
from analogmap.corpus.readers import read_document

CONTRACT = {"doc_id", "provision_id", "type", "trigger", "start", "end", "sentence", "rule", "confidence",
            "digital_alternative", "phase", "obliged"}

ORDINANCE = """〇〇町公園条例

（目的）
第１条　この条例は、町立公園の設置及び管理に関し必要な事項を定めるものとする。
（掲示）
第２条　指定管理者は、利用料金を公園の管理事務所の見やすい場所に掲示しなければならない。
２　指定管理者は、前項の料金を変更したときは、速やかに町長に届け出なければならない。
（帳簿）
第３条　指定管理者は、帳簿を備え、利用の状況を記載しなければならない。
（目的外使用）
第４条　何人も、公園内に広告物を掲示してはならない。
"""

DIGITAL = """〇〇町手数料条例

（掲示）
第１条　町長は、手数料の額を役場の見やすい場所に掲示するとともに、インターネットの利用その他の方法により公衆の閲覧に供しなければならない。
"""


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_jsonl_contract_and_offsets(runner, tmp_path):
    path = write(tmp_path, "park.txt", ORDINANCE)
    result = runner.invoke(app, ["check", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    findings = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert {(f["type"], f["digital_alternative"]) for f in findings} == {("paper_posting", False),
                                                                        ("inperson_viewing", False)}
    document = read_document(path)
    for finding in findings:
        assert CONTRACT <= set(finding)
        assert document.text[finding["start"]:finding["end"]] == finding["trigger"]
        assert finding["trigger"] in finding["sentence"]
        assert document.get(finding["provision_id"]) is not None
        assert 0.0 < finding["confidence"] < 1.0 and finding["phase"] in (1, 2, 3)
    assert all("#a4" not in f["provision_id"] for f in findings), "prohibitions print nothing"
    assert all("#a1" not in f["provision_id"] for f in findings), "provisions without findings print nothing"


def test_fail_on_findings_for_drafting_offices(runner, tmp_path):
    draft = write(tmp_path, "draft.txt", ORDINANCE)
    digital = write(tmp_path, "digital.txt", DIGITAL)
    assert runner.invoke(app, ["check", str(draft), "--fail-on-findings"]).exit_code == 1
    result = runner.invoke(app, ["check", str(digital), "--fail-on-findings"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["digital_alternative"] for line in result.stdout.splitlines()] == [True]


def test_table_format_and_shift_jis_input(runner, tmp_path):
    path = write(tmp_path, "park-sjis.txt", ORDINANCE, encoding="cp932")
    result = runner.invoke(app, ["check", str(path), "--format", "table"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "paper_posting" in result.stdout and "PP-01" in result.stdout


def test_unusable_input_is_named_and_the_rest_is_checked(runner, tmp_path):
    good = write(tmp_path, "park.txt", ORDINANCE)
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<?xml version='1.0'?><Law><LawBody>")
    result = runner.invoke(app, ["check", str(good), str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "Traceback" not in result.output
    assert len(result.stdout.splitlines()) == 2


def test_parallel_workers_give_the_same_findings(runner, tmp_path):
    paths = [str(write(tmp_path, f"park{n}.txt", ORDINANCE)) for n in range(3)]
    single = runner.invoke(app, ["check", *paths])
    parallel = runner.invoke(app, ["check", *paths, "--jobs", "2"])
    assert single.exit_code == parallel.exit_code == 0
    assert single.stdout == parallel.stdout


def test_eval_scores_a_small_gold_file(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus, "park.txt", ORDINANCE)
    document = read_document(corpus / "park.txt")

    def line(provision_id, types, split="dev"):
        text = document.get(provision_id).text
        return json.dumps({"provision_id": provision_id, "source": "park.txt", "types": types,
                           "digital_alternative": False, "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                           "split": split}, ensure_ascii=False)

    doc_id = document.doc_id
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join([
        line(f"{doc_id}#a2-p1", ["paper_posting"]),
        line(f"{doc_id}#a2-p2", ["paper_procedure"]),      # a miss: 届け出 without 書面 is not paper
        line(f"{doc_id}#a3-p1", ["inperson_viewing"], split="holdout"),
        line(f"{doc_id}#a4-p1", []),
    ]), "utf-8")
    result = runner.invoke(app, ["eval", str(gold), "--corpus", str(corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    micro = report["extractor:all"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 0, 1)
    assert report["extractor:holdout"]["micro"]["tp"] == 1
    assert report["extractor:all"]["per_type"]["paper_posting"]["f1"] == 1.0
    assert report["calibration"]["all"]["n"] == 2
    assert "sudachidict-core" in report["versions"]


def test_eval_refuses_a_bad_gold_file(runner, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"provision_id": "x#a1-p1", "types": ["not_a_type"]}\n', "utf-8")
    result = runner.invoke(app, ["eval", str(gold), "--corpus", str(tmp_path)])
    assert result.exit_code == 2
    assert "gold.jsonl:1" in result.stderr and "not_a_type" in result.stderr


def test_suggest_adds_technologies_and_a_revision(runner, tmp_path):
    path = write(tmp_path, "park.txt", ORDINANCE)
    result = runner.invoke(app, ["check", str(path), "--suggest"])
    assert result.exit_code == 0, result.output
    posting = next(json.loads(line) for line in result.stdout.splitlines() if '"paper_posting"' in line)
    assert CONTRACT <= set(posting)
    assert posting["techmap"] and posting["techmap"][0]["rank"] == 1
    assert "掲示" in posting["suggestion"]["new_text"] and posting["suggestion"]["template_id"]
