"""API latency: p50/p95 of `GET /provisions` with filters and of `POST /check` on a 30-article ordinance.

The embedded store is loaded with the shared corpus (`kg.pipeline.run_scan`; unchanged files are
skipped, so a second run starts at once), then the app is called in-process through the FastAPI test
client (no network: what is measured is the app and the store).

    python bench/api.py [--corpus ../shared/corpus] [--store /tmp/analogmap-bench-graph] [-n 200] [--jobs 2]

Targets (issue): p95 < 100 ms for the query, < 1.5 s for the check.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "api" / "fixtures" / "sample_ordinance.txt"

QUERIES = [
    {"type": "visual_inspection"},
    {"type": "paper_posting", "min_confidence": 0.8},
    {"jurisdiction": "国", "status": "unreviewed", "type": "onsite_audit"},
    {"q": "掲示"},
    {"q": "書面 提出", "kind": "法律"},
    {"digital": "false", "phase": 1, "sort": "document"},
    {"kind": "条例"},
    {"technology": "1016"},
    {},
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, samples: list[float], target_ms: float) -> bool:
    p50, p95 = percentile(samples, 0.50) * 1000, percentile(samples, 0.95) * 1000
    ok = p95 < target_ms
    print(f"{name:<42} n={len(samples):<4} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   "
          f"target p95 < {target_ms:.0f} ms: {'ok' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--store", type=Path, default=Path("/tmp/analogmap-bench-graph"))
    parser.add_argument("-n", type=int, default=200, help="requests per query kind")
    parser.add_argument("--checks", type=int, default=30, help="POST /check repetitions")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    from analogmap.api.app import create_app
    from analogmap.api.settings import Settings
    from analogmap.kg.store import open_store
    from fastapi.testclient import TestClient

    store = open_store("embedded", path=args.store)
    if args.corpus.exists():
        from analogmap.kg.pipeline import run_scan

        clock = time.perf_counter()
        summary = run_scan([args.corpus], store, jobs=args.jobs, on_problem=lambda text: None)
        print(f"scan of {args.corpus}: {time.perf_counter() - clock:.1f} s ({summary})"[:400], file=sys.stderr)
    else:
        print(f"corpus {args.corpus} not found; measuring the store as it is", file=sys.stderr)
    print(f"store: {store.stats()}")
    app = create_app(Settings(store_path=args.store), store=store)
    ok = True
    with TestClient(app) as client:
        # warm up (extractor, techmap, SQLite page cache)
        client.post("/check", json={"content": FIXTURE.read_text(encoding="utf-8")})
        for query in QUERIES:
            client.get("/provisions", params=query)
        samples: list[float] = []
        per_query: dict[str, list[float]] = {}
        for i in range(args.n):
            query = QUERIES[i % len(QUERIES)]
            clock = time.perf_counter()
            response = client.get("/provisions", params={**query, "limit": 50})
            elapsed = time.perf_counter() - clock
            assert response.status_code == 200, (query, response.text[:300])
            samples.append(elapsed)
            per_query.setdefault(str(query), []).append(elapsed)
        ok &= report("GET /provisions (filters, limit 50)", samples, 100)
        for name, values in per_query.items():
            print(f"    {name:<60} p50 {statistics.median(values) * 1000:7.1f} ms  "
                  f"max {max(values) * 1000:7.1f} ms")
        text = FIXTURE.read_text(encoding="utf-8")
        import re

        articles = len(re.findall(r"(?m)^第[一二三四五六七八九十百]+条", text))
        checks = []
        for _ in range(args.checks):
            clock = time.perf_counter()
            response = client.post("/check", json={"content": text})
            checks.append(time.perf_counter() - clock)
            assert response.status_code == 200, response.text[:300]
        findings = len(response.json()["findings"])
        ok &= report(f"POST /check ({articles}-article ordinance, {findings} findings)", checks, 1500)
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
