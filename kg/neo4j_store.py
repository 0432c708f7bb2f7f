"""The Neo4j `GraphStore` (official `neo4j` driver, Neo4j 5).

Graph model (peers-and-ontology.md §B6, property-graph mirror; `id` is the merge key everywhere)::

    (:Document {id, title, kind, jurisdiction, version_date, law_num, source_path, sha256, source_format})
        -[:HAS_PART]->(:Provision {id, doc_id, kind, num, label, caption, text, start, end, parent_id, deleted})
    (:Provision)-[:IS_PART_OF]->(:Provision)                  the article / paragraph / item tree
    (:Provision)<-[:TARGETS]-(:Finding {id, doc_id, provision_id, type, trigger, start, end, sentence, rule,
                                        confidence, digital_alternative, phase, max_phase, obliged, label,
                                        rationale, alternative_rule, applies_to, scan_run_id, review_status})
    (:Finding)-[:CLASSIFIED_AS]->(:AnalogType {code})
    (:Finding)-[:SUBSTITUTABLE_BY {rank, phase, rationale}]->(:Technology {id})
    (:Finding)-[:GENERATED_BY]->(:ScanRun {id, started_at, ended_at, versions, counts})   (JSON strings)
    (:Suggestion {id, finding_id, old_text, new_text, template_id, precedent, technology_id, phase})
        -[:DERIVED_FROM]->(:Finding)
    (:Review {id, finding_id, decision, reviewer, created_at, comment, replaces})-[:REVIEWS]->(:Finding)
    (:Provision)-[:CITES {start, end, text}]->(:Provision)

Needs Neo4j 5.23 or later (`CALL (x) { … }` subqueries).  Uniqueness constraints on every `id` (and `AnalogType.code`), range indexes on the foreign-key
properties, and a full-text index `provision_text` (analyzer `cjk`) on `Provision.text`.

Writes: `UNWIND $rows AS row MERGE …` in batches of `batch_size` rows, one managed transaction per
batch (retried by the driver on transient errors; safe because MERGE is idempotent).
Queries are built only from constant fragments chosen by which filter fields are set; every value —
ids, free text, cursors — is a parameter.  Free text is matched with `CONTAINS $term` (exact,
case-sensitive, as in the embedded store); when every term is 2+ CJK characters the full-text index
narrows the candidates first, queried with a Lucene phrase whose special characters are escaped.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, Iterator, Sequence

import neo4j

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

LABELS = ("Document", "Provision", "Finding", "Suggestion", "Review", "ScanRun", "Technology", "AnalogType")
FULLTEXT_INDEX = "provision_text"

_SCHEMA = [
    *(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
      for label in ("Document", "Provision", "Finding", "Suggestion", "Review", "ScanRun", "Technology")),
    "CREATE CONSTRAINT analogtype_code IF NOT EXISTS FOR (n:AnalogType) REQUIRE n.code IS UNIQUE",
    "CREATE INDEX document_title IF NOT EXISTS FOR (n:Document) ON (n.title)",
    "CREATE INDEX provision_doc IF NOT EXISTS FOR (n:Provision) ON (n.doc_id)",
    "CREATE INDEX finding_doc IF NOT EXISTS FOR (n:Finding) ON (n.doc_id)",
    "CREATE INDEX finding_provision IF NOT EXISTS FOR (n:Finding) ON (n.provision_id)",
    "CREATE INDEX finding_type IF NOT EXISTS FOR (n:Finding) ON (n.type)",
    "CREATE INDEX finding_run IF NOT EXISTS FOR (n:Finding) ON (n.scan_run_id)",
    "CREATE INDEX review_finding IF NOT EXISTS FOR (n:Review) ON (n.finding_id)",
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Provision) ON EACH [n.text] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}",
]

# -- write statements -----------------------------------------------------------------------------
_UPSERT_DOCUMENTS = "UNWIND $rows AS row MERGE (d:Document {id: row.id}) SET d += row RETURN count(*) AS n"
_UPSERT_PROVISIONS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.doc_id})
MERGE (p:Provision {id: row.id}) SET p += row
MERGE (d)-[:HAS_PART]->(p)
RETURN count(*) AS n"""
_LINK_PARENTS = """
UNWIND $rows AS row
MATCH (p:Provision {id: row.id}) MATCH (parent:Provision {id: row.parent_id})
MERGE (p)-[:IS_PART_OF]->(parent)"""
_UPSERT_FINDINGS = """
UNWIND $rows AS row
MATCH (p:Provision {id: row.provision_id})
MERGE (f:Finding {id: row.id}) SET f += row
MERGE (f)-[:TARGETS]->(p)
MERGE (t:AnalogType {code: row.type})
MERGE (f)-[:CLASSIFIED_AS]->(t)
RETURN count(*) AS n"""
_LINK_FINDINGS = """
UNWIND $ids AS fid
MATCH (f:Finding {id: fid})
CALL (f) { MATCH (s:ScanRun {id: f.scan_run_id}) MERGE (f)-[:GENERATED_BY]->(s) }
CALL (f) { MATCH (r:Review {finding_id: f.id}) MERGE (r)-[:REVIEWS]->(f) }"""
_REVIEW_STATUS = """
UNWIND $ids AS fid
MATCH (f:Finding {id: fid})
OPTIONAL MATCH (r:Review {finding_id: fid})
  WHERE NOT EXISTS { MATCH (r2:Review {finding_id: fid}) WHERE r2.replaces = r.id }
WITH f, r ORDER BY r.created_at DESC, r.id DESC
WITH f, collect(r.decision) AS decisions
SET f.review_status = coalesce(decisions[0], '""" + UNREVIEWED + "')"
_UPSERT_TECH_MATCHES = """
UNWIND $rows AS row
MATCH (f:Finding {id: row.finding_id})
MERGE (t:Technology {id: row.technology_id})
MERGE (f)-[m:SUBSTITUTABLE_BY]->(t)
SET m.rank = row.rank, m.phase = row.phase, m.rationale = row.rationale
RETURN count(*) AS n"""
_UPSERT_SUGGESTIONS = """
UNWIND $rows AS row
MATCH (f:Finding {id: row.finding_id})
MERGE (s:Suggestion {id: row.id}) SET s += row
WITH s, f
CALL (s, f) { MATCH (s)-[old:DERIVED_FROM]->(other:Finding) WHERE other <> f DELETE old }
MERGE (s)-[:DERIVED_FROM]->(f)
RETURN count(*) AS n"""
_UPSERT_REVIEWS = """
UNWIND $rows AS row
MERGE (r:Review {id: row.id}) SET r += row
WITH r
CALL (r) { MATCH (r)-[old:REVIEWS]->(other:Finding) WHERE other.id <> r.finding_id DELETE old }
CALL (r) { MATCH (f:Finding {id: r.finding_id}) MERGE (r)-[:REVIEWS]->(f) }
RETURN count(*) AS n"""
_UPSERT_SCAN_RUNS = """
UNWIND $rows AS row
MERGE (s:ScanRun {id: row.id}) SET s += row
WITH s
CALL (s) { MATCH (f:Finding {scan_run_id: s.id}) MERGE (f)-[:GENERATED_BY]->(s) }
RETURN count(*) AS n"""
_UPSERT_CITATIONS = """
UNWIND $rows AS row
MATCH (a:Provision {id: row.source_id})
MATCH (b:Provision {id: row.target_id})
MERGE (a)-[c:CITES {start: row.start}]->(b)
SET c.end = row.end, c.text = row.text
RETURN count(*) AS n"""
_DELETE_PARTS = [
    "MATCH (s:Suggestion)-[:DERIVED_FROM]->(f:Finding {doc_id: $doc_id}) DETACH DELETE s",
    "MATCH (s:Suggestion)-[:DERIVED_FROM]->(:Finding)-[:TARGETS]->(:Provision {doc_id: $doc_id}) DETACH DELETE s",
    "MATCH (f:Finding {doc_id: $doc_id}) DETACH DELETE f",
    "MATCH (f:Finding)-[:TARGETS]->(:Provision {doc_id: $doc_id}) DETACH DELETE f",
    "MATCH (:Provision {doc_id: $doc_id})-[c:CITES]->() DELETE c",
    "MATCH (p:Provision {doc_id: $doc_id}) WHERE NOT p.id IN $keep DETACH DELETE p",
]

# -- read fragments -------------------------------------------------------------------------------
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_CJK_TERM = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")

_COUNT_KEY_CYPHER = {
    "type": "f.type", "law": "p.doc_id", "jurisdiction": "d.jurisdiction", "doc_kind": "d.kind",
    "status": "f.review_status", "phase": "f.phase", "technology": "t.id",
    "digital_alternative": "f.digital_alternative",
}


def escape_lucene(text: str) -> str:
    """Escape Lucene query-syntax characters (`+ - && || ! ( ) { } [ ] ^ " ~ * ? : \\ /`)."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def fulltext_query(terms: list[str]) -> str | None:
    """A Lucene query (escaped phrases joined by AND) when the full-text index can be trusted to
    return every provision containing all terms — each term 2+ kana/kanji, which the `cjk` analyzer
    indexes as bigrams; else None (the caller then scans with CONTAINS)."""
    if not terms or not all(_CJK_TERM.fullmatch(term) for term in terms):
        return None
    return " AND ".join(f'"{escape_lucene(term)}"' for term in terms)


def _doc(m: dict) -> DocumentRecord:
    return DocumentRecord(id=m["id"], title=m.get("title"), kind=m.get("kind"), jurisdiction=m.get("jurisdiction"),
                          version_date=m.get("version_date"), law_num=m.get("law_num"),
                          source_path=m.get("source_path"), sha256=m.get("sha256"),
                          source_format=m.get("source_format"))


def _prov(m: dict) -> ProvisionRecord:
    return ProvisionRecord(id=m["id"], doc_id=m["doc_id"], kind=m.get("kind"), label=m.get("label"),
                           text=m.get("text"), start=m.get("start"), end=m.get("end"), num=m.get("num"),
                           caption=m.get("caption"), parent_id=m.get("parent_id"), deleted=bool(m.get("deleted")))


def _find(m: dict) -> FindingRecord:
    return FindingRecord(
        id=m["id"], doc_id=m.get("doc_id"), provision_id=m.get("provision_id"), type=m.get("type"),
        trigger=m.get("trigger"), start=m.get("start"), end=m.get("end"), sentence=m.get("sentence"),
        rule=m.get("rule"), confidence=m.get("confidence"), digital_alternative=bool(m.get("digital_alternative")),
        phase=m.get("phase"), max_phase=m.get("max_phase"), obliged=m.get("obliged"), label=m.get("label"),
        rationale=m.get("rationale"), alternative_rule=m.get("alternative_rule"),
        applies_to=list(m.get("applies_to") or []), scan_run_id=m.get("scan_run_id"),
        review_status=m.get("review_status") or UNREVIEWED)


def _review(m: dict) -> ReviewRecord:
    return ReviewRecord(id=m["id"], finding_id=m["finding_id"], decision=m["decision"], reviewer=m.get("reviewer"),
                        created_at=m.get("created_at"), comment=m.get("comment") or "", replaces=m.get("replaces"))


def _suggestion(m: dict) -> SuggestionRecord:
    return SuggestionRecord(id=m["id"], finding_id=m["finding_id"], old_text=m.get("old_text"),
                            new_text=m.get("new_text"), template_id=m.get("template_id"),
                            precedent=m.get("precedent"), technology_id=m.get("technology_id"),
                            phase=m.get("phase"))


def _run(m: dict) -> ScanRunRecord:
    return ScanRunRecord(id=m["id"], started_at=m.get("started_at"), ended_at=m.get("ended_at"),
                         versions=json.loads(m.get("versions") or "{}"), counts=json.loads(m.get("counts") or "{}"))


def _citation(m: dict) -> CitationRecord:
    return CitationRecord(source_id=m["source_id"], target_id=m["target_id"], start=m["start"], end=m.get("end"),
                          text=m.get("text"))


# -- row builders (record → Neo4j properties) -------------------------------------------------------
def _document_row(d: DocumentRecord) -> dict:
    return d.to_dict()


def _provision_row(p: ProvisionRecord) -> dict:
    row = p.to_dict()
    row["start"], row["end"], row["deleted"] = int(p.start), int(p.end), bool(p.deleted)
    return row


def _finding_row(f: FindingRecord) -> dict:
    row = f.to_dict()
    row.pop("review_status")  # derived from the reviews
    row.update(start=int(f.start), end=int(f.end), confidence=float(f.confidence),
               digital_alternative=bool(f.digital_alternative), phase=int(f.phase), max_phase=int(f.max_phase),
               applies_to=[str(a) for a in f.applies_to])
    return row


def _match_row(m: TechMatchRecord) -> dict:
    return {"finding_id": m.finding_id, "technology_id": str(m.technology_id), "rank": int(m.rank),
            "phase": int(m.phase), "rationale": m.rationale}


def _suggestion_row(s: SuggestionRecord) -> dict:
    row = s.to_dict()
    row["technology_id"] = None if s.technology_id is None else str(s.technology_id)
    row["phase"] = None if s.phase is None else int(s.phase)
    return row


def _citation_row(c: CitationRecord) -> dict:
    return {"source_id": c.source_id, "target_id": c.target_id, "start": int(c.start), "end": int(c.end),
            "text": c.text}


class Neo4jStore(GraphStore):
    """`GraphStore` on a Neo4j 5 server."""

    def __init__(self, uri: str, user: str = "neo4j", password: str = "", database: str | None = None,
                 batch_size: int = 1000, driver: neo4j.Driver | None = None, create_schema: bool = True) -> None:
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        self._own_driver = driver is None
        self.driver = driver or neo4j.GraphDatabase.driver(uri, auth=(user, password))
        if create_schema:
            self.create_schema()

    # -- plumbing ------------------------------------------------------------------------------
    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.database, notifications_min_severity="OFF")

    def _write(self, work: Callable[[neo4j.ManagedTransaction], Any]) -> Any:
        with self._session() as session:
            return session.execute_write(work)

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        def work(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
            return list(tx.run(query, params))

        with self._session() as session:
            return session.execute_read(work)

    def create_schema(self) -> None:
        with self._session() as session:
            for statement in _SCHEMA:
                session.run(statement).consume()
            session.run("CALL db.awaitIndexes(300)").consume()

    def wipe(self) -> None:
        """Delete every node this store owns (all labels in `LABELS`) — for tests and re-imports."""
        with self._session() as session:
            session.run(
                "MATCH (n) WHERE " + " OR ".join(f"n:{label}" for label in LABELS)
                + " CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()

    def close(self) -> None:
        if self._own_driver:
            self.driver.close()

    # -- writes --------------------------------------------------------------------------------
    def _batched(self, records: Iterable[Any], write: Callable[[neo4j.ManagedTransaction, list], int]) -> int:
        written = 0
        for batch in chunks(records, self.batch_size):
            written += self._write(lambda tx, batch=batch: write(tx, batch))
        return written

    @staticmethod
    def _count(tx: neo4j.ManagedTransaction, query: str, **params: Any) -> int:
        record = tx.run(query, params).single()
        return int(record["n"]) if record else 0

    def _w_documents(self, tx: neo4j.ManagedTransaction, batch: list[DocumentRecord]) -> int:
        return self._count(tx, _UPSERT_DOCUMENTS, rows=[_document_row(d) for d in batch])

    def _w_provisions(self, tx: neo4j.ManagedTransaction, batch: list[ProvisionRecord]) -> int:
        rows = [_provision_row(p) for p in batch]
        written = self._count(tx, _UPSERT_PROVISIONS, rows=rows)
        tx.run(_LINK_PARENTS, rows=[r for r in rows if r["parent_id"]]).consume()
        return written

    def _w_findings(self, tx: neo4j.ManagedTransaction, batch: list[FindingRecord]) -> int:
        written = self._count(tx, _UPSERT_FINDINGS, rows=[_finding_row(f) for f in batch])
        ids = [f.id for f in batch]
        tx.run(_LINK_FINDINGS, ids=ids).consume()
        tx.run(_REVIEW_STATUS, ids=ids).consume()
        return written

    def _w_tech_matches(self, tx: neo4j.ManagedTransaction, batch: list[TechMatchRecord]) -> int:
        return self._count(tx, _UPSERT_TECH_MATCHES, rows=[_match_row(m) for m in batch])

    def _w_suggestions(self, tx: neo4j.ManagedTransaction, batch: list[SuggestionRecord]) -> int:
        return self._count(tx, _UPSERT_SUGGESTIONS, rows=[_suggestion_row(s) for s in batch])

    def _w_reviews(self, tx: neo4j.ManagedTransaction, batch: list[ReviewRecord]) -> int:
        tx.run(_UPSERT_REVIEWS, rows=[r.to_dict() for r in batch]).consume()
        tx.run(_REVIEW_STATUS, ids=sorted({r.finding_id for r in batch})).consume()
        return len(batch)

    def _w_scan_runs(self, tx: neo4j.ManagedTransaction, batch: list[ScanRunRecord]) -> int:
        rows = [{"id": r.id, "started_at": r.started_at, "ended_at": r.ended_at, "versions": dumps(r.versions),
                 "counts": dumps(r.counts)} for r in batch]
        tx.run(_UPSERT_SCAN_RUNS, rows=rows).consume()
        return len(batch)

    def _w_citations(self, tx: neo4j.ManagedTransaction, batch: list[CitationRecord]) -> int:
        return self._count(tx, _UPSERT_CITATIONS, rows=[_citation_row(c) for c in batch])

    def upsert_documents(self, documents: Iterable[DocumentRecord]) -> int:
        return self._batched(documents, self._w_documents)

    def upsert_provisions(self, provisions: Iterable[ProvisionRecord]) -> int:
        return self._batched(provisions, self._w_provisions)

    def upsert_findings(self, findings: Iterable[FindingRecord]) -> int:
        return self._batched(findings, self._w_findings)

    def upsert_tech_matches(self, matches: Iterable[TechMatchRecord]) -> int:
        return self._batched(matches, self._w_tech_matches)

    def upsert_suggestions(self, suggestions: Iterable[SuggestionRecord]) -> int:
        return self._batched(suggestions, self._w_suggestions)

    def upsert_reviews(self, reviews: Iterable[ReviewRecord]) -> int:
        return self._batched(reviews, self._w_reviews)

    def upsert_scan_runs(self, runs: Iterable[ScanRunRecord]) -> int:
        return self._batched(runs, self._w_scan_runs)

    def upsert_citations(self, citations: Iterable[CitationRecord]) -> int:
        return self._batched(citations, self._w_citations)

    def upsert_provisions_one_by_one(self, provisions: Iterable[ProvisionRecord]) -> int:
        """One transaction per provision (the slow path; kept for `bench/store.py`)."""
        written = 0
        for provision in provisions:
            written += self._write(lambda tx, p=provision: self._w_provisions(tx, [p]))
        return written

    def replace_document(self, document: DocumentRecord, provisions: Sequence[ProvisionRecord],
                         findings: Sequence[FindingRecord] = (), tech_matches: Sequence[TechMatchRecord] = (),
                         suggestions: Sequence[SuggestionRecord] = (),
                         citations: Sequence[CitationRecord] = ()) -> None:
        keep = sorted({p.id for p in provisions})

        def work(tx: neo4j.ManagedTransaction) -> None:
            for statement in _DELETE_PARTS:
                tx.run(statement, doc_id=document.id, keep=keep).consume()
            self._w_documents(tx, [document])
            for batch in chunks(provisions, self.batch_size):
                self._w_provisions(tx, batch)
            for batch in chunks(findings, self.batch_size):
                self._w_findings(tx, batch)
            for batch in chunks(tech_matches, self.batch_size):
                self._w_tech_matches(tx, batch)
            for batch in chunks(suggestions, self.batch_size):
                self._w_suggestions(tx, batch)
            for batch in chunks(citations, self.batch_size):
                self._w_citations(tx, batch)

        self._write(work)

    def delete_document(self, doc_id: str) -> bool:
        def work(tx: neo4j.ManagedTransaction) -> bool:
            for statement in _DELETE_PARTS:
                tx.run(statement, doc_id=doc_id, keep=[]).consume()
            return self._count(tx, "MATCH (d:Document {id: $doc_id}) DETACH DELETE d RETURN count(*) AS n",
                               doc_id=doc_id) > 0

        return self._write(work)

    # -- reads ---------------------------------------------------------------------------------
    def document_hash(self, doc_id: str) -> str | None:
        rows = self._read("MATCH (d:Document {id: $id}) RETURN d.sha256 AS h", id=doc_id)
        return rows[0]["h"] if rows else None

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        rows = self._read("MATCH (d:Document {id: $id}) RETURN d {.*} AS d", id=doc_id)
        return _doc(rows[0]["d"]) if rows else None

    def get_provision(self, provision_id: str) -> ProvisionDetail | None:
        rows = self._read("MATCH (p:Provision {id: $id}) OPTIONAL MATCH (d:Document)-[:HAS_PART]->(p) "
                          "RETURN p {.*} AS p, d {.*} AS d", id=provision_id)
        if not rows:
            return None
        provision = _prov(rows[0]["p"])
        document = _doc(rows[0]["d"]) if rows[0]["d"] else None
        details = []
        for row in self._read(
                "MATCH (f:Finding)-[:TARGETS]->(:Provision {id: $id}) "
                "RETURN f {.*} AS f, "
                "COLLECT { MATCH (f)-[m:SUBSTITUTABLE_BY]->(t:Technology) RETURN {finding_id: f.id, "
                "technology_id: t.id, rank: m.rank, phase: m.phase, rationale: m.rationale} } AS matches, "
                "COLLECT { MATCH (s:Suggestion)-[:DERIVED_FROM]->(f) RETURN s {.*} } AS suggestions, "
                "COLLECT { MATCH (r:Review)-[:REVIEWS]->(f) RETURN r {.*} } AS reviews "
                "ORDER BY f.start, f.id", id=provision_id):
            matches = sorted((TechMatchRecord(m["finding_id"], m["technology_id"], m["rank"], m["phase"],
                                              m["rationale"] or "") for m in row["matches"]),
                             key=lambda m: (m.rank, m.technology_id))
            suggestions = sorted((_suggestion(s) for s in row["suggestions"]), key=lambda s: s.id)
            reviews = sorted((_review(r) for r in row["reviews"]), key=lambda r: (r.created_at, r.id))
            details.append(FindingDetail(_find(row["f"]), matches, suggestions, reviews))
        return ProvisionDetail(provision, document, details, self.citations_from(provision_id),
                               self.citations_to(provision_id))

    _CITATION_RETURN = ("RETURN {source_id: a.id, target_id: b.id, start: c.start, end: c.end, text: c.text} AS c ")

    def citations_from(self, provision_id: str) -> list[CitationRecord]:
        return [_citation(r["c"]) for r in self._read(
            "MATCH (a:Provision {id: $id})-[c:CITES]->(b:Provision) " + self._CITATION_RETURN
            + "ORDER BY c.start, b.id", id=provision_id)]

    def citations_to(self, provision_id: str) -> list[CitationRecord]:
        return [_citation(r["c"]) for r in self._read(
            "MATCH (a:Provision)-[c:CITES]->(b:Provision {id: $id}) " + self._CITATION_RETURN
            + "ORDER BY a.id, c.start", id=provision_id)]

    def existing_provision_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for batch in chunks(set(ids), 5000):
            found.update(r["id"] for r in self._read(
                "UNWIND $ids AS id MATCH (p:Provision {id: id}) RETURN p.id AS id", ids=batch))
        return found

    def resolve_titles(self, titles: Iterable[str]) -> dict[str, str]:
        result: dict[str, str] = {}
        for batch in chunks(sorted(set(titles)), 5000):
            for row in self._read(
                    "UNWIND $titles AS title MATCH (d:Document {title: title}) "
                    "RETURN title, d.id AS id ORDER BY title, CASE WHEN d.jurisdiction = '国' THEN 0 ELSE 1 END, id",
                    titles=batch):
                result.setdefault(row["title"], row["id"])
        return result

    # -- queries -------------------------------------------------------------------------------
    @staticmethod
    def _conditions(filter: ProvisionFilter, text_property: str, params: dict[str, Any]) -> list[str]:
        where: list[str] = []
        for value, name, fragment in ((filter.doc_id, "doc_id", "p.doc_id = $doc_id"),
                                      (filter.jurisdiction, "jurisdiction", "d.jurisdiction = $jurisdiction"),
                                      (filter.doc_kind, "doc_kind", "d.kind = $doc_kind"),
                                      (filter.provision_kind, "provision_kind", "p.kind = $provision_kind")):
            if value is not None:
                where.append(fragment)
                params[name] = value
        if not filter.include_deleted:
            where.append("NOT p.deleted")
        terms = filter.terms()
        if terms:
            where.append(f"all(term IN $terms WHERE {text_property} CONTAINS term)")
            params["terms"] = terms
        return where

    @staticmethod
    def _finding_conditions(filter: ProvisionFilter, params: dict[str, Any]) -> list[str]:
        where: list[str] = []
        if filter.type is not None:
            where.append("f.type = $type")
            params["type"] = filter.type
        if filter.technology_id is not None:
            where.append("EXISTS { MATCH (f)-[:SUBSTITUTABLE_BY]->(:Technology {id: $technology_id}) }")
            params["technology_id"] = str(filter.technology_id)
        if filter.phase is not None:
            where.append("f.phase = $phase")
            params["phase"] = int(filter.phase)
        if filter.review_status is not None:
            where.append("f.review_status = $review_status")
            params["review_status"] = filter.review_status
        if filter.min_confidence is not None:
            where.append("f.confidence >= $min_confidence")
            params["min_confidence"] = float(filter.min_confidence)
        if filter.digital_alternative is not None:
            where.append("f.digital_alternative = $digital_alternative")
            params["digital_alternative"] = bool(filter.digital_alternative)
        return where

    def find_provisions(self, filter: ProvisionFilter | None = None,
                        page: Page | None = None) -> PageResult[ProvisionRecord]:
        filter = check_filter(filter)
        page, key = check_page(page, findings=False)
        params: dict[str, Any] = {"limit": page.limit + 1}
        lucene = fulltext_query(filter.terms())
        if lucene is not None:
            match = (f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $lucene) YIELD node AS p "
                     "MATCH (d:Document)-[:HAS_PART]->(p) ")
            params["lucene"] = lucene
        else:
            match = "MATCH (d:Document)-[:HAS_PART]->(p:Provision) "
        where = self._conditions(filter, "p.text", params)
        if filter.has_finding_conditions():
            fwhere = self._finding_conditions(filter, params)
            where.append("EXISTS { MATCH (f:Finding)-[:TARGETS]->(p) WHERE " + " AND ".join(fwhere) + " }")
        if page.sort == "id":
            order = "p.id"
            if key is not None:
                where.append("p.id > $k0")
        else:
            order = "p.doc_id, p.start, p.id"
            if key is not None:
                where.append("(p.doc_id > $k0 OR (p.doc_id = $k0 AND (p.start > $k1 OR (p.start = $k1 AND p.id > $k2))))")
        if key is not None:
            params.update({f"k{i}": v for i, v in enumerate(key)})
        query = (match + ("WHERE " + " AND ".join(where) + " " if where else "")
                 + f"RETURN p {{.*}} AS p ORDER BY {order} LIMIT $limit")
        rows = self._read(query, **params)
        items = [_prov(r["p"]) for r in rows[:page.limit]]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            next_cursor = encode_cursor(page.sort, [last.id] if page.sort == "id" else [last.doc_id, last.start, last.id])
        return PageResult(items, next_cursor)

    def _finding_match(self, filter: ProvisionFilter, params: dict[str, Any]) -> tuple[str, list[str]]:
        where = self._conditions(filter, "f.sentence", params) + self._finding_conditions(filter, params)
        return "MATCH (d:Document)-[:HAS_PART]->(p:Provision)<-[:TARGETS]-(f:Finding) ", where

    def find_findings(self, filter: ProvisionFilter | None = None,
                      page: Page | None = None) -> PageResult[FindingRecord]:
        filter = check_filter(filter)
        page, key = check_page(page, findings=True)
        params: dict[str, Any] = {"limit": page.limit + 1}
        match, where = self._finding_match(filter, params)
        if page.sort == "id":
            order = "f.id"
            if key is not None:
                where.append("f.id > $k0")
        elif page.sort == "document":
            order = "f.doc_id, f.start, f.id"
            if key is not None:
                where.append("(f.doc_id > $k0 OR (f.doc_id = $k0 AND (f.start > $k1 OR (f.start = $k1 AND f.id > $k2))))")
        else:
            order = "f.confidence DESC, f.id"
            if key is not None:
                where.append("(f.confidence < $k0 OR (f.confidence = $k0 AND f.id > $k1))")
        if key is not None:
            params.update({f"k{i}": v for i, v in enumerate(key)})
            if page.sort == "confidence":
                params["k0"] = float(key[0])
        query = (match + ("WHERE " + " AND ".join(where) + " " if where else "")
                 + f"RETURN f {{.*}} AS f ORDER BY {order} LIMIT $limit")
        rows = self._read(query, **params)
        items = [_find(r["f"]) for r in rows[:page.limit]]
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
        params: dict[str, Any] = {}
        match, where = self._finding_match(filter, params)
        query = match + ("WHERE " + " AND ".join(where) + " " if where else "")
        if by == "technology":
            query += "MATCH (f)-[:SUBSTITUTABLE_BY]->(t:Technology) "
        measure = "count(DISTINCT p.id)" if distinct_provisions else "count(*)"
        query += f"RETURN {_COUNT_KEY_CYPHER[by]} AS key, {measure} AS n"
        result: dict[str, int] = {}
        for row in self._read(query, **params):
            name = _count_key(by, row["key"])
            result[name] = result.get(name, 0) + row["n"]
        return dict(sorted(result.items()))

    def stats(self) -> dict[str, int]:
        queries = {
            "documents": "MATCH (n:Document) RETURN count(n) AS n",
            "provisions": "MATCH (n:Provision) RETURN count(n) AS n",
            "findings": "MATCH (n:Finding) RETURN count(n) AS n",
            "tech_matches": "MATCH (:Finding)-[r:SUBSTITUTABLE_BY]->(:Technology) RETURN count(r) AS n",
            "suggestions": "MATCH (n:Suggestion) RETURN count(n) AS n",
            "reviews": "MATCH (n:Review) RETURN count(n) AS n",
            "scan_runs": "MATCH (n:ScanRun) RETURN count(n) AS n",
            "citations": "MATCH (:Provision)-[r:CITES]->(:Provision) RETURN count(r) AS n",
        }
        return {name: self._read(queries[name])[0]["n"] for name in ENTITIES}

    def iter_records(self, entity: str) -> Iterator[Any]:
        queries: dict[str, tuple[str, Callable[[dict], Any]]] = {
            "documents": ("MATCH (n:Document) RETURN n {.*} AS r ORDER BY n.id", _doc),
            "provisions": ("MATCH (n:Provision) RETURN n {.*} AS r ORDER BY n.id", _prov),
            "findings": ("MATCH (n:Finding) RETURN n {.*} AS r ORDER BY n.id", _find),
            "tech_matches": ("MATCH (f:Finding)-[m:SUBSTITUTABLE_BY]->(t:Technology) RETURN {finding_id: f.id, "
                             "technology_id: t.id, rank: m.rank, phase: m.phase, rationale: m.rationale} AS r "
                             "ORDER BY f.id, t.id",
                             lambda m: TechMatchRecord(m["finding_id"], m["technology_id"], m["rank"], m["phase"],
                                                       m["rationale"] or "")),
            "suggestions": ("MATCH (n:Suggestion) RETURN n {.*} AS r ORDER BY n.id", _suggestion),
            "reviews": ("MATCH (n:Review) RETURN n {.*} AS r ORDER BY n.id", _review),
            "scan_runs": ("MATCH (n:ScanRun) RETURN n {.*} AS r ORDER BY n.id", _run),
            "citations": ("MATCH (a:Provision)-[c:CITES]->(b:Provision) RETURN {source_id: a.id, target_id: b.id, "
                          "start: c.start, end: c.end, text: c.text} AS r ORDER BY a.id, b.id, c.start", _citation),
        }
        if entity not in queries:
            raise ValueError(f"unknown entity {entity!r}")
        query, make = queries[entity]
        yield from (make(row["r"]) for row in self._read(query))


def _count_key(by: str, value: Any) -> str:
    if by == "digital_alternative":
        return "true" if value else "false"
    return "" if value is None else str(value)


__all__ = ["Neo4jStore", "LABELS", "FULLTEXT_INDEX", "escape_lucene", "fulltext_query"]
