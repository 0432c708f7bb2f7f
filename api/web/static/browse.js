/* 検索・レビュー page: GET /provisions, GET /provisions/{id}, POST /reviews. */
"use strict";
(function () {
  const {el, status, problemText, highlighted, diff, techList, focusFinding, pct} = window.AM;
  let nextCursor = null;
  let currentId = null;
  const DECISIONS = ["該当", "非該当", "見直し不要", "要改正", "改正済"];

  function params() {
    const form = document.getElementById("search-form");
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) p.set(k, String(v).trim());
    return p;
  }

  async function search(append) {
    const p = params();
    p.set("limit", "30");
    if (append && nextCursor) p.set("cursor", nextCursor);
    const exportParams = params(); exportParams.delete("sort"); exportParams.set("format", "csv");
    document.getElementById("export-csv").href = "/export?" + exportParams;
    status("検索しています…");
    const response = await fetch("/provisions?" + p);
    if (!response.ok) { status(await problemText(response), true); return; }
    const page = await response.json();
    nextCursor = page.next_cursor;
    const list = document.getElementById("results");
    if (!append) list.replaceChildren();
    for (const item of page.items) {
      const snippet = item.text.length > 90 ? item.text.slice(0, 90) + "…" : item.text;
      list.append(el("li", {}, [
        el("a", {href: "#" + encodeURIComponent(item.id), onclick: ev => { ev.preventDefault(); open(item.id); }},
           `${item.document_title || item.doc_id} ${item.label}`),
        el("span", {class: "snippet"}, snippet)]));
    }
    document.getElementById("more").hidden = !nextCursor;
    status(list.children.length ? `${list.children.length} 件を表示${nextCursor ? "（続きあり）" : ""}` : "該当する条項はありません。");
  }

  function reviewForm(finding) {
    const id = "r-" + finding.id;
    const select = el("select", {id: id + "-decision"}, DECISIONS.map(d => el("option", {value: d}, d)));
    const comment = el("input", {id: id + "-comment", type: "text", size: "30"});
    const form = el("form", {class: "review-form"}, [
      el("div", {class: "field"}, [el("label", {for: id + "-decision"}, "判断"), select]),
      el("div", {class: "field"}, [el("label", {for: id + "-comment"}, "コメント"), comment]),
      el("button", {type: "submit"}, "判断を記録")]);
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const token = document.getElementById("token").value.trim();
      if (!token) { status("判断を記録するにはアクセストークンを入力してください（ページ下部）。", true); document.querySelector("details.token").open = true; document.getElementById("token").focus(); return; }
      sessionStorage.setItem("analogmap-token", token);
      const response = await fetch("/reviews", {method: "POST", headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token},
        body: JSON.stringify({finding_id: finding.id, provision_id: finding.provision_id, decision: select.value, comment: comment.value})});
      if (!response.ok) { status(await problemText(response), true); return; }
      status("判断を記録しました。");
      open(currentId);
    });
    return form;
  }

  async function open(id) {
    currentId = id;
    const response = await fetch("/provisions/" + encodeURIComponent(id));
    if (!response.ok) { status(await problemText(response), true); return; }
    const d = await response.json();
    const panel = document.getElementById("detail");
    panel.hidden = false;
    document.getElementById("detail-heading").textContent = `${d.provision.label}${d.provision.caption ? " " + d.provision.caption : ""}`;
    document.getElementById("detail-doc").textContent = d.document ? `${d.document.title}（${d.document.jurisdiction}・${d.document.kind}）` : d.provision.doc_id;
    const spans = d.findings.map((f, i) => ({start: f.span_start, end: f.span_end, type: f.type, label: f.type_label, index: i}));
    document.getElementById("detail-text").replaceChildren(highlighted(d.provision.text, spans, i => focusFinding("df", i)));
    document.getElementById("detail-findings").replaceChildren(...d.findings.map((f, i) => el("li", {id: "df-" + i, tabindex: "-1"}, [
      el("p", {}, [el("span", {class: "badge t-" + f.type}, f.type_label), `　「${f.trigger}」`]),
      el("p", {class: "meta"}, `規則 ${f.rule}・信頼度 ${pct(f.confidence)}・フェーズ ${f.phase}/${f.max_phase}・状況：${f.review_status === "unreviewed" ? "未確認" : f.review_status}`),
      f.rationale ? el("p", {class: "meta"}, f.rationale) : null,
      el("h4", {}, "技術"), techList(f.tech_matches),
      ...f.suggestions.map(s => el("div", {}, [el("h4", {}, "改正案"), diff(s.diff), s.precedent ? el("p", {class: "meta"}, "先例：" + s.precedent) : null])),
      f.reviews.length ? el("ul", {class: "history", "aria-label": "レビュー履歴"}, f.reviews.map(r =>
        el("li", {}, `${r.created_at} ${r.reviewer}：${r.decision}${r.comment ? "（" + r.comment + "）" : ""}${r.replaces ? "［前の判断を更新］" : ""}`))) : null,
      reviewForm(f),
    ])));
    const cites = [...d.cites.map(c => ["引用先", c.target_id, c.text]), ...d.cited_by.map(c => ["引用元", c.source_id, c.text])];
    document.getElementById("detail-citations").replaceChildren(cites.length ? el("ul", {}, cites.map(([k, target, text]) =>
      el("li", {}, [k + "：", el("a", {href: "#", onclick: ev => { ev.preventDefault(); open(target); }}, target), ` 「${text}」`]))) : el("p", {class: "meta"}, "なし"));
    document.getElementById("detail-heading").focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("token").value = sessionStorage.getItem("analogmap-token") || "";
    document.getElementById("search-form").addEventListener("submit", ev => { ev.preventDefault(); search(false); });
    document.getElementById("more").addEventListener("click", () => search(true));
    search(false);
  });
})();
