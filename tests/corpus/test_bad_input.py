"""Bad input through `read_document` and through `analogmap parse`, plus the `parse` output contract.

Spec ("Read the law"): malformed XML, a truncated file, an XML bomb or external entity, a binary or empty
file, an unknown encoding, an over-size file each get one clear message naming the file (and line where
known); the other files of the run are still processed; exit status 2 says something was skipped; no
traceback reaches the user; no entity is ever resolved; memory stays bounded.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analogmap.api.cli import app
from analogmap.corpus.errors import InputError
from analogmap.corpus.readers import ReadOptions, looks_like_law_file, read_document, sniff_format

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "egov_xml_sample" / "505AC0000000099_20240401_505AC0000000063.xml"
SAMPLE_ID = "505AC0000000099"
SAMPLE_PROVISIONS = 26
CLI = Path(sys.executable).with_name("analogmap")
SECRET = "TOPSECRET-a7f3c9-NEVER-PRINT"

GOOD_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Law Era="Reiwa" Year="5" Num="{num}" LawType="Act" Lang="ja">
<LawNum>令和五年法律第{num}号</LawNum>
<LawBody>
<LawTitle>良い法律</LawTitle>
<MainProvision>
<Article Num="1">
<ArticleTitle>第一条</ArticleTitle>
<Paragraph Num="1"><ParagraphNum/><ParagraphSentence><Sentence>この法律は、試験のためのものとする。</Sentence></ParagraphSentence></Paragraph>
</Article>
</MainProvision>
</LawBody>
</Law>
"""

_BODY = ('<Law LawType="Act"><LawBody><LawTitle>t</LawTitle><MainProvision><Paragraph Num="1"><ParagraphSentence>'
         '<Sentence>{content}</Sentence></ParagraphSentence></Paragraph></MainProvision></LawBody></Law>\n')

BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE Law [\n<!ENTITY l0 "lol">\n'
                  + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
                  + "]>\n" + _BODY.format(content="&l9;"))


def law_name(n: int) -> str:
    return f"505AC{n:010d}_20240401_000000000000000.xml"


def good_xml(n: int) -> str:
    return GOOD_XML.format(num=n)


def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def xxe_xml(target: str) -> str:
    return ('<?xml version="1.0"?>\n'
            f'<!DOCTYPE Law [<!ENTITY x SYSTEM "{target}">]>\n' + _BODY.format(content="&x;"))


BAD_CONTENT = {
    "malformed": b'<?xml version="1.0"?>\n<Law LawType="Act">\n<LawBody>\n<Foo>\n</Law>\n',
    "truncated": good_xml(21).encode("utf-8")[:300],
    "bomb": BILLION_LAUGHS.encode("utf-8"),
    "unknown_encoding": good_xml(22).replace("UTF-8", "X-UNKNOWN-ENC", 1).encode("utf-8"),
}


def _flat(text: str) -> str:
    """Undo Rich's line folding so file paths can be searched for."""
    return text.replace("\n", "")


def invoke(*args: str, env: dict | None = None):
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    # typer >= 0.12 keeps stdout and stderr apart (result.stderr); no uncaught exception may escape
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def jsonl(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------
# read_document: each kind of bad input is an InputError naming the file


def _read_error(path: Path, **options) -> InputError:
    with pytest.raises(InputError) as caught:
        read_document(path, ReadOptions(**options))
    error = caught.value
    assert error.path == str(path)
    assert str(path) in str(error)
    return error


def test_malformed_xml_names_file_and_line(tmp_path):
    path = tmp_path / law_name(11)
    path.write_bytes(BAD_CONTENT["malformed"])
    error = _read_error(path)
    assert error.line == 5
    assert str(error).startswith(f"{path}:5: ")
    assert "malformed" in error.message.lower()


def test_truncated_file(tmp_path):
    path = tmp_path / law_name(12)
    path.write_bytes(BAD_CONTENT["truncated"])
    error = _read_error(path)
    assert error.line is not None


def test_billion_laughs_refused_quickly_without_expansion(tmp_path):
    path = tmp_path / law_name(13)
    path.write_bytes(BAD_CONTENT["bomb"])
    started = time.perf_counter()
    error = _read_error(path)
    assert time.perf_counter() - started < 2.0
    assert "lollollol" not in str(error)


def test_quadratic_blowup_refused(tmp_path):
    """One 10 KB entity referenced 20 000 times (200 MB if expanded)."""
    path = tmp_path / law_name(14)
    text = ('<?xml version="1.0"?>\n<!DOCTYPE Law [<!ENTITY a "' + "A" * 10_000 + '">]>\n'
            + _BODY.format(content="&a;" * 20_000))
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    _read_error(path)
    assert time.perf_counter() - started < 3.0


def test_internal_entity_is_refused_not_resolved(tmp_path):
    path = tmp_path / law_name(15)
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE Law [<!ENTITY a "EXPANDED-TEXT">]>\n'
                    + _BODY.format(content="&a;"), encoding="utf-8")
    error = _read_error(path)
    assert "EXPANDED-TEXT" not in str(error)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "SECRET"])
def test_external_entity_refused(tmp_path, target):
    if target == "SECRET":
        target = secret_file(tmp_path).as_uri()
    path = tmp_path / law_name(16)
    path.write_text(xxe_xml(target), encoding="utf-8")
    error = _read_error(path)
    assert "entit" in str(error).lower()
    assert SECRET not in str(error)
    assert "root:x:" not in str(error)


def test_external_parameter_entity_refused(tmp_path):
    secret = secret_file(tmp_path)
    path = tmp_path / law_name(17)
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE Law [<!ENTITY % x SYSTEM "{secret.as_uri()}"> %x;]>\n'
                    + _BODY.format(content="本文"), encoding="utf-8")
    error = _read_error(path)
    assert SECRET not in str(error)


def test_external_dtd_is_never_loaded(tmp_path):
    """A DOCTYPE pointing at a file is ignored (no DTD loading); its content never shows up."""
    secret = secret_file(tmp_path)
    path = tmp_path / law_name(18)
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE Law SYSTEM "{secret.as_uri()}">\n'
                    + _BODY.format(content="本文"), encoding="utf-8")
    try:
        document = read_document(path)
    except InputError as error:
        assert SECRET not in str(error)
    else:
        assert SECRET not in document.text


def test_binary_file(tmp_path):
    path = tmp_path / "blob.xml"
    path.write_bytes(bytes(range(256)) * 64)
    error = _read_error(path)
    assert "binary" in error.message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    assert "empty" in _read_error(path).message
    blank = tmp_path / "blank.xml"
    blank.write_bytes(b"\xef\xbb\xbf \n\t\n")
    assert "empty" in _read_error(blank).message


def test_unknown_encoding(tmp_path):
    path = tmp_path / law_name(19)
    path.write_bytes(BAD_CONTENT["unknown_encoding"])
    error = _read_error(path)
    assert "X-UNKNOWN-ENC" in str(error)
    assert error.line == 1


def test_over_size_limit(tmp_path):
    path = tmp_path / law_name(20)
    path.write_text(good_xml(20), encoding="utf-8")
    error = _read_error(path, max_bytes=100)
    assert "limit" in error.message and "MB" in error.message


def test_sparse_200mb_file_refused_by_size_without_reading(tmp_path, monkeypatch):
    path = tmp_path / law_name(23)
    with path.open("wb") as handle:
        handle.write(good_xml(23).encode("utf-8"))
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    assert path.stat().st_size == 200 * 1024 * 1024

    def no_reading(self, *args, **kwargs):  # pragma: no cover - only runs on failure
        raise AssertionError(f"{self} was read although it is over the size limit")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    started = time.perf_counter()
    error = _read_error(path)
    assert time.perf_counter() - started < 1.0
    assert "209.7 MB" in error.message or "200" in error.message or "210" in error.message
    assert "--max-mb" in error.message


def test_missing_file(tmp_path):
    _read_error(tmp_path / "nope.xml")


def test_json_and_foreign_xml_are_refused(tmp_path):
    sidecar = tmp_path / "current.json"
    sidecar.write_text('{"law_id": "505AC0000000001"}', encoding="utf-8")
    assert "JSON" in _read_error(sidecar).message
    foreign = tmp_path / "feed.xml"
    foreign.write_text('<?xml version="1.0"?><rss><channel/></rss>', encoding="utf-8")
    _read_error(foreign)


# --------------------------------------------------------------------------------------------------
# CLI: bad files one by one


@pytest.mark.parametrize("name", sorted(BAD_CONTENT))
def test_cli_bad_xml_file(tmp_path, name):
    path = tmp_path / law_name(30)
    path.write_bytes(BAD_CONTENT[name])
    result = invoke("parse", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    stderr = _flat(result.stderr)
    assert str(path) in stderr
    assert "Traceback" not in result.output
    assert "0 documents" in stderr and "1 skipped" in stderr


@pytest.mark.parametrize("content", [b"", bytes(range(256)) * 16], ids=["empty", "binary"])
def test_cli_empty_and_binary_named_explicitly(tmp_path, content):
    path = tmp_path / "data.xml"
    path.write_bytes(content)
    result = invoke("parse", path)
    assert result.exit_code == 2
    assert str(path) in _flat(result.stderr)
    assert "Traceback" not in result.output


def test_cli_external_entity_never_printed(tmp_path):
    secret = secret_file(tmp_path)
    xxe = tmp_path / law_name(31)
    xxe.write_text(xxe_xml(secret.as_uri()), encoding="utf-8")
    passwd = tmp_path / law_name(32)
    passwd.write_text(xxe_xml("file:///etc/passwd"), encoding="utf-8")
    result = invoke("parse", xxe, passwd)
    assert result.exit_code == 2
    assert SECRET not in result.output
    assert "root:x:" not in result.output
    assert str(xxe) in _flat(result.stderr) and str(passwd) in _flat(result.stderr)


def test_cli_max_mb(tmp_path):
    path = tmp_path / law_name(33)
    path.write_text(good_xml(33) + "<!--" + "x" * 2000 + "-->\n", encoding="utf-8")
    assert invoke("parse", path).exit_code == 0
    result = invoke("parse", "--max-mb", "0.001", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(path) in _flat(result.stderr)
    assert "limit" in result.stderr


def test_cli_sparse_200mb_file(tmp_path):
    path = tmp_path / law_name(34)
    with path.open("wb") as handle:
        # a real-looking head (so the directory walk sniffs it as e-Gov XML), then a sparse hole
        handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<Law LawType="Act"><!--' + b"x" * 70_000)
        handle.truncate(200 * 1024 * 1024)
    started = time.perf_counter()
    explicit = invoke("parse", path)
    walked = invoke("parse", tmp_path)
    assert time.perf_counter() - started < 5.0
    for result in (explicit, walked):
        assert result.exit_code == 2
        assert str(path) in _flat(result.stderr)
        assert "limit" in result.stderr


def test_cli_missing_path(tmp_path):
    result = invoke("parse", tmp_path / "nope.xml")
    assert result.exit_code == 2
    assert "nope.xml" in result.stderr


# --------------------------------------------------------------------------------------------------
# CLI: a mix of good and bad files in one run


def _mixed_tree(tmp_path: Path) -> tuple[Path, list[Path], list[Path]]:
    root = tmp_path / "in"
    (root / "sub" / "deeper").mkdir(parents=True)
    good = [root / law_name(1), root / "sub" / law_name(2)]
    good[0].write_text(good_xml(1), encoding="utf-8")
    good[1].write_text(good_xml(2), encoding="utf-8")
    shutil.copy(SAMPLE, root / "sub" / "deeper" / SAMPLE.name)
    good.append(root / "sub" / "deeper" / SAMPLE.name)
    bad = []
    for n, (name, content) in enumerate(sorted(BAD_CONTENT.items()), start=40):
        path = root / ("sub" if n % 2 else ".") / law_name(n)
        path.write_bytes(content)
        bad.append(path)
    secret = secret_file(tmp_path)
    xxe = root / "sub" / law_name(49)
    xxe.write_text(xxe_xml(secret.as_uri()), encoding="utf-8")
    bad.append(xxe)
    (root / "README.md").write_text("# inputs\n\nLaws for the test.\n", encoding="utf-8")
    (root / "index.tsv").write_text("file\tlaw_id\nx.xml\t505AC0000000001\n", encoding="utf-8")
    (root / "sub" / "current.json").write_text('{"law_id": "505AC0000000002"}', encoding="utf-8")
    return root, good, bad


def test_cli_mixed_good_and_bad(tmp_path):
    root, good, bad = _mixed_tree(tmp_path)
    result = invoke("parse", root)
    assert result.exit_code == 2
    records = jsonl(result.stdout)
    assert {r["doc_id"] for r in records} == {"505AC0000000001", "505AC0000000002", SAMPLE_ID}
    assert sum(r["doc_id"] == SAMPLE_ID for r in records) == SAMPLE_PROVISIONS
    stderr = _flat(result.stderr)
    for path in bad:
        assert stderr.count(str(path)) == 1, path
    for path in good:
        assert str(path) not in stderr
    assert result.stderr.count("skipped ") == len(bad)
    assert f"3 documents, {SAMPLE_PROVISIONS + 4} provisions; {len(bad)} skipped" in stderr
    assert "Traceback" not in result.output
    assert SECRET not in result.output


def test_cli_mixed_explicit_files_keep_going(tmp_path):
    root, good, bad = _mixed_tree(tmp_path)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    args = [good[0], *bad, empty, good[1]]
    result = invoke("parse", *args)
    assert result.exit_code == 2
    assert {r["doc_id"] for r in jsonl(result.stdout)} == {"505AC0000000001", "505AC0000000002"}
    stderr = _flat(result.stderr)
    for path in [*bad, empty]:
        assert str(path) in stderr
    assert result.stderr.count("skipped ") == len(bad) + 1


def test_cli_one_line_per_bad_file_in_a_real_process(tmp_path):
    """Each skipped file is reported on ONE stderr line that names it in full.

    Run as a real process with stderr redirected (as in `analogmap parse dir 2> log`); Rich must not fold
    a long path over several lines, or the message no longer names the file for grep or a log reader.
    """
    deep = tmp_path / "a_rather_long_directory_name" / "another_long_nested_directory_level"
    deep.mkdir(parents=True)
    bad = deep / law_name(50)
    bad.write_bytes(BAD_CONTENT["malformed"])
    (deep / law_name(51)).write_text(good_xml(51), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    completed = subprocess.run([str(CLI), "parse", str(tmp_path)], capture_output=True, text=True, env=env,
                               timeout=60)
    assert completed.returncode == 2
    assert len(jsonl(completed.stdout)) == 2
    assert "Traceback" not in completed.stderr
    lines = [line for line in completed.stderr.splitlines() if str(bad) in line]
    assert len(lines) == 1, completed.stderr
    assert ":5:" in lines[0]


# --------------------------------------------------------------------------------------------------
# parse: output contract, table format, directory recursion by content


CONTRACT_FIELDS = {"doc_id", "provision_id", "kind", "num", "label", "caption", "text", "start", "end"}


def test_parse_jsonl_contract():
    result = invoke("parse", SAMPLE)
    assert result.exit_code == 0, result.output
    records = jsonl(result.stdout)
    assert len(records) == SAMPLE_PROVISIONS
    for record in records:
        assert CONTRACT_FIELDS <= set(record), record
        assert record["doc_id"] == SAMPLE_ID
        assert record["provision_id"].startswith(f"{SAMPLE_ID}#")
        assert isinstance(record["start"], int) and isinstance(record["end"], int)
        assert 0 <= record["start"] <= record["end"]
        assert record["kind"] in ("suppl_provision", "article", "paragraph", "item", "subitem", "table",
                                  "appdx_table", "appendix")
    by_id = {r["provision_id"]: r for r in records}
    item = by_id[f"{SAMPLE_ID}#a12_2-p1-i2"]
    assert item["label"] == "第十二条の二第一項第二号"
    assert item["num"] == "2"
    assert item["kind"] == "item"
    assert item["caption"] is None
    assert by_id[f"{SAMPLE_ID}#a1"]["caption"] == "（目的）"
    # offsets agree with read_document's text
    document = read_document(SAMPLE)
    for record in records:
        if record["kind"] in ("paragraph", "item", "subitem"):
            assert document.text[record["start"]:record["end"]] == record["text"]
    # summary on stderr only
    assert f"1 documents, {SAMPLE_PROVISIONS} provisions; 0 skipped" in _flat(result.stderr)
    assert "documents" not in result.stdout


def test_parse_output_is_utf8_json_not_escaped():
    result = invoke("parse", SAMPLE)
    assert "第十二条の二" in result.stdout


def test_parse_table_format():
    result = invoke("parse", "--format", "table", SAMPLE, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "試験法" in result.stdout
    assert f"{SAMPLE_ID}#a12_2-p1-i2.1.1" in result.stdout
    assert "appdx_table" in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout.splitlines()[0])


def test_parse_unknown_format():
    result = invoke("parse", "--format", "xml", SAMPLE)
    assert result.exit_code == 2
    assert "format" in result.stderr


def test_directory_recursion_by_content(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    as_txt = tmp_path / "a" / "b" / "505AC0000000061_20240401_000000000000000.txt"
    as_txt.write_text(good_xml(61), encoding="utf-8")
    no_ext = tmp_path / "a" / "505AC0000000062_20240401_000000000000000"
    no_ext.write_text(good_xml(62), encoding="utf-8")
    (tmp_path / "README.md").write_text("# Corpus\n\nSee SOURCE.md. Files are e-Gov XML.\n", encoding="utf-8")
    (tmp_path / "a" / "index.tsv").write_text("file\tlaw_id\ttitle\nfoo.xml\t505AC0000000061\t良い法律\n",
                                              encoding="utf-8")
    (tmp_path / "a" / "b" / "current.json").write_text('{"law_id": "505AC0000000061"}', encoding="utf-8")
    (tmp_path / "a" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / law_name(63)).write_bytes(b"<Law><broken")
    result = invoke("parse", tmp_path)
    assert result.exit_code == 0, result.output
    assert {r["doc_id"] for r in jsonl(result.stdout)} == {"505AC0000000061", "505AC0000000062"}
    stderr = _flat(result.stderr)
    assert "0 skipped" in stderr
    assert "4 files ignored" in stderr
    assert "skipped " not in result.stderr


def test_sniffing_helpers(tmp_path):
    assert sniff_format(good_xml(1).encode()) == "egov-xml"
    assert sniff_format(b"") == "empty"
    assert sniff_format(b"\x00\x01\x02abc") == "binary"
    assert sniff_format(b'{"law_id": "x"}') == "json"
    law_txt = tmp_path / "x.txt"
    law_txt.write_text(good_xml(1), encoding="utf-8")
    assert looks_like_law_file(law_txt)
    tsv = tmp_path / "index.tsv"
    tsv.write_text("file\tlaw_id\n", encoding="utf-8")
    assert not looks_like_law_file(tsv)


def test_readme_describing_html_markup_is_ignored_in_a_directory(tmp_path):
    """A SOURCE.md/README that *mentions* e-Gov HTML markup is documentation, not an e-Gov HTML page.

    Mirrors ../shared/corpus/egov-html-ledmonster/SOURCE.md, which makes `analogmap parse ../shared/corpus`
    exit 2 ("cannot determine the LawId") although the spec says such files are ignored.
    """
    (tmp_path / law_name(70)).write_text(good_xml(70), encoding="utf-8")
    (tmp_path / "SOURCE.md").write_text(
        "# egov-html — e-Gov official HTML\n\n"
        "- What: the HTML that e-Gov API v2 returns; ~27 KB of inline CSS precedes `<body>`; the body has\n"
        '  `<section class="Article">`, `class="_div_ArticleTitle"`, `_div_ParagraphSentence` etc.\n',
        encoding="utf-8")
    result = invoke("parse", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "1 files ignored" in _flat(result.stderr)
    assert not looks_like_law_file(tmp_path / "SOURCE.md")


def test_cli_never_shows_a_traceback_on_reader_crash(tmp_path, monkeypatch):
    """Even an unexpected exception inside a reader becomes one 'skipped' line (others still processed)."""
    import analogmap.api.cli as cli

    real = cli.read_document

    def flaky(path, options=None):
        if "boom" in Path(path).name:
            raise KeyError("unexpected")
        return real(path, options)

    monkeypatch.setattr(cli, "read_document", flaky)
    boom = tmp_path / "boom.xml"
    boom.write_text(good_xml(80), encoding="utf-8")
    ok = tmp_path / law_name(81)
    ok.write_text(good_xml(81), encoding="utf-8")
    result = invoke("parse", boom, ok)
    assert result.exit_code == 2
    assert [r["doc_id"] for r in jsonl(result.stdout)] == ["505AC0000000081"] * 2
    assert str(boom) in _flat(result.stderr)
    assert "Traceback" not in result.output
