"""End-to-end scan throughput and peak memory (`analogmap.kg.pipeline.run_scan`, embedded store).

    python bench/scan.py [CORPUS_DIR ...] [--jobs 1 2] [--repeat 1 2 4] [--store embedded|neo4j]

1. Throughput: a fresh store, every law file under the corpus (default ../shared/corpus/egov-xml-gitlaw),
   scanned with `--jobs 1` and `--jobs 2`: MB of input per second, documents, findings.
2. Memory: the same input repeated 1×, 2× and 4× (each copy under its own law id: symlinks named
   `rep<k>/<LawId with a letter in its number>/current.xml`, so every copy is a distinct document) scanned with
   `--jobs 2` into a fresh store; peak RSS of the scanning process and of its largest worker
   (`getrusage`, the children counted once they have exited).  The pipeline streams through a bounded
   window of in-flight documents, so the peaks stay flat as the input grows.

Each measurement runs in a fresh subprocess (so peaks do not carry over).  With `--store neo4j` the
scans go to NEO4J_URI (wiped before each measurement!).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "egov-xml-gitlaw"


def law_files(corpora: list[Path]) -> list[Path]:
    from analogmap.corpus.readers import collect_files, looks_like_law_file

    return [path for path, explicit in collect_files(corpora) if explicit or looks_like_law_file(path)]


def repeated_tree(files: list[Path], times: int, root: Path) -> Path:
    """`times` copies of `files` as symlinks, copy k under law ids whose number starts with k."""
    from analogmap.corpus.ids import law_id_from_file_name, looks_like_law_id

    target = root / f"x{times}"
    for copy in range(times):
        for index, path in enumerate(files):
            law_id = path.parent.name if looks_like_law_id(path.parent.name) else None
            if law_id is None:
                parsed = law_id_from_file_name(path.stem)
                law_id = parsed[0] if parsed else f"999ZZ{index:010d}"
            # The number's first character becomes a letter (B, C, D …): real ids have a digit there.
            new_id = law_id if copy == 0 else law_id[:5] + chr(ord("A") + copy) + law_id[6:]
            link = target / f"rep{copy}" / new_id / path.name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path.resolve())
    return target


def child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    from analogmap.kg.pipeline import run_scan
    from analogmap.kg.store import open_store

    if args.store == "neo4j":
        store = open_store("neo4j", uri=os.environ["NEO4J_URI"], user=os.environ.get("NEO4J_USER", "neo4j"),
                           password=os.environ.get("NEO4J_PASSWORD", ""))
        store.wipe()
    else:
        store = open_store("embedded", path=args.db)
    paths = [Path(p) for p in args.paths]
    start = time.perf_counter()
    summary = run_scan(paths, store, jobs=args.jobs)
    seconds = time.perf_counter() - start
    store.close()
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    counts = summary.counts
    print(json.dumps({"seconds": seconds, "bytes": counts["bytes"], "written": counts["written"],
                      "findings": counts["findings"], "provisions": counts["provisions"],
                      "errors": counts["errors"], "peak_main_mb": self_kb / 1024,
                      "peak_worker_mb": children_kb / 1024}))


def measure(paths: list[Path], jobs: int, store: str, workdir: Path) -> dict:
    db = Path(tempfile.mkdtemp(prefix="db-", dir=workdir))
    command = [sys.executable, __file__, "--child", "--jobs", str(jobs), "--store", store, "--db", str(db),
               *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True)
    shutil.rmtree(db, ignore_errors=True)
    if result.returncode != 0:
        raise SystemExit(f"measurement failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeat", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--memory-jobs", type=int, default=2)
    parser.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.jobs = args.jobs[0] if args.jobs else 1
        child(args)
        return 0
    corpora = args.paths or [DEFAULT_CORPUS]
    for corpus in corpora:
        if not corpus.exists():
            print(f"corpus not found: {corpus}", file=sys.stderr)
            return 2
    files = law_files(corpora)
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    print(f"input: {len(files)} law files, {megabytes:.1f} MB ({', '.join(map(str, corpora))}); store {args.store}; "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        workdir = Path(tmp)
        print(f"\n{'jobs':>4} {'MB':>7} {'s':>7} {'MB/s':>6} {'docs':>5} {'findings':>8} "
              f"{'peak main MB':>12} {'peak worker MB':>14}")
        for jobs in args.jobs:
            m = measure(files, jobs, args.store, workdir)
            print(f"{jobs:>4} {m['bytes'] / 1e6:>7.1f} {m['seconds']:>7.1f} {m['bytes'] / 1e6 / m['seconds']:>6.2f} "
                  f"{m['written']:>5} {m['findings']:>8} {m['peak_main_mb']:>12.0f} {m['peak_worker_mb']:>14.0f}")
        print(f"\nmemory as the input grows (--jobs {args.memory_jobs}):")
        print(f"{'input':>5} {'MB':>7} {'docs':>5} {'s':>7} {'MB/s':>6} {'peak main MB':>12} {'peak worker MB':>14}")
        for times in args.repeat:
            tree = repeated_tree(files, times, workdir)
            m = measure([tree], args.memory_jobs, args.store, workdir)
            print(f"{times:>4}× {m['bytes'] / 1e6:>7.1f} {m['written']:>5} {m['seconds']:>7.1f} "
                  f"{m['bytes'] / 1e6 / m['seconds']:>6.2f} {m['peak_main_mb']:>12.0f} {m['peak_worker_mb']:>14.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
