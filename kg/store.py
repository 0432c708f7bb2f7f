"""`GraphStore`: the one interface the API and the CLI use to write and read the knowledge graph.

Two implementations give identical answers for the same data (the contract tests in
`tests/kg/test_store_contract.py` run every operation against both):

* `analogmap.kg.embedded.EmbeddedStore` — the default; SQLite (+ FTS5 trigram index) in a directory,
  no server (see that module for the measurements behind the choice);
* `analogmap.kg.neo4j_store.Neo4jStore` — Neo4j 5 over Bolt, for shared and large deployments.

Open one with `open_store("embedded", path=…)` or `open_store("neo4j", uri=…, user=…, password=…)`.

Semantics shared by both stores:

* Writes are batched and idempotent (records carry deterministic ids; a second upsert of the same
  records changes nothing).  A record whose parent is missing is skipped: a provision needs its
  document, a finding its provision, a tech match or suggestion its finding, a citation both
  provisions.  Reviews are kept even when their finding is gone (human work is never dropped), and
  re-attach when a finding with the same id comes back.  Each `upsert_*` returns how many records
  were written (skipped ones not counted).
* `replace_document` makes a document's subgraph (provisions, findings, tech matches, suggestions,
  outgoing citations) exactly the given records, in one transaction.
* A finding's `review_status` is the decision of its latest review (by `created_at`, then id) that no
  other review of the same finding `replaces`; `unreviewed` when there is none.
* Lists come back in a fixed order (see each method), pages by keyset cursors (`Page`).
"""
from __future__ import annotations

import abc
import json
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .records import (
    COUNT_KEYS,
    REVIEW_STATUSES,
    CitationRecord,
    DocumentRecord,
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
    decode_cursor,
)

#: The record kinds a store holds, in dependency order (what `stats()` counts).
ENTITIES = ("documents", "provisions", "findings", "tech_matches", "suggestions", "reviews", "scan_runs",
            "citations")

RDF_FORMATS = {"turtle": "turtle", "ttl": "turtle", "json-ld": "json-ld", "jsonld": "json-ld",
               "nt": "nt", "n-triples": "nt", "xml": "xml"}


class GraphStore(abc.ABC):
    """The knowledge graph: documents, provisions, findings and what hangs off them."""

    batch_size = 1000

    # -- writes --------------------------------------------------------------------------------
    @abc.abstractmethod
    def upsert_documents(self, documents: Iterable[DocumentRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_provisions(self, provisions: Iterable[ProvisionRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_findings(self, findings: Iterable[FindingRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_tech_matches(self, matches: Iterable[TechMatchRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_suggestions(self, suggestions: Iterable[SuggestionRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_reviews(self, reviews: Iterable[ReviewRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_scan_runs(self, runs: Iterable[ScanRunRecord]) -> int: ...

    @abc.abstractmethod
    def upsert_citations(self, citations: Iterable[CitationRecord]) -> int: ...

    @abc.abstractmethod
    def replace_document(self, document: DocumentRecord, provisions: Sequence[ProvisionRecord],
                         findings: Sequence[FindingRecord] = (), tech_matches: Sequence[TechMatchRecord] = (),
                         suggestions: Sequence[SuggestionRecord] = (),
                         citations: Sequence[CitationRecord] = ()) -> None:
        """Make the document's subgraph exactly these records, atomically."""

    @abc.abstractmethod
    def delete_document(self, doc_id: str) -> bool:
        """Remove a document with its provisions, findings, matches, suggestions and citations."""

    # -- reads ---------------------------------------------------------------------------------
    @abc.abstractmethod
    def document_hash(self, doc_id: str) -> str | None:
        """The stored sha256 of a document's source (skip a re-scan when unchanged); None if absent."""

    @abc.abstractmethod
    def get_document(self, doc_id: str) -> DocumentRecord | None: ...

    @abc.abstractmethod
    def get_provision(self, provision_id: str) -> ProvisionDetail | None:
        """A provision with its document, findings (by start, id) each with tech matches (by rank,
        technology id), suggestions (by id) and reviews (by created_at, id), and citations both ways."""

    @abc.abstractmethod
    def find_provisions(self, filter: ProvisionFilter | None = None,
                        page: Page | None = None) -> PageResult[ProvisionRecord]: ...

    @abc.abstractmethod
    def find_findings(self, filter: ProvisionFilter | None = None,
                      page: Page | None = None) -> PageResult[FindingRecord]: ...

    @abc.abstractmethod
    def counts(self, by: str, filter: ProvisionFilter | None = None,
               distinct_provisions: bool = False) -> dict[str, int]:
        """Findings (or, with `distinct_provisions`, provisions having such findings) grouped by `by`:
        type, law (doc id), jurisdiction, doc_kind, status (review status), phase, technology
        (tech matches of the selected findings), digital_alternative ("true"/"false").  The filter
        selects findings as in `find_findings`.  Keys are strings, sorted."""

    @abc.abstractmethod
    def citations_from(self, provision_id: str) -> list[CitationRecord]:
        """References in this provision's text (by start, target id)."""

    @abc.abstractmethod
    def citations_to(self, provision_id: str) -> list[CitationRecord]:
        """Provisions citing this one (by source id, start)."""

    @abc.abstractmethod
    def existing_provision_ids(self, ids: Iterable[str]) -> set[str]: ...

    @abc.abstractmethod
    def resolve_titles(self, titles: Iterable[str]) -> dict[str, str]:
        """The title index: law title → document id, for the titles that are known.  When several
        documents share a title the national one (jurisdiction 国) wins, then the smallest id."""

    @abc.abstractmethod
    def stats(self) -> dict[str, int]:
        """How many of each entity the store holds (keys: `ENTITIES`)."""

    @abc.abstractmethod
    def iter_records(self, entity: str) -> Iterator[Any]:
        """Every record of one entity kind, in id order (for export and migration)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    # -- shared helpers -----------------------------------------------------------------------
    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_provisions(self, filter: ProvisionFilter | None = None, batch: int = 500) -> Iterator[ProvisionRecord]:
        """All provisions matching `filter`, page by page."""
        cursor = None
        while True:
            result = self.find_provisions(filter, Page(cursor=cursor, limit=batch))
            yield from result.items
            if result.next_cursor is None:
                return
            cursor = result.next_cursor

    def export_rdf(self, format: str = "turtle", filter: ProvisionFilter | None = None,
                   destination: str | Path | None = None) -> str:
        """The graph (or the provisions matching `filter` with everything attached to them) as RDF.

        `format`: turtle or json-ld (also nt, xml).  Vocabulary: ELI, W3C Web Annotation, PROV, SKOS,
        DCTERMS and `ar:` (peers-and-ontology.md §B6); URIs from `analogmap.ontology.uris`.
        Returns the serialisation (and writes it to `destination` when given).
        """
        rdf_format = RDF_FORMATS.get(format.lower())
        if rdf_format is None:
            raise ValueError(f"unknown RDF format {format!r}; use turtle or json-ld")
        graph = build_rdf_graph(self, filter)
        text = graph.serialize(format=rdf_format)
        if destination is not None:
            Path(destination).write_text(text, encoding="utf-8")
        return text


# -- helpers for implementations -----------------------------------------------------------------

def check_filter(filter: ProvisionFilter | None) -> ProvisionFilter:
    filter = filter or ProvisionFilter()
    if filter.review_status is not None and filter.review_status not in REVIEW_STATUSES:
        raise ValueError(f"review_status must be one of {REVIEW_STATUSES}")
    if filter.phase is not None and not isinstance(filter.phase, int):
        raise ValueError("phase must be an integer")
    if filter.min_confidence is not None:
        float(filter.min_confidence)
    filter.terms()  # validates
    return filter


def check_page(page: Page | None, findings: bool) -> tuple[Page, list[Any] | None]:
    page = page or Page()
    if page.sort == "confidence" and not findings:
        raise ValueError("sort='confidence' applies to findings only")
    key = decode_cursor(page.cursor, page.sort) if page.cursor else None
    return page, key


def check_count_key(by: str) -> str:
    if by not in COUNT_KEYS:
        raise ValueError(f"counts: by must be one of {COUNT_KEYS}")
    return by


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def build_rdf_graph(store: GraphStore, filter: ProvisionFilter | None = None):
    """An rdflib Graph of the store's content (or of the provisions matching `filter`)."""
    from analogmap.ontology import uris
    from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, PROV, SKOS

    ELI = Namespace("http://data.europa.eu/eli/ontology#")
    OA = Namespace("http://www.w3.org/ns/oa#")
    AR = Namespace(uris.AR)
    graph = Graph()
    for prefix, namespace in (("eli", ELI), ("oa", OA), ("ar", AR), ("dct", DCTERMS), ("prov", PROV),
                              ("skos", SKOS)):
        graph.bind(prefix, namespace)

    if filter is None:
        documents = list(store.iter_records("documents"))
        provisions = list(store.iter_records("provisions"))
        findings = list(store.iter_records("findings"))
        matches = list(store.iter_records("tech_matches"))
        suggestions = list(store.iter_records("suggestions"))
        reviews = list(store.iter_records("reviews"))
        runs = list(store.iter_records("scan_runs"))
        citations = list(store.iter_records("citations"))
    else:
        provisions = list(store.iter_provisions(filter))
        documents, findings, matches, suggestions, reviews, citations = [], [], [], [], [], []
        seen_docs: set[str] = set()
        for provision in provisions:
            detail = store.get_provision(provision.id)
            if detail is None:
                continue
            if detail.document is not None and detail.document.id not in seen_docs:
                seen_docs.add(detail.document.id)
                documents.append(detail.document)
            for item in detail.findings:
                findings.append(item.finding)
                matches.extend(item.tech_matches)
                suggestions.extend(item.suggestions)
                reviews.extend(item.reviews)
            citations.extend(detail.cites)
        run_ids = {f.scan_run_id for f in findings if f.scan_run_id}
        runs = [r for r in store.iter_records("scan_runs") if r.id in run_ids]

    version_of: dict[str, str | None] = {d.id: d.version_date for d in documents}

    def version(doc_id: str) -> str | None:
        if doc_id not in version_of:  # e.g. the target of a citation outside the filtered set
            other = store.get_document(doc_id)
            version_of[doc_id] = other.version_date if other else None
        return version_of[doc_id]

    def valid_date(value: str | None) -> str | None:
        return value if value and len(value) == 10 and value[4] == "-" and value[7] == "-" else None

    def doc_node(doc_id: str) -> URIRef:
        return URIRef(uris.document_uri(doc_id))

    def provision_node(provision_id: str) -> URIRef:
        doc_id = provision_id.partition("#")[0]
        return URIRef(uris.provision_uri(provision_id, valid_date(version(doc_id))))

    def finding_node(fid: str) -> URIRef:
        return URIRef(f"{uris.BASE}/id/finding/{fid}")

    def technology_node(tid: str) -> URIRef:
        return URIRef(uris.technology_uri(tid)) if str(tid).isdigit() else URIRef(
            f"{uris.TECHMAP}technology/{uris._segment(str(tid))}")

    def type_node(code: str) -> URIRef:
        try:
            return URIRef(uris.analog_type_uri(code))
        except ValueError:
            return AR[f"type-{uris._segment(code)}"]

    for d in documents:
        work = doc_node(d.id)
        graph.add((work, RDF.type, ELI.LegalResource))
        graph.add((work, ELI.id_local, Literal(d.id)))
        graph.add((work, DCTERMS.title, Literal(d.title, lang="ja")))
        graph.add((work, AR.documentKind, Literal(d.kind, lang="ja")))
        if d.jurisdiction:
            graph.add((work, ELI.jurisdiction, Literal(d.jurisdiction, lang="ja")))
        if d.law_num:
            graph.add((work, AR.lawNumber, Literal(d.law_num, lang="ja")))
        if d.sha256:
            graph.add((work, AR.sha256, Literal(d.sha256)))
        date = valid_date(d.version_date)
        if date:
            expression = URIRef(uris.expression_uri(d.id, date))
            graph.add((expression, RDF.type, ELI.LegalExpression))
            graph.add((expression, ELI.realizes, work))
            graph.add((work, ELI.is_realized_by, expression))
            graph.add((expression, ELI.version_date, Literal(date, datatype=XSD.date)))
            graph.add((expression, ELI.language, URIRef("http://publications.europa.eu/resource/authority/language/JPN")))
    for p in provisions:
        node = provision_node(p.id)
        graph.add((node, RDF.type, ELI.LegalResourceSubdivision))
        graph.add((node, AR.provisionId, Literal(p.id)))
        graph.add((node, AR.subdivisionType, AR[p.kind]))
        graph.add((node, RDFS.label, Literal(p.label, lang="ja")))
        graph.add((node, AR.text, Literal(p.text, lang="ja")))
        graph.add((node, AR.start, Literal(p.start)))
        graph.add((node, AR.end, Literal(p.end)))
        if p.num is not None:
            graph.add((node, ELI.number, Literal(p.num)))
        if p.caption:
            graph.add((node, AR.caption, Literal(p.caption, lang="ja")))
        if p.deleted:
            graph.add((node, AR.deleted, Literal(True)))
        date = valid_date(version(p.doc_id))
        parent = provision_node(p.parent_id) if p.parent_id else (
            URIRef(uris.expression_uri(p.doc_id, date)) if date else doc_node(p.doc_id))
        graph.add((node, ELI.is_part_of, parent))
        graph.add((parent, ELI.has_part, node))
    for f in findings:
        node = finding_node(f.id)
        target = URIRef(f"{node}#target")
        position = URIRef(f"{node}#position")
        quote = URIRef(f"{node}#quote")
        graph.add((node, RDF.type, OA.Annotation))
        graph.add((node, RDF.type, AR.Finding))
        graph.add((node, OA.motivatedBy, OA.classifying))
        graph.add((node, OA.hasBody, type_node(f.type)))
        graph.add((node, OA.hasTarget, target))
        graph.add((target, RDF.type, OA.SpecificResource))
        graph.add((target, OA.hasSource, provision_node(f.provision_id)))
        graph.add((target, OA.hasSelector, position))
        graph.add((target, OA.hasSelector, quote))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(f.start)))
        graph.add((position, OA.end, Literal(f.end)))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, Literal(f.trigger, lang="ja")))
        graph.add((node, AR.confidence, Literal(round(float(f.confidence), 6), datatype=XSD.decimal)))
        graph.add((node, AR.matchedRule, Literal(f.rule)))
        graph.add((node, AR.phase, Literal(f.phase)))
        graph.add((node, AR.maxPhase, Literal(f.max_phase)))
        graph.add((node, AR.digitalAlternative, Literal(bool(f.digital_alternative))))
        graph.add((node, AR.reviewStatus, Literal(f.review_status)))
        graph.add((node, AR.sentence, Literal(f.sentence, lang="ja")))
        if f.obliged:
            graph.add((node, AR.obliged, Literal(f.obliged)))
        if f.scan_run_id:
            graph.add((node, PROV.wasGeneratedBy, URIRef(uris.scan_run_uri(f.scan_run_id))))
    for m in matches:
        node = URIRef(f"{finding_node(m.finding_id)}#match-{uris._segment(str(m.technology_id))}")
        graph.add((finding_node(m.finding_id), AR.substitutableBy, technology_node(m.technology_id)))
        graph.add((node, RDF.type, AR.TechMatch))
        graph.add((node, AR.finding, finding_node(m.finding_id)))
        graph.add((node, AR.technology, technology_node(m.technology_id)))
        graph.add((node, AR.rank, Literal(m.rank)))
        graph.add((node, AR.targetPhase, Literal(m.phase)))
        if m.rationale:
            graph.add((node, RDFS.comment, Literal(m.rationale, lang="ja")))
    provision_of = {f.id: f.provision_id for f in findings}
    for s in suggestions:
        node = URIRef(f"{uris.BASE}/id/suggestion/{s.id}")
        graph.add((node, RDF.type, PROV.Entity))
        graph.add((node, RDF.type, AR.RevisionSuggestion))
        graph.add((node, PROV.wasDerivedFrom, finding_node(s.finding_id)))
        if s.finding_id in provision_of:
            graph.add((node, AR.amendsSubdivision, provision_node(provision_of[s.finding_id])))
        graph.add((node, AR.oldText, Literal(s.old_text, lang="ja")))
        graph.add((node, AR.proposedText, Literal(s.new_text, lang="ja")))
        graph.add((node, AR.template, Literal(s.template_id)))
        if s.precedent:
            graph.add((node, AR.precedent, Literal(s.precedent, lang="ja")))
        if s.technology_id is not None:
            graph.add((node, AR.proposedTechnology, technology_node(s.technology_id)))
        if s.phase is not None:
            graph.add((node, AR.phase, Literal(s.phase)))
    for r in reviews:
        node = URIRef(f"{uris.BASE}/id/review/{r.id}")
        graph.add((node, RDF.type, OA.Annotation))
        graph.add((node, OA.motivatedBy, OA.assessing))
        graph.add((node, OA.hasTarget, finding_node(r.finding_id)))
        graph.add((node, OA.bodyValue, Literal(r.decision, lang="ja")))
        graph.add((node, DCTERMS.creator, Literal(r.reviewer)))
        graph.add((node, DCTERMS.created, Literal(r.created_at)))
        if r.comment:
            graph.add((node, RDFS.comment, Literal(r.comment, lang="ja")))
        if r.replaces:
            graph.add((node, DCTERMS.replaces, URIRef(f"{uris.BASE}/id/review/{r.replaces}")))
    for run in runs:
        node = URIRef(uris.scan_run_uri(run.id))
        graph.add((node, RDF.type, PROV.Activity))
        graph.add((node, PROV.startedAtTime, Literal(run.started_at)))
        if run.ended_at:
            graph.add((node, PROV.endedAtTime, Literal(run.ended_at)))
        graph.add((node, AR.versions, Literal(dumps(run.versions), datatype=RDF.JSON)))
        graph.add((node, AR.counts, Literal(dumps(run.counts), datatype=RDF.JSON)))
    for c in citations:
        graph.add((provision_node(c.source_id), ELI.cites, provision_node(c.target_id)))
    return graph


def open_store(kind: str = "embedded", path: str | Path | None = None, uri: str | None = None,
               user: str | None = None, password: str | None = None, **options: Any) -> GraphStore:
    """Open a graph store.

    kind: `embedded` (a directory at `path`, created when missing; default `./analogmap-graph`) or
    `neo4j` (`uri` such as bolt://host:7687, with `user`/`password`; `database` as an option).
    """
    if kind == "embedded":
        from .embedded import EmbeddedStore

        return EmbeddedStore(path or Path("analogmap-graph"), **options)
    if kind == "neo4j":
        from .neo4j_store import Neo4jStore

        if not uri:
            raise ValueError("open_store('neo4j') needs uri=")
        return Neo4jStore(uri, user=user or "neo4j", password=password or "", **options)
    raise ValueError(f"unknown store kind {kind!r}; use 'embedded' or 'neo4j'")


__all__ = ["GraphStore", "ENTITIES", "RDF_FORMATS", "open_store", "build_rdf_graph", "check_filter", "check_page",
           "check_count_key", "chunks"]
