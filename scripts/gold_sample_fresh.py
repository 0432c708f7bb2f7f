"""Sample candidate paragraphs for the fourth (fresh) hand-labelled development set.

Gold set, part 4.  Deterministic (fixed seed 4242).  Reads the read-only corpus under /work/shared/corpus
and writes a work file of candidates OUTSIDE the repository (default /tmp/gold_candidates_fresh.jsonl).
tests/data/gold_fresh.jsonl stores only provision ids, source paths, labels and the sha256 of each
paragraph's own text.

Sources (dev side only: a document whose id satisfies ``int(sha256(doc_id), 16) % 10 < 3`` is held out and
skipped by its file name / law id before it is parsed):
  * egov-xml-gitlaw/laws/*/*/current.xml (Acts, current text; id = folder name),
  * egov-html-ledmonster/*.html (施行令/施行規則; id = file name up to the first "_"),
  * egov-html-ledmonster-2015/*.html (Acts as of December 2015; id = `law_id_new` column of index.tsv).
    2015 texts share provision ids with the current Acts, so an id labelled anywhere (or already drawn
    from the current text) is skipped.
Paragraphs whose provision id is in tests/data/gold_national.jsonl, gold_html.jsonl or gold_extra.jsonl are
skipped.  At most MAX_PER_DOC paragraphs per source file; documents (law ids) with no labels yet are preferred.

Pools (a paragraph is read together with its items):
  (a) ~55 %: a cue word of one of the 11 types, drawn round-robin so that every type gets the same share;
  (b) ~25 %: a duty modal (なければならない/ものとする) and none of the cue words;
  (c) ~20 %: random paragraphs.

Usage:  python scripts/gold_sample_fresh.py [--corpus /work/shared/corpus] [--out /tmp/gold_candidates_fresh.jsonl]
                                           [--total 175]
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

SEED = 4242
MAX_PER_DOC = 3
REPO = Path(__file__).resolve().parents[1]
GOLD_FILES = [REPO / "tests" / "data" / n for n in ("gold_national.jsonl", "gold_html.jsonl", "gold_extra.jsonl")]

CUES: dict[str, str] = {
    "visual_inspection": r"目視|巡視|巡回|監視",
    "onsite_audit": r"立入|立ち入|実地|臨検",
    "periodic_inspection": r"(定期|毎年|ごとに)[^。]{0,30}(検査|点検)",
    "resident_dedicated": r"専任|常駐|ごとに[^。]{0,30}置",
    "inperson_training": r"講習|研修|教育訓練",
    "paper_posting": r"掲示|標識|見やすい",
    "inperson_viewing": r"閲覧|縦覧|備え|備付|備置|帳簿",
    "physical_media": r"磁気ディスク|光ディスク|フレキシブルディスク",
    "paper_procedure": r"書面|申請書|届出書|押印|署名|添付",
    "inperson_procedure": r"出頭|立会|立ち会|面前|持参|対面",
    "inperson_meeting": r"出席|聴聞|意見の聴取|期日",
}
ANY_CUE = re.compile("|".join(f"(?:{p})" for p in CUES.values()))
MODAL = re.compile(r"なければならない|ものとする")
SHARES = {"cue": 0.55, "modal": 0.25, "random": 0.20}


def sources(corpus: Path) -> list[tuple[str, Path]]:
    """(doc_id, path) of every dev-side source file; ids come from names, nothing is parsed here."""
    out: list[tuple[str, Path]] = []
    for p in sorted((corpus / "egov-xml-gitlaw" / "laws").glob("*/*/current.xml")):
        out.append((p.parent.name, p))
    for p in sorted((corpus / "egov-html-ledmonster").glob("*.html")):
        out.append((p.name.split("_")[0], p))
    old = corpus / "egov-html-ledmonster-2015"
    index = read_index(old / "index.tsv")
    for p in sorted(old.glob("*.html")):
        if p.name in index:  # without a law id the side cannot be decided: skip
            out.append((index[p.name], p))
    return [(d, p) for d, p in out if not held_out(d)]


def paragraph_records(corpus: Path, doc_id: str, path: Path) -> list[dict]:
    doc = read_document(path)
    if held_out(doc.doc_id) or held_out(doc_id):
        return []
    return paragraph_candidates(corpus, path, doc, doc_id)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/gold_candidates_fresh.jsonl"))
    ap.add_argument("--total", type=int, default=175)
    args = ap.parse_args(argv)
    rng = random.Random(SEED)

    taken, prior = labelled_ids(GOLD_FILES)

    records: list[dict] = []
    for doc_id, path in sources(args.corpus):
        records.extend(r for r in paragraph_records(args.corpus, doc_id, path) if r["provision_id"] not in taken)

    s = Sampler(rng, prior, MAX_PER_DOC, per="source")
    n_cue = round(args.total * SHARES["cue"])
    pools = {t: s.order([r for r in records if re.search(p, full_text(r))]) for t, p in CUES.items()}
    got: Counter = Counter()
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
    s.take(records, args.total - len(s.chosen), "random")

    cands = sorted(s.chosen.values(), key=lambda r: (r["source"], r["provision_id"]))
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in cands:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    pools_n = Counter(r["pools"][0] for r in cands)
    print(f"{len(records)} dev paragraphs not yet labelled; {len(cands)} candidates from "
          f"{len({r['source'] for r in cands})} files / {len({r['doc_id'] for r in cands})} law ids", file=sys.stderr)
    print(dict(sorted(pools_n.items())), file=sys.stderr)
    print(f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
