"""The embedded (default) `GraphStore`: SQLite with an FTS5 trigram index, in a directory.

Chosen by measurement against pyoxigraph (on-disk `Store(path)` + SPARQL), on this project's 2-core
machine, with the same synthetic data: 125,000 provisions (1,250 laws × 100) = 1,000,000 RDF triples
(8 per provision) or 125,000 rows, then "all provisions of one law" and a substring search
(`python bench/store.py --compare-embedded` reproduces them):

=============================  ==========================  =============================================
                               pyoxigraph 0.5.13           SQLite 3.40 (this module's schema)
=============================  ==========================  =============================================
load 1M triples / 125k rows    4.5–8.4 s (bulk_load)       0.3–0.6 s raw; 3.7–5.1 s with the FTS5 index;
                                                           4.35 s through `EmbeddedStore.upsert_*`
single-law query (100 rows)    ~1.0 ms (SPARQL)            ~0.07 ms raw; 0.19 ms `find_provisions`
substring search               190–340 ms (FILTER CONTAINS)  23–32 ms instr scan; ~0.1–0.4 ms via FTS5
size on disk                   84–86 MB                    31–40 MB; 46–63 MB with FTS5
=============================  ==========================  =============================================

SQLite is faster on every measurement (loading with the FTS5 index only modestly so), is in the standard library (no extra dependency, no server), has
real transactions (`replace_document` is atomic; pyoxigraph's bulk loader is not transactional),
and its query semantics are easy to keep *identical* to the Neo4j store: both evaluate the same
filters with the same comparison rules, and free text is exact case-sensitive substring matching in
both (`instr` here, `CONTAINS` there; the FTS5 trigram index and Neo4j's full-text index only narrow
the candidates).  RDF is produced from records by `GraphStore.export_rdf` (rdflib), so the store
need not hold triples.

Layout: `<path>/graph.sqlite3` (WAL mode).  Safe to share between threads of one process (a lock
serialises access); several processes may read while one writes.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .records import (
    UNREVIEWED,
    CitationRecord,
    DocumentRecord,
    FindingDetail,
    FindingRecord,
    Page,
    PageResult,
    ProvisionDetail,
    ProvisionFilter,
    ProvisionRecord,
    ReviewRecord,
    ScanRunRecord,
    SuggestionRecord,
    TechMatchRecord,
    encode_cursor,
)
from .store import ENTITIES, GraphStore, check_count_key, check_filter, check_page, chunks, dumps

SCHEMA_VERSION = "1"
DB_FILE = "graph.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents(
    id TEXT PRIMARY KEY, title TEXT, kind TEXT, jurisdiction TEXT, version_date TEXT, law_num TEXT,
    source_path TEXT, sha256 TEXT, source_format TEXT);
CREATE INDEX IF NOT EXISTS documents_title ON documents(title);
CREATE TABLE IF NOT EXISTS provisions(
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT, num TEXT, label TEXT, caption TEXT, text TEXT,
    start_off INTEGER, end_off INTEGER, parent_id TEXT, deleted INTEGER);
CREATE INDEX IF NOT EXISTS provisions_doc ON provisions(doc_id, start_off, id);
CREATE VIRTUAL TABLE IF NOT EXISTS provisions_fts USING fts5(
    text, content='provisions', content_rowid='rowid', tokenize='trigram case_sensitive 1');
CREATE TRIGGER IF NOT EXISTS provisions_ai AFTER INSERT ON provisions BEGIN
    INSERT INTO provisions_fts(rowid, text) VALUES (new.rowid, new.text); END;
CREATE TRIGGER IF NOT EXISTS provisions_ad AFTER DELETE ON provisions BEGIN
    INSERT INTO provisions_fts(provisions_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END;
CREATE TRIGGER IF NOT EXISTS provisions_au AFTER UPDATE OF text ON provisions BEGIN
    INSERT INTO provisions_fts(provisions_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO provisions_fts(rowid, text) VALUES (new.rowid, new.text); END;
CREATE TABLE IF NOT EXISTS findings(
    id TEXT PRIMARY KEY, doc_id TEXT, provision_id TEXT NOT NULL, type TEXT, trigger_text TEXT,
    start_off INTEGER, end_off INTEGER, sentence TEXT, rule TEXT, confidence REAL,
    digital_alternative INTEGER, phase INTEGER, max_phase INTEGER, obliged TEXT, label TEXT, rationale TEXT,
    alternative_rule TEXT, applies_to TEXT, scan_run_id TEXT, review_status TEXT);
CREATE INDEX IF NOT EXISTS findings_provision ON findings(provision_id);
CREATE INDEX IF NOT EXISTS findings_doc ON findings(doc_id, start_off, id);
CREATE INDEX IF NOT EXISTS findings_type ON findings(type);
CREATE INDEX IF NOT EXISTS findings_confidence ON findings(confidence, id);
CREATE TABLE IF NOT EXISTS tech_matches(
    finding_id TEXT NOT NULL, technology_id TEXT NOT NULL, rank INTEGER, phase INTEGER, rationale TEXT,
    PRIMARY KEY(finding_id, technology_id));
CREATE INDEX IF NOT EXISTS tech_matches_technology ON tech_matches(technology_id);
CREATE TABLE IF NOT EXISTS suggestions(
    id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, old_text TEXT, new_text TEXT, template_id TEXT,
    precedent TEXT, technology_id TEXT, phase INTEGER);
CREATE INDEX IF NOT EXISTS suggestions_finding ON suggestions(finding_id);
CREATE TABLE IF NOT EXISTS reviews(
    id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, decision TEXT, reviewer TEXT, created_at TEXT,
    comment TEXT, replaces TEXT);
CREATE INDEX IF NOT EXISTS reviews_finding ON reviews(finding_id);
CREATE TABLE IF NOT EXISTS scan_runs(id TEXT PRIMARY KEY, started_at TEXT, ended_at TEXT, versions TEXT, counts TEXT);
CREATE TABLE IF NOT EXISTS citations(
    source_id TEXT NOT NULL, target_id TEXT NOT NULL, start_off INTEGER NOT NULL, end_off INTEGER, text TEXT,
    PRIMARY KEY(source_id, target_id, start_off));
CREATE INDEX IF NOT EXISTS citations_target ON citations(target_id);
"""

_DOC_COLS = "id, title, kind, jurisdiction, version_date, law_num, source_path, sha256, source_format"
_PROV_COLS = "p.id, p.doc_id, p.kind, p.label, p.text, p.start_off, p.end_off, p.num, p.caption, p.parent_id, p.deleted"
_FIND_COLS = ("f.id, f.doc_id, f.provision_id, f.type, f.trigger_text, f.start_off, f.end_off, f.sentence, f.rule, "
              "f.confidence, f.digital_alternative, f.phase, f.max_phase, f.obliged, f.label, f.rationale, "
              "f.alternative_rule, f.applies_to, f.scan_run_id, f.review_status")

# Review status: decision of the latest review not replaced by another review of the same finding.
_STATUS_SQL = """
UPDATE findings SET review_status = coalesce((
    SELECT r.decision FROM reviews r WHERE r.finding_id = findings.id
      AND NOT EXISTS (SELECT 1 FROM reviews r2 WHERE r2.finding_id = r.finding_id AND r2.replaces = r.id)
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1), '""" + UNREVIEWED + """')
WHERE id = ?"""

_COUNT_KEY_SQL = {
    "type": "f.type", "law": "p.doc_id", "jurisdiction": "d.jurisdiction", "doc_kind": "d.kind",
    "status": "f.review_status", "phase": "f.phase", "technology": "t.technology_id",
    "digital_alternative": "f.digital_alternative",
}


def _doc(row: sqlite3.Row | tuple) -> DocumentRecord:
    return DocumentRecord(*row)


def _prov(row: Sequence[Any]) -> ProvisionRecord:
    return ProvisionRecord(id=row[0], doc_id=row[1], kind=row[2], label=row[3], text=row[4], start=row[5],
                           end=row[6], num=row[7], caption=row[8], parent_id=row[9], deleted=bool(row[10]))


def _find(row: Sequence[Any]) -> FindingRecord:
    return FindingRecord(
        id=row[0], doc_id=row[1], provision_id=row[2], type=row[3], trigger=row[4], start=row[5], end=row[6],
        sentence=row[7], rule=row[8], confidence=row[9], digital_alternative=bool(row[10]), phase=row[11],
        max_phase=row[12], obliged=row[13], label=row[14], rationale=row[15], alternative_rule=row[16],
        applies_to=json.loads(row[17]) if row[17] else [], scan_run_id=row[18], review_status=row[19])


def _fts_query(terms: list[str]) -> str:
    """An FTS5 query of quoted strings (implicit AND); used as a bound parameter."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


class EmbeddedStore(GraphStore):
    """`GraphStore` in a directory (SQLite); created on first use."""

    def __init__(self, path: str | Path, batch_size: int = 1000) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path / DB_FILE, isolation_level=None, check_same_thread=False,
                                     timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._in_tx = False
        with self._tx() as conn:
            for statement in _split_script(_SCHEMA):
                conn.execute(statement)
            version = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None:
                conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif version[0] != SCHEMA_VERSION:
                raise RuntimeError(f"{self.path}: graph schema {version[0]}, this version reads {SCHEMA_VERSION}")

    # -- plumbing ------------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._in_tx:  # nested: part of the outer transaction
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_tx = False

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writes --------------------------------------------------------------------------------
    def upsert_documents(self, documents: Iterable[DocumentRecord]) -> int:
        written = 0
        for batch in chunks(documents, self.batch_size):
            with self._tx() as conn:
                written += self._write_documents(conn, batch)
        return written

    def _write_documents(self, conn: sqlite3.Connection, batch: list[DocumentRecord]) -> int:
        conn.executemany(
            f"INSERT INTO documents({_DOC_COLS}) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
            "title=excluded.title, kind=excluded.kind, jurisdiction=excluded.jurisdiction, "
            "version_date=excluded.version_date, law_num=excluded.law_num, source_path=excluded.source_path, "
            "sha256=excluded.sha256, source_format=excluded.source_format",
            [(d.id, d.title, d.kind, d.jurisdiction, d.version_date, d.law_num, d.source_path, d.sha256,
              d.source_format) for d in batch])
        return len(batch)

    def upsert_provisions(self, provisions: Iterable[ProvisionRecord]) -> int:
        written = 0
        for batch in chunks(provisions, self.batch_size):
            with self._tx() as conn:
                written += self._write_provisions(conn, batch)
        return written

    def _write_provisions(self, conn: sqlite3.Connection, batch: list[ProvisionRecord]) -> int:
        cursor = conn.executemany(
            "INSERT INTO provisions(id, doc_id, kind, num, label, caption, text, start_off, end_off, parent_id, deleted) "
            "SELECT ?,?,?,?,?,?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM documents WHERE id = ?) "
            "ON CONFLICT(id) DO UPDATE SET doc_id=excluded.doc_id, kind=excluded.kind, num=excluded.num, "
            "label=excluded.label, caption=excluded.caption, text=excluded.text, start_off=excluded.start_off, "
            "end_off=excluded.end_off, parent_id=excluded.parent_id, deleted=excluded.deleted",
            [(p.id, p.doc_id, p.kind, p.num, p.label, p.caption, p.text, int(p.start), int(p.end), p.parent_id,
              int(bool(p.deleted)), p.doc_id) for p in batch])
        return max(cursor.rowcount, 0)

    def upsert_findings(self, findings: Iterable[FindingRecord]) -> int:
        written = 0
        for batch in chunks(findings, self.batch_size):
            with self._tx() as conn:
                written += self._write_findings(conn, batch)
        return written

    def _write_findings(self, conn: sqlite3.Connection, batch: list[FindingRecord]) -> int:
        cursor = conn.executemany(
            "INSERT INTO findings(id, doc_id, provision_id, type, trigger_text, start_off, end_off, sentence, rule, "
            "confidence, digital_alternative, phase, max_phase, obliged, label, rationale, alternative_rule, "
            "applies_to, scan_run_id, review_status) "
            "SELECT ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM provisions WHERE id = ?) "
            "ON CONFLICT(id) DO UPDATE SET doc_id=excluded.doc_id, provision_id=excluded.provision_id, "
            "type=excluded.type, trigger_text=excluded.trigger_text, start_off=excluded.start_off, "
            "end_off=excluded.end_off, sentence=excluded.sentence, rule=excluded.rule, "
            "confidence=excluded.confidence, digital_alternative=excluded.digital_alternative, "
            "phase=excluded.phase, max_phase=excluded.max_phase, obliged=excluded.obliged, label=excluded.label, "
            "rationale=excluded.rationale, alternative_rule=excluded.alternative_rule, "
            "applies_to=excluded.applies_to, scan_run_id=excluded.scan_run_id",
            [(f.id, f.doc_id, f.provision_id, f.type, f.trigger, int(f.start), int(f.end), f.sentence, f.rule,
              float(f.confidence), int(bool(f.digital_alternative)), int(f.phase), int(f.max_phase), f.obliged,
              f.label, f.rationale, f.alternative_rule, dumps(list(f.applies_to)), f.scan_run_id, UNREVIEWED,
              f.provision_id) for f in batch])
        conn.executemany(_STATUS_SQL, [(f.id,) for f in batch])
        return max(cursor.rowcount, 0)

    def upsert_tech_matches(self, matches: Iterable[TechMatchRecord]) -> int:
        written = 0
        for batch in chunks(matches, self.batch_size):
            with self._tx() as conn:
                written += self._write_tech_matches(conn, batch)
        return written

    def _write_tech_matches(self, conn: sqlite3.Connection, batch: list[TechMatchRecord]) -> int:
        cursor = conn.executemany(
            "INSERT INTO tech_matches(finding_id, technology_id, rank, phase, rationale) "
            "SELECT ?,?,?,?,? WHERE EXISTS (SELECT 1 FROM findings WHERE id = ?) "
            "ON CONFLICT(finding_id, technology_id) DO UPDATE SET rank=excluded.rank, phase=excluded.phase, "
            "rationale=excluded.rationale",
            [(m.finding_id, str(m.technology_id), int(m.rank), int(m.phase), m.rationale, m.finding_id)
             for m in batch])
        return max(cursor.rowcount, 0)

    def upsert_suggestions(self, suggestions: Iterable[SuggestionRecord]) -> int:
        written = 0
        for batch in chunks(suggestions, self.batch_size):
            with self._tx() as conn:
                written += self._write_suggestions(conn, batch)
        return written

    def _write_suggestions(self, conn: sqlite3.Connection, batch: list[SuggestionRecord]) -> int:
        cursor = conn.executemany(
            "INSERT INTO suggestions(id, finding_id, old_text, new_text, template_id, precedent, technology_id, phase) "
            "SELECT ?,?,?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM findings WHERE id = ?) "
            "ON CONFLICT(id) DO UPDATE SET finding_id=excluded.finding_id, old_text=excluded.old_text, "
            "new_text=excluded.new_text, template_id=excluded.template_id, precedent=excluded.precedent, "
            "technology_id=excluded.technology_id, phase=excluded.phase",
            [(s.id, s.finding_id, s.old_text, s.new_text, s.template_id, s.precedent,
              None if s.technology_id is None else str(s.technology_id),
              None if s.phase is None else int(s.phase), s.finding_id) for s in batch])
        return max(cursor.rowcount, 0)

    def upsert_reviews(self, reviews: Iterable[ReviewRecord]) -> int:
        written = 0
        for batch in chunks(reviews, self.batch_size):
            with self._tx() as conn:
                conn.executemany(
                    "INSERT INTO reviews(id, finding_id, decision, reviewer, created_at, comment, replaces) "
                    "VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET finding_id=excluded.finding_id, "
                    "decision=excluded.decision, reviewer=excluded.reviewer, created_at=excluded.created_at, "
                    "comment=excluded.comment, replaces=excluded.replaces",
                    [(r.id, r.finding_id, r.decision, r.reviewer, r.created_at, r.comment, r.replaces) for r in batch])
                conn.executemany(_STATUS_SQL, [(f,) for f in sorted({r.finding_id for r in batch})])
                written += len(batch)
        return written

    def upsert_scan_runs(self, runs: Iterable[ScanRunRecord]) -> int:
        written = 0
        for batch in chunks(runs, self.batch_size):
            with self._tx() as conn:
                conn.executemany(
                    "INSERT INTO scan_runs(id, started_at, ended_at, versions, counts) VALUES (?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET started_at=excluded.started_at, ended_at=excluded.ended_at, "
                    "versions=excluded.versions, counts=excluded.counts",
                    [(r.id, r.started_at, r.ended_at, dumps(r.versions), dumps(r.counts)) for r in batch])
                written += len(batch)
        return written

    def upsert_citations(self, citations: Iterable[CitationRecord]) -> int:
        written = 0
        for batch in chunks(citations, self.batch_size):
            with self._tx() as conn:
                written += self._write_citations(conn, batch)
        return written

    def _write_citations(self, conn: sqlite3.Connection, batch: list[CitationRecord]) -> int:
        cursor = conn.executemany(
            "INSERT INTO citations(source_id, target_id, start_off, end_off, text) SELECT ?,?,?,?,? "
            "WHERE EXISTS (SELECT 1 FROM provisions WHERE id = ?) AND EXISTS (SELECT 1 FROM provisions WHERE id = ?) "
            "ON CONFLICT(source_id, target_id, start_off) DO UPDATE SET end_off=excluded.end_off, text=excluded.text",
            [(c.source_id, c.target_id, int(c.start), int(c.end), c.text, c.source_id, c.target_id) for c in batch])
        return max(cursor.rowcount, 0)

    def _delete_document_parts(self, conn: sqlite3.Connection, doc_id: str, keep_provisions: set[str] | None) -> None:
        """Delete the document's findings (+ matches, suggestions) and outgoing citations, and its
        provisions not in `keep_provisions` (all when None) with the citations into them."""
        finding_ids = "SELECT id FROM findings WHERE doc_id = ?"
        conn.execute(f"DELETE FROM tech_matches WHERE finding_id IN ({finding_ids})", (doc_id,))
        conn.execute(f"DELETE FROM suggestions WHERE finding_id IN ({finding_ids})", (doc_id,))
        conn.execute("DELETE FROM findings WHERE doc_id = ? OR provision_id IN "
                     "(SELECT id FROM provisions WHERE doc_id = ?)", (doc_id, doc_id))
        conn.execute("DELETE FROM citations WHERE source_id IN (SELECT id FROM provisions WHERE doc_id = ?)", (doc_id,))
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_ids(id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM keep_ids")
        if keep_provisions:
            conn.executemany("INSERT OR IGNORE INTO keep_ids VALUES (?)", [(i,) for i in keep_provisions])
        gone = "SELECT id FROM provisions WHERE doc_id = ? AND id NOT IN (SELECT id FROM keep_ids)"
        conn.execute(f"DELETE FROM citations WHERE target_id IN ({gone})", (doc_id,))
        conn.execute(f"DELETE FROM provisions WHERE id IN ({gone})", (doc_id,))
        conn.execute("DELETE FROM keep_ids")

    def replace_document(self, document: DocumentRecord, provisions: Sequence[ProvisionRecord],
                         findings: Sequence[FindingRecord] = (), tech_matches: Sequence[TechMatchRecord] = (),
                         suggestions: Sequence[SuggestionRecord] = (),
                         citations: Sequence[CitationRecord] = ()) -> None:
        with self._tx() as conn:
            self._delete_document_parts(conn, document.id, {p.id for p in provisions})
            self._write_documents(conn, [document])
            for batch in chunks(provisions, self.batch_size):
                self._write_provisions(conn, batch)
            for batch in chunks(findings, self.batch_size):
                self._write_findings(conn, batch)
            for batch in chunks(tech_matches, self.batch_size):
                self._write_tech_matches(conn, batch)
            for batch in chunks(suggestions, self.batch_size):
                self._write_suggestions(conn, batch)
            for batch in chunks(citations, self.batch_size):
                self._write_citations(conn, batch)

    def delete_document(self, doc_id: str) -> bool:
        with self._tx() as conn:
            self._delete_document_parts(conn, doc_id, None)
            return conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    # -- reads ---------------------------------------------------------------------------------
    def document_hash(self, doc_id: str) -> str | None:
        rows = self._read("SELECT sha256 FROM documents WHERE id = ?", (doc_id,))
        return rows[0][0] if rows else None

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        rows = self._read(f"SELECT {_DOC_COLS} FROM documents WHERE id = ?", (doc_id,))
        return _doc(rows[0]) if rows else None

    def get_provision(self, provision_id: str) -> ProvisionDetail | None:
        with self._lock:
            rows = self._read(f"SELECT {_PROV_COLS} FROM provisions p WHERE p.id = ?", (provision_id,))
            if not rows:
                return None
            provision = _prov(rows[0])
            document = self.get_document(provision.doc_id)
            findings = [_find(r) for r in self._read(
                f"SELECT {_FIND_COLS} FROM findings f WHERE f.provision_id = ? ORDER BY f.start_off, f.id",
                (provision_id,))]
            details = []
            for finding in findings:
                matches = [TechMatchRecord(*r) for r in self._read(
                    "SELECT finding_id, technology_id, rank, phase, rationale FROM tech_matches "
                    "WHERE finding_id = ? ORDER BY rank, technology_id", (finding.id,))]
                suggestions = [SuggestionRecord(*r) for r in self._read(
                    "SELECT id, finding_id, old_text, new_text, template_id, precedent, technology_id, phase "
                    "FROM suggestions WHERE finding_id = ? ORDER BY id", (finding.id,))]
                reviews = [ReviewRecord(id=r[0], finding_id=r[1], decision=r[2], reviewer=r[3], created_at=r[4],
                                        comment=r[5], replaces=r[6]) for r in self._read(
                    "SELECT id, finding_id, decision, reviewer, created_at, comment, replaces FROM reviews "
                    "WHERE finding_id = ? ORDER BY created_at, id", (finding.id,))]
                details.append(FindingDetail(finding, matches, suggestions, reviews))
            return ProvisionDetail(provision, document, details, self.citations_from(provision_id),
                                   self.citations_to(provision_id))

    def citations_from(self, provision_id: str) -> list[CitationRecord]:
        return [CitationRecord(*r) for r in self._read(
            "SELECT source_id, target_id, start_off, end_off, text FROM citations WHERE source_id = ? "
            "ORDER BY start_off, target_id", (provision_id,))]

    def citations_to(self, provision_id: str) -> list[CitationRecord]:
        return [CitationRecord(*r) for r in self._read(
            "SELECT source_id, target_id, start_off, end_off, text FROM citations WHERE target_id = ? "
            "ORDER BY source_id, start_off", (provision_id,))]

    def existing_provision_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for batch in chunks(set(ids), 500):
            marks = ",".join("?" * len(batch))
            found.update(r[0] for r in self._read(f"SELECT id FROM provisions WHERE id IN ({marks})", batch))
        return found

    def resolve_titles(self, titles: Iterable[str]) -> dict[str, str]:
        result: dict[str, str] = {}
        for batch in chunks(sorted(set(titles)), 500):
            marks = ",".join("?" * len(batch))
            for title, doc_id in self._read(
                    f"SELECT title, id FROM documents WHERE title IN ({marks}) "
                    "ORDER BY title, CASE WHEN jurisdiction = '国' THEN 0 ELSE 1 END, id", batch):
                result.setdefault(title, doc_id)
        return result

    # -- queries -------------------------------------------------------------------------------
    @staticmethod
    def _conditions(filter: ProvisionFilter, text_column: str | None) -> tuple[list[str], list[Any]]:
        """WHERE fragments (constants) and their parameters, for aliases p, d and (finding) f."""
        where: list[str] = []
        params: list[Any] = []
        # With free text the scan in id order (stopping at the page size) is cheaper than walking every
        # provision of a document kind; `+` keeps SQLite from driving the query by the doc_id index.
        by_document = "+p.doc_id" if filter.terms() else "p.doc_id"
        for value, fragment in ((filter.doc_id, "p.doc_id = ?"),
                                (filter.jurisdiction, f"{by_document} IN (SELECT id FROM documents WHERE jurisdiction = ?)"),
                                (filter.doc_kind, f"{by_document} IN (SELECT id FROM documents WHERE kind = ?)"),
                                (filter.provision_kind, "p.kind = ?")):
            if value is not None:
                where.append(fragment)
                params.append(value)
        if not filter.include_deleted:
            where.append("p.deleted = 0")
        terms = filter.terms()
        if terms and text_column == "p.text" and all(len(t) >= 3 for t in terms):
            where.append("p.rowid IN (SELECT rowid FROM provisions_fts WHERE provisions_fts MATCH ?)")
            params.append(_fts_query(terms))
        for term in terms:
            where.append(f"instr({text_column}, ?) > 0")
            params.append(term)
        return where, params

    @staticmethod
    def _finding_conditions(filter: ProvisionFilter) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if filter.type is not None:
            where.append("f.type = ?")
            params.append(filter.type)
        if filter.technology_id is not None:
            where.append("EXISTS (SELECT 1 FROM tech_matches t0 WHERE t0.finding_id = f.id AND t0.technology_id = ?)")
            params.append(str(filter.technology_id))
        if filter.phase is not None:
            where.append("f.phase = ?")
            params.append(int(filter.phase))
        if filter.review_status is not None:
            where.append("f.review_status = ?")
            params.append(filter.review_status)
        if filter.min_confidence is not None:
            where.append("f.confidence >= ?")
            params.append(float(filter.min_confidence))
        if filter.digital_alternative is not None:
            where.append("f.digital_alternative = ?")
            params.append(int(bool(filter.digital_alternative)))
        return where, params

    def find_provisions(self, filter: ProvisionFilter | None = None,
                        page: Page | None = None) -> PageResult[ProvisionRecord]:
        filter = check_filter(filter)
        page, key = check_page(page, findings=False)
        where, params = self._conditions(filter, "p.text")
        if filter.has_finding_conditions():
            fwhere, fparams = self._finding_conditions(filter)
            # an IN subquery is evaluated once; a correlated EXISTS would walk every provision (seconds, not ms)
            where.append("p.id IN (SELECT f.provision_id FROM findings f WHERE " + " AND ".join(fwhere) + ")")
            params.extend(fparams)
        if page.sort == "id":
            order = "p.id"
            if key is not None:
                where.append("p.id > ?")
                params.extend(key)
        else:
            order = "p.doc_id, p.start_off, p.id"
            if key is not None:
                where.append("(p.doc_id, p.start_off, p.id) > (?, ?, ?)")
                params.extend(key)
        sql = (f"SELECT {_PROV_COLS} FROM provisions p JOIN documents d ON d.id = p.doc_id"
               + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order} LIMIT ?")
        rows = self._read(sql, [*params, page.limit + 1])
        items = [_prov(r) for r in rows[:page.limit]]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            next_cursor = encode_cursor(page.sort, [last.id] if page.sort == "id" else [last.doc_id, last.start, last.id])
        return PageResult(items, next_cursor)

    def _finding_where(self, filter: ProvisionFilter) -> tuple[list[str], list[Any]]:
        where, params = self._conditions(filter, "f.sentence")
        fwhere, fparams = self._finding_conditions(filter)
        return where + fwhere, params + fparams

    def find_findings(self, filter: ProvisionFilter | None = None,
                      page: Page | None = None) -> PageResult[FindingRecord]:
        filter = check_filter(filter)
        page, key = check_page(page, findings=True)
        where, params = self._finding_where(filter)
        if page.sort == "id":
            order = "f.id"
            if key is not None:
                where.append("f.id > ?")
                params.extend(key)
        elif page.sort == "document":
            order = "f.doc_id, f.start_off, f.id"
            if key is not None:
                where.append("(f.doc_id, f.start_off, f.id) > (?, ?, ?)")
                params.extend(key)
        else:
            order = "f.confidence DESC, f.id"
            if key is not None:
                where.append("(f.confidence < ? OR (f.confidence = ? AND f.id > ?))")
                params.extend([key[0], key[0], key[1]])
        sql = (f"SELECT {_FIND_COLS} FROM findings f JOIN provisions p ON p.id = f.provision_id "
               "JOIN documents d ON d.id = p.doc_id" + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY {order} LIMIT ?")
        rows = self._read(sql, [*params, page.limit + 1])
        items = [_find(r) for r in rows[:page.limit]]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            key_values = {"id": [last.id], "document": [last.doc_id, last.start, last.id],
                          "confidence": [last.confidence, last.id]}[page.sort]
            next_cursor = encode_cursor(page.sort, key_values)
        return PageResult(items, next_cursor)

    def counts(self, by: str, filter: ProvisionFilter | None = None,
               distinct_provisions: bool = False) -> dict[str, int]:
        by = check_count_key(by)
        filter = check_filter(filter)
        where, params = self._finding_where(filter)
        join = " JOIN tech_matches t ON t.finding_id = f.id" if by == "technology" else ""
        measure = "count(DISTINCT f.provision_id)" if distinct_provisions else "count(*)"
        column = _COUNT_KEY_SQL[by]
        sql = (f"SELECT {column}, {measure} FROM findings f JOIN provisions p ON p.id = f.provision_id "
               f"JOIN documents d ON d.id = p.doc_id{join}" + (" WHERE " + " AND ".join(where) if where else "")
               + f" GROUP BY {column}")
        result: dict[str, int] = {}
        for key, count in self._read(sql, params):
            result[_count_key(by, key)] = result.get(_count_key(by, key), 0) + count
        return dict(sorted(result.items()))

    def stats(self) -> dict[str, int]:
        return {name: self._read(f"SELECT count(*) FROM {name}")[0][0] for name in ENTITIES}  # constant names

    def iter_records(self, entity: str) -> Iterator[Any]:
        queries = {
            "documents": (f"SELECT {_DOC_COLS} FROM documents ORDER BY id", _doc),
            "provisions": (f"SELECT {_PROV_COLS} FROM provisions p ORDER BY p.id", _prov),
            "findings": (f"SELECT {_FIND_COLS} FROM findings f ORDER BY f.id", _find),
            "tech_matches": ("SELECT finding_id, technology_id, rank, phase, rationale FROM tech_matches "
                             "ORDER BY finding_id, technology_id", lambda r: TechMatchRecord(*r)),
            "suggestions": ("SELECT id, finding_id, old_text, new_text, template_id, precedent, technology_id, phase "
                            "FROM suggestions ORDER BY id", lambda r: SuggestionRecord(*r)),
            "reviews": ("SELECT id, finding_id, decision, reviewer, created_at, comment, replaces FROM reviews "
                        "ORDER BY id", lambda r: ReviewRecord(id=r[0], finding_id=r[1], decision=r[2], reviewer=r[3],
                                                              created_at=r[4], comment=r[5], replaces=r[6])),
            "scan_runs": ("SELECT id, started_at, ended_at, versions, counts FROM scan_runs ORDER BY id",
                          lambda r: ScanRunRecord(r[0], r[1], r[2], json.loads(r[3] or "{}"), json.loads(r[4] or "{}"))),
            "citations": ("SELECT source_id, target_id, start_off, end_off, text FROM citations "
                          "ORDER BY source_id, target_id, start_off", lambda r: CitationRecord(*r)),
        }
        if entity not in queries:
            raise ValueError(f"unknown entity {entity!r}")
        sql, make = queries[entity]
        yield from (make(row) for row in self._read(sql))


def _count_key(by: str, value: Any) -> str:
    if by == "digital_alternative":
        return "true" if value else "false"
    return "" if value is None else str(value)


def _split_script(script: str) -> list[str]:
    """Statements of the schema script (triggers contain `;` inside BEGIN … END)."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements


__all__ = ["EmbeddedStore", "DB_FILE", "SCHEMA_VERSION"]
