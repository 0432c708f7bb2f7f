"""The `analogmap` command line (Typer + Rich).

Exit status: 0 on success, 1 when `check --fail-on-findings` finds open analog requirements,
2 when some input was unusable (each such file is named on stderr; the others are still processed).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from analogmap.corpus.errors import InputError
from analogmap.corpus.readers import ReadOptions, collect_files, load_law_id_map, looks_like_law_file, read_document

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode="rich",
                  help="analogmap — アナログ規制を法令・例規から見つけ、技術と改正案に結びつける。")
stderr = Console(stderr=True, soft_wrap=True)
stdout = Console(soft_wrap=True)

EXIT_UNUSABLE_INPUT = 2


def _read_options(law_id: Optional[str], law_id_map: Optional[Path], max_mb: float) -> ReadOptions:
    mapping = load_law_id_map(law_id_map) if law_id_map else {}
    return ReadOptions(law_id=law_id, law_id_map=mapping, max_bytes=int(max_mb * 1024 * 1024))


def _require_format(value: str, allowed: tuple[str, ...]) -> None:
    """Refuse an unknown --format with exit status 2."""
    if value not in allowed:
        stderr.print(f"unknown --format {value!r}; use {' or '.join(allowed)}")
        raise typer.Exit(EXIT_UNUSABLE_INPUT)


def iter_documents(paths: list[Path], options: ReadOptions, problems: list[str], ignored: list[Path]):
    """Read every law document under `paths`, recording unusable files instead of stopping."""
    for path, explicit in collect_files(paths):
        if not path.exists():
            problems.append(f"{path}: no such file or directory")
            continue
        if not explicit and not looks_like_law_file(path):
            ignored.append(path)
            continue
        try:
            yield read_document(path, options)
        except InputError as error:
            problems.append(str(error))
        except (MemoryError, RecursionError) as error:
            problems.append(f"{path}: too large or too deeply nested to read ({type(error).__name__})")
        except Exception as error:  # a reader bug must not hide the other files
            problems.append(f"{path}: could not be read ({type(error).__name__}: {error})")


def report_problems(problems: list[str]) -> None:
    for problem in problems:
        stderr.print(f"[bold red]skipped[/] {problem}", highlight=False, markup=True)


LawIdOption = typer.Option(None, "--law-id", help="Use this LawId / document id for every file.")
LawIdMapOption = typer.Option(None, "--law-id-map", help="TSV (file<TAB>law_id) or JSON mapping file names to law ids.")
MaxMbOption = typer.Option(64.0, "--max-mb", help="Refuse files larger than this many MiB.")


@app.command()
def parse(
    paths: list[Path] = typer.Argument(..., help="Files or directories (read recursively, by content)."),
    output_format: str = typer.Option("jsonl", "--format", help="jsonl or table."),
    law_id: Optional[str] = LawIdOption,
    law_id_map: Optional[Path] = LawIdMapOption,
    max_mb: float = MaxMbOption,
) -> None:
    """Read laws and ordinances; print one record per provision."""
    _require_format(output_format, ("jsonl", "table"))
    options = _read_options(law_id, law_id_map, max_mb)
    problems: list[str] = []
    ignored: list[Path] = []
    documents = provisions = 0
    out = sys.stdout
    for document in iter_documents(paths, options, problems, ignored):
        documents += 1
        if output_format == "table":
            table = Table(title=f"{document.title} ({document.doc_id})", show_lines=False)
            for column in ("provision_id", "kind", "label", "text"):
                table.add_column(column, overflow="fold")
        for provision in document.walk():
            provisions += 1
            if output_format == "jsonl":
                out.write(json.dumps({
                    "doc_id": document.doc_id, "provision_id": provision.provision_id, "kind": provision.kind,
                    "num": provision.num, "label": provision.label, "caption": provision.caption,
                    "text": provision.text, "start": provision.start, "end": provision.end,
                    "deleted": provision.deleted,
                }, ensure_ascii=False))
                out.write("\n")
            else:
                table.add_row(provision.provision_id, provision.kind, provision.label, provision.text[:80])
        if output_format == "table":
            stdout.print(table)
    out.flush()
    report_problems(problems)
    stderr.print(f"{documents} documents, {provisions} provisions; {len(problems)} skipped; "
                 f"{len(ignored)} files ignored (not law documents)", highlight=False)
    if problems:
        raise typer.Exit(EXIT_UNUSABLE_INPUT)


@app.command()
def fetch(
    target: str = typer.Argument(..., help="A LawId (e.g. 327AC0000000231) or a title keyword."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Where XML is kept (default ~/.cache/analogmap/egov)."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="e-Gov API v2 base URL (or ANALOGMAP_EGOV_API)."),
) -> None:
    """Download law XML from the e-Gov 法令API v2 into a local cache."""
    from analogmap.corpus.egov_api import default_cache_dir, fetch_command

    raise typer.Exit(fetch_command(target, cache_dir or default_cache_dir(), base_url))


def _check_worker(path_and_options):
    """Read and extract one file in a worker process; errors come back as text."""
    path, options, split_mode, suggest = path_and_options
    try:
        document = read_document(path, options)
    except InputError as error:
        return None, [], str(error)
    except Exception as error:
        return None, [], f"{path}: could not be read ({type(error).__name__}: {error})"
    extractor = _worker_extractor(split_mode)
    findings = extractor.extract(document)
    if suggest:
        from analogmap.api.commands_techmap import enrich

        return document.doc_id, enrich(document, findings), None
    return document.doc_id, [f.to_dict() for f in findings], None


_EXTRACTORS: dict = {}


def _worker_extractor(split_mode: str):
    from analogmap.extractors.engine import Extractor

    if split_mode not in _EXTRACTORS:
        _EXTRACTORS[split_mode] = Extractor(split_mode=split_mode)
    return _EXTRACTORS[split_mode]


def _law_files(paths: list[Path], problems: list[str]) -> list[Path]:
    files = []
    for path, explicit in collect_files(paths):
        if not path.exists():
            problems.append(f"{path}: no such file or directory")
        elif explicit or looks_like_law_file(path):
            files.append(path)
    return files


FINDING_FIELDS = ("doc_id", "provision_id", "type", "trigger", "start", "end", "sentence", "rule", "confidence",
                  "digital_alternative", "phase", "obliged")


@app.command()
def check(
    paths: list[Path] = typer.Argument(..., help="Files or directories with laws, ordinances or drafts."),
    output_format: str = typer.Option("jsonl", "--format", help="jsonl or table."),
    fail_on_findings: bool = typer.Option(False, "--fail-on-findings",
                                          help="Exit 1 when open (non-digital) findings exist."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    split_mode: str = typer.Option("C", "--split-mode", help="Sudachi split mode (A, B or C)."),
    suggest: bool = typer.Option(False, "--suggest",
                                 help="Add ranked technologies ('techmap') and a drafted revision ('suggestion')."),
    law_id: Optional[str] = LawIdOption,
    law_id_map: Optional[Path] = LawIdMapOption,
    max_mb: float = MaxMbOption,
) -> None:
    """Find analog requirements; print one record per finding."""
    _require_format(output_format, ("jsonl", "table"))
    options = _read_options(law_id, law_id_map, max_mb)
    problems: list[str] = []
    files = _law_files(paths, problems)
    tasks = [(path, options, split_mode, suggest) for path in files]
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(jobs)
        results = pool.imap(_check_worker, tasks, chunksize=1)
    else:
        pool = None
        results = map(_check_worker, tasks)
    open_findings = digital = documents = 0
    table = None
    if output_format == "table":
        table = Table(title="analogmap check")
        for column in ("provision", "type", "trigger", "rule", "conf", "digital", "obliged"):
            table.add_column(column, overflow="fold")
    try:
        for doc_id, findings, problem in results:
            if problem:
                problems.append(problem)
                continue
            documents += 1
            for finding in findings:
                if finding["digital_alternative"]:
                    digital += 1
                else:
                    open_findings += 1
                if table is not None:
                    table.add_row(finding["provision_id"], finding["type"], finding["trigger"], finding["rule"],
                                  f"{finding['confidence']:.2f}", "yes" if finding["digital_alternative"] else "",
                                  finding["obliged"])
                else:
                    sys.stdout.write(json.dumps(finding, ensure_ascii=False) + "\n")
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if table is not None:
        stdout.print(table)
    sys.stdout.flush()
    report_problems(problems)
    stderr.print(f"{documents} documents: {open_findings} open findings, {digital} already digital; "
                 f"{len(problems)} skipped", highlight=False)
    if problems:
        raise typer.Exit(EXIT_UNUSABLE_INPUT)
    if fail_on_findings and open_findings:
        raise typer.Exit(1)


@app.command(name="eval")
def evaluate_command(
    gold: list[Path] = typer.Argument(..., help="Labelled provisions (JSON Lines, typology.md format); several files are merged."),
    corpus: Path = typer.Option(Path("../shared/corpus"), "--corpus", help="Directory the gold 'source' paths are in."),
    output_format: str = typer.Option("table", "--format", help="json or table."),
    split: Optional[str] = typer.Option(None, "--split", help="Only this split (dev or holdout)."),
    split_mode: str = typer.Option("C", "--split-mode", help="Sudachi split mode (A, B or C)."),
    write_calibration: bool = typer.Option(False, "--write-calibration",
                                           help="Store per-rule precision on the dev split as the calibration file."),
) -> None:
    """Precision, recall and F1 per type against labelled provisions, beside the keyword baseline."""
    from analogmap.extractors.analysis import versions
    from analogmap.extractors.engine import Extractor
    from analogmap.extractors.evaluate import GoldError, evaluate, load_gold
    from analogmap.extractors.evaluate import write_calibration as store_calibration
    from analogmap.extractors.rulebook import RULES_DIR

    try:
        items = [item for path in gold for item in load_gold(path)]
        duplicates = {i.provision_id for i in items if sum(j.provision_id == i.provision_id for j in items) > 1} \
            if len(gold) > 1 else set()
        if duplicates:
            raise GoldError(f"provision ids labelled in more than one gold file: {sorted(duplicates)[:5]}")
    except (GoldError, OSError) as error:
        stderr.print(f"[red]{error}[/]")
        raise typer.Exit(EXIT_UNUSABLE_INPUT)
    extractor = Extractor(split_mode=split_mode)
    result = evaluate(items, corpus, extractor, splits=(split,) if split else None)
    result.report["versions"] = versions() | {"rules": extractor.rulebook.version, "split_mode": split_mode}
    for error in result.errors:
        stderr.print(f"[yellow]gold[/] {error}", highlight=False)
    if write_calibration:
        store_calibration(result.rule_counts, RULES_DIR / "calibration.toml",
                          f"{', '.join(p.name for p in gold)}, dev split")
        stderr.print(f"wrote {RULES_DIR / 'calibration.toml'}")
    if output_format == "json":
        sys.stdout.write(json.dumps(result.report, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_eval_tables(result.report)
    if result.errors:
        raise typer.Exit(EXIT_UNUSABLE_INPUT)


def _print_eval_tables(report: dict) -> None:
    for name in sorted(k for k in report if ":" in k):
        scores = report[name]
        table = Table(title=name)
        for column in ("type", "P", "R", "F1", "tp", "fp", "fn"):
            table.add_column(column, justify="right" if column != "type" else "left")
        for code, row in list(scores["per_type"].items()) + [("micro", scores["micro"])]:
            table.add_row(code, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                          str(row["tp"]), str(row["fp"]), str(row["fn"]))
        stdout.print(table)
    stdout.print(f"digital-alternative accuracy: {report['digital_alternative_accuracy']}")
    for split, calibration in report["calibration"].items():
        stdout.print(f"calibration ({split}): ECE {calibration['ece']}, Brier {calibration['brier']}, "
                     f"n={calibration['n']}; bins {calibration['bins']}")


def _register_commands() -> None:
    """Commands that live beside the steps they drive (technology map, graph scans, the web server)."""
    from analogmap.api import commands_techmap

    commands_techmap.register(app)
    for name in ("commands_kg", "commands_serve"):
        try:
            module = __import__(f"analogmap.api.{name}", fromlist=["register"])
        except ModuleNotFoundError as error:
            if error.name != f"analogmap.api.{name}":
                raise
            continue
        module.register(app)


_register_commands()


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
