"""Parse throughput on the shared corpus, against a bare lxml iterparse of the same files.

    python bench/parse.py [CORPUS_DIR]        # default: ../shared/corpus beside the repository

(a) a bare `lxml.etree.iterparse` pass over every e-Gov XML file (events consumed, elements cleared) and
(b) `analogmap.corpus.readers.read_document` on the same files, in the same process, best of 3 each.
Prints MB, seconds, MB/s, provisions/s and the ratio ours/iterparse (target >= 0.3, issue "Read the law"),
then a line for the HTML files (MB/s, provisions/s).  Exit status 0 when the target is met, 1 when not,
2 when the corpus is missing.
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path
from typing import Callable

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TARGET_RATIO = 0.3
ROUNDS = 3


def egov_xml_files(corpus: Path) -> list[Path]:
    """e-Gov XML files, by content (a `<Law` root near the start), whatever the extension."""
    from analogmap.corpus.readers import sniff_format

    found = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(corpus).parts):
            with path.open("rb") as handle:
                if sniff_format(handle.read(65536)) == "egov-xml":
                    found.append(path)
    return found


def html_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".html", ".htm"))


def bare_iterparse(files: list[Path]) -> int:
    """Consume every end event and clear the element; returns the number of elements seen."""
    elements = 0
    for path in files:
        for _event, element in etree.iterparse(str(path), events=("end",), resolve_entities=False,
                                               no_network=True, load_dtd=False, huge_tree=False):
            elements += 1
            element.clear()
    return elements


def ours(files: list[Path]) -> int:
    """`read_document` on every file (this is what is timed); returns the number of files read."""
    from analogmap.corpus.readers import read_document

    for path in files:
        read_document(path)
    return len(files)


def count_provisions(files: list[Path]) -> int:
    """Provisions in all files (an untimed pass, which also warms imports and the page cache)."""
    from analogmap.corpus.readers import read_document

    return sum(sum(1 for _ in read_document(path).walk()) for path in files)


def best_of(function: Callable[[list[Path]], int], files: list[Path], rounds: int = ROUNDS) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        count = function(files)
        best = min(best, time.perf_counter() - started)
    return best, count


def megabytes(files: list[Path]) -> float:
    return sum(p.stat().st_size for p in files) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed passes per measurement (best is kept)")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"corpus not found: {corpus}", file=sys.stderr)
        return 2

    xml = egov_xml_files(corpus)
    html = html_files(corpus)
    if not xml:
        print(f"no e-Gov XML files under {corpus}", file=sys.stderr)
        return 2
    for path in xml + html:  # warm the page cache so both sides read from memory
        path.read_bytes()
    provisions = count_provisions(xml)
    html_provisions = count_provisions(html)

    xml_mb = megabytes(xml)
    base_s, elements = best_of(bare_iterparse, xml, args.rounds)
    ours_s, _ = best_of(ours, xml, args.rounds)
    base_rate = xml_mb / base_s
    ours_rate = xml_mb / ours_s
    ratio = ours_rate / base_rate

    print(f"corpus: {corpus}  ({len(xml)} e-Gov XML files, {len(html)} HTML files; best of {args.rounds})")
    print(f"{'':22}{'files':>6}{'MB':>9}{'seconds':>9}{'MB/s':>8}{'items/s':>11}")
    print(f"{'lxml iterparse (XML)':22}{len(xml):>6}{xml_mb:>9.1f}{base_s:>9.2f}{base_rate:>8.1f}"
          f"{elements / base_s:>11,.0f}  elements")
    print(f"{'read_document (XML)':22}{len(xml):>6}{xml_mb:>9.1f}{ours_s:>9.2f}{ours_rate:>8.1f}"
          f"{provisions / ours_s:>11,.0f}  provisions ({provisions:,})")
    if html:
        html_mb = megabytes(html)
        html_s, _ = best_of(ours, html, args.rounds)
        print(f"{'read_document (HTML)':22}{len(html):>6}{html_mb:>9.1f}{html_s:>9.2f}{html_mb / html_s:>8.1f}"
              f"{html_provisions / html_s:>11,.0f}  provisions ({html_provisions:,})")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")
    met = ratio >= TARGET_RATIO
    print(f"ratio ours/iterparse (XML MB/s): {ratio:.2f} — target >= {TARGET_RATIO}: "
          f"{'MET' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
