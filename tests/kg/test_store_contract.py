"""The `GraphStore` contract: the embedded store and Neo4j give identical answers.

Every test runs once per store (`store` fixture: embedded in tmp_path; Neo4j via NEO4J_URI — skipped
without it, an error under CI=true).  Each compares the store's answers with a freshly loaded embedded
reference store holding the same data, and checks the answers themselves.  The Neo4j database is
wiped before and after each test (the CI database is dedicated to the tests).
"""
from __future__ import annotations

import hashlib
import json

import pytest
import rdflib
from analogmap.corpus import ids
from analogmap.corpus.model import Document, DocumentBuilder, Provision
from analogmap.kg.citations import document_citations
from analogmap.kg.embedded import EmbeddedStore
from analogmap.kg.records import (
    COUNT_KEYS,
    DocumentRecord,
    FindingRecord,
    InvalidCursor,
    Page,
    ProvisionFilter,
    ReviewRecord,
    ScanRunRecord,
    SuggestionRecord,
    TechMatchRecord,
    provisions_of,
    review_id,
    suggestion_id,
)
from analogmap.kg.store import ENTITIES, GraphStore, open_store
from rdflib.compare import isomorphic

LAW = "325AC0000000201"
ORDINANCE = "131016-jorei-R2-5"
RUN = "run-2024-06-01"

LAW_ARTICLES = [
    ("目的", ["この法律は、建築物の敷地、構造及び設備に関する最低の基準を定める。"]),
    ("表示", ["建築主は、工事現場の見やすい場所に、確認があつた旨の表示を掲示しなければならない。",
             "前項の掲示は、書面により行わなければならない。"]),
    ("検査", ["特定行政庁は、毎年一回以上、建築物の敷地及び構造について、その職員に実地に検査させなければならない。",
             "第二条第一項の規定により掲示をした者は、前条の規定による帳簿を事務所に備え置き、閲覧させなければならない。"]),
]
ORDINANCE_ARTICLES = [
    ("掲示", ["区長は、建築基準法第三条第一項の規定による検査の結果を、区役所の掲示場に掲示しなければならない。",
             "申請者は、申請書を区長に提出しなければならない。この場合において、申請者は、区役所の窓口において記名押印しなければならない。"]),
    ("会議", ["審査会は、委員の過半数が出席しなければ、会議を開くことができない。",
             "同法第二条第二項の書面及び前条第二項の申請書は、電磁的方法により提出することができる。"]),
]

INJECTIONS = [
    "') RETURN n //", '" } ; DROP', "*:*", '+-&&||!(){}[]^"~*?:\\/', "掲示\" OR 1=1 --", "'; MATCH (n) DETACH DELETE n; //",
    "} UNION SELECT * FROM documents --", "\\", "掲示 OR *", "$terms", "NOT 掲示", "掲示*", "掲示~", "\"掲示\"",
    "掲示) OR (1=1", "%", "_", "a' OR 'a'='a",
]


def make_document(doc_id: str, title: str, kind: str, jurisdiction: str, articles, version_date=None) -> Document:
    builder = DocumentBuilder()
    builder.add_line(title)
    provisions = []
    for number, (caption, paragraphs) in enumerate(articles, start=1):
        article_id = f"{doc_id}#a{number}"
        article_start = builder.position
        builder.add_line(f"（{caption}）")
        children = []
        for index, text in enumerate(paragraphs, start=1):
            prefix = f"第{ids.int_to_kanji(number)}条　" if index == 1 else f"{ids.int_to_kanji(index)}　"
            start, end = builder.add_line(text, prefix=prefix)
            children.append(Provision(provision_id=f"{article_id}-p{index}", kind="paragraph", num=str(index),
                                      label=f"第{ids.int_to_kanji(number)}条{ids.paragraph_label(str(index))}",
                                      text=text, start=start, end=end, parent_id=article_id))
        text = builder.text()
        provisions.append(Provision(provision_id=article_id, kind="article", num=str(number),
                                    label=f"第{ids.int_to_kanji(number)}条", text=text[article_start:builder.position - 1],
                                    start=article_start, end=builder.position - 1, caption=f"（{caption}）",
                                    children=children))
    text = builder.text()
    return Document(doc_id=doc_id, title=title, kind=kind, jurisdiction=jurisdiction, version_date=version_date,
                    source_path=f"<{doc_id}>", sha256=hashlib.sha256(text.encode()).hexdigest(), text=text,
                    provisions=provisions, source_format="test")


@pytest.fixture(scope="session")
def extractor():
    from analogmap.extractors.engine import Extractor

    return Extractor()


class Dataset:
    """Everything loaded into a store, as records."""

    def __init__(self, extractor) -> None:
        self.law = make_document(LAW, "建築基準法", "法律", "国", LAW_ARTICLES, "2024-04-01")
        self.ordinance = make_document(ORDINANCE, "千代田区建築条例", "条例", "東京都千代田区", ORDINANCE_ARTICLES)
        self.documents = [DocumentRecord.from_document(d) for d in (self.law, self.ordinance)]
        self.provisions = provisions_of(self.law) + provisions_of(self.ordinance)
        self.findings = [FindingRecord.from_finding(f, scan_run_id=RUN)
                         for d in (self.law, self.ordinance) for f in extractor.extract(d)]
        assert len(self.findings) >= 5, [(f.provision_id, f.type) for f in self.findings]
        by_type = sorted(self.findings, key=lambda f: f.id)
        self.tech_matches = []
        for index, finding in enumerate(by_type):
            self.tech_matches.append(TechMatchRecord(finding.id, str(1001 + index % 3), 1, 2, "遠隔で確認"))
            if index % 2 == 0:
                self.tech_matches.append(TechMatchRecord(finding.id, "1020", 2, 3, "常時監視"))
        first, second = by_type[0], by_type[1]
        self.suggestions = [SuggestionRecord(suggestion_id(first.id, "T-remote", "1001"), first.id, first.sentence,
                                             first.sentence.replace("掲示", "公表"), "T-remote", "令和四年法律第六十八号",
                                             "1001", 2)]
        r1 = ReviewRecord(review_id(first.id, "alice", "2024-05-01T09:00:00Z"), first.id, "該当", "alice",
                          "2024-05-01T09:00:00Z", "対面の掲示")
        r2 = ReviewRecord(review_id(first.id, "bob", "2024-05-02T09:00:00Z"), first.id, "要改正", "bob",
                          "2024-05-02T09:00:00Z", "改正が必要", replaces=None)
        r3 = ReviewRecord(review_id(second.id, "alice", "2024-05-03T09:00:00Z"), second.id, "非該当", "alice",
                          "2024-05-03T09:00:00Z")
        r4 = ReviewRecord(review_id(second.id, "carol", "2024-05-04T09:00:00Z"), second.id, "見直し不要", "carol",
                          "2024-05-04T09:00:00Z", replaces=r3.id)
        self.reviews = [r1, r2, r3, r4]
        self.expected_status = {first.id: "要改正", second.id: "見直し不要"}
        self.runs = [ScanRunRecord(RUN, "2024-06-01T00:00:00Z", "2024-06-01T00:01:00Z",
                                   {"extractor": "0.1.0", "sudachipy": "0.7"}, {"findings": len(self.findings)})]

    def load(self, store: GraphStore) -> None:
        store.upsert_documents(self.documents)
        store.upsert_provisions(self.provisions)
        store.upsert_findings(self.findings)
        store.upsert_tech_matches(self.tech_matches)
        store.upsert_suggestions(self.suggestions)
        store.upsert_reviews(self.reviews)
        store.upsert_scan_runs(self.runs)
        for document in (self.law, self.ordinance):
            store.upsert_citations(document_citations(store, provisions_of(document)))


@pytest.fixture(scope="session")
def dataset(extractor) -> Dataset:
    return Dataset(extractor)


@pytest.fixture(scope="session")
def neo4j_store(request):
    settings = request.getfixturevalue("neo4j_settings")
    store = open_store("neo4j", uri=settings["uri"], user=settings["user"], password=settings["password"],
                       batch_size=3)  # small batches: exercise batching
    yield store
    store.wipe()
    store.close()


@pytest.fixture(params=["embedded", "neo4j"])
def empty_store(request, tmp_path):
    if request.param == "embedded":
        store = open_store("embedded", path=tmp_path / "graph", batch_size=3)
        yield store
        store.close()
    else:
        store = request.getfixturevalue("neo4j_store")
        store.wipe()
        yield store
        store.wipe()


@pytest.fixture
def store(empty_store, dataset) -> GraphStore:
    dataset.load(empty_store)
    return empty_store


@pytest.fixture
def reference(tmp_path, dataset) -> GraphStore:
    store = EmbeddedStore(tmp_path / "reference")
    dataset.load(store)
    yield store
    store.close()


def dump(store: GraphStore) -> dict:
    return {entity: [r.to_dict() for r in store.iter_records(entity)] for entity in ENTITIES}


def all_pages(find, filter, limit, sort):
    items, cursor, seen_cursors = [], None, set()
    while True:
        result = find(filter, Page(cursor=cursor, limit=limit, sort=sort))
        items.extend(result.items)
        if result.next_cursor is None:
            return items
        assert result.next_cursor not in seen_cursors
        seen_cursors.add(result.next_cursor)
        cursor = result.next_cursor


# -- writes ----------------------------------------------------------------------------------------

def test_load_counts(store, dataset) -> None:
    stats = store.stats()
    assert stats["documents"] == 2
    assert stats["provisions"] == len(dataset.provisions)
    assert stats["findings"] == len(dataset.findings)
    assert stats["tech_matches"] == len(dataset.tech_matches)
    assert stats["suggestions"] == 1 and stats["reviews"] == 4 and stats["scan_runs"] == 1
    assert stats["citations"] >= 5


def test_upsert_is_idempotent(store, dataset, reference) -> None:
    before = dump(store)
    dataset.load(store)
    dataset.load(store)
    assert dump(store) == before
    assert before == dump(reference)


def test_upserts_report_written_and_skip_orphans(empty_store, dataset) -> None:
    assert empty_store.upsert_provisions(dataset.provisions[:3]) == 0  # no document yet
    assert empty_store.upsert_documents(dataset.documents) == 2
    assert empty_store.upsert_provisions(dataset.provisions) == len(dataset.provisions)
    assert empty_store.upsert_tech_matches(dataset.tech_matches) == 0  # no findings yet
    assert empty_store.upsert_findings(dataset.findings) == len(dataset.findings)
    assert empty_store.upsert_tech_matches(dataset.tech_matches) == len(dataset.tech_matches)
    assert empty_store.stats()["tech_matches"] == len(dataset.tech_matches)


def test_review_status_and_late_reviews(empty_store, dataset) -> None:
    empty_store.upsert_reviews(dataset.reviews)  # before their findings exist
    empty_store.upsert_documents(dataset.documents)
    empty_store.upsert_provisions(dataset.provisions)
    empty_store.upsert_findings(dataset.findings)
    status = {f.id: f.review_status for f in empty_store.iter_records("findings")}
    for fid, expected in dataset.expected_status.items():
        assert status[fid] == expected
    assert sum(s == "unreviewed" for s in status.values()) == len(dataset.findings) - 2
    detail = empty_store.get_provision(next(f.provision_id for f in dataset.findings if f.id in dataset.expected_status))
    assert any(item.reviews for item in detail.findings)


def test_document_hash(store, dataset) -> None:
    assert store.document_hash(LAW) == dataset.law.sha256
    assert store.document_hash("no-such-doc") is None
    assert store.get_document(LAW) == dataset.documents[0]


def test_replace_document(store, dataset, reference, extractor) -> None:
    changed_articles = [ORDINANCE_ARTICLES[0],
                        ("会議", ["審査会は、委員の過半数が出席しなければ、会議を開くことができない。"])]
    changed = make_document(ORDINANCE, "千代田区建築条例", "条例", "東京都千代田区", changed_articles)
    findings = [FindingRecord.from_finding(f) for f in extractor.extract(changed)]
    old_ids = {f.id for f in dataset.findings if f.doc_id == ORDINANCE}
    for target in (store, reference):
        target.replace_document(DocumentRecord.from_document(changed), provisions_of(changed), findings,
                                [TechMatchRecord(findings[0].id, "1005", 1, 2, "オンライン会議")],
                                citations=document_citations(target, provisions_of(changed)))
    assert store.document_hash(ORDINANCE) == changed.sha256
    assert store.get_provision(f"{ORDINANCE}#a2-p2") is None
    stored = {f.id for f in store.iter_records("findings") if f.doc_id == ORDINANCE}
    assert stored == {f.id for f in findings}
    gone = old_ids - stored
    assert not any(m.finding_id in gone for m in store.iter_records("tech_matches"))
    assert not any(s.finding_id in gone for s in store.iter_records("suggestions"))
    assert store.stats()["reviews"] == 4  # human decisions are kept
    assert not any(c.source_id == f"{ORDINANCE}#a2-p2" for c in store.iter_records("citations"))
    assert dump(store) == dump(reference)


def test_delete_document(store, reference) -> None:
    for target in (store, reference):
        assert target.delete_document(ORDINANCE) is True
        assert target.delete_document(ORDINANCE) is False
    assert store.stats()["documents"] == 1
    assert not store.find_provisions(ProvisionFilter(doc_id=ORDINANCE)).items
    assert dump(store) == dump(reference)


# -- reads -----------------------------------------------------------------------------------------

def test_get_provision(store, dataset, reference) -> None:
    for provision in dataset.provisions:
        assert store.get_provision(provision.id) == reference.get_provision(provision.id)
    first = dataset.suggestions[0].finding_id
    provision_id = next(f.provision_id for f in dataset.findings if f.id == first)
    detail = store.get_provision(provision_id)
    assert detail.document.id == provision_id.partition("#")[0]
    item = next(i for i in detail.findings if i.finding.id == first)
    assert item.finding.review_status == "要改正"
    assert [r.decision for r in item.reviews] == ["該当", "要改正"]
    assert item.suggestions == dataset.suggestions
    assert item.tech_matches and item.tech_matches == sorted(item.tech_matches, key=lambda m: (m.rank, m.technology_id))
    assert store.get_provision("no#such") is None


def test_citations_both_ways(store, reference) -> None:
    cites = store.citations_from(f"{ORDINANCE}#a1-p1")
    assert [(c.target_id, c.text) for c in cites] == [(f"{LAW}#a3-p1", "第三条第一項")]
    assert [c.target_id for c in store.citations_from(f"{ORDINANCE}#a2-p2")] == [f"{LAW}#a2-p2", f"{ORDINANCE}#a1-p2"]
    assert {c.target_id for c in store.citations_from(f"{LAW}#a3-p2")} == {f"{LAW}#a2-p1", f"{LAW}#a2"}
    assert [c.source_id for c in store.citations_to(f"{LAW}#a3-p1")] == [f"{ORDINANCE}#a1-p1"]
    for provision in reference.iter_records("provisions"):
        assert store.citations_from(provision.id) == reference.citations_from(provision.id)
        assert store.citations_to(provision.id) == reference.citations_to(provision.id)


def _filters(dataset):
    finding = dataset.findings[0]
    return [
        ProvisionFilter(),
        ProvisionFilter(doc_id=LAW),
        ProvisionFilter(jurisdiction="東京都千代田区"),
        ProvisionFilter(doc_kind="法律"),
        ProvisionFilter(provision_kind="article"),
        ProvisionFilter(type=finding.type),
        ProvisionFilter(type="paper_posting", doc_id=ORDINANCE),
        ProvisionFilter(technology_id="1020"),
        ProvisionFilter(technology_id="1001", phase=1),
        ProvisionFilter(phase=finding.phase),
        ProvisionFilter(review_status="要改正"),
        ProvisionFilter(review_status="unreviewed"),
        ProvisionFilter(review_status="非該当"),
        ProvisionFilter(min_confidence=0.8),
        ProvisionFilter(min_confidence=finding.confidence),
        ProvisionFilter(digital_alternative=True),
        ProvisionFilter(digital_alternative=False, jurisdiction="国"),
        ProvisionFilter(text="掲示"),
        ProvisionFilter(text="掲示 しなければ"),
        ProvisionFilter(text="区役所の窓口"),
        ProvisionFilter(text="申請書"),
        ProvisionFilter(text="第三条第一項"),
        ProvisionFilter(text="（検査）"),
        ProvisionFilter(text="掲"),
        ProvisionFilter(text="存在しない語句"),
        ProvisionFilter(text="掲示", type="paper_posting", min_confidence=0.5),
        ProvisionFilter(include_deleted=False),
    ]


def test_every_filter(store, dataset, reference) -> None:
    for filter in _filters(dataset):
        provisions = store.find_provisions(filter, Page(limit=1000))
        assert provisions == reference.find_provisions(filter, Page(limit=1000)), filter
        findings = store.find_findings(filter, Page(limit=1000))
        assert findings == reference.find_findings(filter, Page(limit=1000)), filter
        for item in findings.items:
            if filter.type:
                assert item.type == filter.type
            if filter.min_confidence is not None:
                assert item.confidence >= filter.min_confidence
        for term in filter.terms():
            assert all(term in p.text for p in provisions.items)
    everything = store.find_provisions(None, Page(limit=1000)).items
    assert len(everything) == len(dataset.provisions)
    posted = store.find_provisions(ProvisionFilter(text="掲示 しなければ"), Page(limit=1000)).items
    assert posted and all("掲示" in p.text and "しなければ" in p.text for p in posted)
    assert store.find_provisions(ProvisionFilter(review_status="要改正")).items


@pytest.mark.parametrize("sort", ["id", "document", "confidence"])
@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_pagination(store, dataset, reference, sort, limit) -> None:
    filters = [ProvisionFilter(), ProvisionFilter(text="掲示"), ProvisionFilter(doc_id=LAW)]
    for filter in filters:
        if sort != "confidence":
            full = store.find_provisions(filter, Page(limit=1000, sort=sort)).items
            paged = all_pages(store.find_provisions, filter, limit, sort)
            assert paged == full
            assert len({p.id for p in paged}) == len(paged)
            assert paged == all_pages(reference.find_provisions, filter, limit, sort)
        full = store.find_findings(filter, Page(limit=1000, sort=sort)).items
        paged = all_pages(store.find_findings, filter, limit, sort)
        assert paged == full and len({f.id for f in paged}) == len(paged)
        assert paged == all_pages(reference.find_findings, filter, limit, sort)
    ordered = store.find_findings(None, Page(limit=1000, sort="confidence")).items
    assert [f.confidence for f in ordered] == sorted((f.confidence for f in ordered), reverse=True)
    first = store.find_provisions(None, Page(limit=2))
    assert first.next_cursor == reference.find_provisions(None, Page(limit=2)).next_cursor


def test_bad_cursor_and_page(store) -> None:
    with pytest.raises(InvalidCursor):
        store.find_provisions(None, Page(cursor="not-a-cursor"))
    cursor = store.find_provisions(None, Page(limit=1)).next_cursor
    with pytest.raises(InvalidCursor):
        store.find_provisions(None, Page(cursor=cursor, sort="document"))
    with pytest.raises(ValueError):
        Page(limit=0)
    with pytest.raises(ValueError):
        store.find_provisions(None, Page(sort="confidence"))
    with pytest.raises(ValueError):
        store.counts("nonsense")


def test_counts(store, dataset, reference) -> None:
    for by in COUNT_KEYS:
        for filter in _filters(dataset):
            for distinct in (False, True):
                assert store.counts(by, filter, distinct) == reference.counts(by, filter, distinct), (by, filter)
    by_type = store.counts("type")
    assert sum(by_type.values()) == len(dataset.findings)
    assert by_type == dict(sorted(
        {t: sum(f.type == t for f in dataset.findings) for t in {f.type for f in dataset.findings}}.items()))
    assert store.counts("status")["要改正"] == 1 and store.counts("status")["見直し不要"] == 1
    assert set(store.counts("law")) == {LAW, ORDINANCE}
    assert store.counts("jurisdiction").keys() == {"国", "東京都千代田区"}
    assert sum(store.counts("technology").values()) == len(dataset.tech_matches)


def test_rdf_export(store, reference) -> None:
    turtle = store.export_rdf("turtle")
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert len(graph) > 100
    assert isomorphic(graph, rdflib.Graph().parse(data=reference.export_rdf("turtle"), format="turtle"))
    json_ld = store.export_rdf("json-ld")
    assert isomorphic(rdflib.Graph().parse(data=json_ld, format="json-ld"), graph)
    json.loads(json_ld)
    eli = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
    assert (None, eli.cites, None) in graph
    subset = rdflib.Graph().parse(data=store.export_rdf("turtle", ProvisionFilter(doc_id=LAW)), format="turtle")
    assert 0 < len(subset) < len(graph)
    assert isomorphic(subset, rdflib.Graph().parse(
        data=reference.export_rdf("turtle", ProvisionFilter(doc_id=LAW)), format="turtle"))
    with pytest.raises(ValueError):
        store.export_rdf("yaml")


def test_injection_in_every_free_text_filter(store, reference) -> None:
    before = dump(store)
    for payload in INJECTIONS:
        for filter in (ProvisionFilter(text=payload), ProvisionFilter(text=f"掲示 {payload}"),
                       ProvisionFilter(doc_id=payload), ProvisionFilter(jurisdiction=payload),
                       ProvisionFilter(doc_kind=payload), ProvisionFilter(type=payload),
                       ProvisionFilter(technology_id=payload), ProvisionFilter(provision_kind=payload)):
            provisions = store.find_provisions(filter, Page(limit=1000))
            assert provisions == reference.find_provisions(filter, Page(limit=1000)), (payload, filter)
            for provision in provisions.items:
                assert all(term in provision.text for term in filter.terms())
            assert store.find_findings(filter, Page(limit=1000)) == reference.find_findings(filter, Page(limit=1000))
            assert store.counts("type", filter) == reference.counts("type", filter)
        assert store.get_provision(payload) is None
        assert store.citations_from(payload) == [] and store.citations_to(payload) == []
        assert store.document_hash(payload) is None
        assert store.resolve_titles([payload]) == {}
        with pytest.raises(InvalidCursor):
            store.find_provisions(None, Page(cursor=payload))
    # payloads that match nothing return nothing
    assert store.find_provisions(ProvisionFilter(text="') RETURN n //")).items == []
    assert store.find_provisions(ProvisionFilter(text="*:*")).items == []
    assert dump(store) == before


def test_injection_in_written_values_is_data(empty_store, dataset) -> None:
    payload = "'); MATCH (n) DETACH DELETE n; // \" } ; DROP TABLE provisions; --"
    document = DocumentRecord("evil-doc", payload, "その他", payload)
    empty_store.upsert_documents(dataset.documents + [document])
    assert empty_store.get_document("evil-doc") == document
    assert empty_store.resolve_titles([payload]) == {payload: "evil-doc"}
    assert empty_store.stats()["documents"] == 3


def test_resolve_titles(store) -> None:
    assert store.resolve_titles(["建築基準法", "千代田区建築条例", "無い法"]) == {
        "建築基準法": LAW, "千代田区建築条例": ORDINANCE}
    assert store.existing_provision_ids([f"{LAW}#a1", "x#a1"]) == {f"{LAW}#a1"}


def test_open_store_rejects_unknown_kind(tmp_path) -> None:
    with pytest.raises(ValueError):
        open_store("sparql", path=tmp_path)
    with pytest.raises(ValueError):
        open_store("neo4j")
