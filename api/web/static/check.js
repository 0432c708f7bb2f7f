/* チェック page: send the text or file to POST /check and show the findings. */
"use strict";
(function () {
  const {el, status, problemText, highlighted, diff, techList, focusFinding, download, pct} = window.AM;
  let lastBody = null;   // what was checked, to ask again for the downloads
  let lastDocId = "document";

  function requestFor(format) {
    const url = "/check" + (format && format !== "json" ? "?format=" + format : "");
    if (lastBody instanceof FormData) return fetch(url, {method: "POST", body: lastBody});
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(lastBody)});
  }

  function render(result) {
    lastDocId = result.document.id;
    const findings = result.findings;
    const byType = {};
    for (const f of findings) byType[f.type_label || f.type] = (byType[f.type_label || f.type] || 0) + 1;
    const parts = Object.entries(byType).map(([k, v]) => `${k} ${v}件`).join("、");
    document.getElementById("summary").textContent =
      `「${result.document.title}」（${result.provisions}条項）で ${findings.length} 件のアナログ規制の候補が見つかりました。` + (parts ? `内訳：${parts}。` : "");
    const spans = findings.map((f, i) => ({start: f.start, end: f.end, type: f.type, label: f.type_label || f.type, index: i}));
    const text = document.getElementById("doc-text");
    text.replaceChildren(highlighted(result.text, spans, i => focusFinding("finding", i)));
    const list = document.getElementById("findings");
    list.replaceChildren(...findings.map((f, i) => {
      const suggestion = f.suggestion || null;
      return el("li", {id: "finding-" + i, tabindex: "-1", class: "finding t-border-" + f.type}, [
        el("p", {}, [el("span", {class: "badge t-" + f.type}, f.type_label || f.type), " ",
                     el("strong", {}, f.provision_label || f.provision_id), `　「${f.trigger}」`]),
        el("p", {class: "meta"}, `理由：規則 ${f.rule}・信頼度 ${pct(f.confidence)}・フェーズ ${f.phase}/${f.max_phase}` +
                                 (f.digital_alternative ? "・デジタル手段の規定あり" : "") + (f.obliged ? `・義務者：${f.obliged}` : "")),
        f.rationale ? el("p", {class: "meta"}, f.rationale) : null,
        el("p", {}, el("q", {}, f.sentence)),
        el("h4", {}, "置き換えに使える技術（順位順）"),
        techList(f.tech_matches),
        suggestion ? el("h4", {}, "改正案") : null,
        suggestion && suggestion.diff ? diff(suggestion.diff) :
          suggestion ? el("p", {class: "diff"}, suggestion.new_text || suggestion.new || suggestion.text || "") : null,
        suggestion && suggestion.precedent ? el("p", {class: "meta"}, "先例：" + suggestion.precedent) : null,
        el("p", {}, el("a", {href: "#mark-" + i, onclick: ev => { ev.preventDefault(); const m = document.querySelector(`mark[data-index="${i}"]`); if (m) { m.focus(); m.scrollIntoView({block: "center"}); } }}, "本文の該当箇所へ")),
      ]);
    }));
    document.getElementById("result").hidden = false;
  }

  async function submit(ev) {
    ev.preventDefault();
    const file = document.getElementById("file").files[0];
    const content = document.getElementById("content").value;
    if (!file && !content.trim()) {
      status("本文を貼り付けるか、ファイルを選んでください。", true);
      document.getElementById("content").focus();
      return;
    }
    if (file) { lastBody = new FormData(); lastBody.append("file", file); }
    else lastBody = {content};
    status("チェックしています…");
    const button = document.getElementById("check-button");
    button.disabled = true;
    try {
      const response = await requestFor("json");
      if (!response.ok) { status(await problemText(response), true); return; }
      const result = await response.json();
      render(result);
      status(`チェックが終わりました：${result.findings.length} 件`);
      document.getElementById("result-heading").scrollIntoView();
    } catch (e) {
      status("通信に失敗しました：" + e, true);
    } finally { button.disabled = false; }
  }

  async function downloadFormat(ev) {
    const format = ev.currentTarget.dataset.format;
    if (!lastBody) return;
    status("ファイルを作成しています…");
    const response = await requestFor(format);
    if (!response.ok) { status(await problemText(response), true); return; }
    const names = {xlsx: "shinkyu.xlsx", html: "shinkyu.html", csv: "findings.csv"};
    download(await response.blob(), `${lastDocId}-${names[format]}`);
    status("ダウンロードしました：" + names[format]);
  }

  async function sample() {
    const response = await fetch("/static/sample_ordinance.txt");
    document.getElementById("content").value = await response.text();
    document.getElementById("content").focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("check-form").addEventListener("submit", submit);
    document.getElementById("sample-button").addEventListener("click", sample);
    for (const b of document.querySelectorAll("#downloads button")) b.addEventListener("click", downloadFormat);
  });
})();
