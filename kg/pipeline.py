"""The scan pipeline: files in, knowledge graph out — resumable, idempotent, streaming.

Two halves:

* `process_file(path, options)` — pure and per document: read → extract findings → (tech matches and
  suggestions when `analogmap.kg.matching` / `analogmap.kg.suggest` are installed) → references inside
  the document → records.  Picklable in and out, no store access, so it runs in this process, in
  worker processes (`jobs > 1`) or on a Dask cluster (`executor="dask"`).
* `run_scan(paths, store, …)` — walks the files (directories recursively, in sorted order), sends the
  ones that may have changed to `process_file` through a bounded window of in-flight tasks, consumes
  the results *in input order* and writes each changed document with `GraphStore.replace_document`
  (one transaction per document: a kill -9 leaves every document either old or new, never half), then
  resolves the citations that cross documents, and records a `ScanRunRecord`.

Skipping unchanged input (no parse at all): at the start the store's documents give an index
*absolute source path → (sha256 of the file bytes, document id)* (`iter_records("documents")`; a
document's `sha256` is the hash of its file's bytes).  A worker hashes the file and returns
`unchanged` at once when the hash equals the indexed one.  A changed or new file is parsed and
extracted; before writing, the stored document with the same id is compared once more (same hash and
same path → nothing written).  Everything is redone (`force`) when asked, or when the last *complete*
run (or any later one) used other versions of analogmap, the rules, SudachiPy / its dictionary, the
split mode or the enrichment modules — findings depend on them, not only on the file.

Two files giving the same document id (e.g. the XML and the HTML of one law): the first in input
order is written, the others are reported as duplicates (their path and hash are kept in the run's
`counts["duplicate_files"]` so the next run skips them without parsing).

Resuming: the run record is written when the scan starts (`counts.complete = false`) and completed
after the citations are linked.  A scan killed at any point leaves whole documents; the next run skips
them by hash and writes the rest.  Because the killed run may have stopped before linking citations,
a run that follows an incomplete one re-links every document of the store, so the end state equals
that of one uninterrupted run.

Citations: references inside a document are resolved in the worker (they depend only on the
document) and written with it.  References to other laws (by title, 同法) are resolved once every
document is written: for the written documents that have such references, and for the documents whose
text names the title (old or new) of a written document (found with the store's text search), or —
after an interrupted run, or when at least half the store was written — for all documents.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import os
import re
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from analogmap.corpus.errors import InputError
from analogmap.corpus.readers import ReadOptions, collect_files, looks_like_law_file, read_document

from .citations import extract_references, link_document, resolve_references
from .records import (
    CitationRecord,
    DocumentRecord,
    FindingRecord,
    ProvisionFilter,
    ProvisionRecord,
    ScanRunRecord,
    SuggestionRecord,
    TechMatchRecord,
    provisions_of,
    suggestion_id,
)

EXECUTORS = ("local", "dask")
#: Above this share of the store's documents written in one run, all documents are re-linked instead
#: of searching the text for the titles of the written ones.
LINK_ALL_SHARE = 0.5
#: Most titles searched for; beyond this every document is re-linked.
MAX_TITLE_SEARCHES = 2000


# -- options and results --------------------------------------------------------------------------

@dataclass(slots=True)
class ScanOptions:
    """What every `process_file` call needs (picklable)."""

    read: ReadOptions = field(default_factory=ReadOptions)
    split_mode: str = "C"
    scan_run_id: str | None = None
    #: Use `analogmap.kg.matching` / `analogmap.kg.suggest` when they are installed.
    enrich: bool = True


@dataclass(slots=True)
class DocumentResult:
    """What `process_file` returns: `status` is `ok`, `unchanged` (hash as expected) or `error`."""

    path: str
    status: str
    sha256: str | None = None
    size: int = 0
    error: str | None = None
    document: DocumentRecord | None = None
    provisions: list[ProvisionRecord] = field(default_factory=list)
    findings: list[FindingRecord] = field(default_factory=list)
    tech_matches: list[TechMatchRecord] = field(default_factory=list)
    suggestions: list[SuggestionRecord] = field(default_factory=list)
    #: Citations inside the document (resolved against its own provisions).
    citations: list[CitationRecord] = field(default_factory=list)
    #: Whether the text refers to other laws (resolved against the store after the scan).
    cross_references: bool = False
    enrichment_errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ScanProgress:
    """Passed to the `progress` callback after every file and at phase changes."""

    phase: str = "scan"  # scan | link | done
    files_total: int = 0
    bytes_total: int = 0
    files_done: int = 0
    bytes_done: int = 0
    documents: int = 0  # written + unchanged
    written: int = 0
    unchanged: int = 0
    provisions: int = 0  # of the documents written in this run
    findings: int = 0
    errors: int = 0
    link_total: int = 0
    link_done: int = 0


@dataclass(slots=True)
class ScanSummary:
    run_id: str
    started_at: str
    ended_at: str | None
    versions: dict[str, Any]
    counts: dict[str, Any]
    problems: list[str]
    written_ids: list[str] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0


# -- the per-document function ----------------------------------------------------------------------

_EXTRACTORS: dict[str, Any] = {}


def _extractor(split_mode: str):
    if split_mode not in _EXTRACTORS:
        from analogmap.extractors.engine import Extractor

        _EXTRACTORS[split_mode] = Extractor(split_mode=split_mode)
    return _EXTRACTORS[split_mode]


def file_sha256(path: str | Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def process_file(path: str | Path, options: ScanOptions | None = None,
                 expected_sha256: str | None = None) -> DocumentResult:
    """Read, extract, enrich and reference-link one file.  Never raises for bad input: an unusable file
    comes back with `status="error"` and a one-line `error`."""
    options = options or ScanOptions()
    path = str(path)
    try:
        sha, size = file_sha256(path)
    except OSError as error:
        return DocumentResult(path, "error", error=f"{path}: cannot read: {error.strerror or error}")
    if expected_sha256 is not None and sha == expected_sha256:
        return DocumentResult(path, "unchanged", sha256=sha, size=size)
    try:
        document = read_document(Path(path), options.read)
    except InputError as error:
        return DocumentResult(path, "error", sha256=sha, size=size, error=str(error))
    except (MemoryError, RecursionError) as error:
        return DocumentResult(path, "error", sha256=sha, size=size,
                              error=f"{path}: too large or too deeply nested to read ({type(error).__name__})")
    except Exception as error:  # noqa: BLE001 - a reader bug must not stop the scan
        return DocumentResult(path, "error", sha256=sha, size=size,
                              error=f"{path}: could not be read ({type(error).__name__}: {error})")
    try:
        raw_findings = _extractor(options.split_mode).extract(document)
    except Exception as error:  # noqa: BLE001
        return DocumentResult(path, "error", sha256=sha, size=size,
                              error=f"{path}: extraction failed ({type(error).__name__}: {error})")
    record = DocumentRecord.from_document(document)
    provisions = provisions_of(document)
    findings = [FindingRecord.from_finding(f, options.scan_run_id) for f in raw_findings]
    result = DocumentResult(path, "ok", sha256=record.sha256 or sha, size=size, document=record,
                            provisions=provisions, findings=findings)
    if options.enrich:
        _enrich(result, document, raw_findings)
    _local_citations(result)
    return result


def _local_citations(result: DocumentResult) -> None:
    """Citations inside the document (exact: they depend on its own provisions only), and whether it
    refers to other laws.  Provisions in (start, id) order, as `link_document` reads them back."""
    ordered = sorted(result.provisions, key=lambda p: (p.start, p.id))
    references = extract_references(ordered)
    own = [r for r in references if not r.law_titles and not r.same_law_as_previous]
    result.cross_references = len(own) != len(references)
    ids = {p.id for p in result.provisions}
    result.citations = resolve_references(own, {}, lambda wanted: set(wanted) & ids)


# -- optional enrichment (kg.matching / kg.suggest, written by others) -----------------------------

_ENRICHERS: dict[str, Any] = {}


def enrichers() -> tuple[Callable | None, Callable | None]:
    """`(match_finding, suggest)` from `analogmap.kg.matching` / `analogmap.kg.suggest`, or None each."""
    if "loaded" not in _ENRICHERS:
        found = []
        for module_name, attribute in (("analogmap.kg.matching", "match_finding"), ("analogmap.kg.suggest", "suggest")):
            try:
                module = importlib.import_module(module_name)
                function = getattr(module, attribute, None)
            except ImportError:
                function = None
            found.append(function if callable(function) else None)
        _ENRICHERS["match"], _ENRICHERS["suggest"] = found
        _ENRICHERS["loaded"] = True
    return _ENRICHERS["match"], _ENRICHERS["suggest"]


def enrichment_versions() -> dict[str, str]:
    """Which enrichment modules are in use (part of the scan fingerprint)."""
    match, suggest = enrichers()
    out = {}
    for name, function in (("matching", match), ("suggest", suggest)):
        if function is None:
            out[name] = "absent"
        else:
            module = inspect.getmodule(function)
            out[name] = str(getattr(module, "VERSION", getattr(module, "__version__", "present")))
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (TechMatchRecord, SuggestionRecord, dict)):
        return [value]
    return list(value)


def _data(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "to_dict"):
        return item.to_dict()
    return {k: getattr(item, k) for k in dir(item) if not k.startswith("_") and not callable(getattr(item, k))}


def _tech_match(item: Any, finding: FindingRecord, rank: int) -> TechMatchRecord:
    if isinstance(item, TechMatchRecord):
        return item
    data = _data(item)
    return TechMatchRecord(finding_id=finding.id, technology_id=str(data.get("technology_id") or data.get("id")),
                           rank=int(data.get("rank", rank)), phase=int(data.get("phase", finding.phase) or 0),
                           rationale=str(data.get("rationale") or ""))


def _suggestion(item: Any, finding: FindingRecord) -> SuggestionRecord:
    if isinstance(item, SuggestionRecord):
        return item
    data = _data(item)
    template = str(data.get("template_id") or "")
    technology = data.get("technology_id")
    return SuggestionRecord(
        id=str(data.get("id") or suggestion_id(finding.id, template, technology)), finding_id=finding.id,
        old_text=str(data.get("old_text") or ""), new_text=str(data.get("new_text") or ""), template_id=template,
        precedent=data.get("precedent"), technology_id=None if technology is None else str(technology),
        phase=data.get("phase"))


def _enrich(result: DocumentResult, document: Any, raw_findings: list) -> None:
    """Ranked technologies and a drafted revision per finding, from the parsed document itself."""
    match, suggest = enrichers()
    if match is None and suggest is None:
        return
    techmap = _techmap()
    for finding, raw in zip(result.findings, raw_findings):
        provision = document.get(raw.provision_id)
        article = document.get(raw.provision_id.split("-")[0])
        matches: list = []
        if match is not None:
            try:
                matches = _as_list(match(raw, provision.text if provision is not None else raw.sentence,
                                         article.text if article is not None else "", techmap))
            except Exception as error:  # noqa: BLE001 - enrichment must never lose the findings
                result.enrichment_errors.append(f"match_finding({finding.id}): {type(error).__name__}: {error}")
            seen = set()
            for rank, item in enumerate(matches, start=1):
                record = _tech_match(item, finding, rank)
                if record.technology_id not in seen:
                    seen.add(record.technology_id)
                    result.tech_matches.append(record)
        if suggest is not None and provision is not None and not raw.digital_alternative:
            try:
                drafted = suggest(raw, provision, document, matches, article=article)
                suggestions = [] if drafted is None else [
                    drafted.to_record(finding.id) if hasattr(drafted, "to_record") else _suggestion(drafted, finding)]
            except Exception as error:  # noqa: BLE001
                result.enrichment_errors.append(f"suggest({finding.id}): {type(error).__name__}: {error}")
                suggestions = []
            known = {s.id for s in result.suggestions}
            result.suggestions.extend(s for s in suggestions if s.id not in known)


_TECHMAP: list = []


def _techmap() -> Any:
    """The technology map, loaded once per process."""
    if not _TECHMAP:
        from analogmap.ontology.techmap import load_techmap

        _TECHMAP.append(load_techmap())
    return _TECHMAP[0]


# -- versions --------------------------------------------------------------------------------------

def scan_versions(split_mode: str = "C", enrich: bool = True) -> dict[str, Any]:
    """What the findings depend on besides the input (recorded in the run; a change re-extracts all)."""
    from analogmap.extractors.analysis import versions

    try:
        analogmap_version = importlib.metadata.version("analogmap")
    except importlib.metadata.PackageNotFoundError:
        analogmap_version = "unknown"
    found: dict[str, Any] = {"analogmap": analogmap_version, "rules": _extractor(split_mode).rulebook.version}
    found.update(versions())
    found["split_mode"] = split_mode
    found.update(enrichment_versions() if enrich else {"matching": "off", "suggest": "off"})
    return found


def _fingerprint(versions: dict[str, Any]) -> dict[str, Any]:
    return {k: versions.get(k) for k in ("analogmap", "rules", "sudachipy", "sudachidict-core", "split_mode",
                                          "matching", "suggest")}


# -- executors -------------------------------------------------------------------------------------

class _Done:
    """An already computed result in the ordered window."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _worker_init() -> None:
    """Worker processes: Ctrl-C is the parent's business, and a worker whose parent died (kill -9)
    exits instead of lingering."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _LocalExecutor:
    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, int(jobs))
        self.pool = None
        if self.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_worker_init)

    @property
    def window(self) -> int:
        return 1 if self.pool is None else 2 * self.jobs + 2

    def submit(self, path: str, options: ScanOptions, expected: str | None):
        if self.pool is None:
            return _Done(process_file(path, options, expected))
        return self.pool.submit(process_file, path, options, expected)

    def close(self, abort: bool = False) -> None:
        if self.pool is None:
            return
        if abort:
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=abort)


class _DaskExecutor:
    def __init__(self, jobs: int, address: str | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("executor 'dask' needs the optional dependencies: pip install 'analogmap[cluster]' "
                               "(dask[distributed])") from None
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            self.cluster = LocalCluster(n_workers=max(1, int(jobs)), threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        workers = len(self.client.scheduler_info().get("workers", {})) or max(1, int(jobs))
        self.window = 2 * workers + 2

    def submit(self, path: str, options: ScanOptions, expected: str | None):
        return self.client.submit(process_file, path, options, expected, pure=False)

    def close(self, abort: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _make_executor(executor: str, jobs: int, address: str | None):
    if executor == "local":
        return _LocalExecutor(jobs)
    if executor == "dask":
        return _DaskExecutor(jobs, address)
    raise ValueError(f"unknown executor {executor!r}; use one of {EXECUTORS}")


# -- the scan ----------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _forced_id(path: Path, read: ReadOptions) -> str | None:
    return read.law_id or read.law_id_map.get(path.name) or read.law_id_map.get(path.stem)


@dataclass(slots=True)
class _Entry:
    path: str
    size: int
    kind: str  # task | ignored | missing
    expected: str | None = None
    indexed_id: str | None = None  # the stored document this path wrote (when the hash may match)
    duplicate_of: str | None = None  # the document this file duplicated in an earlier run


def _walk_totals(paths: Sequence[Path]) -> tuple[int, int]:
    files = size = 0
    for path, _explicit in collect_files(paths):
        try:
            size += path.stat().st_size
            files += 1
        except OSError:
            files += 1
    return files, size


def run_scan(paths: Iterable[str | Path], store, jobs: int = 1, executor: str = "local",
             progress: Callable[[ScanProgress], None] | None = None, options: ScanOptions | None = None,
             force: bool = False, address: str | None = None, window: int | None = None,
             on_problem: Callable[[str], None] | None = None) -> ScanSummary:
    """Scan files and directories into `store`; see the module docstring.  Returns a `ScanSummary`;
    on KeyboardInterrupt the documents written so far are kept and the run is recorded as interrupted
    before the exception propagates."""
    base = options or ScanOptions()
    paths = [Path(p) for p in paths]
    clock = time.perf_counter()
    started_at = _now()
    run_id = "scan-" + started_at.replace("-", "").replace(":", "").replace(".", "")[:22] + "-" + uuid.uuid4().hex[:8]
    options = ScanOptions(read=base.read, split_mode=base.split_mode, scan_run_id=run_id, enrich=base.enrich)
    versions = scan_versions(options.split_mode, options.enrich)
    versions["executor"] = executor
    versions["jobs"] = int(jobs)

    # What the store holds: earlier runs, documents by path, duplicates met before.
    runs = sorted(store.iter_records("scan_runs"), key=lambda r: (r.started_at or "", r.id))
    complete_index = max((i for i, r in enumerate(runs) if (r.counts or {}).get("complete")), default=-1)
    recover = bool(runs) and not (runs[-1].counts or {}).get("complete")
    relevant = runs[complete_index:] if complete_index >= 0 else runs
    reextract = force or any(_fingerprint(r.versions or {}) != _fingerprint(versions) for r in relevant)
    by_path: dict[str, tuple[str, str]] = {}
    store_ids: set[str] = set()
    for document in store.iter_records("documents"):
        store_ids.add(document.id)
        if document.source_path and document.sha256:
            by_path[document.source_path] = (document.sha256, document.id)
    duplicates_before: dict[str, tuple[str, str]] = {}
    if complete_index >= 0 and not reextract:
        for item in (runs[complete_index].counts or {}).get("duplicate_files", []):
            if len(item) == 3 and item[2] in store_ids:
                duplicates_before[item[0]] = (item[1], item[2])
    del runs

    counts: dict[str, Any] = {
        "complete": False, "files": 0, "ignored": 0, "unchanged": 0, "written": 0, "duplicates": 0,
        "errors": 0, "bytes": 0, "provisions": 0, "findings": 0, "digital": 0, "tech_matches": 0,
        "suggestions": 0, "citations_local": 0, "linked_documents": 0, "citations_linked": 0,
        "enrichment_errors": 0, "reextract": bool(reextract), "recovered": bool(recover),
    }
    store.upsert_scan_runs([ScanRunRecord(run_id, started_at, None, versions, dict(counts))])

    state = ScanProgress()
    if progress is not None:
        state.files_total, state.bytes_total = _walk_totals(paths)
        progress(state)
    problems: list[str] = []
    duplicate_files: list[list[str]] = []
    written_ids: list[str] = []
    claimed: set[str] = set()
    cross_linked: set[str] = set()  # written documents that refer to other laws
    titles: set[str] = set()  # old and new titles of the written documents

    def problem(text: str) -> None:
        problems.append(text)
        counts["errors"] += 1
        state.errors += 1
        if on_problem is not None:
            on_problem(text)

    def entries() -> Iterator[_Entry]:
        for path, explicit in collect_files(paths):
            absolute = os.path.abspath(path)
            try:
                size = path.stat().st_size
            except OSError:
                yield _Entry(absolute, 0, "missing")
                continue
            if not path.is_file():
                yield _Entry(absolute, size, "missing")
                continue
            if not explicit and not looks_like_law_file(path):
                yield _Entry(absolute, size, "ignored")
                continue
            entry = _Entry(absolute, size, "task")
            if not reextract:
                known = by_path.get(absolute)
                forced = _forced_id(path, options.read)
                if known is not None and (forced is None or forced == known[1]):
                    entry.expected, entry.indexed_id = known
                elif absolute in duplicates_before:
                    entry.expected, entry.duplicate_of = duplicates_before[absolute]
            yield entry

    def handle(entry: _Entry, result: DocumentResult | None) -> None:
        state.files_done += 1
        state.bytes_done += entry.size
        counts["files"] += 1
        if entry.kind == "missing":
            problem(f"{entry.path}: no such file or directory")
            return
        if entry.kind == "ignored":
            counts["ignored"] += 1
            return
        assert result is not None
        counts["bytes"] += result.size
        if result.status == "error":
            problem(result.error or f"{entry.path}: unusable")
            return
        if result.status == "unchanged":
            if entry.duplicate_of is not None:
                if entry.duplicate_of in claimed:
                    counts["duplicates"] += 1
                    duplicate_files.append([entry.path, result.sha256 or "", entry.duplicate_of])
                    return
                # The file it duplicated is gone or changed: read it for real.
                result = process_file(entry.path, options)
                if result.status == "error":
                    problem(result.error or f"{entry.path}: unusable")
                    return
            else:
                doc_id = entry.indexed_id or ""
                if doc_id in claimed:  # an earlier file of this run now holds this id
                    counts["duplicates"] += 1
                    duplicate_files.append([entry.path, result.sha256 or "", doc_id])
                    return
                claimed.add(doc_id)
                counts["unchanged"] += 1
                state.unchanged += 1
                state.documents += 1
                return
        document = result.document
        assert document is not None
        if document.id in claimed:
            counts["duplicates"] += 1
            duplicate_files.append([entry.path, result.sha256 or "", document.id])
            return
        claimed.add(document.id)
        stored = store.get_document(document.id)
        if stored is not None and not reextract and stored.sha256 == document.sha256 \
                and stored.source_path == document.source_path:
            counts["unchanged"] += 1
            state.unchanged += 1
            state.documents += 1
            return
        store.replace_document(document, result.provisions, result.findings, result.tech_matches,
                               result.suggestions, result.citations)
        written_ids.append(document.id)
        if result.cross_references:
            cross_linked.add(document.id)
        titles.add(document.title)
        if stored is not None and stored.title != document.title:
            titles.add(stored.title)
        counts["written"] += 1
        counts["provisions"] += len(result.provisions)
        counts["findings"] += len(result.findings)
        counts["digital"] += sum(1 for f in result.findings if f.digital_alternative)
        counts["tech_matches"] += len(result.tech_matches)
        counts["suggestions"] += len(result.suggestions)
        counts["citations_local"] += len(result.citations)
        counts["enrichment_errors"] += len(result.enrichment_errors)
        state.written += 1
        state.documents += 1
        state.provisions += len(result.provisions)
        state.findings += len(result.findings)

    pool = None
    interrupted = False
    try:
        pool = _make_executor(executor, jobs, address)
        limit = max(1, window or pool.window)
        pending: deque[tuple[_Entry, Any]] = deque()
        in_flight = 0

        def drain(until: int) -> None:
            nonlocal in_flight
            while pending and (in_flight > until or pending[0][1] is None or isinstance(pending[0][1], _Done)):
                entry, future = pending.popleft()
                if future is not None:
                    in_flight -= 1
                handle(entry, None if future is None else future.result())
                if progress is not None:
                    progress(state)

        for entry in entries():
            if entry.kind == "task":
                pending.append((entry, pool.submit(entry.path, options, entry.expected)))
                in_flight += 1
            else:
                pending.append((entry, None))
            drain(limit - 1)
        drain(0)
        pool.close()
        pool = None

        # Citations across documents, against the final store.
        all_ids = [d.id for d in store.iter_records("documents")] if (recover or written_ids) else []
        if recover or (written_ids and len(written_ids) >= LINK_ALL_SHARE * max(1, len(all_ids))) \
                or len(titles) > MAX_TITLE_SEARCHES:
            written = set(written_ids)  # those without references to other laws are final already
            to_link = [d for d in all_ids if d not in written or d in cross_linked]
        else:
            mentioned = _documents_naming(store, titles) if written_ids else set()
            to_link = sorted(cross_linked | (mentioned - set(written_ids)))
        del all_ids
        state.phase = "link"
        state.link_total = len(to_link)
        if progress is not None:
            progress(state)
        for doc_id in to_link:
            counts["citations_linked"] += link_document(store, doc_id)
            counts["linked_documents"] += 1
            state.link_done += 1
            if progress is not None and (state.link_done % 10 == 0 or state.link_done == state.link_total):
                progress(state)
    except BaseException as error:
        interrupted = isinstance(error, KeyboardInterrupt)
        if pool is not None:
            try:
                pool.close(abort=True)
            except BaseException:  # noqa: BLE001 - already failing
                pass
        counts["interrupted"] = interrupted
        counts["duplicate_files"] = duplicate_files
        try:
            store.upsert_scan_runs([ScanRunRecord(run_id, started_at, _now(), versions, dict(counts))])
        except Exception:  # noqa: BLE001 - the store may be what failed; the next run recovers anyway
            pass
        raise
    counts["complete"] = True
    counts["duplicate_files"] = duplicate_files
    counts["seconds"] = round(time.perf_counter() - clock, 3)
    ended_at = _now()
    store.upsert_scan_runs([ScanRunRecord(run_id, started_at, ended_at, versions, dict(counts))])
    state.phase = "done"
    if progress is not None:
        progress(state)
    return ScanSummary(run_id, started_at, ended_at, versions, counts, problems, written_ids, interrupted,
                       time.perf_counter() - clock)


_CJK_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def _documents_naming(store, titles: Iterable[str]) -> set[str]:
    """Ids of the documents whose provision text contains one of `titles` (a superset is fine: the
    search uses the title's runs of kana/kanji, which the stores' text indexes serve)."""
    from .records import Page

    found: set[str] = set()
    for title in sorted({t for t in titles if t}):
        runs = _CJK_RUN.findall(title)[:16]
        text = " ".join(runs) if runs else title
        try:
            filter = ProvisionFilter(text=text)
            filter.terms()
        except ValueError:
            filter = ProvisionFilter(text=max(runs, key=len)[:200]) if runs else None
        if filter is None:
            continue
        cursor = None
        while True:
            page = store.find_provisions(filter, Page(cursor=cursor, limit=1000))
            found.update(p.doc_id for p in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return found


__all__ = ["ScanOptions", "DocumentResult", "ScanProgress", "ScanSummary", "process_file", "run_scan",
           "scan_versions", "enrichers", "file_sha256", "EXECUTORS"]
