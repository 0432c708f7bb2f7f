"""Sample candidate paragraphs for one fresh round of the hand-labelled development set, weighted to positives.

Gold set, parts 5 onwards (gold_fresh2.jsonl: ``--seed 777 --own gold_fresh2.jsonl``; gold_fresh3.jsonl and
gold_fresh4.jsonl: see their rows in LABELLING.md).  Deterministic for a given seed.  Reads the read-only corpus
under /work/shared/corpus and writes a work file of candidates OUTSIDE the repository.  The gold file stores
only provision ids, source paths, labels and the sha256 of each paragraph's own text.

Sources (dev side by default: a document whose id satisfies ``int(sha256(doc_id), 16) % 10 < 3`` is held out and
skipped by its file name / law id before it is parsed; ``--side holdout`` draws from those documents only, for a
held-out file that is scored but never used to write rules):
  * egov-xml-gitlaw/laws/*/*/current.xml (Acts, current text; id = folder name),
  * egov-html-ledmonster-2015/*.html (Acts as of December 2015; id = `law_id_new` column of index.tsv),
  * egov-xml-lawsdoc/*.xml (the latest dated version of each document; id = file name up to the first "_"),
  * egov-html-ledmonster/*.html (施行令/施行規則, e-Gov API v2 HTML; id = file name up to the first "_").
  ``--sources`` picks among them (xml, html2015, lawsdoc, html).
    2015 texts and dated versions share provision ids with the current Acts, so an id labelled anywhere, or
    already drawn from another source, is skipped.
Paragraphs whose provision id is in any tests/data/gold_*.jsonl (other than ``--own``) are skipped, so a draw is
reproduced with the gold files that existed when it was made.  At most a few paragraphs
per document (law id; ``--max-per-doc``, default 2); documents with no labels yet are preferred.

Pools (a paragraph is read together with its items):
  (a) ~75 %: a DUTY modal (なければならない/ものとする/ことができない/しなければ) AND a cue word of one of
      the 11 types, drawn round-robin; ``--extra-share TYPE`` (repeatable) gives a type one more turn per
      round, for types with few labelled positives;
  (b) ~25 %: random paragraphs.

Usage:  python scripts/gold_sample_round.py --own gold_freshN.jsonl --seed N [--corpus /work/shared/corpus]
            [--out /tmp/gold_candidates.jsonl] [--total 160] [--sources xml,html2015,lawsdoc] [--extra-share TYPE]
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
from gold_sampling import Sampler, full_text, held_out, labelled_ids, paragraph_candidates, read_index

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO / "tests" / "data"

CUES: dict[str, str] = {
    "visual_inspection": r"目視|巡視|巡回|見張",
    "onsite_audit": r"立入|立ち入|実地|臨検",
    "periodic_inspection": r"定期|毎年|年ごとに|年に一回",
    "resident_dedicated": r"専任|常駐|駐在|ごとに[^。]{0,30}置",
    "inperson_training": r"講習|研修|教育訓練",
    "paper_posting": r"掲示|標識|見やすい",
    "inperson_viewing": r"閲覧|縦覧|備え付け|備付け|備え置|備置|帳簿を備え",
    "physical_media": r"磁気ディスク|光ディスク|フレキシブルディスク",
    "paper_procedure": r"書面|申請書|届出書|押印|署名|添付",
    "inperson_procedure": r"出頭|立会|立ち会|面前|持参|対面",
    "inperson_meeting": r"出席|聴聞|意見の聴取",
}
MODAL = re.compile(r"なければならない|ものとする|ことができない|しなければ")
SHARES = {"cue": 0.75, "random": 0.25}


def latest_by_prefix(folder: Path, pattern: str) -> list[tuple[str, Path]]:
    """(id, path) of the last file per id, the id being the name up to the first "_" (names sort by date)."""
    latest: dict[str, Path] = {}
    for p in sorted(folder.glob(pattern)):
        latest[p.name.split("_")[0]] = p
    return sorted(latest.items())


def on_side(doc_id: str, side: str) -> bool:
    return held_out(doc_id) == (side == "holdout")


def sources(corpus: Path, kinds: set[str], side: str) -> list[tuple[str, Path]]:
    """(doc_id, path) of every source file of the chosen kinds on one side; ids come from names, nothing is parsed."""
    out: list[tuple[str, Path]] = []
    if "xml" in kinds:
        out.extend((p.parent.name, p) for p in sorted((corpus / "egov-xml-gitlaw" / "laws").glob("*/*/current.xml")))
    if "html2015" in kinds:
        old = corpus / "egov-html-ledmonster-2015"
        index = read_index(old / "index.tsv")
        # without a law id the side cannot be decided: skip
        out.extend((index[p.name], p) for p in sorted(old.glob("*.html")) if p.name in index)
    if "lawsdoc" in kinds:
        out.extend(latest_by_prefix(corpus / "egov-xml-lawsdoc", "*.xml"))
    if "html" in kinds:
        out.extend(latest_by_prefix(corpus / "egov-html-ledmonster", "*.html"))
    return [(d, p) for d, p in out if on_side(d, side)]


def paragraph_records(corpus: Path, doc_id: str, path: Path, side: str) -> list[dict]:
    doc = read_document(path)
    if not (on_side(doc.doc_id, side) and on_side(doc_id, side)):
        return []
    return paragraph_candidates(corpus, path, doc, doc_id)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/gold_candidates.jsonl"))
    ap.add_argument("--total", type=int, default=160)
    ap.add_argument("--own", required=True, help="Name of the gold file this round becomes (its ids are not 'taken').")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sources", default="xml,html2015,lawsdoc")
    ap.add_argument("--max-per-doc", type=int, default=2)
    ap.add_argument("--side", choices=("dev", "holdout"), default="dev",
                    help="Draw from development documents (default) or from held-out ones, for a held-out file.")
    ap.add_argument("--extra-share", action="append", default=[], choices=sorted(CUES))
    ap.add_argument("--only", action="append", default=[], choices=sorted(CUES),
                    help="Draw cue paragraphs for these types only (repeatable).")
    ap.add_argument("--cue", action="append", default=[], metavar="TYPE=REGEX",
                    help="Replace a type's cue regex, e.g. when its usual cue words are exhausted.")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    for override in args.cue:
        code, _, regex = override.partition("=")
        if code not in CUES or not regex:
            ap.error(f"--cue needs TYPE=REGEX with one of {sorted(CUES)}: {override!r}")
        CUES[code] = regex
    turns = (list(args.only) or list(CUES)) + list(args.extra_share)

    # re-running must not depend on this set's own labels
    taken, prior = labelled_ids(p for p in sorted(GOLD_DIR.glob("gold_*.jsonl")) if p.name != args.own)

    records: list[dict] = []
    seen: set[str] = set()
    for doc_id, path in sources(args.corpus, set(args.sources.split(",")), args.side):
        for r in paragraph_records(args.corpus, doc_id, path, args.side):
            if r["provision_id"] in taken or r["provision_id"] in seen:  # an id is never drawn twice
                continue
            seen.add(r["provision_id"])
            records.append(r)

    s = Sampler(rng, prior, args.max_per_doc)
    n_cue = round(args.total * SHARES["cue"])
    duty = [r for r in records if MODAL.search(full_text(r))]
    pools = {t: s.order([r for r in duty if re.search(p, full_text(r))]) for t, p in CUES.items()}
    got: Counter = Counter()
    while sum(got.values()) < n_cue:
        progressed = False
        for t in turns:  # round-robin: one share per turn
            if sum(got.values()) >= n_cue:
                break
            rec = s.pick(pools[t])
            if rec is not None:
                s.add(rec, f"cue:{t}")
                got[t] += 1
                progressed = True
        if not progressed:
            break
    s.take(records, args.total - len(s.chosen), "random")

    cands = sorted(s.chosen.values(), key=lambda r: (r["source"], r["provision_id"]))
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in cands:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    pools_n = Counter(r["pools"][0] for r in cands)
    print(f"{len(records)} {args.side} paragraphs not yet labelled; {len(cands)} candidates from "
          f"{len({r['doc_id'] for r in cands})} law ids", file=sys.stderr)
    print({t: len(p) for t, p in pools.items()}, file=sys.stderr)
    print(dict(sorted(pools_n.items())), file=sys.stderr)
    print(f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
