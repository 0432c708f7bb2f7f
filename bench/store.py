"""Graph-store benchmark: Neo4j batched vs per-row writes, and the embedded store's load and queries.

    python bench/store.py                      # embedded store; Neo4j too when NEO4J_URI is set
    python bench/store.py --compare-embedded   # also the SQLite vs pyoxigraph measurement (kg/embedded.py)

Prints provisions/s for Neo4j's batched `UNWIND … MERGE` path and for one transaction per provision,
and their ratio (target ≥ 20×); the embedded store's load time and single-law / free-text /
get_provision query times.  Data is synthetic (deterministic): laws of 100 paragraphs each.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analogmap.kg.records import DocumentRecord, Page, ProvisionFilter, ProvisionRecord  # noqa: E402
from analogmap.kg.store import open_store  # noqa: E402

PER_LAW = 100
TEXT = "事業者は、帳簿を事務所に備え置き、利害関係人の請求があつたときは、これを閲覧させなければならない。"


def law_id(index: int) -> str:
    return f"4{index // 1000:02d}AC{index % 1000:010d}"


def synthetic(laws: int, offset: int = 0) -> tuple[list[DocumentRecord], list[ProvisionRecord]]:
    documents, provisions = [], []
    for index in range(offset, offset + laws):
        doc_id = law_id(index)
        documents.append(DocumentRecord(doc_id, f"ベンチ法{index}", "法律", "国", "2024-04-01", sha256=f"{index:064d}"))
        position = 0
        for number in range(1, PER_LAW + 1):
            text = f"{TEXT}（{index}の{number}）"
            provisions.append(ProvisionRecord(f"{doc_id}#a{number}-p1", doc_id, "paragraph", f"第{number}条第一項",
                                              text, position, position + len(text), num="1",
                                              parent_id=None))
            position += len(text) + 1
    return documents, provisions


def timed(function, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_embedded(laws: int) -> None:
    directory = Path(tempfile.mkdtemp(prefix="analogmap-bench-"))
    try:
        store = open_store("embedded", path=directory)
        documents, provisions = synthetic(laws)
        load, _ = timed(lambda: (store.upsert_documents(documents), store.upsert_provisions(provisions)))
        print(f"embedded: loaded {len(provisions):,} provisions ({len(provisions) * 8:,} triple-equivalents) "
              f"in {load:.2f} s = {len(provisions) / load:,.0f} provisions/s")
        target = law_id(laws // 2)
        single, result = timed(lambda: store.find_provisions(ProvisionFilter(doc_id=target), Page(limit=1000)), 20)
        print(f"embedded: single-law query ({len(result.items)} provisions) {single * 1000:.2f} ms")
        text, result = timed(lambda: store.find_provisions(ProvisionFilter(text=f"（{laws // 2}の7）"),
                                                           Page(limit=1000)), 5)
        print(f"embedded: free-text query via FTS5 ({len(result.items)} hits) {text * 1000:.2f} ms")
        scan, result = timed(lambda: store.find_provisions(ProvisionFilter(text="の7）"), Page(limit=50)), 5)
        print(f"embedded: free-text query, first page of {len(result.items)} ({scan * 1000:.2f} ms)")
        detail, _ = timed(lambda: store.get_provision(f"{target}#a50-p1"), 20)
        print(f"embedded: get_provision {detail * 1000:.2f} ms")
        again, _ = timed(lambda: store.upsert_provisions(provisions[:10_000]))
        print(f"embedded: idempotent re-upsert of 10,000 provisions {again:.2f} s; stats {store.stats()}")
        store.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def bench_neo4j(uri: str, user: str, password: str, batched_laws: int, per_row: int) -> None:
    from analogmap.kg.neo4j_store import Neo4jStore

    store = Neo4jStore(uri, user=user, password=password, batch_size=1000)
    try:
        store.wipe()
        documents, provisions = synthetic(batched_laws)
        store.upsert_documents(documents)
        batched, _ = timed(lambda: store.upsert_provisions(provisions))
        batched_rate = len(provisions) / batched
        print(f"neo4j: batched UNWIND/MERGE (1000 rows per transaction): {len(provisions):,} provisions in "
              f"{batched:.2f} s = {batched_rate:,.0f} provisions/s")
        documents, provisions = synthetic(max(1, per_row // PER_LAW), offset=batched_laws)
        store.upsert_documents(documents)
        provisions = provisions[:per_row]
        single, _ = timed(lambda: store.upsert_provisions_one_by_one(provisions))
        single_rate = len(provisions) / single
        print(f"neo4j: one transaction per provision: {len(provisions):,} provisions in {single:.2f} s = "
              f"{single_rate:,.0f} provisions/s")
        ratio = batched_rate / single_rate
        print(f"neo4j: batched / per-row = {ratio:.1f}x (target >= 20x: {'met' if ratio >= 20 else 'NOT met'})")
        target = law_id(batched_laws // 2)
        query, result = timed(lambda: store.find_provisions(ProvisionFilter(doc_id=target), Page(limit=1000)), 20)
        print(f"neo4j: single-law query ({len(result.items)} provisions) {query * 1000:.2f} ms")
        text, result = timed(lambda: store.find_provisions(ProvisionFilter(text="閲覧させなければ"), Page(limit=50)), 5)
        print(f"neo4j: free-text query via full-text index, first page of {len(result.items)} {text * 1000:.2f} ms")
    finally:
        store.wipe()
        store.close()


def compare_embedded(laws: int) -> None:
    """The measurement behind kg/embedded.py: raw SQLite vs pyoxigraph on the same data."""
    import sqlite3

    directory = Path(tempfile.mkdtemp(prefix="analogmap-embedded-"))
    documents, provisions = synthetic(laws)
    target = law_id(laws // 2)
    try:
        try:
            import pyoxigraph as ox
        except ImportError:
            print("compare: pyoxigraph not installed; pip install pyoxigraph to compare")
        else:
            base = "https://w3id.org/analogmap/"
            lines = []
            for p in provisions:
                subject = f"<{base}p/{p.id.replace('#', '/')}>"
                for name, value in (("doc", p.doc_id), ("kind", p.kind), ("num", p.num), ("label", p.label),
                                    ("text", p.text), ("id", p.id)):
                    lines.append(f'{subject} <{base}o#{name}> "{value}" .\n')
                for name, value in (("start", p.start), ("end", p.end)):
                    lines.append(f'{subject} <{base}o#{name}> "{value}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
            data = "".join(lines).encode("utf-8")
            store = ox.Store(str(directory / "oxigraph"))
            load, _ = timed(lambda: (store.bulk_load(data, ox.RdfFormat.N_TRIPLES), store.flush()))
            print(f"compare: pyoxigraph bulk_load {len(store):,} triples in {load:.2f} s")
            query = (f'SELECT ?p ?label ?text WHERE {{ ?p <{base}o#doc> "{target}" ; <{base}o#label> ?label ; '
                     f'<{base}o#text> ?text }}')
            single, result = timed(lambda: list(store.query(query)), 20)
            print(f"compare: pyoxigraph single-law query ({len(result)} rows) {single * 1000:.2f} ms")
            needle = f"（{laws // 2}の7）"
            contains, result = timed(lambda: list(store.query(
                f'SELECT ?p WHERE {{ ?p <{base}o#text> ?t FILTER(CONTAINS(?t, "{needle}")) }}')), 3)
            print(f"compare: pyoxigraph substring search ({len(result)} hits) {contains * 1000:.1f} ms")
            del store
        for fts in (False, True):
            connection = sqlite3.connect(directory / f"raw-{fts}.sqlite3")
            connection.execute("CREATE TABLE p(id TEXT PRIMARY KEY, doc_id TEXT, kind TEXT, num TEXT, label TEXT, "
                               "text TEXT, start_off INT, end_off INT)")
            connection.execute("CREATE INDEX p_doc ON p(doc_id)")
            if fts:
                connection.execute("CREATE VIRTUAL TABLE pf USING fts5(text, content='p', content_rowid='rowid', "
                                   "tokenize='trigram case_sensitive 1')")
                connection.execute("CREATE TRIGGER p_ai AFTER INSERT ON p BEGIN "
                                   "INSERT INTO pf(rowid, text) VALUES (new.rowid, new.text); END")
            rows = [(p.id, p.doc_id, p.kind, p.num, p.label, p.text, p.start, p.end) for p in provisions]

            def load_rows():
                with connection:
                    connection.executemany("INSERT INTO p VALUES (?,?,?,?,?,?,?,?)", rows)

            load, _ = timed(load_rows)
            label = "with FTS5 trigram" if fts else "no FTS"
            print(f"compare: sqlite ({label}) load {len(rows):,} rows in {load:.2f} s")
            single, result = timed(lambda: connection.execute(
                "SELECT id, label, text FROM p WHERE doc_id = ?", (target,)).fetchall(), 20)
            print(f"compare: sqlite single-law query ({len(result)} rows) {single * 1000:.3f} ms")
            needle = f"（{laws // 2}の7）"
            if fts:
                search, result = timed(lambda: connection.execute(
                    "SELECT p.id FROM pf JOIN p ON p.rowid = pf.rowid WHERE pf MATCH ? AND instr(p.text, ?) > 0",
                    (f'"{needle}"', needle)).fetchall(), 3)
                print(f"compare: sqlite FTS5 substring search ({len(result)} hits) {search * 1000:.2f} ms")
            else:
                search, result = timed(lambda: connection.execute(
                    "SELECT id FROM p WHERE instr(text, ?) > 0", (needle,)).fetchall(), 3)
                print(f"compare: sqlite instr scan ({len(result)} hits) {search * 1000:.1f} ms")
            connection.close()
        sizes = {path.name: sum(f.stat().st_size for f in ([path] if path.is_file() else path.rglob("*")) if f.is_file())
                 for path in directory.iterdir()}
        print("compare: sizes on disk (MB):", {k: round(v / 1e6, 1) for k, v in sorted(sizes.items())})
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=int, default=1250, help="laws of 100 provisions for the embedded store "
                                                             "(1250 = 125,000 provisions = 1M triples)")
    parser.add_argument("--neo4j-laws", type=int, default=200, help="laws of 100 provisions for the batched path")
    parser.add_argument("--per-row", type=int, default=1000, help="provisions written one transaction each")
    parser.add_argument("--compare-embedded", action="store_true", help="also measure raw SQLite vs pyoxigraph")
    args = parser.parse_args()
    bench_embedded(args.laws)
    if args.compare_embedded:
        compare_embedded(args.laws)
    uri = os.environ.get("NEO4J_URI", "").strip()
    if not uri:
        print("neo4j: skipped (NEO4J_URI is not set; start one with scripts/neo4j-test-server start)")
        return
    bench_neo4j(uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""),
                args.neo4j_laws, args.per_row)


if __name__ == "__main__":
    main()
