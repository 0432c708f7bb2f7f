"""The web page (Japanese): チェック (check a draft), 検索 (browse the graph, record reviews) and
概要 (charts).  Plain HTML from `api/web/templates`, vanilla JS and CSS from `api/web/static`; the
overview charts are inline SVG rendered here.  No build step, no CDN."""
from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .routes_common import type_labels

router = APIRouter(tags=["web"], include_in_schema=False)

#: Highlight colours per analog type (light backgrounds: black text keeps a contrast ratio > 12:1).
TYPE_COLOURS = {
    "visual_inspection": "#ffd6a5", "onsite_audit": "#b9f2b0", "periodic_inspection": "#9ee8f5",
    "resident_dedicated": "#d3cbff", "inperson_training": "#ffc6f0", "paper_posting": "#fff27a",
    "inperson_viewing": "#b5d3ff", "physical_media": "#ffb3b3", "paper_procedure": "#d9d9d9",
    "inperson_procedure": "#e9c7fb", "inperson_meeting": "#c9e7a1",
}
NAV = (("/", "チェック"), ("/browse", "検索・レビュー"), ("/overview", "概要"))


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    return resources.files("analogmap.api").joinpath("web", "templates", name).read_text(encoding="utf-8")


def type_style() -> str:
    return "\n".join(f".t-{code}{{background:{colour}}}" for code, colour in TYPE_COLOURS.items())


def legend() -> str:
    items = "".join(f'<li><span class="swatch t-{code}" aria-hidden="true"></span>{html.escape(label)}</li>'
                    for code, label in type_labels().items())
    return f'<ul class="legend" aria-label="種類の凡例">{items}</ul>'


def type_options() -> str:
    return "".join(f'<option value="{html.escape(code)}">{html.escape(label)}</option>'
                   for code, label in type_labels().items())


def page(title: str, active: str, main: str, script: str | None = None) -> HTMLResponse:
    current = ' aria-current="page"'
    nav = "".join(f'<li><a href="{href}"{current if href == active else ""}>{label}</a></li>' for href, label in NAV)
    script_tag = (f'<script src="/static/common.js" defer></script><script src="/static/{script}" defer></script>'
                  if script else "")
    body = f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — analogmap</title>
<link rel="stylesheet" href="/static/app.css"><style>{type_style()}</style>{script_tag}</head>
<body><a class="skip" href="#main">本文へ移動</a>
<header><p class="brand">analogmap <span>アナログ規制チェック</span></p><nav aria-label="メイン"><ul>{nav}</ul></nav></header>
<main id="main" tabindex="-1">{main}</main>
<footer><p>API: <a href="/docs">/docs</a>（OpenAPI）。結果は機械による候補です。最終判断は担当者が行ってください。</p></footer>
</body></html>"""
    return HTMLResponse(body)


@router.get("/", response_class=HTMLResponse)
def check_page() -> HTMLResponse:
    main = _template("check.html").replace("{{legend}}", legend())
    return page("チェック", "/", main, "check.js")


@router.get("/browse", response_class=HTMLResponse)
def browse_page() -> HTMLResponse:
    main = _template("browse.html").replace("{{type_options}}", type_options()).replace("{{legend}}", legend())
    return page("検索・レビュー", "/browse", main, "browse.js")


def bar_chart(chart_id: str, title: str, data: list[tuple[str, int, str]], colour: str = "#1f5fa8") -> str:
    """A horizontal bar chart as inline SVG, with the numbers as a table for screen readers."""
    if not data:
        return f'<section class="chart"><h2>{html.escape(title)}</h2><p>データがありません。</p></section>'
    width, label_w, bar_h, gap = 760, 260, 22, 8
    top = max(v for _, v, _ in data) or 1
    height = len(data) * (bar_h + gap) + 10
    rows = []
    for i, (label, value, fill) in enumerate(data):
        y = 5 + i * (bar_h + gap)
        w = max(1.0, (width - label_w - 70) * value / top)
        short = label if len(label) <= 18 else label[:17] + "…"
        rows.append(
            f'<g><title>{html.escape(label)}: {value}</title>'
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.72:.1f}" text-anchor="end">{html.escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{fill or colour}" stroke="#333" stroke-width=".5"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.72:.1f}">{value}</text></g>')
    table = "".join(f"<tr><th scope=row>{html.escape(label)}</th><td>{v}</td></tr>" for label, v, _ in data)
    return (f'<section class="chart" aria-labelledby="{chart_id}-h"><h2 id="{chart_id}-h">{html.escape(title)}</h2>'
            f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{chart_id}-h" '
            f'class="bars">{"".join(rows)}</svg>'
            f'<details><summary>数値の表</summary><table><thead><tr><th scope=col>項目</th><th scope=col>件数</th></tr>'
            f'</thead><tbody>{table}</tbody></table></details></section>')


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request) -> HTMLResponse:
    from .routes_stats import compute_stats

    store = getattr(request.app.state, "store", None)
    if store is None:
        return page("概要", "/overview", "<h1>概要</h1><p>データベースに接続できません。</p>")
    stats = compute_stats(store, request.app.state.titles)
    labels = stats.labels

    def top(counts: dict[str, int], key: str, n: int = 15, colours: dict[str, str] | None = None):
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(labels.get(key, {}).get(k, k), v, (colours or {}).get(k, "")) for k, v in items]

    totals = stats.totals
    summary = (f'<ul class="totals"><li><strong>{totals.get("documents", 0)}</strong> 法令・例規</li>'
               f'<li><strong>{totals.get("provisions", 0)}</strong> 条項</li>'
               f'<li><strong>{totals.get("findings", 0)}</strong> 検出</li>'
               f'<li><strong>{totals.get("reviews", 0)}</strong> レビュー</li></ul>')
    phase_labels = {k: f"フェーズ{k}" for k in stats.by_phase}
    main = ("<h1>概要</h1><p>知識グラフに登録された法令・例規のアナログ規制の件数です。</p>" + summary
            + bar_chart("c-type", "種類別の件数", top(stats.by_type, "type", 20, TYPE_COLOURS))
            + bar_chart("c-law", "法令・例規別の件数（上位15）", top(stats.by_law, "law"))
            + bar_chart("c-tech", "技術別の件数（上位15）", top(stats.by_technology, "technology"), "#2e7d4f")
            + bar_chart("c-status", "レビュー状況", top(stats.by_status, "status"), "#7a4fa0")
            + bar_chart("c-phase", "フェーズ別", [(phase_labels.get(k, k), v, "") for k, v in
                                                 sorted(stats.by_phase.items())], "#a0522d")
            + bar_chart("c-jur", "所管・自治体別（上位15）", top(stats.by_jurisdiction, "jurisdiction"), "#455a64"))
    return page("概要", "/overview", main)


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg")
