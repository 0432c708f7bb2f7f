"""Browser test in headless Chromium (Debian `chromium`, driven by Playwright — no browser download).

Pastes the sample ordinance into the check page, sees the highlighted findings and downloads the
新旧対照表 XLSX; then searches the stored draft on the browse page and records a review.  Screenshots
go to tests/artifacts/ (gitignored).  Skipped when chromium or playwright is missing, except under
CI=true, where that is a failure.

Install (what .ci/run does):  apt-get install -y chromium && pip install playwright
(never `playwright install`: the system chromium is used through `executable_path`).
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SAMPLE = (Path(__file__).parent / "fixtures" / "sample_ordinance.txt").read_text(encoding="utf-8")
TOKEN = "browser-token-0123456789"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    reason = None
    if not path:
        reason = "chromium is not installed (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install playwright; no browser download needed)"
    if reason:
        if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    import uvicorn
    from analogmap.api.app import create_app
    from analogmap.api.settings import Settings
    from analogmap.kg.store import open_store

    directory = Path(tempfile.mkdtemp(prefix="analogmap-browser-"))
    store = open_store("embedded", path=directory / "graph")
    app = create_app(Settings(store_path=directory / "graph", api_tokens={"tester": TOKEN}), store=store)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not instance.started:
        if time.time() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)
    store.close()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a new empty profile directory (it refuses --user-data-dir in args)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_check_page_highlights_findings_and_downloads_xlsx(server, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(accept_downloads=True, locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "/")
    page.get_by_label("本文（テキスト・HTML・e-Gov XML を貼り付け）").fill(SAMPLE)
    page.get_by_role("button", name="チェックする").click()
    page.wait_for_selector("#doc-text mark", timeout=30_000)

    marks = page.locator("#doc-text mark")
    assert marks.count() >= 15
    classes = {marks.nth(i).get_attribute("class") for i in range(marks.count())}
    assert {"t-visual_inspection", "t-paper_posting", "t-onsite_audit"} <= classes
    assert "目視" in page.locator("mark.t-visual_inspection").first.inner_text()
    assert page.locator("#findings > li").count() >= marks.count()
    assert page.locator(".legend li").count() == 11
    assert "件のアナログ規制の候補" in page.locator("#summary").inner_text()
    first = page.locator("#findings > li").first
    assert "規則" in first.inner_text() and "信頼度" in first.inner_text()
    assert first.locator("ol.techs li").count() >= 1

    # keyboard: a mark is focusable and Enter moves to its finding
    page.locator("#doc-text mark").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id").startswith("finding-")

    page.locator("#result-heading").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.getElementById('result').offsetTop)")
    page.screenshot(path=str(ARTIFACTS / "check-page.png"))

    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="新旧対照表をダウンロード（Excel）").click()
    download = info.value
    target = ARTIFACTS / "shinkyu.xlsx"
    download.save_as(str(target))
    assert download.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    values = [str(c.value) for row in load_workbook(target).active.iter_rows() for c in row if c.value]
    assert any("掲示" in v for v in values)

    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="検出結果（CSV）").click()
    assert info.value.suggested_filename.endswith(".csv")
    assert not errors, errors
    context.close()


def test_browse_page_opens_a_provision_and_records_a_review(server, browser):
    import httpx

    response = httpx.post(server + "/check?store=true", json={"content": SAMPLE, "doc_id": "sakura-akiya"},
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert response.status_code == 200, response.text
    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "/browse")
    page.get_by_label("キーワード").fill("掲示場")
    page.get_by_label("種類", exact=True).select_option("paper_posting")
    page.get_by_role("button", name="検索", exact=True).click()
    page.wait_for_selector("#results li a")
    page.locator("#results li a").first.click()
    page.wait_for_selector("#detail-text mark")
    assert page.locator("#detail-findings > li").count() >= 1
    page.locator("summary", has_text="レビューを記録するには").click()
    page.get_by_label("アクセストークン").fill(TOKEN)
    finding = page.locator("#detail-findings > li").first
    finding.get_by_label("判断").select_option("要改正")
    finding.get_by_label("コメント").fill("電子掲示へ")
    finding.get_by_role("button", name="判断を記録").click()
    page.wait_for_selector("#detail-findings .history li")
    assert "要改正" in page.locator("#detail-findings .history").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "browse-page.png"), full_page=True)
    page.goto(server + "/overview")
    assert page.locator("svg.bars").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "overview-page.png"), full_page=True)
    assert not errors, errors
    context.close()
