"""Tests for the e-Gov 法令API v2 client, against a local fake server (never the real network)."""
from __future__ import annotations

import base64
import json
import socket
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from analogmap.corpus.egov_api import (
    EgovClient,
    FetchError,
    LawHit,
    _parse_retry_after,
    default_cache_dir,
    default_min_interval,
    fetch,
    fetch_command,
    validate_law_xml,
)

LAW_ID = "401AC0000000001"
REV_ID = "401AC0000000001_20190501_000000000000000"
LAW_ID_2 = "402CO0000000002"
REV_ID_2 = "402CO0000000002_20200401_000000000000000"

LAW_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Law Era="Reiwa" Year="1" Num="1" LawType="Act" Lang="ja"><LawNum>令和元年法律第一号</LawNum>'
    "<LawBody><LawTitle>テスト法</LawTitle><MainProvision><Article Num=\"1\"><ArticleTitle>第一条</ArticleTitle>"
    '<Paragraph Num="1"><ParagraphNum/><ParagraphSentence><Sentence>申請は、書面により行わなければならない。'
    "</Sentence></ParagraphSentence></Paragraph></Article></MainProvision></LawBody></Law>"
).encode("utf-8")
LAW_XML_2 = LAW_XML.replace("テスト法".encode(), "テスト法施行令".encode()).replace(
    "令和元年法律第一号".encode(), "令和二年政令第二号".encode())
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Service unavailable</body></html>"


def law_info(law_id: str, law_num: str) -> dict:
    return {"law_type": "Act", "law_id": law_id, "law_num": law_num, "law_num_era": "Reiwa",
            "law_num_year": 1, "law_num_type": "Act", "law_num_num": "001", "promulgation_date": "2019-05-01"}


def revision_info(rev_id: str, title: str) -> dict:
    return {"law_revision_id": rev_id, "law_type": "Act", "law_title": title, "law_title_kana": "てすとほう",
            "abbrev": None, "category": "行政手続", "updated": "2024-04-01T00:00:00+09:00",
            "amendment_enforcement_date": "2019-05-01", "current_revision_status": "CurrentEnforced"}


def law_data_body(law_id: str, rev_id: str, title: str, law_num: str, xml: bytes) -> bytes:
    """`GET /law_data/{id}?law_full_text_format=xml` (response_format=json): Base64 XML in JSON."""
    return json.dumps({
        "attached_files_info": None,
        "law_info": law_info(law_id, law_num),
        "revision_info": revision_info(rev_id, title),
        "law_full_text": base64.b64encode(xml).decode("ascii"),
    }, ensure_ascii=False).encode("utf-8")


def laws_body(*entries: tuple[str, str, str, str]) -> bytes:
    """`GET /laws` answer with (law_id, rev_id, title, law_num) entries."""
    laws = [{"law_info": law_info(lid, num), "revision_info": revision_info(rid, title),
             "current_revision_info": revision_info(rid, title)} for lid, rid, title, num in entries]
    return json.dumps({"total_count": len(laws), "count": len(laws), "laws": laws}, ensure_ascii=False).encode()


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()


LAW_DATA_1 = law_data_body(LAW_ID, REV_ID, "テスト法", "令和元年法律第一号", LAW_XML)
LAW_DATA_2 = law_data_body(LAW_ID_2, REV_ID_2, "テスト法施行令", "令和二年政令第二号", LAW_XML_2)
JSON = {"Content-Type": "application/json"}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeEgov:
    """A scripted stand-in for laws.e-gov.go.jp/api/2: per path a queue of replies (the last one sticks)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                path = parts.path.removeprefix("/api/2")
                fake.requests.append(Seen(path, parse_qs(parts.query), dict(self.headers)))
                queue = fake.routes.get(path)
                if not queue:
                    reply = Reply(404, error_body("404001", "not found"))
                else:
                    reply = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01},
                                       daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/2"

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def count(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def server():
    fake = FakeEgov()
    yield fake
    fake.close()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(server: FakeEgov, tmp_path: Path, sleeps: SleepRecorder):
    with EgovClient(base_url=server.base_url, cache_dir=tmp_path / "cache", timeout=5, max_retries=3,
                    backoff=0.001, min_interval=0, sleep=sleeps) as egov:
        yield egov


# -- download --------------------------------------------------------------------------------


def test_fetch_law_downloads_validates_and_caches(server: FakeEgov, client: EgovClient, tmp_path: Path):
    server.route(f"/law_data/{LAW_ID}", Reply(body=LAW_DATA_1))
    path = client.fetch_law(LAW_ID)
    assert path == tmp_path / "cache" / LAW_ID / f"{REV_ID}.xml"
    assert path.read_bytes() == LAW_XML
    meta = json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))
    assert meta["law_revision_id"] == REV_ID and meta["law_title"] == "テスト法" and meta["file"] == path.name
    assert not list(path.parent.glob("*.part")), "temporary files are renamed or removed"
    (seen,) = server.requests
    assert seen.query["law_full_text_format"] == ["xml"]
    assert seen.headers["User-Agent"].startswith("analogmap/")


def test_second_fetch_hits_the_cache_without_network(server: FakeEgov, client: EgovClient):
    server.route(f"/law_data/{LAW_ID}", Reply(body=LAW_DATA_1))
    first = client.fetch_law(LAW_ID)
    assert server.count() == 1
    assert client.fetch_law(LAW_ID) == first
    assert server.count() == 1, "a cache hit makes no request"
    assert client.fetch_law(LAW_ID, refresh=True) == first
    assert server.count() == 2, "refresh=True goes to the network"


def test_503_twice_then_200_is_retried(server: FakeEgov, client: EgovClient, sleeps: SleepRecorder):
    busy = Reply(503, error_body("503000", "busy"))
    server.route(f"/law_data/{LAW_ID}", busy, busy, Reply(body=LAW_DATA_1))
    path = client.fetch_law(LAW_ID)
    assert path.read_bytes() == LAW_XML
    assert server.count() == 3
    assert sleeps.calls == [0.001, 0.002], "exponential backoff"


def test_429_honours_retry_after(server: FakeEgov, tmp_path: Path, sleeps: SleepRecorder):
    limited = Reply(429, error_body("429000", "too many requests"), {**JSON, "Retry-After": "0"})
    server.route(f"/law_data/{LAW_ID}", limited, Reply(body=LAW_DATA_1))
    with EgovClient(base_url=server.base_url, cache_dir=tmp_path, backoff=100, min_interval=0,
                    sleep=sleeps) as egov:
        assert egov.fetch_law(LAW_ID).is_file()
    assert server.count() == 2
    assert sleeps.calls == [0.0], "Retry-After wins over the (huge) backoff"


def test_404_is_a_clear_error_and_not_retried(server: FakeEgov, client: EgovClient, tmp_path: Path):
    server.route(f"/law_data/{LAW_ID}", Reply(404, error_body("404004", "指定の法令は存在しません。")))
    with pytest.raises(FetchError) as info:
        client.fetch_law(LAW_ID)
    assert info.value.status == 404
    assert f"/law_data/{LAW_ID}" in info.value.url
    assert "HTTP 404" in str(info.value) and "404004" in str(info.value)
    assert server.count() == 1
    assert not (tmp_path / "cache" / LAW_ID).exists()


def test_other_4xx_is_not_retried(server: FakeEgov, client: EgovClient):
    server.route(f"/law_data/{LAW_ID}", Reply(400, error_body("400001", "bad request")))
    with pytest.raises(FetchError, match="HTTP 400"):
        client.fetch_law(LAW_ID)
    assert server.count() == 1


def test_persistent_5xx_gives_up_after_max_retries(server: FakeEgov, client: EgovClient):
    server.route(f"/law_data/{LAW_ID}", Reply(502, HTML_PAGE, {"Content-Type": "text/html"}))
    with pytest.raises(FetchError) as info:
        client.fetch_law(LAW_ID)
    assert info.value.status == 502
    assert server.count() == 4  # 1 + max_retries


def test_connection_errors_are_retried(tmp_path: Path, sleeps: SleepRecorder):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with EgovClient(base_url=f"http://127.0.0.1:{port}/api/2", cache_dir=tmp_path, max_retries=2,
                    backoff=0.001, min_interval=0, timeout=2, sleep=sleeps) as egov:
        with pytest.raises(FetchError, match="unreachable after 3 attempt"):
            egov.fetch_law(LAW_ID)
        assert egov.request_count == 3
    assert sleeps.calls == [0.001, 0.002]


def test_html_error_page_with_200_is_rejected_and_not_cached(server: FakeEgov, client: EgovClient,
                                                             tmp_path: Path):
    server.route(f"/law_data/{LAW_ID}", Reply(200, HTML_PAGE, {"Content-Type": "text/html"}),
                 Reply(body=LAW_DATA_1))
    with pytest.raises(FetchError, match="not JSON"):
        client.fetch_law(LAW_ID)
    assert not list((tmp_path / "cache").rglob("*.xml"))
    # the next call goes to the network again (nothing bad was cached) and succeeds
    assert client.fetch_law(LAW_ID).read_bytes() == LAW_XML
    assert server.count() == 2


def test_law_full_text_that_is_not_law_xml_is_rejected(server: FakeEgov, client: EgovClient, tmp_path: Path):
    body = law_data_body(LAW_ID, REV_ID, "テスト法", "令和元年法律第一号", HTML_PAGE)
    server.route(f"/law_data/{LAW_ID}", Reply(body=body))
    with pytest.raises(FetchError, match="did not return law XML"):
        client.fetch_law(LAW_ID)
    assert not list((tmp_path / "cache").rglob("*.xml"))


def test_min_interval_spaces_requests(server: FakeEgov, tmp_path: Path, sleeps: SleepRecorder):
    server.route(f"/law_data/{LAW_ID}", Reply(body=LAW_DATA_1))
    with EgovClient(base_url=server.base_url, cache_dir=tmp_path, min_interval=0.5, sleep=sleeps) as egov:
        egov.fetch_law(LAW_ID)
        assert sleeps.calls == []
        egov.fetch_law(LAW_ID, refresh=True)
    assert len(sleeps.calls) == 1 and 0 < sleeps.calls[0] <= 0.5


def test_law_file_source_names_file_after_content_disposition(server: FakeEgov, tmp_path: Path):
    server.route(f"/law_file/xml/{LAW_ID}", Reply(body=LAW_XML, headers={
        "Content-Type": "application/xml", "Content-Disposition": f'attachment; filename="{REV_ID}.xml"'}))
    with EgovClient(base_url=server.base_url, cache_dir=tmp_path, min_interval=0, source="law_file") as egov:
        path = egov.fetch_law(LAW_ID)
    assert path == tmp_path / LAW_ID / f"{REV_ID}.xml"
    assert json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))["law_title"] == "テスト法"


def test_law_file_source_rejects_html(server: FakeEgov, tmp_path: Path):
    server.route(f"/law_file/xml/{LAW_ID}", Reply(body=HTML_PAGE, headers={"Content-Type": "text/html"}))
    with EgovClient(base_url=server.base_url, cache_dir=tmp_path, min_interval=0, source="law_file") as egov:
        with pytest.raises(FetchError, match="expected <Law>|not well-formed"):
            egov.fetch_law(LAW_ID)
    assert not list(tmp_path.rglob("*.xml"))


# -- search ----------------------------------------------------------------------------------


def test_search_by_title(server: FakeEgov, client: EgovClient):
    server.route("/laws", Reply(body=laws_body((LAW_ID, REV_ID, "テスト法", "令和元年法律第一号"),
                                                (LAW_ID_2, REV_ID_2, "テスト法施行令", "令和二年政令第二号"))))
    hits = client.search("テスト法")
    assert hits == [LawHit(LAW_ID, "テスト法", "令和元年法律第一号", REV_ID),
                    LawHit(LAW_ID_2, "テスト法施行令", "令和二年政令第二号", REV_ID_2)]
    assert server.requests[0].query["law_title"] == ["テスト法"]


def test_search_without_match_is_empty(server: FakeEgov, client: EgovClient):
    # the API answers "no law" with 404 {"code": "404001"}
    assert client.search("存在しない法") == []


def test_search_text_uses_keyword_endpoint(server: FakeEgov, client: EgovClient):
    items = {"total_count": 1, "sentence_count": 1, "next_offset": 1, "items": [
        {"law_info": law_info(LAW_ID, "令和元年法律第一号"), "revision_info": revision_info(REV_ID, "テスト法"),
         "sentences": [{"position": "mainprovision", "text": "<span>書面</span>により"}]}]}
    server.route("/keyword", Reply(body=json.dumps(items, ensure_ascii=False).encode()))
    assert client.search_text("書面") == [LawHit(LAW_ID, "テスト法", "令和元年法律第一号", REV_ID)]
    assert server.requests[0].query["keyword"] == ["書面"]


# -- fetch() and the CLI body ----------------------------------------------------------------


def _route_both(server: FakeEgov) -> None:
    server.route("/laws", Reply(body=laws_body((LAW_ID, REV_ID, "テスト法", "令和元年法律第一号"),
                                                (LAW_ID_2, REV_ID_2, "テスト法施行令", "令和二年政令第二号"))))
    server.route(f"/law_data/{LAW_ID}", Reply(body=LAW_DATA_1))
    server.route(f"/law_data/{LAW_ID_2}", Reply(body=LAW_DATA_2))


def test_fetch_by_law_id(server: FakeEgov, client: EgovClient, tmp_path: Path):
    server.route(f"/law_data/{LAW_ID}", Reply(body=LAW_DATA_1))
    assert fetch(LAW_ID, tmp_path / "other", client) == [tmp_path / "other" / LAW_ID / f"{REV_ID}.xml"]
    assert server.count("/laws") == 0


def test_fetch_by_keyword_fetches_each_hit_then_uses_cache(server: FakeEgov, client: EgovClient,
                                                           tmp_path: Path):
    _route_both(server)
    paths = fetch("テスト法", tmp_path / "c", client)
    assert [p.parent.name for p in paths] == [LAW_ID, LAW_ID_2]
    assert paths[1].read_bytes() == LAW_XML_2
    before = server.count()
    assert fetch("テスト法", tmp_path / "c", client) == paths
    assert server.count() - before == 1, "only the search is repeated; the laws come from the cache"
    assert fetch("テスト法", tmp_path / "c", client, max_hits=1) == paths[:1]


def test_fetch_by_law_num_searches_law_num(server: FakeEgov, client: EgovClient, tmp_path: Path):
    _route_both(server)
    fetch("令和元年法律第一号", tmp_path, client, max_hits=1)
    assert server.requests[0].query["law_num"] == ["令和元年法律第一号"]


def test_fetch_command_uses_env_base_url(server: FakeEgov, tmp_path: Path, monkeypatch, capsys):
    _route_both(server)
    monkeypatch.setenv("ANALOGMAP_EGOV_API", server.base_url)
    monkeypatch.setenv("ANALOGMAP_EGOV_INTERVAL", "0")
    assert fetch_command("テスト法", tmp_path, None) == 0
    out = capsys.readouterr().out
    assert LAW_ID in out and LAW_ID_2 in out and "テスト法施行令" in out
    assert (tmp_path / LAW_ID / f"{REV_ID}.xml").is_file()
    assert server.count("/laws") == 1 and server.count() == 3


def test_fetch_command_failures_exit_1(server: FakeEgov, tmp_path: Path, capsys):
    server.route(f"/law_data/{LAW_ID}", Reply(404, error_body("404004", "not found")))
    assert fetch_command(LAW_ID, tmp_path, server.base_url, min_interval=0) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert fetch_command("存在しない法", tmp_path, server.base_url, min_interval=0) == 1
    assert "no law matched" in capsys.readouterr().err


# -- helpers ---------------------------------------------------------------------------------


def test_retry_after_parsing():
    assert _parse_retry_after("0") == 0.0
    assert _parse_retry_after("7") == 7.0
    assert _parse_retry_after(None) is None and _parse_retry_after("soon") is None
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= _parse_retry_after(later) <= 30
    assert _parse_retry_after("99999") == 300.0


def test_validate_law_xml():
    assert validate_law_xml(LAW_XML).findtext("LawBody/LawTitle") == "テスト法"
    for bad in (b"", HTML_PAGE, b"<Law>", b'<?xml version="1.0"?><Error/>'):
        with pytest.raises(ValueError):
            validate_law_xml(bad)


def test_default_min_interval(monkeypatch):
    monkeypatch.delenv("ANALOGMAP_EGOV_INTERVAL", raising=False)
    assert default_min_interval() == 1.0
    monkeypatch.setenv("ANALOGMAP_EGOV_INTERVAL", "0.25")
    assert default_min_interval() == 0.25


def test_default_cache_dir(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("ANALOGMAP_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("ANALOGMAP_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "analogmap" / "egov"
