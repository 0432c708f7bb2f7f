"""Sample candidate paragraphs for the third (extra) hand-labelled development set.

Gold set, part 3.  Deterministic (fixed seed 20261126).  Reads the read-only corpus under
/work/shared/corpus and writes a work file of candidates OUTSIDE the repository (default
/tmp/gold_candidates_extra.jsonl).  tests/data/gold_extra.jsonl stores only provision ids, source paths,
labels and the sha256 of each paragraph's own text.

Sources (dev side only: a document whose id satisfies ``int(sha256(doc_id), 16) % 10 < 3`` is held out and
never read past its id):
  * egov-xml-gitlaw/laws/*/*/current.xml (Acts, current text),
  * egov-html-ledmonster/*.html (施行令/施行規則),
  * egov-xml-lawsdoc/*.xml: only the latest dated version of each document, and only documents that have no
    current.xml in egov-xml-gitlaw (dated versions share provision ids with the current text).
Paragraphs whose provision id is already in tests/data/gold_national.jsonl or gold_html.jsonl are skipped.
At most MAX_PER_DOC paragraphs per document; documents with few labels so far (existing gold sets plus this
sample) are preferred.

Pools (a paragraph is read together with its items):
  (a) ~60 %: analog cue words of the 11 types (typology.md wording plus 立会い/面前/出頭/持参/備え付け/縦覧/
      意見の聴取/出席/専任/選任/常時/巡視/目視/定期/毎年/ごとに…検査/講習/研修/掲示/標識/見やすい/閲覧/帳簿/書面/
      申請書/押印/署名/磁気ディスク/光ディスク), drawn round-robin so that every type gets the same share;
  (b) ~25 %: a duty modal (なければならない/ものとする) and none of the cue words;
  (c) ~15 %: fully random paragraphs;
  (d) drawn last with its own seed (SEED + 1) so that (a)-(c) stay as they are: obligation-shaped patterns
      for the types that (a)-(c) left with few or no positives (目視/巡視, fixed-interval inspections,
      recording media, 専任/常駐, attendance at training, posting, keeping at an office), without 罰則,
      準用 or 登録講習機関 wording.

Usage:  python scripts/gold_sample_extra.py [--corpus /work/shared/corpus] [--out /tmp/gold_candidates_extra.jsonl]
                                           [--total 250]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from analogmap.corpus.readers import read_document
from gold_sampling import Sampler, full_text, held_out, labelled_ids, paragraph_candidates

SEED = 20261126
MAX_PER_DOC = 4
REPO = Path(__file__).resolve().parents[1]
GOLD_FILES = [REPO / "tests" / "data" / "gold_national.jsonl", REPO / "tests" / "data" / "gold_html.jsonl"]

CUES: dict[str, str] = {
    "visual_inspection": r"目視|巡視|巡回|見回り|見張り|監視|点検|現地調査",
    "onsite_audit": r"実地に|実地調査|実地検査|立入検査|立ち入り|立入り|立ち入ら|臨検|現地において|現場において|物件を検査",
    "periodic_inspection": r"定期|毎年|年ごとに|年以内ごとに|月ごとに|ごとに[^。]{0,30}検査",
    "resident_dedicated": r"常駐|専任|駐在|常置|常時|選任|ごとに[^。]{0,30}置かなければ",
    "inperson_training": r"講習|研修|実習|実技",
    "paper_posting": r"掲示|見やすい|標識|標札|看板",
    "inperson_viewing": r"閲覧|縦覧|備え置|備置|備え付け|備付け|備えて置|帳簿",
    "physical_media": r"フレキシブルディスク|フロッピー|磁気ディスク|磁気テープ|光ディスク|シー・ディー・ロム|ビデオカセット",
    "paper_procedure": r"書面|文書で|文書により|文書をもつて|申請書|届出書|記名押印|押印|署名|印鑑|原本",
    "inperson_procedure": r"出頭|来庁|窓口|持参|面接|面前|立会|立ち会|対面",
    "inperson_meeting": r"出席|参集|意見の聴取|聴聞の期日|会議",
}
ANY_CUE = re.compile("|".join(f"(?:{p})" for p in CUES.values()))
MODAL = re.compile(r"なければならない|ものとする")
SHARES = {"cue": 0.60, "modal": 0.25, "random": 0.15}

# (d) second pass: (type, pattern, target).
STRICT_POOLS: list[tuple[str, str, int]] = [
    ("visual_inspection", r"目視|巡視|見回り|見張", 8),
    ("periodic_inspection", r"定期に|定期的に|定期検査|定期点検|定期自主検査|毎年[^。]{0,6}回以上|年以内ごとに|年ごとに[^。]{0,20}(検査|点検|測定)", 8),
    ("physical_media", r"フレキシブルディスク|磁気ディスク|光ディスク|磁気テープ", 6),
    ("resident_dedicated", r"専任の|常駐|常時[^。]{0,15}(置|配置)|ごとに[^。]{0,30}(置かなければ|選任しなければ)", 7),
    ("inperson_training", r"(講習|研修)を受けなければ|(講習|研修)を受けさせ|(講習|研修)を修了した者|講習の課程を修了|(講習|研修)を受けた者", 7),
    ("paper_posting", r"掲示しなければ|見やすい(場所|箇所)に|標識を掲げ", 5),
    ("inperson_viewing", r"備え置かなければ|備え付けなければ|備えて置かなければ|帳簿を備え|縦覧に供し|閲覧させ", 5),
]
STRICT_EXCLUDE = r"罰金|過料|準用する|読み替える|登録講習機関|登録試験機関|指定試験機関|施行期日|証明書を携帯|証票を携帯"


def doc_id_of(path: Path) -> str:
    """Document id from the file name / folder, so held-out documents are skipped before parsing."""
    if path.name == "current.xml":
        return path.parent.name
    return path.name.split("_")[0]


def sources(corpus: Path) -> list[Path]:
    gitlaw = sorted((corpus / "egov-xml-gitlaw" / "laws").glob("*/*/current.xml"))
    have = {p.parent.name for p in gitlaw}
    html = sorted((corpus / "egov-html-ledmonster").glob("*.html"))
    latest: dict[str, Path] = {}
    for p in sorted((corpus / "egov-xml-lawsdoc").glob("*.xml")):
        latest[doc_id_of(p)] = p  # names sort by date within a document
    lawsdoc = [p for d, p in sorted(latest.items()) if d not in have]
    return [p for p in gitlaw + html + lawsdoc if not held_out(doc_id_of(p))]


def paragraph_records(corpus: Path, path: Path) -> list[dict]:
    doc = read_document(path)
    if held_out(doc.doc_id):
        return []
    return paragraph_candidates(corpus, path, doc, doc.doc_id, sibling_kinds=("paragraph",))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/gold_candidates_extra.jsonl"))
    ap.add_argument("--total", type=int, default=250)
    args = ap.parse_args(argv)
    rng = random.Random(SEED)

    taken, prior = labelled_ids(GOLD_FILES)

    records: list[dict] = []
    for path in sources(args.corpus):
        records.extend(r for r in paragraph_records(args.corpus, path) if r["provision_id"] not in taken)
    seen: set[str] = set()
    records = [r for r in records if not (r["provision_id"] in seen or seen.add(r["provision_id"]))]

    s = Sampler(rng, prior, MAX_PER_DOC, order_key=lambda r: r["provision_id"])
    n_cue = round(args.total * SHARES["cue"])
    pools = {t: s.order([r for r in records if re.search(p, full_text(r))]) for t, p in CUES.items()}
    got = Counter()
    while sum(got.values()) < n_cue:
        progressed = False
        for t in CUES:  # round-robin: same share for every type
            if sum(got.values()) >= n_cue:
                break
            rec = s.pick(pools[t])
            if rec is not None:
                s.add(rec, f"cue:{t}")
                got[t] += 1
                progressed = True
        if not progressed:
            break
    modal = [r for r in records if MODAL.search(full_text(r)) and not ANY_CUE.search(full_text(r))]
    s.take(modal, round(args.total * SHARES["modal"]), "modal")
    s.take([r for r in records if r["provision_id"] not in s.chosen], args.total - len(s.chosen), "random")

    first = set(s.chosen)
    s.rng = random.Random(SEED + 1)
    ex = re.compile(STRICT_EXCLUDE)
    for name, pattern, target in STRICT_POOLS:
        rx = re.compile(pattern)
        s.take([r for r in records if rx.search(full_text(r)) and not ex.search(full_text(r))], target, f"strict:{name}")

    cands = sorted(s.chosen.values(), key=lambda r: (r["source"], r["provision_id"]))
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in cands:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    pools_n = Counter(r["pools"][0].split(":")[0] for r in cands)
    print(f"first pass {len(first)}, strict pass {len(cands) - len(first)}", file=sys.stderr)
    print(f"{len(records)} dev paragraphs not yet labelled; {len(cands)} candidates from "
          f"{len({r['doc_id'] for r in cands})} documents {dict(sorted(pools_n.items()))}", file=sys.stderr)
    print(f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
