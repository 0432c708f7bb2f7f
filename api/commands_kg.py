"""`analogmap scan`: files into the knowledge graph (see `analogmap.kg.pipeline`).

    analogmap scan ../shared/corpus                      # embedded store in ./analogmap-db
    analogmap scan LAWS/ --store neo4j --neo4j-uri bolt://127.0.0.1:7687 --jobs 2
    analogmap scan LAWS/ --executor dask [--scheduler tcp://host:8786]

Exit status: 0 on success, 2 when some file was unusable (each is named on one line; the others are
written), 130 on Ctrl-C or SIGTERM (what was written is kept; the same command resumes), 1 when the
store or the executor cannot be used.  Wire it into the main app with `register(app)`.
"""
from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

EXIT_UNUSABLE_INPUT = 2
EXIT_INTERRUPTED = 130
DEFAULT_DB = Path("analogmap-db")

_stderr = Console(stderr=True, soft_wrap=True)
_stdout = Console(soft_wrap=True)


def _open_store(store: str, db: Path, uri: Optional[str], user: Optional[str], password: Optional[str],
                database: Optional[str]):
    from analogmap.kg.store import open_store

    if store == "embedded":
        return open_store("embedded", path=db)
    if store == "neo4j":
        if not uri:
            raise ValueError("--store neo4j needs --neo4j-uri (or NEO4J_URI)")
        options = {"database": database} if database else {}
        return open_store("neo4j", uri=uri, user=user or "neo4j", password=password or "", **options)
    raise ValueError(f"unknown --store {store!r}; use embedded or neo4j")


class _Bar:
    """Rich progress: bytes for the bar, rate and ETA; documents, provisions, findings as fields."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[docs]} docs · {task.fields[provisions]} provisions · "
                       "{task.fields[findings]} findings · {task.fields[errors]} bad"),
            TransferSpeedColumn(), TimeRemainingColumn(), console=console, transient=False,
            disable=not enabled)
        self.task = None

    def __enter__(self) -> "_Bar":
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, state) -> None:
        fields = {"docs": state.documents, "provisions": state.provisions, "findings": state.findings,
                  "errors": state.errors}
        if self.task is None:
            self.task = self.progress.add_task("scan", total=state.bytes_total or None, **fields)
        if state.phase == "link":
            self.progress.update(self.task, description=f"citations {state.link_done}/{state.link_total}",
                                 completed=state.bytes_done, **fields)
        else:
            self.progress.update(self.task, description="scan" if state.phase == "scan" else "done",
                                 completed=state.bytes_done, **fields)


def _summary_tables(store, summary, top_laws: int) -> None:
    from analogmap.kg.records import ProvisionFilter

    counts = summary.counts
    run = Table(title=f"scan {summary.run_id}", show_header=False)
    run.add_column("", style="bold")
    run.add_column("", justify="right")
    megabytes = counts.get("bytes", 0) / 1e6
    rate = megabytes / summary.seconds if summary.seconds else 0.0
    for label, value in (
            ("files", counts["files"]), ("written", counts["written"]), ("unchanged", counts["unchanged"]),
            ("duplicates (same document id as an earlier file)", counts["duplicates"]),
            ("ignored (not law documents)", counts["ignored"]), ("unusable", counts["errors"]),
            ("provisions written", counts["provisions"]), ("findings written", counts["findings"]),
            ("  already digital", counts["digital"]), ("tech matches written", counts["tech_matches"]),
            ("suggestions written", counts["suggestions"]),
            ("citations in the graph", store.stats().get("citations", 0)),
            ("time", f"{summary.seconds:.1f} s ({rate:.2f} MB/s)")):
        run.add_row(label, str(value))
    _stdout.print(run)

    by_type = store.counts("type")
    digital_by_type = store.counts("type", ProvisionFilter(digital_alternative=True))
    labels = {}
    try:
        from analogmap.kg.pipeline import _extractor

        labels = {code: info.label_ja for code, info in _extractor("C").rulebook.types.items()}
    except Exception:  # noqa: BLE001 - labels are decoration
        pass
    types = Table(title="findings in the graph by type")
    for column in ("type", "label", "findings", "already digital", "open"):
        types.add_column(column, justify="right" if column in ("findings", "already digital", "open") else "left")
    for code, total in sorted(by_type.items(), key=lambda item: (-item[1], item[0])):
        digital = digital_by_type.get(code, 0)
        types.add_row(code, labels.get(code, ""), str(total), str(digital), str(total - digital))
    total = sum(by_type.values())
    digital_total = sum(digital_by_type.values())
    types.add_row("[bold]total", "", f"[bold]{total}", f"[bold]{digital_total}", f"[bold]{total - digital_total}")
    _stdout.print(types)

    by_law = store.counts("law")
    digital_by_law = store.counts("law", ProvisionFilter(digital_alternative=True))
    shown = sorted(by_law.items(), key=lambda item: (-item[1], item[0]))[:max(0, top_laws)]
    laws = Table(title=f"findings in the graph by law (top {len(shown)} of {len(by_law)})")
    for column in ("law", "title", "findings", "already digital"):
        laws.add_column(column, justify="right" if column in ("findings", "already digital") else "left")
    for doc_id, count in shown:
        document = store.get_document(doc_id)
        laws.add_row(doc_id, document.title if document else "", str(count), str(digital_by_law.get(doc_id, 0)))
    _stdout.print(laws)


def register(app: typer.Typer) -> None:
    """Add the `scan` command to `app`."""

    @app.command()
    def scan(
        paths: list[Path] = typer.Argument(..., help="Files or directories (read recursively, by content)."),
        store: str = typer.Option("embedded", "--store", help="embedded (SQLite directory, no server) or neo4j."),
        db: Path = typer.Option(DEFAULT_DB, "--db", help="Directory of the embedded store."),
        neo4j_uri: Optional[str] = typer.Option(None, "--neo4j-uri", envvar="NEO4J_URI",
                                                help="Bolt URI of Neo4j (or NEO4J_URI)."),
        neo4j_user: str = typer.Option("neo4j", "--neo4j-user", envvar="NEO4J_USER"),
        neo4j_password: str = typer.Option("", "--neo4j-password", envvar="NEO4J_PASSWORD", show_default=False),
        neo4j_database: Optional[str] = typer.Option(None, "--neo4j-database", envvar="NEO4J_DATABASE"),
        jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes (or Dask workers of a local cluster)."),
        executor: str = typer.Option("local", "--executor", help="local (processes on this machine) or dask."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", envvar="DASK_SCHEDULER_ADDRESS",
                                                help="Dask scheduler address (default: start a local cluster)."),
        force: bool = typer.Option(False, "--force", help="Re-extract every document, changed or not."),
        split_mode: str = typer.Option("C", "--split-mode", help="Sudachi split mode (A, B or C)."),
        law_id: Optional[str] = typer.Option(None, "--law-id", help="Use this LawId / document id for every file."),
        law_id_map: Optional[Path] = typer.Option(None, "--law-id-map",
                                                  help="TSV (file<TAB>law_id) or JSON mapping file names to law ids."),
        max_mb: float = typer.Option(64.0, "--max-mb", help="Refuse files larger than this many MiB."),
        top_laws: int = typer.Option(20, "--laws", help="Rows of the per-law summary table."),
        show_progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar."),
    ) -> None:
        """Parse, extract, match, suggest and write into the knowledge graph (resumable; unchanged files are skipped)."""
        from analogmap.corpus.readers import ReadOptions, load_law_id_map
        from analogmap.kg.pipeline import EXECUTORS, ScanOptions, run_scan

        if executor not in EXECUTORS:
            _stderr.print(f"unknown --executor {executor!r}; use one of {', '.join(EXECUTORS)}")
            raise typer.Exit(1)
        try:
            mapping = load_law_id_map(law_id_map) if law_id_map else {}
        except OSError as error:
            _stderr.print(f"--law-id-map: {error}")
            raise typer.Exit(EXIT_UNUSABLE_INPUT)
        options = ScanOptions(read=ReadOptions(law_id=law_id, law_id_map=mapping, max_bytes=int(max_mb * 1024 * 1024)),
                              split_mode=split_mode)
        try:
            graph = _open_store(store, db, neo4j_uri, neo4j_user, neo4j_password, neo4j_database)
        except Exception as error:  # noqa: BLE001 - tell the user, do not trace back
            _stderr.print(f"[red]cannot open the {store} store:[/] {error}", highlight=False)
            raise typer.Exit(1)

        def on_term(signum, frame):  # SIGTERM behaves as Ctrl-C: stop cleanly, keep what was written
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, on_term)
        problems: list[str] = []
        try:
            with _Bar(_stderr, show_progress) as bar:
                def report(problem: str) -> None:
                    problems.append(problem)
                    bar.progress.console.print(f"[bold red]skipped[/] {problem}", highlight=False, markup=True)

                summary = run_scan(paths, graph, jobs=jobs, executor=executor, progress=bar, options=options,
                                   force=force, address=scheduler, on_problem=report)
            _summary_tables(graph, summary, top_laws)
        except KeyboardInterrupt:
            _stderr.print("interrupted: the documents written so far are kept; run the same command again to "
                          "resume", highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED)
        except typer.Exit:
            raise
        except Exception as error:  # noqa: BLE001 - a store or cluster failure: one line, resumable
            _stderr.print(f"[red]scan stopped:[/] {type(error).__name__}: {error}\n"
                          "the documents written so far are kept; run the same command again to resume",
                          highlight=False)
            raise typer.Exit(1)
        finally:
            signal.signal(signal.SIGTERM, previous)
            try:
                graph.close()
            except Exception:  # noqa: BLE001
                pass
        _stderr.print(f"{summary.counts['written']} written, {summary.counts['unchanged']} unchanged, "
                      f"{summary.counts['duplicates']} duplicates, {len(problems)} unusable "
                      f"({'store ' + str(db) if store == 'embedded' else 'neo4j ' + str(neo4j_uri)})",
                      highlight=False)
        if problems:
            raise typer.Exit(EXIT_UNUSABLE_INPUT)


__all__ = ["register", "DEFAULT_DB"]
