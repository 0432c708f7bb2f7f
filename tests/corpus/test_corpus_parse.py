"""Acceptance on the real data in ../shared/corpus (skips without it, fails under CI=true).

- every e-Gov XML file: Article and Paragraph provisions == an independent lxml XPath count;
- every XML and HTML file parses; ids are unique within a document; paragraph offsets are exact;
- `analogmap parse ../shared/corpus` exits 0, reads every XML/HTML file and ignores the rest.
"""
from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from analogmap.corpus.egov_xml import read_egov_xml
from analogmap.corpus.readers import read_document

pytestmark = pytest.mark.corpus

CLI = Path(sys.executable).with_name("analogmap")
REPO_ROOT = Path(__file__).resolve().parents[2]
_FILE_NAME = re.compile(r"^(\d{3}[0-9A-Z]{12})_\d{8}_")


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@pytest.fixture(scope="module")
def corpus(corpus_dir) -> Path:
    """../shared/corpus via the `corpus_dir` fixture of tests/conftest.py (skip, or fail under CI=true)."""
    return corpus_dir


@pytest.fixture(scope="module")
def xml_files(corpus) -> list[Path]:
    files = sorted(corpus.glob("**/*.xml"))
    assert files, f"no XML under {corpus}"
    return files


@pytest.fixture(scope="module")
def html_files(corpus) -> list[Path]:
    files = sorted(corpus.glob("**/*.html"))
    assert files, f"no HTML under {corpus}"
    return files


def _expected_law_id(path: Path) -> str | None:
    match = _FILE_NAME.match(path.name)
    if match:
        return match.group(1)
    sidecar = path.parent / "current.json"
    if path.name == "current.xml" and sidecar.exists():
        return json.loads(sidecar.read_text(encoding="utf-8"))["law_id"]
    return None


def test_xml_article_and_paragraph_counts_match_xpath(xml_files):
    problems = []
    for path in xml_files:
        document = read_egov_xml(path)
        kinds = collections.Counter(p.kind for p in document.walk())
        tree = etree.parse(str(path), _safe_parser())
        articles = int(tree.xpath("count(//Article)"))
        paragraphs = int(tree.xpath("count(//Paragraph)"))
        if (kinds["article"], kinds["paragraph"]) != (articles, paragraphs):
            problems.append(f"{path}: articles {kinds['article']} vs XPath {articles}, "
                            f"paragraphs {kinds['paragraph']} vs XPath {paragraphs}")
        expected = _expected_law_id(path)
        if expected and document.doc_id != expected:
            problems.append(f"{path}: doc_id {document.doc_id}, expected {expected}")
        if not all(p.provision_id.startswith(f"{document.doc_id}#") for p in document.walk()):
            problems.append(f"{path}: provision id without the law id prefix")
    assert not problems, "\n".join(problems[:20])


def test_xml_ids_from_num_attributes(xml_files):
    """Every main-provision Article's Num appears as `#a<Num>` (typology.md ids from Num attributes)."""
    problems = []
    for path in xml_files[:: max(1, len(xml_files) // 40)]:  # a spread sample keeps this quick
        document = read_egov_xml(path)
        ids = {p.provision_id.split("#", 1)[1] for p in document.walk()}
        tree = etree.parse(str(path), _safe_parser())
        for num in tree.xpath("//LawBody/MainProvision//Article[not(ancestor::TableStruct)"
                              " and not(ancestor::AmendProvision)]/@Num"):
            if f"a{num.strip()}" not in ids:
                problems.append(f"{path}: no provision a{num}")
    assert not problems, "\n".join(problems[:20])


def _check_document(document, problems: list[str]) -> None:
    seen = collections.Counter(p.provision_id for p in document.walk())
    duplicates = [i for i, n in seen.items() if n > 1]
    if duplicates:
        problems.append(f"{document.source_path}: duplicate ids {duplicates[:3]}")
    for provision in document.walk():
        if provision.kind == "paragraph" and document.text[provision.start:provision.end] != provision.text:
            problems.append(f"{document.source_path}: offsets of {provision.provision_id} do not match its text")
            break


def test_xml_ids_unique_and_paragraph_offsets(xml_files):
    problems: list[str] = []
    for path in xml_files:
        _check_document(read_egov_xml(path), problems)
    assert not problems, "\n".join(problems[:20])


def test_every_html_file_parses(html_files):
    problems: list[str] = []
    for path in html_files:
        try:
            document = read_document(path)
        except Exception as error:  # report all files, not just the first
            problems.append(f"{path}: {type(error).__name__}: {error}")
            continue
        if not any(p.kind in ("article", "paragraph") for p in document.walk()):
            problems.append(f"{path}: no article or paragraph")
        _check_document(document, problems)
    assert not problems, "\n".join(problems[:20])


def test_cli_parses_whole_corpus(corpus, xml_files, html_files, tmp_path):
    all_files = [p for p in corpus.rglob("*") if p.is_file() and not any(part.startswith(".") for part in
                                                                          p.relative_to(corpus).parts)]
    others = [p for p in all_files if p.suffix not in (".xml", ".html")]
    out = tmp_path / "corpus.jsonl"
    with out.open("wb") as handle:
        completed = subprocess.run([str(CLI), "parse", str(corpus)], stdout=handle, stderr=subprocess.PIPE,
                                   cwd=REPO_ROOT, timeout=300)
    stderr = completed.stderr.decode("utf-8", "replace")
    try:
        assert "Traceback" not in stderr
        summary = " ".join(stderr.split())
        assert completed.returncode == 0, stderr[-3000:]
        documents = len(xml_files) + len(html_files)
        assert f"{documents} documents," in summary, summary[-500:]
        assert "; 0 skipped;" in summary
        assert f"{len(others)} files ignored" in summary
        doc_ids = set()
        records = 0
        with out.open(encoding="utf-8") as handle:
            for line in handle:
                doc_ids.add(line[line.index('"doc_id": "') + 11:].split('"', 1)[0])
                records += 1
        assert f"{records} provisions" in summary
        assert records > 100_000
        assert {_expected_law_id(p) for p in xml_files} <= doc_ids
    finally:
        out.unlink(missing_ok=True)
