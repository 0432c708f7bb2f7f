"""Extraction speed on the shared corpus: the full extractor against tokenising every sentence.

    python bench/extract.py [CORPUS_DIR] [--limit N] [--split-modes]

All three passes run in this process over the same provisions (documents are parsed once, before
timing):

- *extractor*: the real `Extractor` (pre-filter, Sudachi on candidate sentences, rules, context);
- *tokenise all*: Sudachi on every sentence of every paragraph and item, nothing else;
- *keyword baseline*: the plain trigger-word regex of typology.md.

It prints characters per second for each and the ratios (target: extractor ≥ 2× tokenise-all).
`--split-modes` also scores the gold sets with Sudachi split modes A, B and C, which is how the
default mode was chosen.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analogmap.corpus.readers import collect_files, looks_like_law_file, read_document
from analogmap.extractors.analysis import analyse, versions
from analogmap.extractors.baseline import keyword_matches
from analogmap.extractors.engine import Extractor, split_sentences

REPO = Path(__file__).resolve().parents[1]
TARGET = 2.0


def load_documents(corpus: Path, limit: int | None):
    documents = []
    for path, _ in collect_files([corpus]):
        if looks_like_law_file(path):
            documents.append(read_document(path))
            if limit and len(documents) >= limit:
                break
    return documents


def unit_texts(documents) -> list[str]:
    return [p.text for d in documents for p in d.walk() if p.kind in ("paragraph", "item", "subitem") and p.text]


def timed(label: str, function, chars: int) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    rate = chars / best
    print(f"{label:<22} {best:8.2f} s  {rate:12,.0f} chars/s")
    return rate


def compare_split_modes() -> None:
    from analogmap.extractors.evaluate import evaluate, load_gold

    gold = [item for path in sorted((REPO / "tests" / "data").glob("gold_*.jsonl")) for item in load_gold(path)]
    corpus = REPO.parent / "shared" / "corpus"
    print("\nsplit mode  micro P   micro R   micro F1  (dev split of the gold sets)")
    for mode in ("A", "B", "C"):
        result = evaluate(gold, corpus, Extractor(split_mode=mode), splits=("dev",))
        micro = result.report["extractor:dev"]["micro"]
        print(f"    {mode}       {micro['precision']:.3f}     {micro['recall']:.3f}     {micro['f1']:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--limit", type=int, default=80, help="documents to use (0 = all)")
    parser.add_argument("--split-modes", action="store_true", help="also score the gold sets with modes A, B, C")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.exists():
        print(f"corpus not found: {corpus}", file=sys.stderr)
        return 2
    documents = load_documents(corpus, args.limit or None)
    texts = unit_texts(documents)
    chars = sum(len(t) for t in texts)
    sentences = [t[a:b] for t in texts for a, b in split_sentences(t)]
    print(f"{len(documents)} documents, {len(texts):,} paragraphs/items, {len(sentences):,} sentences, "
          f"{chars / 1e6:.1f} M chars; {versions()}")
    extractor = Extractor()
    analyse("準備")  # load the dictionary before timing

    def run_extractor():
        for document in documents:
            extractor.extract(document)

    def run_tokenise_all():
        for sentence in sentences:
            analyse(sentence)

    def run_baseline():
        for text in texts:
            keyword_matches(text)

    extract_rate = timed("extractor", run_extractor, chars)
    tokenise_rate = timed("tokenise all (Sudachi)", run_tokenise_all, chars)
    baseline_rate = timed("keyword baseline", run_baseline, chars)
    counter = Extractor()
    for document in documents:
        counter.extract(document)
    analysed = counter.sentences_analysed / max(len(sentences), 1)
    ratio = extract_rate / tokenise_rate
    print(f"pre-filter passed {analysed:.1%} of sentences to Sudachi")
    print(f"extractor / tokenise-all: {ratio:.2f}x  (target >= {TARGET}x: {'MET' if ratio >= TARGET else 'NOT MET'})")
    print(f"extractor / keyword baseline: {extract_rate / baseline_rate:.3f}x "
          f"(the baseline is {baseline_rate / extract_rate:.0f}x faster and about half as precise)")
    if args.split_modes:
        compare_split_modes()
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
