"""Sample candidate paragraphs of 施行令/施行規則 (e-Gov HTML), 2015 Act texts and municipal 例規 for hand labelling.

Gold set, part 2.  Deterministic (fixed seed).  Reads the read-only corpus under /work/shared/corpus and
writes a work file of candidates OUTSIDE the repository (default /tmp/gold_candidates_html.jsonl).  Nothing
of the corpus is copied into the project: tests/data/gold_html.jsonl stores only provision ids, source
paths, labels and a sha256 of each paragraph's own text.

Sources and pools (a paragraph is judged together with its items and its article):
  * egov-html-ledmonster (42 施行令/施行規則, e-Gov API v2 HTML), at most MAX_PER_DOC_HTML per document:
      (a) keyword hits for each of the 11 types (plain trigger words of docs typology.md; 施行規則 carry
          目視, 定期点検, フレキシブルディスク/磁気ディスク, 標識, 帳簿, 講習),
      (b) hidden cues (立会い, 面前, 出頭, 持参, 経由して, 備え付け),
      (c) digital-alternative wording (電磁的方法, 自動公衆送信, 映像及び音声の送受信, …),
      (d) ~15 % random paragraphs,
      (h) drawn last with its own seed: obligation-shaped patterns for training attendance, meetings and
          hearings, eye checks and dedicated staff (types the first pass left almost without positives).
  * egov-html-ledmonster-2015 (60 Acts as of December 2015), at most MAX_PER_DOC_2015 per law:
      (e) posting / viewing / inspection provisions of Acts later amended by 令和5年法律第63号
          (index.tsv column `amended_by_R5_law63…` = yes), a few named ones first (航空法107条,
          古物営業法12条, 警備業法, 質屋営業法),
      (f) keyword hits of any type in the other Acts, (g) random paragraphs.
      Paragraph ids equal to ids already labelled in tests/data/gold_national.jsonl are skipped (the 2015
      texts share law ids with the current Acts).
  * reiki-katsuragi: every paragraph that has text.

Usage:  python scripts/gold_sample_html.py [--corpus /work/shared/corpus] [--out /tmp/gold_candidates_html.jsonl]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from analogmap.corpus.readers import read_document

SEED = 20250715
MAX_PER_DOC_HTML = 6
MAX_PER_DOC_2015 = 3
REPO = Path(__file__).resolve().parents[1]
GOLD_NATIONAL = REPO / "tests" / "data" / "gold_national.jsonl"

# (pool, regex, target) for the 施行令/施行規則; order = fill order (rarer first).
TYPE_POOLS: list[tuple[str, str, int]] = [
    ("physical_media", r"フレキシブルディスク|フロッピー|磁気ディスク|磁気テープ|光ディスク|シー・ディー・ロム|ビデオカセット", 10),
    ("visual_inspection", r"目視|巡視|巡回|見回り|見張り|監視|点検|現地調査", 12),
    ("periodic_inspection", r"定期に|定期的に|定期検査|定期点検|定期自主検査|毎年[^。]{0,6}回以上|年ごとに|年以内ごとに|月ごとに", 11),
    ("inperson_training", r"講習を受け|研修を受け|講習を修了|研修を修了|実習|実技|講習|研修", 11),
    ("resident_dedicated", r"常駐|専任|駐在|常置|常時[^。]{0,20}(置|配置|勤務)|ごとに[^。]{0,30}置かなければ", 10),
    ("inperson_meeting", r"出席しなければ|出席がなければ|会議を開き|参集|意見の聴取|聴聞の期日|公開による", 8),
    ("paper_posting", r"掲示|見やすい(場所|箇所)|標識|掲示場|掲示板|公衆の見やすい", 11),
    ("onsite_audit", r"実地に|実地調査|実地検査|立入検査|立ち入り|立入り|臨検|現地において|現場において", 10),
    ("inperson_viewing", r"閲覧|縦覧|備え置|備置|備え付け|備付け|備えて置|帳簿を備え|帳簿", 11),
    ("inperson_procedure", r"出頭|来庁|窓口|持参|面接|面前|立会い|立ち会|立会|対面|呈示|提示", 10),
    ("paper_procedure", r"書面により|書面で|書面をもつて|文書で|文書により|申請書を|届出書を|記名押印|押印|署名|印鑑|原本", 11),
]
HIDDEN = (r"立会い|立ち会|面前|出頭|持参|経由して|備え付け", 14)
DIGITAL = (r"電磁的方法|電磁的記録|自動公衆送信|映像及び音声の送受信|電子情報処理組織|電磁的記録媒体|情報通信技術|情報通信の技術", 12)
RANDOM_SHARE = 0.15

# 2015 texts.
NAMED_2015 = ["327AC0000000231#a107-p1", "324AC0000000108#a12-p1", "325AC0000000158#a10-p1"]
NAMED_LAWS_2015 = ["347AC0000000117", "325AC0000000158"]  # 警備業法, 質屋営業法
POSTVIEW_2015 = (r"掲示|標識|見やすい|閲覧|縦覧|備え置|備え付け|帳簿を備え|立入検査|立ち入り|立入り|実地に|検査", 44)
KEYWORD_2015 = ("|".join(p for _, p, _ in TYPE_POOLS), 14)
RANDOM_2015 = 12

# (h) second pass over the 施行令/施行規則, drawn last with its own seed so that (a)-(g) stay as they are:
# obligation-shaped patterns for the types the first pass left without positives (attendance at training,
# meetings/hearings premised on presence, eye checks, dedicated staff).
STRICT_POOLS: list[tuple[str, str, int]] = [
    ("inperson_training", r"(講習|研修)を受けなければ|(講習|研修)を受けさせ|(講習|研修)を修了した者|講習の課程を修了|(講習|研修)を受けた者", 7),
    ("inperson_meeting", r"出席しなければ|出席がなければ|期日及び場所|意見の聴取の期日|聴聞の期日|公開による意見の聴取", 6),
    ("visual_inspection", r"目視|巡視|見回り|見張", 5),
    ("resident_dedicated", r"専任の|常駐|常時[^。]{0,15}(置|配置)", 4),
]
STRICT_EXCLUDE = r"罰金|過料|準用する|読み替える|登録講習機関|登録試験機関|指定試験機関|施行期日|証明書を携帯"


def read_index(path: Path) -> dict[str, list[str]]:
    rows = {}
    if path.exists():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            cells = line.split("\t")
            if n and len(cells) > 1:
                rows[cells[0]] = cells
    return rows


def paragraph_records(corpus: Path, path: Path, group: str, amended: bool = False) -> list[dict]:
    doc = read_document(path)
    by_id = {p.provision_id: p for p in doc.walk()}
    out = []
    for prov in doc.walk():
        if prov.kind != "paragraph" or prov.deleted or not prov.text.strip():
            continue
        parent = by_id.get(prov.parent_id) if prov.parent_id else None
        items = [f"{c.label} {c.text}" for c in prov.walk() if c.kind in ("item", "subitem") and c.text.strip()]
        out.append({
            "provision_id": prov.provision_id,
            "doc_id": doc.doc_id,
            "title": doc.title,
            "group": group,
            "amended_r5_63": amended,
            "source": str(path.relative_to(corpus)),
            "label": prov.label,
            "caption": prov.caption,
            "article_caption": parent.caption if parent is not None else None,
            "heading": parent.heading if parent is not None else None,
            "text": prov.text,
            "items": items,
            "article_text": parent.text if parent is not None else "",
            "text_sha256": hashlib.sha256(prov.text.encode("utf-8")).hexdigest(),
        })
    return out


def full_text(rec: dict) -> str:
    return rec["text"] + "\n" + "\n".join(rec["items"])


class Sampler:
    def __init__(self, rng: random.Random, max_per_doc: int) -> None:
        self.rng = rng
        self.max_per_doc = max_per_doc
        self.per_doc: Counter = Counter()
        self.chosen: dict[str, dict] = {}

    def take(self, pool: list[dict], target: int, reason: str) -> None:
        pool = sorted(pool, key=lambda r: r["provision_id"])
        self.rng.shuffle(pool)
        pool.sort(key=lambda r: self.per_doc[r["doc_id"]])  # spread over documents
        got = 0
        for rec in pool:
            if got >= target:
                break
            pid = rec["provision_id"]
            if pid in self.chosen:
                self.chosen[pid]["pools"].append(reason)
                continue
            if self.per_doc[rec["doc_id"]] >= self.max_per_doc:
                continue
            self.chosen[pid] = dict(rec, pools=[reason])
            self.per_doc[rec["doc_id"]] += 1
            got += 1


def sample_html(records: list[dict], rng: random.Random) -> list[dict]:
    s = Sampler(rng, MAX_PER_DOC_HTML)
    for name, pattern, target in TYPE_POOLS:
        rx = re.compile(pattern)
        s.take([r for r in records if rx.search(full_text(r))], target, f"kw:{name}")
    for name, (pattern, target) in (("hidden", HIDDEN), ("digital", DIGITAL)):
        rx = re.compile(pattern)
        s.take([r for r in records if rx.search(full_text(r))], target, name)
    n_random = int(len(s.chosen) * RANDOM_SHARE / (1 - RANDOM_SHARE))
    s.take([r for r in records if r["provision_id"] not in s.chosen], n_random, "random")
    return list(s.chosen.values())


def sample_2015(records: list[dict], rng: random.Random, taken_ids: set[str]) -> list[dict]:
    records = [r for r in records if r["provision_id"] not in taken_ids]
    s = Sampler(rng, MAX_PER_DOC_2015)
    named = [r for r in records if r["provision_id"] in NAMED_2015]
    s.take(named, len(named), "named")
    rx = re.compile(POSTVIEW_2015[0])
    for law in NAMED_LAWS_2015:
        s.take([r for r in records if r["doc_id"] == law and rx.search(full_text(r))], 2, "named_law")
    s.take([r for r in records if r["amended_r5_63"] and rx.search(full_text(r))], POSTVIEW_2015[1], "postview_r5")
    rx = re.compile(KEYWORD_2015[0])
    s.take([r for r in records if not r["amended_r5_63"] and rx.search(full_text(r))], KEYWORD_2015[1], "kw_other")
    s.take([r for r in records if r["provision_id"] not in s.chosen], RANDOM_2015, "random")
    return list(s.chosen.values())


def sample_html_strict(records: list[dict], chosen: list[dict], rng: random.Random) -> list[dict]:
    s = Sampler(rng, MAX_PER_DOC_HTML)
    for rec in chosen:
        s.chosen[rec["provision_id"]] = rec
        s.per_doc[rec["doc_id"]] += 1
    ex = re.compile(STRICT_EXCLUDE)
    for name, pattern, target in STRICT_POOLS:
        rx = re.compile(pattern)
        s.take([r for r in records if rx.search(full_text(r)) and not ex.search(full_text(r))], target, f"strict:{name}")
    return [r for pid, r in s.chosen.items() if pid not in {c["provision_id"] for c in chosen}]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/gold_candidates_html.jsonl"))
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    corpus = args.corpus

    html_dir = corpus / "egov-html-ledmonster"
    html_records: list[dict] = []
    for path in sorted(html_dir.glob("*.html")):
        html_records.extend(paragraph_records(corpus, path, "html"))
    cands = sample_html(html_records, rng)

    old_dir = corpus / "egov-html-ledmonster-2015"
    index = read_index(old_dir / "index.tsv")
    old_records: list[dict] = []
    for path in sorted(old_dir.glob("*.html")):
        row = index.get(path.name)
        amended = bool(row and len(row) > 4 and row[4].strip() == "yes")
        old_records.extend(paragraph_records(corpus, path, "2015", amended))
    taken = set()
    if GOLD_NATIONAL.exists():
        taken = {json.loads(line)["provision_id"] for line in GOLD_NATIONAL.read_text(encoding="utf-8").splitlines()
                 if line.strip()}
    cands += sample_2015(old_records, rng, taken)

    reiki_records: list[dict] = []
    for path in sorted((corpus / "reiki-katsuragi").glob("*.html")):
        reiki_records.extend(paragraph_records(corpus, path, "reiki"))
    cands += [dict(r, pools=["all"]) for r in reiki_records]

    cands += sample_html_strict(html_records, [c for c in cands if c["group"] == "html"], random.Random(SEED + 1))

    cands.sort(key=lambda r: (r["group"], r["source"], r["provision_id"]))
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in cands:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"html: {len(html_records)} paragraphs; 2015: {len(old_records)}; reiki: {len(reiki_records)}", file=sys.stderr)
    for group in ("html", "2015", "reiki"):
        sub = [r for r in cands if r["group"] == group]
        pools = Counter(r["pools"][0].split(":")[-1] for r in sub)
        print(f"{group}: {len(sub)} candidates from {len({r['doc_id'] for r in sub})} documents "
              f"{dict(sorted(pools.items()))}", file=sys.stderr)
    print(f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
