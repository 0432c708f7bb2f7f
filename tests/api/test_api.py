"""API tests with the FastAPI test client, over both stores (embedded in tmp_path; Neo4j via NEO4J_URI —
skipped without it, an error under CI=true).

The data: the sample ordinance (tests/api/fixtures/sample_ordinance.txt) stored through
`POST /check?store=true`, plus a small national law (records) with a suggestion and a citation.
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

fastapi = pytest.importorskip("fastapi")
from analogmap.api.app import create_app  # noqa: E402
from analogmap.api.settings import Settings  # noqa: E402
from analogmap.kg.records import (  # noqa: E402
    CitationRecord,
    DocumentRecord,
    FindingRecord,
    ProvisionRecord,
    SuggestionRecord,
    TechMatchRecord,
    suggestion_id,
)
from analogmap.kg.store import ENTITIES, open_store  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = (FIXTURES / "sample_ordinance.txt").read_text(encoding="utf-8")
EGOV_XML = Path(__file__).parents[1] / "corpus" / "fixtures" / "egov_xml_sample" / \
    "505AC0000000099_20240401_505AC0000000063.xml"
TOKEN = "alice-token-0123456789"
OTHER_TOKEN = "bob-token-9876543210xx"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LAW = "999AC0000000001"
PROBLEM = "application/problem+json"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _neo4j_store():
    uri = os.environ.get("NEO4J_URI", "").strip()
    if not uri:
        reason = "NEO4J_URI is not set: start scripts/neo4j-test-server and export NEO4J_URI"
        if _in_ci():
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return open_store("neo4j", uri=uri, user=os.environ.get("NEO4J_USER", "neo4j"),
                      password=os.environ.get("NEO4J_PASSWORD", ""))


def load_law(store) -> dict:
    """A two-provision national law with a finding, a tech match, a suggestion and a citation."""
    text1 = "事業者は、事務所に標識を掲示しなければならない。"
    text2 = "前条の掲示は、書面により行う。"
    document = DocumentRecord(LAW, "テスト掲示法", "法律", "国", "2024-04-01", "令和六年法律第一号", "<test>", "0" * 64, "test")
    p1 = ProvisionRecord(f"{LAW}#a1-p1", LAW, "paragraph", "第一条第一項", text1, 10, 10 + len(text1), "1")
    p2 = ProvisionRecord(f"{LAW}#a2-p1", LAW, "paragraph", "第二条第一項", text2, 40, 40 + len(text2), "1")
    start = 10 + text1.index("掲示")
    finding = FindingRecord("f" * 16, LAW, p1.id, "paper_posting", "掲示", start, start + 2, text1, "PP-01", 0.93,
                            False, 1, 3, "regulated_party", "書面掲示規制", "紙の掲示を求める")
    sid = suggestion_id(finding.id, "T-web", "1040")
    suggestion = SuggestionRecord(sid, finding.id, text1, text1.replace("掲示しなければ", "掲示し、又は電子的方法により公衆の閲覧に供しなければ"),
                                  "T-web", "令和五年法律第六十三号", "1040", 3)
    store.replace_document(document, [p1, p2], [finding], [TechMatchRecord(finding.id, "1040", 1, 3, "電子掲示")],
                           [suggestion], [CitationRecord(p2.id, p1.id, 40, 42, "前条")])
    return {"provision": p1.id, "cited_by": p2.id, "finding": finding.id, "suggestion": sid}


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def env(request, tmp_path_factory):
    """(client, store, facts) with the data loaded; one per store."""
    if request.param == "embedded":
        store = open_store("embedded", path=tmp_path_factory.mktemp("graph"))
    else:
        store = _neo4j_store()
        store.wipe()
    settings = Settings(store_path=Path("unused"), api_tokens={"alice": TOKEN, "bob": OTHER_TOKEN},
                        max_upload_bytes=64 * 1024)
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        facts = load_law(store)
        response = client.post("/check?store=true", json={"content": SAMPLE, "doc_id": "sakura-akiya"}, headers=AUTH)
        assert response.status_code == 200, response.text
        facts["draft"] = "sakura-akiya"
        yield client, store, facts
    if request.param == "neo4j":
        store.wipe()
    store.close()


def snapshot(store) -> dict:
    return {entity: sorted(json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False)
                           for r in store.iter_records(entity)) for entity in ENTITIES}


def assert_problem(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["type"].endswith(code)
    if field is not None:
        assert any(e["field"] == field for e in body.get("errors", [])), body
    return body


# -- OpenAPI -------------------------------------------------------------------------------------

def test_openapi_documents_every_endpoint(env):
    client, _, _ = env
    spec = client.get("/openapi.json").json()
    for path in ("/provisions", "/provisions/{provision_id}", "/check", "/documents/{doc_id}/shinkyu", "/techmap",
                 "/techmap/technologies/{technology_id}", "/stats", "/export", "/reviews"):
        assert path in spec["paths"], path
    check = spec["paths"]["/check"]["post"]
    assert set(check["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "ProblemModel" in spec["components"]["schemas"]


# -- check ---------------------------------------------------------------------------------------

def test_check_returns_findings_with_matches_and_stores_nothing(env):
    client, store, _ = env
    before = snapshot(store)
    response = client.post("/check", json={"content": SAMPLE})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["stored"] is False and body["document"]["kind"] == "条例"
    types = {f["type"] for f in body["findings"]}
    assert {"visual_inspection", "onsite_audit", "paper_posting", "physical_media", "inperson_procedure"} <= types
    for finding in body["findings"]:
        assert body["text"][finding["start"]:finding["end"]] == finding["trigger"]
        assert finding["rule"] and 0 < finding["confidence"] <= 1 and finding["type_label"]
    visual = next(f for f in body["findings"] if f["type"] == "visual_inspection")
    assert visual["tech_matches"] and visual["tech_matches"][0]["rank"] == 1 and visual["tech_matches"][0]["name_ja"]
    assert snapshot(store) == before


def test_check_multipart_upload_text_html_and_egov_xml(env):
    client, store, _ = env
    before = snapshot(store)
    response = client.post("/check", files={"file": ("jorei.txt", SAMPLE.encode("cp932"), "text/plain")})
    assert response.status_code == 200, response.text
    assert response.json()["findings"]
    html = "<html><head><meta charset='utf-8'><title>掲示条例</title></head><body><p>○掲示条例</p>" \
           "<p>第一条　市長は、公告を市役所前の掲示場に掲示しなければならない。</p></body></html>"
    response = client.post("/check", files={"file": ("jorei.html", html.encode("utf-8"), "text/html")})
    assert response.status_code == 200, response.text
    assert any(f["type"] == "paper_posting" for f in response.json()["findings"])
    response = client.post("/check", files={"file": (EGOV_XML.name, EGOV_XML.read_bytes(), "application/xml")})
    assert response.status_code == 200, response.text
    assert response.json()["document"]["id"] == "505AC0000000099"
    assert snapshot(store) == before


def test_check_downloads(env):
    client, _, _ = env
    csv_response = client.post("/check?format=csv", json={"content": SAMPLE})
    assert csv_response.status_code == 200 and csv_response.headers["content-type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,doc_id,provision_id") and len(lines) > 10
    xlsx = client.post("/check?format=xlsx", json={"content": SAMPLE})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("第十七条" in v for v in values)
    html = client.post("/check?format=html", json={"content": SAMPLE})
    assert html.status_code == 200 and "新旧対照表" in html.text


def test_check_store_needs_a_token_and_refusals_change_nothing(env):
    client, store, _ = env
    before = snapshot(store)
    assert_problem(client.post("/check?store=true", json={"content": SAMPLE}), 401, "unauthorized")
    response = client.post("/check?store=true", json={"content": SAMPLE}, headers={"Authorization": "Bearer wrong-token-xxxxxxxx"})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    # another reviewer's draft and a corpus document are never overwritten
    other = {"Authorization": f"Bearer {OTHER_TOKEN}"}
    assert_problem(client.post("/check?store=true", json={"content": SAMPLE, "doc_id": "sakura-akiya"}, headers=other),
                   409, "conflict", "body.doc_id")
    assert_problem(client.post("/check?store=true", json={"content": SAMPLE, "doc_id": LAW}, headers=AUTH),
                   409, "conflict")
    assert snapshot(store) == before


def test_oversized_and_malformed_uploads(env):
    client, store, _ = env
    before = snapshot(store)
    big = "第一条　" + "あ" * 40_000  # 120 kB of UTF-8 > 64 kB limit
    assert_problem(client.post("/check", json={"content": big}), 413, "payload-too-large")
    assert_problem(client.post("/check", files={"file": ("big.txt", big.encode("utf-8"), "text/plain")}),
                   413, "payload-too-large")
    assert_problem(client.post("/check?store=true", json={"content": big}, headers=AUTH), 413, "payload-too-large")
    assert_problem(client.post("/check", content=b"{not json", headers={"Content-Type": "application/json"}),
                   422, "validation-error", "body")
    assert_problem(client.post("/check", json={"content": ""}), 422, "validation-error", "body.content")
    assert_problem(client.post("/check", json={"text": SAMPLE}), 422, "validation-error", "body.content")
    assert_problem(client.post("/check", json={"content": SAMPLE, "format": "pdf"}), 422, "validation-error",
                   "body.format")
    assert_problem(client.post("/check", files={"file": ("x.bin", b"\x00\x01\x02" * 100, "application/octet-stream")}),
                   422, "unreadable-document")
    assert_problem(client.post("/check", json={"content": "<?xml version='1.0'?><Law><Broken>"}), 422,
                   "unreadable-document")
    assert_problem(client.post("/check", json={"content": "hello"}), 422, "unreadable-document")
    assert_problem(client.post("/check", content=b"abc", headers={"Content-Type": "text/plain"}), 415,
                   "unsupported-media-type")
    assert_problem(client.post("/check?format=docx", json={"content": SAMPLE}), 422, "validation-error",
                   "query.format")
    assert snapshot(store) == before


# -- provisions ----------------------------------------------------------------------------------

def test_provisions_filters_and_pagination(env):
    client, _, facts = env
    response = client.get("/provisions", params={"type": "paper_posting"})
    assert response.status_code == 200
    ids = [p["id"] for p in response.json()["items"]]
    assert facts["provision"] in ids and any(i.startswith("sakura-akiya#a17") for i in ids)
    only_law = client.get("/provisions", params={"type": "paper_posting", "jurisdiction": "国"}).json()["items"]
    assert [p["id"] for p in only_law] == [facts["provision"]]
    assert only_law[0]["document_title"] == "テスト掲示法"
    assert client.get("/provisions", params={"law": "sakura-akiya", "kind": "条例", "q": "フレキシブルディスク"}).json()["items"]
    assert client.get("/provisions", params={"technology": "1040", "min_confidence": 0.9}).json()["items"][0]["id"] \
        == facts["provision"]
    assert client.get("/provisions", params={"status": "unreviewed", "digital": "false", "phase": 1,
                                             "law": LAW}).json()["items"]
    assert client.get("/provisions", params={"q": "存在しない語句"}).json() == {"items": [], "next_cursor": None}
    # the cursor walks every provision of the draft exactly once, in document order
    seen, cursor = [], None
    while True:
        params = {"law": "sakura-akiya", "limit": 7, "sort": "document"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/provisions", params=params).json()
        seen.extend(p["id"] for p in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) > 30
    starts = [p for p in seen]
    assert starts[0].startswith("sakura-akiya#")


def test_provisions_validation_errors_name_the_field(env):
    client, _, _ = env
    assert_problem(client.get("/provisions", params={"status": "maybe"}), 422, "validation-error", "query.status")
    assert_problem(client.get("/provisions", params={"min_confidence": 2}), 422, "validation-error",
                   "query.min_confidence")
    assert_problem(client.get("/provisions", params={"limit": 0}), 422, "validation-error", "query.limit")
    assert_problem(client.get("/provisions", params={"limit": 500}), 422, "validation-error", "query.limit")
    assert_problem(client.get("/provisions", params={"sort": "confidence"}), 422, "validation-error", "query.sort")
    assert_problem(client.get("/provisions", params={"cursor": "garbage"}), 422, "invalid-cursor", "query.cursor")
    assert_problem(client.get("/provisions", params={"q": " ".join(["a"] * 20)}), 422, "validation-error")


def test_provision_detail(env):
    client, _, facts = env
    response = client.get("/provisions/" + facts["provision"].replace("#", "%23"))
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["document"]["title"] == "テスト掲示法"
    finding = detail["findings"][0]
    text = detail["provision"]["text"]
    assert text[finding["span_start"]:finding["span_end"]] == "掲示"
    assert finding["rule"] == "PP-01" and finding["confidence"] == pytest.approx(0.93) and finding["rationale"]
    assert finding["tech_matches"][0]["technology_id"] == "1040" and finding["tech_matches"][0]["name_ja"]
    suggestion = finding["suggestions"][0]
    assert suggestion["precedent"] == "令和五年法律第六十三号"
    assert ["insert", "、又は電子的方法により公衆の閲覧に供し"] in [list(s) for s in suggestion["diff"]]
    assert [c["source_id"] for c in detail["cited_by"]] == [facts["cited_by"]]
    cited = client.get("/provisions/" + facts["cited_by"].replace("#", "%23")).json()
    assert [c["target_id"] for c in cited["cites"]] == [facts["provision"]]
    assert_problem(client.get("/provisions/nope%23a1"), 404, "not-found")


# -- reviews -------------------------------------------------------------------------------------

def test_reviews_need_a_token_and_keep_history(env):
    client, store, facts = env
    body = {"finding_id": facts["finding"], "provision_id": facts["provision"], "decision": "該当", "comment": "要確認"}
    before = snapshot(store)
    assert_problem(client.post("/reviews", json=body), 401, "unauthorized")
    assert_problem(client.post("/reviews", json=body, headers={"Authorization": "Bearer not-a-valid-token-123"}), 401,
                   "unauthorized")
    assert_problem(client.post("/reviews", json=body, headers={"Authorization": f"Basic {TOKEN}"}), 401, "unauthorized")
    assert_problem(client.post("/reviews", json={**body, "decision": "たぶん"}, headers=AUTH), 422, "validation-error",
                   "body.decision")
    assert_problem(client.post("/reviews", json={**body, "finding_id": "0" * 16}, headers=AUTH), 404, "not-found",
                   "body.finding_id")
    assert snapshot(store) == before

    first = client.post("/reviews", json=body, headers=AUTH)
    assert first.status_code == 201, first.text
    first = first.json()
    assert first["reviewer"] == "alice" and first["replaces"] is None and first["review_status"] == "該当"
    second = client.post("/reviews", json={**body, "decision": "要改正", "comment": ""},
                         headers={"Authorization": f"Bearer {OTHER_TOKEN}"}).json()
    assert second["reviewer"] == "bob" and second["replaces"] == first["id"] and second["review_status"] == "要改正"
    detail = client.get("/provisions/" + facts["provision"].replace("#", "%23")).json()
    finding = detail["findings"][0]
    assert [r["decision"] for r in finding["reviews"]] == ["該当", "要改正"]
    assert finding["review_status"] == "要改正"
    assert client.get("/provisions", params={"status": "要改正"}).json()["items"][0]["id"] == facts["provision"]


def test_writes_are_refused_when_no_token_is_configured(env):
    _, store, facts = env
    app = create_app(Settings(store_path=Path("unused")), store=store)
    with TestClient(app) as client:
        body = {"finding_id": facts["finding"], "provision_id": facts["provision"], "decision": "該当"}
        assert_problem(client.post("/reviews", json=body, headers=AUTH), 401, "unauthorized")
        assert_problem(client.post("/check?store=true", json={"content": SAMPLE}, headers=AUTH), 401, "unauthorized")
        assert client.get("/provisions").status_code == 200  # reads stay open


# -- documents, techmap, stats, export --------------------------------------------------------------

def test_shinkyu(env):
    client, _, facts = env
    html = client.get(f"/documents/{LAW}/shinkyu")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "電子的方法により" in html.text and "テスト掲示法" in html.text
    xlsx = client.get(f"/documents/{facts['draft']}/shinkyu", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert_problem(client.get("/documents/unknown/shinkyu"), 404, "not-found")
    assert_problem(client.get(f"/documents/{LAW}/shinkyu", params={"format": "pdf"}), 422, "validation-error",
                   "query.format")
    assert client.get(f"/documents/{LAW}").json()["title"] == "テスト掲示法"


def test_techmap(env):
    client, _, _ = env
    techmap = client.get("/techmap").json()
    assert len(techmap["technologies"]) > 30 and techmap["groups"]
    assert any(t["code"] == "visual_inspection" and t["technologies"] for t in techmap["types"])
    drone = client.get("/techmap/technologies/1016").json()
    assert drone["name_ja"] == "無人航空機・ドローン" and drone["catalog_products"]
    assert any(link["type_code"] == "visual_inspection" for link in drone["analog_types"])
    assert_problem(client.get("/techmap/technologies/1"), 404, "not-found")
    assert_problem(client.get("/techmap/technologies/abc"), 422, "validation-error", "path.technology_id")


def test_stats(env):
    client, _, _ = env
    stats = client.get("/stats").json()
    assert stats["totals"]["documents"] == 2
    assert stats["by_type"]["paper_posting"] >= 5
    assert stats["by_law"][LAW] == 1 and stats["labels"]["law"][LAW] == "テスト掲示法"
    assert stats["by_jurisdiction"]["国"] == 1 and stats["by_doc_kind"]["条例"] >= 20
    assert "1040" in stats["by_technology"] and stats["by_phase"]
    only = client.get("/stats", params={"jurisdiction": "国"}).json()
    assert only["by_type"] == {"paper_posting": 1}


def test_export(env):
    client, _, facts = env
    csv_text = client.get("/export", params={"format": "csv", "jurisdiction": "国"}).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("finding_id,doc_id") and len(lines) == 2 and facts["finding"] in lines[1]
    xlsx = client.get("/export", params={"format": "xlsx", "type": "paper_posting"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    ttl = client.get("/export", params={"format": "ttl", "law": LAW})
    assert ttl.status_code == 200 and "eli:LegalResource" in ttl.text
    import rdflib

    graph = rdflib.Graph().parse(data=client.get("/export", params={"format": "jsonld", "law": LAW}).text,
                                 format="json-ld")
    assert len(graph) > 20
    assert_problem(client.get("/export", params={"format": "pdf"}), 422, "validation-error", "query.format")


def test_unknown_route_and_method_are_problems(env):
    client, _, _ = env
    assert_problem(client.get("/nowhere"), 404, "not-found")
    assert_problem(client.delete("/provisions"), 405, "method-not-allowed")


# -- web page ------------------------------------------------------------------------------------

def test_web_pages(env):
    client, _, _ = env
    for path, marker in (("/", "チェックする"), ("/browse", "検索"), ("/overview", "<svg")):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert '<html lang="ja">' in response.text and marker in response.text
    check_page = client.get("/").text
    assert '<label for="content">' in check_page and 'id="content"' in check_page
    assert "書面掲示規制" in check_page  # legend
    for asset in ("/static/app.css", "/static/common.js", "/static/check.js", "/static/browse.js"):
        assert client.get(asset).status_code == 200


# -- settings ------------------------------------------------------------------------------------

def test_settings_refuse_weak_tokens_and_cors_is_closed_by_default(tmp_path):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Settings(api_tokens={"alice": "short"})
    store = open_store("embedded", path=tmp_path / "g")
    try:
        closed = TestClient(create_app(Settings(), store=store))
        response = closed.get("/techmap", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers
        opened = TestClient(create_app(Settings(cors_origins=["https://city.example.lg.jp"]), store=store))
        response = opened.get("/techmap", headers={"Origin": "https://city.example.lg.jp"})
        assert response.headers["access-control-allow-origin"] == "https://city.example.lg.jp"
    finally:
        store.close()


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("ANALOGMAP_API_TOKENS", json.dumps({"carol": "c" * 20}))
    monkeypatch.setenv("ANALOGMAP_MAX_UPLOAD_BYTES", "2048")
    monkeypatch.setenv("ANALOGMAP_STORE", "neo4j")
    settings = Settings()
    assert settings.api_tokens["carol"].get_secret_value() == "c" * 20
    assert settings.max_upload_bytes == 2048 and settings.store == "neo4j" and settings.cors_origins == []
