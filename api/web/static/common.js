/* Shared helpers for the analogmap pages (no framework, no build step). */
"use strict";
window.AM = (function () {
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function status(message, isError) {
    const box = document.getElementById("status");
    box.textContent = message || "";
    box.classList.toggle("error", !!isError);
  }
  async function problemText(response) {
    try {
      const body = await response.json();
      const fields = (body.errors || []).map(e => `${e.field}: ${e.message}`).join("、");
      return `${body.title || response.status}${body.detail ? "：" + body.detail : ""}${fields && !body.detail ? "（" + fields + "）" : ""}`;
    } catch (e) { return `エラー ${response.status}`; }
  }
  /* Text with marked spans: spans = [{start, end, type, label, index}] relative to text. */
  function highlighted(text, spans, onActivate) {
    const frag = document.createDocumentFragment();
    const sorted = spans.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    let pos = 0;
    for (const s of sorted) {
      const start = Math.max(s.start, pos);
      if (s.end <= start) continue;
      if (start > pos) frag.append(text.slice(pos, start));
      const mark = el("mark", {class: "t-" + s.type, tabindex: "0", title: s.label,
                                "data-index": String(s.index), "aria-label": `${text.slice(start, s.end)}（${s.label}、検出${s.index + 1}）`},
                      [text.slice(start, s.end), el("sup", {"aria-hidden": "true"}, String(s.index + 1))]);
      mark.addEventListener("click", () => onActivate(s.index));
      mark.addEventListener("keydown", ev => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onActivate(s.index); } });
      frag.append(mark);
      pos = s.end;
    }
    if (pos < text.length) frag.append(text.slice(pos));
    return frag;
  }
  function diff(segments) {
    const box = el("div", {class: "diff"});
    for (const [op, text] of segments) {
      if (op === "insert") box.append(el("ins", {}, text));
      else if (op === "delete") box.append(el("del", {}, text));
      else box.append(text);
    }
    return box;
  }
  function techList(matches) {
    if (!matches || !matches.length) return el("p", {class: "meta"}, "対応する技術は見つかりませんでした。");
    return el("ol", {class: "techs"}, matches.map(m =>
      el("li", {}, [el("strong", {}, m.name_ja || ("技術 " + m.technology_id)),
                    ` （フェーズ${m.phase}まで）`, m.rationale ? el("span", {class: "meta"}, " — " + m.rationale) : null])));
  }
  function focusFinding(listId, index) {
    const item = document.getElementById(`${listId}-${index}`);
    if (!item) return;
    item.scrollIntoView({block: "center"});
    item.classList.add("flash");
    item.focus();
    setTimeout(() => item.classList.remove("flash"), 1500);
  }
  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el("a", {href: url, download: filename});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  function pct(x) { return Math.round(x * 100) + "%"; }
  return {el, status, problemText, highlighted, diff, techList, focusFinding, download, pct};
})();
