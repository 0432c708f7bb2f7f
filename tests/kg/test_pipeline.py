"""The scan pipeline (`analogmap.kg.pipeline`, `analogmap scan`): idempotent, replacing, resumable.

Every store test runs on the embedded store and on Neo4j (NEO4J_URI; skipped without it, an error
under CI=true).  The SIGKILL test runs `analogmap scan` in a subprocess, kills it with SIGKILL once some
documents are in the store, runs it again and compares the whole graph with one uninterrupted run.
"""
from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analogmap.api.commands_kg import register
from analogmap.kg import pipeline
from analogmap.kg.embedded import DB_FILE
from analogmap.kg.pipeline import ScanOptions, process_file, run_scan
from analogmap.kg.records import ScanRunRecord
from analogmap.kg.store import ENTITIES, open_store

sys.path.insert(0, str(Path(__file__).parent))
import scan_fixtures as fx  # noqa: E402

from shared_data import require_shared  # noqa: E402

CONTENT = [e for e in ENTITIES if e != "scan_runs"]


def content(store) -> dict:
    """Everything but the scan runs (and the run id each finding carries), comparable across stores."""
    out = {}
    for entity in CONTENT:
        rows = []
        for record in store.iter_records(entity):
            row = record.to_dict()
            row.pop("scan_run_id", None)
            if entity == "documents":
                row.pop("source_path", None)
            rows.append(row)
        out[entity] = rows
    return out


def counts(store) -> dict:
    return {k: v for k, v in store.stats().items() if k != "scan_runs"}


class Counting:
    """A store proxy counting write calls (scan runs excepted)."""

    WRITES = ("replace_document", "delete_document", "upsert_documents", "upsert_provisions", "upsert_findings",
              "upsert_tech_matches", "upsert_suggestions", "upsert_reviews", "upsert_citations")

    def __init__(self, store) -> None:
        self.store = store
        self.writes: list[str] = []

    def __getattr__(self, name):
        attribute = getattr(self.store, name)
        if name in self.WRITES:
            def counted(*args, **kwargs):
                self.writes.append(name)
                return attribute(*args, **kwargs)
            return counted
        return attribute


@pytest.fixture(scope="module")
def neo4j_graph(request):
    settings = request.getfixturevalue("neo4j_settings")
    store = open_store("neo4j", uri=settings["uri"], user=settings["user"], password=settings["password"])
    yield store
    store.wipe()
    store.close()


@pytest.fixture(params=["embedded", "neo4j"])
def graph(request, tmp_path):
    if request.param == "embedded":
        store = open_store("embedded", path=tmp_path / "graph")
        yield store
        store.close()
    else:
        store = request.getfixturevalue("neo4j_graph")
        store.wipe()
        yield store
        store.wipe()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        pass

    return app


# -- the per-document function ------------------------------------------------------------------------

def test_process_file_is_pure_and_picklable(tmp_path: Path) -> None:
    path = fx.write_law(tmp_path, 1, fx.standard_articles(1, 3))
    result = process_file(path, ScanOptions(scan_run_id="run-x"))
    assert result.status == "ok" and result.document.id == fx.law_id(1)
    assert result.findings and all(f.scan_run_id == "run-x" for f in result.findings)
    assert {c.target_id for c in result.citations} >= {f"{fx.law_id(1)}#a2-p1"}  # 前項, 第二条第二項 …
    assert result.cross_references  # 乙…法第二条第一項 names another law
    again = pickle.loads(pickle.dumps(result))
    assert again.findings == result.findings and again.provisions == result.provisions
    assert process_file(path, expected_sha256=result.sha256).status == "unchanged"
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?>\n<Law><LawBody><LawTitle>壊れ', encoding="utf-8")
    broken = process_file(bad)
    assert broken.status == "error" and str(bad) in broken.error and "\n" not in broken.error


# -- idempotence, replacement, bad files --------------------------------------------------------------

def test_second_run_writes_nothing(graph, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 6)
    first = run_scan([corpus], graph)
    assert first.counts["written"] == 6 and first.counts["complete"]
    before = content(graph)
    assert before["findings"] and before["citations"]
    # A citation to a law written later in the same run (405…0 cites 405…1 by title) is there.
    assert any(c.target_id.startswith(fx.law_id(1)) for c in graph.citations_from(f"{fx.law_id(0)}#a3-p1"))
    counting = Counting(graph)
    second = run_scan([corpus], counting)
    assert counting.writes == []
    assert second.counts["written"] == 0 and second.counts["unchanged"] == 6
    assert content(graph) == before
    runs = list(graph.iter_records("scan_runs"))
    assert len(runs) == 2 and all(r.counts["complete"] and r.ended_at for r in runs)
    versions = runs[0].versions
    assert {"analogmap", "rules", "sudachipy", "sudachidict-core"} <= set(versions)


def test_changed_document_replaces_findings_and_deleted_provision_disappears(graph, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 4)
    run_scan([corpus], graph)
    doc = fx.law_id(2)
    old_findings = {f.id for f in graph.iter_records("findings") if f.doc_id == doc}
    assert old_findings
    assert graph.get_provision(f"{doc}#a5") is not None
    # New text: article 2 loses its posting duty, article 5 is gone, a new kind of duty appears.
    articles = fx.standard_articles(2, 4)
    articles[1] = ["事業者は、その名称を定めるものとする。", "前項の名称は、公示しなければならない。"]
    del articles[4]
    articles.append(["申請者は、知事の面接を受けなければならない。"])
    fx.write_law(corpus, 2, articles)
    counting = Counting(graph)
    summary = run_scan([corpus], counting)
    assert summary.counts["written"] == 1 and summary.counts["unchanged"] == 3
    assert counting.writes.count("replace_document") == 1
    new_findings = {f.id: f for f in graph.iter_records("findings") if f.doc_id == doc}
    gone = old_findings - set(new_findings)
    assert gone, "the findings of the removed text must be gone"
    assert not gone & {f.id for f in graph.iter_records("findings")}
    assert any("面接" in f.sentence for f in new_findings.values())
    assert not any("掲示" in f.sentence for f in new_findings.values())
    assert graph.get_provision(f"{doc}#a5-p2") is None  # the new article 5 has one paragraph
    texts = [p.text for p in graph.iter_provisions() if p.doc_id == doc]
    assert not any("掲示しなければならない" in t for t in texts)
    # The same graph as a fresh scan of the changed corpus.
    fresh = open_store("embedded", path=tmp_path / "fresh")
    run_scan([corpus], fresh)
    assert content(graph) == content(fresh)
    fresh.close()


def test_deleted_provision_disappears(graph, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 3, fillers=3)
    run_scan([corpus], graph)
    doc = fx.law_id(1)
    assert graph.get_provision(f"{doc}#a6-p2") is not None
    articles = fx.standard_articles(1, 3, fillers=3)
    articles[5] = articles[5][:1]  # paragraph 2 of article 6 is deleted
    fx.write_law(corpus, 1, articles)
    run_scan([corpus], graph)
    assert graph.get_provision(f"{doc}#a6-p2") is None
    assert not [f for f in graph.iter_records("findings") if f.provision_id == f"{doc}#a6-p2"]
    assert graph.get_provision(f"{doc}#a6-p1") is not None


def test_bad_file_is_reported_and_the_others_are_written(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 3)
    (corpus / "broken.xml").write_text('<?xml version="1.0"?>\n<Law><LawBody><LawTitle>壊れ', encoding="utf-8")
    (corpus / "notes.json").write_text('{"not": "a law"}', encoding="utf-8")
    db = tmp_path / "db"
    result = CliRunner().invoke(_app(), ["scan", str(corpus), "--db", str(db), "--no-progress"])
    assert result.exit_code == 2, result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 1 and "broken.xml" in skipped[0]
    store = open_store("embedded", path=db)
    assert store.stats()["documents"] == 3
    run = list(store.iter_records("scan_runs"))[0]
    assert run.counts["errors"] == 1 and run.counts["ignored"] == 1 and run.counts["written"] == 3
    store.close()
    again = CliRunner().invoke(_app(), ["scan", str(corpus), "--db", str(db), "--no-progress"])
    assert again.exit_code == 2 and "0 written, 3 unchanged" in again.output
    (corpus / "broken.xml").unlink()
    clean = CliRunner().invoke(_app(), ["scan", str(corpus), "--db", str(db), "--no-progress"])
    assert clean.exit_code == 0, clean.output
    assert "findings in the graph by type" in clean.output and "already digital" in clean.output


def test_citations_follow_changes_in_other_documents(graph, tmp_path: Path) -> None:
    """An unchanged document's reference to a law that appears later is linked then (title search)."""
    corpus = tmp_path / "corpus"
    for index in range(4):  # 405…3 cites 405…4 (absent for now)
        fx.write_law(corpus, index, fx.standard_articles(index, 5))
    run_scan([corpus], graph)
    source = f"{fx.law_id(3)}#a3-p1"
    assert not [c for c in graph.citations_from(source) if c.target_id.startswith(fx.law_id(4))]
    fx.write_law(corpus, 4, fx.standard_articles(4, 5))
    summary = run_scan([corpus], graph)
    assert summary.counts["written"] == 1
    assert [c.target_id for c in graph.citations_from(source) if c.target_id.startswith(fx.law_id(4))] == \
        [f"{fx.law_id(4)}#a2-p1"]
    fresh = open_store("embedded", path=tmp_path / "fresh")
    run_scan([corpus], fresh)
    assert content(graph) == content(fresh)
    fresh.close()


def test_duplicate_document_ids_keep_the_first_file(graph, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus / "a", 2)
    copy = corpus / "b" / f"{fx.law_id(1)}_20250101_0.xml"  # same law id, other text
    copy.parent.mkdir(parents=True)
    copy.write_text(fx.law_xml(1, fx.standard_articles(1, 2, fillers=0)), encoding="utf-8")
    first = run_scan([corpus], graph)
    assert first.counts["written"] == 2 and first.counts["duplicates"] == 1
    assert graph.get_document(fx.law_id(1)).source_path.endswith(f"{fx.law_id(1)}_20240401_0.xml")
    counting = Counting(graph)
    second = run_scan([corpus], counting)
    assert counting.writes == [] and second.counts["duplicates"] == 1 and second.counts["unchanged"] == 2


def test_new_rules_version_re_extracts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 3)
    store = open_store("embedded", path=tmp_path / "graph")
    run_scan([corpus], store)
    runs = list(store.iter_records("scan_runs"))
    stale = ScanRunRecord("scan-9999", "9999-01-01T00:00:00Z", "9999-01-01T00:00:01Z",
                          runs[0].versions | {"rules": "older-rules"}, runs[0].counts)
    store.upsert_scan_runs([stale])
    summary = run_scan([corpus], store)
    assert summary.counts["reextract"] and summary.counts["written"] == 3
    assert run_scan([corpus], store).counts["written"] == 3  # the stale run stays the latest by start time
    store.close()


def test_jobs_and_enrichment_hooks(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 4)
    one = open_store("embedded", path=tmp_path / "one")
    two = open_store("embedded", path=tmp_path / "two")
    run_scan([corpus], one, jobs=1)
    run_scan([corpus], two, jobs=2)
    assert content(one) == content(two)

    calls = []

    def suggest(finding, provision, document, matches, article=None):
        calls.append(len(matches))
        return {"template_id": "t-online", "old_text": provision.text, "new_text": "電磁的方法",
                "technology_id": matches[0].technology_id if matches else None}

    monkeypatch.setitem(pipeline._ENRICHERS, "loaded", True)
    monkeypatch.setitem(pipeline._ENRICHERS, "match", None)
    monkeypatch.setitem(pipeline._ENRICHERS, "suggest", suggest)
    three = open_store("embedded", path=tmp_path / "three")
    summary = run_scan([corpus], three)
    stats = three.stats()
    open_findings = sum(1 for f in three.iter_records("findings") if not f.digital_alternative)
    assert stats["tech_matches"] == 0 and stats["suggestions"] == open_findings > 0
    assert summary.versions["matching"] == "absent" and summary.counts["suggestions"] == stats["suggestions"]
    for store in (one, two, three):
        store.close()


# -- kill -9 and resume -------------------------------------------------------------------------------

def _count_documents(store_kind: str, location) -> int:
    if store_kind == "embedded":
        path = Path(location) / DB_FILE
        if not path.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
    return location.stats()["documents"]


def _kill_and_resume(tmp_path: Path, store_args: list[str], store_kind: str, location, fresh) -> None:
    corpus = tmp_path / "corpus"
    total = 40
    fx.write_corpus(corpus, total, fillers=60)
    script = tmp_path / "scan_cli.py"
    script.write_text(fx.SCRIPT, encoding="utf-8")
    command = [sys.executable, str(script), "scan", str(corpus), "--no-progress", *store_args]
    env = dict(os.environ)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the scan ended before it could be killed: {process.stderr.read().decode()[-2000:]}")
            if _count_documents(store_kind, location) >= 8:
                break
            time.sleep(0.05)
        else:
            pytest.fail("no documents written within 120 s")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    written = _count_documents(store_kind, location)
    assert 8 <= written < total, "the kill must land halfway"

    resumed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    store = open_store("embedded", path=location) if store_kind == "embedded" else location
    run_scan([corpus], fresh)
    assert counts(store) == counts(fresh)
    assert content(store) == content(fresh)
    runs = sorted(store.iter_records("scan_runs"), key=lambda r: r.started_at)
    assert len(runs) == 2 and not runs[0].counts.get("complete") and runs[0].ended_at is None
    assert runs[1].counts["complete"] and runs[1].counts["recovered"]
    assert runs[1].counts["unchanged"] >= written - 1 and runs[1].counts["written"] <= total - written + 1
    # And a third run writes nothing.
    counting = Counting(store)
    assert run_scan([corpus], counting).counts["written"] == 0 and counting.writes == []
    if store_kind == "embedded":
        store.close()


def test_sigkill_halfway_then_resume_equals_one_run_embedded(tmp_path: Path) -> None:
    db = tmp_path / "db"
    fresh = open_store("embedded", path=tmp_path / "fresh")
    _kill_and_resume(tmp_path, ["--db", str(db)], "embedded", db, fresh)
    fresh.close()


@pytest.mark.neo4j
def test_sigkill_halfway_then_resume_equals_one_run_neo4j(tmp_path: Path, neo4j_settings, neo4j_graph) -> None:
    neo4j_graph.wipe()
    fresh = open_store("embedded", path=tmp_path / "fresh")
    args = ["--store", "neo4j", "--neo4j-uri", neo4j_settings["uri"], "--neo4j-user", neo4j_settings["user"],
            "--neo4j-password", neo4j_settings["password"]]
    try:
        _kill_and_resume(tmp_path, args, "neo4j", neo4j_graph, fresh)
    finally:
        fresh.close()
        neo4j_graph.wipe()


# -- the real corpus: embedded and Neo4j agree --------------------------------------------------------

@pytest.mark.corpus
@pytest.mark.neo4j
def test_embedded_and_neo4j_agree_on_real_laws(tmp_path: Path, corpus_dir: Path, neo4j_graph) -> None:
    laws = require_shared(corpus_dir / "egov-xml-gitlaw" / "laws")
    files = sorted(laws.glob("*/*/current.xml"))[:15]
    assert len(files) == 15
    embedded = open_store("embedded", path=tmp_path / "graph")
    neo4j_graph.wipe()
    try:
        first = run_scan(files, embedded, jobs=2)
        second = run_scan(files, neo4j_graph, jobs=2)
        assert first.counts["written"] == second.counts["written"] == 15
        assert counts(embedded) == counts(neo4j_graph)
        for by in ("type", "law", "digital_alternative", "technology"):
            assert embedded.counts(by) == neo4j_graph.counts(by)
        assert content(embedded) == content(neo4j_graph)
        assert run_scan(files, neo4j_graph).counts["written"] == 0
    finally:
        embedded.close()
        neo4j_graph.wipe()


# -- a Dask cluster started by the test -----------------------------------------------------------

def test_dask_executor_on_a_local_cluster_gives_the_same_graph(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="the 'cluster' extra (dask[distributed]) is not installed")
    corpus = tmp_path / "corpus"
    fx.write_corpus(corpus, 6)
    local = open_store("embedded", path=tmp_path / "local")
    run_scan([corpus], local)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = open_store("embedded", path=tmp_path / "dask")
        summary = run_scan([corpus], on_dask, executor="dask", address=cluster.scheduler_address)
        assert summary.counts["written"] == 6 and summary.versions["executor"] == "dask"
        assert content(on_dask) == content(local)
        assert run_scan([corpus], on_dask, executor="dask", address=cluster.scheduler_address).counts["written"] == 0
    on_dask.close()
    local.close()
