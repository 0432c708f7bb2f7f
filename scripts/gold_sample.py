"""Sample candidate paragraphs of national Acts (e-Gov XML) for hand labelling (gold set, part 1).

Deterministic (fixed seed).  Reads the read-only corpus under /work/shared/corpus and writes a work
file of candidates OUTSIDE the repository (default /tmp/gold_candidates_national.jsonl).  Nothing of
the corpus is copied into the project: the labelled file tests/data/gold_national.jsonl stores only
provision ids, source paths, labels and a sha256 of each paragraph's own text.

Candidate pools (a paragraph is judged together with its items and its article):
  (a) keyword hits for each of the 11 types (plain trigger words of docs typology.md),
  (b) "hidden" cues (立会い, 面前, 出頭, 持参, 経由して, 備え付け, 帳簿を備え, 縦覧, 意見の聴取, 出席),
  (c) mentions of a digital alternative (電磁的方法, 自動公衆送信, 映像及び音声の送受信, …),
  (d) random paragraphs (~15 %),
  (e) stricter obligation-shaped patterns per type (drawn after (d), so (a)-(d) are unchanged),
  (f) a wider 巡視/目視/見張り/点検 pool, since visual-inspection duties are rare in Acts.
At most MAX_PER_LAW paragraphs are taken from one law; rarer pools are filled first.

Usage:  python scripts/gold_sample.py [--corpus /work/shared/corpus] [--out /tmp/gold_candidates_national.jsonl]
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

from analogmap.corpus.egov_xml import read_egov_xml

SEED = 20250601
MAX_PER_LAW = 6

# Dated versions (egov-xml-lawsdoc) used in addition to gitlaw current.xml: only Acts whose law id is
# not already in gitlaw, so that provision ids stay unique in the gold set.
LAWSDOC_FILES = ["332AC0000000166_20250606_505AC0000000044.xml"]

# (pool name, regex, target count).  Order = fill order (rare pools first).
TYPE_POOLS: list[tuple[str, str, int]] = [
    ("physical_media", r"フレキシブルディスク|フロッピー|磁気ディスク|磁気テープ|光ディスク|シー・ディー・ロム|ビデオカセット|録音テープ", 22),
    ("inperson_meeting", r"出席しなければ|出席がなければ|出席しなければ、会議|会議を開き|議事を開き|参集|意見の聴取の期日|聴聞の期日|審理の期日|口頭弁論", 20),
    ("periodic_inspection", r"定期に|定期的に|定期検査|定期点検|定期の|毎年[^。]{0,6}回以上|年ごとに|年以内ごとに|月ごとに", 20),
    ("visual_inspection", r"目視|巡視|巡回|見回り|見張り|監視|点検|現地調査|検視|検分", 20),
    ("inperson_training", r"講習を受け|研修を受け|講習を修了|研修を修了|実習|実技|講習|研修", 20),
    ("resident_dedicated", r"常駐|専任|駐在|常置|常時[^。]{0,20}(置|配置|勤務)|ごとに[^。]{0,30}置かなければ|選任しなければ", 20),
    ("paper_posting", r"掲示|見やすい(場所|箇所)|標識を掲げ|掲示場|掲示板|公衆の見やすい|標札|看板|掲ゲ", 22),
    ("onsite_audit", r"実地に|実地調査|実地検査|立入検査|立ち入り|立入り|立ち入らせ|臨検|現地において|現場において|帳簿書類その他の物件を検査|物件を検査", 22),
    ("inperson_viewing", r"閲覧|縦覧|備え置|備置|備え付け|備付け|備えて置|帳簿を備え|謄写|縦覧ニ供", 24),
    ("inperson_procedure", r"出頭|来庁|窓口|持参|面接|面前|立会い|立ち会|立会|対面|呈示|提示", 22),
    ("paper_procedure", r"書面により|書面で|書面をもつて|書面をもって|文書で|文書により|文書をもつて|申請書を|届出書を|記名押印|押印|署名|印鑑|原本|書面ヲ以テ|書面ニ依リ", 26),
]
HIDDEN = r"立会い|立ち会|面前|出頭|持参|経由して|経由シテ|備え付け|帳簿を備え|縦覧|意見の聴取|出席"
DIGITAL = r"電磁的方法|電磁的記録|自動公衆送信|映像及び音声の送受信|電子情報処理組織|電磁的記録媒体|情報通信技術|情報通信の技術"
POOL_TARGETS = {"hidden": 28, "digital": 24}

# (e) second pass, drawn after the random pool so that pools (a)-(d) stay as they are: stricter
# obligation-shaped patterns per type, to raise the share of true positives.  A paragraph qualifies
# when its text matches, it is not in a 罰則 chapter/article, it is no penalty or 準用 clause, and
# (for the types that have one) its article names no digital alternative.
STRICT_POOLS: list[tuple[str, str, int]] = [
    ("visual_inspection", r"(目視|巡視|巡回|見回り|見張り|監視)[^。]{0,40}(しなければならない|させなければならない|させるものとする|行うものとする)", 8),
    ("onsite_audit", r"実地に|実地調査|実地検査|臨検", 8),
    ("periodic_inspection", r"(定期に|定期的に|毎年[^。]{0,5}回以上|年ごとに|年以内ごとに)[^。]{0,40}(検査|点検|測定|監査)", 8),
    ("resident_dedicated", r"専任の|常駐|常時[^。]{0,15}(置|配置)|ごとに[^。]{0,30}置かなければ", 8),
    ("inperson_training", r"(講習|研修)を受けなければ|(講習|研修)を受けさせ|講習を修了した者|研修を修了した者|講習の課程を修了", 8),
    ("paper_posting", r"掲示しなければ|掲示するものとする|標識を掲げ|掲げなければ|掲示場に掲示", 8),
    ("inperson_viewing", r"閲覧させ|縦覧に供|備え置|備えて置|縦覧ニ供", 8),
    ("physical_media", r"フレキシブルディスク|磁気ディスク|磁気テープ|光ディスク|録音テープ|ビデオテープ", 8),
    ("paper_procedure", r"書面により|書面で|書面をもつて|書面をもって|記名押印|押印|署名|原本", 8),
    ("inperson_procedure", r"出頭しなければ|出頭を命じ|出頭させ|立会い|立ち会わせ|面前|持参|呈示しなければ|提示しなければ", 8),
    ("inperson_meeting", r"出席しなければ|出席がなければ|出席しなければ会議", 8),
]
# (f) visual-inspection cues are rare in Acts: a last, wider pass for 巡視/目視/見張り/点検 duties.
VISUAL_EXTRA = (r"目視|巡視|巡回|見回り|見張り|点検(しなければ|させなければ|を行わなければ|を行い)", 14)
STRICT_EXCLUDE = r"罰金|過料|準用する|この法律において「|証明書を携帯|証票を携帯"
STRICT_NO_DIGITAL = {"paper_posting": r"自動公衆送信", "inperson_viewing": r"電磁的方法|自動公衆送信",
                     "paper_procedure": r"電磁的方法|電磁的記録|情報通信の技術|情報通信技術|電子情報処理組織",
                     "physical_media": r"電子情報処理組織|調製"}
RANDOM_SHARE = 0.15


def law_files(corpus: Path) -> list[tuple[str, Path]]:
    """(source path relative to corpus, absolute path) of every Act used, sorted."""
    out: list[tuple[str, Path]] = []
    gitlaw = corpus / "egov-xml-gitlaw" / "laws"
    seen: set[str] = set()
    for path in sorted(gitlaw.glob("*/*/current.xml")):
        law_id = path.parent.name
        if "AC" not in law_id:  # Acts only
            continue
        seen.add(law_id)
        out.append((str(path.relative_to(corpus)), path))
    for name in LAWSDOC_FILES:
        path = corpus / "egov-xml-lawsdoc" / name
        if path.exists() and name.split("_")[0] not in seen:
            out.append((str(path.relative_to(corpus)), path))
    return out


def paragraph_records(rel: str, path: Path) -> list[dict]:
    """One record per paragraph: own text, items, article caption/heading/text."""
    doc = read_egov_xml(path)
    by_id = {p.provision_id: p for p in doc.walk()}
    records = []
    last_caption = None
    for prov in doc.walk():
        if prov.kind == "article":
            if prov.caption:
                last_caption = prov.caption
            continue
        if prov.kind != "paragraph" or prov.deleted or not prov.text.strip():
            continue
        parent = by_id.get(prov.parent_id) if prov.parent_id else None
        article_caption = None
        heading = None
        article_text = ""
        if parent is not None:
            article_caption = parent.caption or (last_caption if parent.kind == "article" else None)
            heading = parent.heading
            article_text = parent.text
        items = [f"{c.label} {c.text}" for c in prov.walk() if c.kind in ("item", "subitem") and c.text.strip()]
        records.append({
            "provision_id": prov.provision_id,
            "law_id": doc.doc_id,
            "title": doc.title,
            "source": rel,
            "label": prov.label,
            "caption": prov.caption,
            "article_caption": article_caption,
            "heading": heading,
            "parent_kind": parent.kind if parent is not None else None,
            "text": prov.text,
            "items": items,
            "article_text": article_text,
            "text_sha256": hashlib.sha256(prov.text.encode("utf-8")).hexdigest(),
        })
    return records


def full_text(rec: dict) -> str:
    return rec["text"] + "\n" + "\n".join(rec["items"])


def sample(records: list[dict], rng: random.Random) -> list[dict]:
    per_law: Counter = Counter()
    chosen: dict[str, dict] = {}

    def take(pool: list[dict], target: int, reason: str) -> None:
        pool = sorted(pool, key=lambda r: r["provision_id"])
        rng.shuffle(pool)
        # prefer laws that have given fewer candidates so far (spread across laws)
        pool.sort(key=lambda r: per_law[r["law_id"]])
        got = 0
        for rec in pool:
            if got >= target:
                break
            pid = rec["provision_id"]
            if pid in chosen:
                chosen[pid]["pools"].append(reason)
                continue
            if per_law[rec["law_id"]] >= MAX_PER_LAW:
                continue
            chosen[pid] = dict(rec, pools=[reason])
            per_law[rec["law_id"]] += 1
            got += 1

    for name, pattern, target in TYPE_POOLS:
        rx = re.compile(pattern)
        take([r for r in records if rx.search(full_text(r))], target, f"kw:{name}")
    take([r for r in records if re.search(HIDDEN, full_text(r))], POOL_TARGETS["hidden"], "hidden")
    take([r for r in records if re.search(DIGITAL, full_text(r))], POOL_TARGETS["digital"], "digital")
    n_random = int(len(chosen) * RANDOM_SHARE / (1 - RANDOM_SHARE))
    take([r for r in records if r["provision_id"] not in chosen], n_random, "random")
    for name, pattern, target in STRICT_POOLS:
        rx = re.compile(pattern)
        no_dig = STRICT_NO_DIGITAL.get(name)
        pool = [r for r in records
                if rx.search(full_text(r)) and not re.search(STRICT_EXCLUDE, full_text(r))
                and "罰則" not in (r["heading"] or "") + (r["article_caption"] or "")
                and not (no_dig and re.search(no_dig, r["article_text"]))]
        take(pool, target, f"strict:{name}")
    rx = re.compile(VISUAL_EXTRA[0])
    take([r for r in records if rx.search(full_text(r)) and not re.search(STRICT_EXCLUDE, full_text(r))
          and "罰則" not in (r["heading"] or "") + (r["article_caption"] or "")], VISUAL_EXTRA[1], "extra:visual_inspection")
    return sorted(chosen.values(), key=lambda r: (r["source"], r["provision_id"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/gold_candidates_national.jsonl"))
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    records: list[dict] = []
    for rel, path in law_files(args.corpus):
        records.extend(paragraph_records(rel, path))
    cands = sample(records, rng)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in cands:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    pools = Counter(p.split(":")[-1] for r in cands for p in r["pools"][:1])
    print(f"{len(records)} paragraphs in {len({r['law_id'] for r in records})} Acts; "
          f"{len(cands)} candidates from {len({r['law_id'] for r in cands})} laws -> {args.out}", file=sys.stderr)
    for name, n in sorted(pools.items()):
        print(f"  {name}: {n}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
