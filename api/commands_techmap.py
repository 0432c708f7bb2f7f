"""CLI commands `techmap` and `shinkyu`, and `enrich()` for `check --suggest`.

The lead wires them into api/cli.py::

    from analogmap.api import commands_techmap
    commands_techmap.register(app)
    # in check --suggest: records = commands_techmap.enrich(document, findings)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

EXIT_UNUSABLE_INPUT = 2


def _finding_dict(finding: Any) -> dict:
    return finding.to_dict() if hasattr(finding, "to_dict") else dict(finding)


def _article_of(document: Any, provision_id: str) -> Any:
    return document.get(provision_id.split("-")[0]) if document is not None else None


def suggest_for(document: Any, finding: Any, techmap: Any = None):
    """(matches, suggestion) for one finding of `document`."""
    from analogmap.kg.matching import match_finding
    from analogmap.kg.suggest import suggest

    get = finding.get if isinstance(finding, dict) else lambda k, d=None: getattr(finding, k, d)
    provision = document.get(get("provision_id"))
    article = _article_of(document, get("provision_id"))
    provision_text = provision.text if provision is not None else get("sentence", "")
    matches = match_finding(finding, provision_text, article.text if article is not None else "", techmap)
    suggestion = None
    if provision is not None:
        suggestion = suggest(finding, provision, document, matches, article=article)
    return matches, suggestion


def enrich(document: Any, findings: list) -> list[dict]:
    """Each finding as a dict with `techmap` (ranked matches) and `suggestion` (dict or None)."""
    from analogmap.ontology.techmap import load_techmap

    techmap = load_techmap()
    out = []
    for finding in findings:
        record = _finding_dict(finding)
        matches, suggestion = suggest_for(document, finding, techmap)
        record["techmap"] = [m.to_dict() for m in matches]
        record["suggestion"] = suggestion.to_dict() if suggestion is not None else None
        out.append(record)
    return out


def _techmap_rows(type_code: str | None) -> list[dict]:
    from analogmap.ontology.techmap import load_techmap

    tm = load_techmap()
    codes = [type_code] if type_code else list(tm.types)
    rows = []
    for code in codes:
        profile = tm.types[code]
        business = [tm.business_types[b].name_ja for b in profile.business_type_ids if b in tm.business_types]
        steps = [tm.steps[s].name_ja if s in tm.steps else s for s in profile.steps]
        for link in sorted(profile.links, key=lambda l: (-l.phase, l.technology_id)):
            technology = tm.technologies[link.technology_id]
            products = tm.products_for_technology(link.technology_id)[:3]
            rows.append({"type": code, "business_types": business, "process_steps": steps,
                         "technology_id": link.technology_id, "technology": technology.name_ja,
                         "phase": link.phase, "rationale": link.rationale,
                         "catalog": profile.catalog_call,
                         "products": [{"id": p.id, "name": p.name, "vendor": p.vendor} for p in products]})
    return rows


def _techmap_ttl(type_code: str | None) -> str:
    from analogmap.ontology import uris
    from analogmap.ontology.techmap import techmap_graph
    from rdflib import Graph, URIRef

    graph = techmap_graph()
    if not type_code:
        return graph.serialize(format="turtle")
    subject = URIRef(uris.analog_type_uri(type_code))
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for triple in graph.triples((subject, None, None)):
        out.add(triple)
    for s, p, o in graph:
        if o == subject:
            out.add((s, p, o))
            for triple in graph.triples((s, None, None)):
                out.add(triple)
    return out.serialize(format="turtle")


def register(app: typer.Typer) -> None:
    """Add `techmap` and `shinkyu` to `app`."""

    @app.command()
    def techmap(
        type_code: str | None = typer.Option(None, "--type", help="Only this analog type code."),
        output_format: str = typer.Option("table", "--format", help="table, json or ttl."),
    ) -> None:
        """The technology map per analog type: business types, technology types, phases, products."""
        from analogmap.ontology.techmap import load_techmap

        if output_format not in ("table", "json", "ttl"):
            typer.echo(f"unknown --format {output_format!r}; use table, json or ttl", err=True)
            raise typer.Exit(EXIT_UNUSABLE_INPUT)
        if type_code and type_code not in load_techmap().types:
            typer.echo(f"unknown type code {type_code!r}", err=True)
            raise typer.Exit(EXIT_UNUSABLE_INPUT)
        if output_format == "ttl":
            sys.stdout.write(_techmap_ttl(type_code))
            return
        rows = _techmap_rows(type_code)
        if output_format == "json":
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title="analogmap techmap")
        for column in ("type", "business", "technology", "phase", "products"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(row["type"], "・".join(row["business_types"]), f"{row['technology_id']} {row['technology']}",
                          str(row["phase"]), "; ".join(p["name"] for p in row["products"]))
        Console(soft_wrap=True).print(table)

    @app.command()
    def shinkyu(
        path: Path = typer.Argument(..., help="A law or ordinance file."),  # noqa: B008
        output_format: str = typer.Option("html", "--format", help="html or xlsx."),
        out: Path = typer.Option(..., "--out", help="Output file."),  # noqa: B008
        law_id: str | None = typer.Option(None, "--law-id", help="Use this LawId / document id."),
    ) -> None:
        """Write the 新旧対照表 (old/new comparison) of the document's suggested revisions."""
        from analogmap.corpus.errors import InputError
        from analogmap.corpus.readers import ReadOptions, read_document
        from analogmap.extractors.engine import Extractor
        from analogmap.kg.shinkyu import build_table, write_html, write_xlsx
        from analogmap.ontology.techmap import load_techmap

        if output_format not in ("html", "xlsx"):
            typer.echo(f"unknown --format {output_format!r}; use html or xlsx", err=True)
            raise typer.Exit(EXIT_UNUSABLE_INPUT)
        try:
            document = read_document(path, ReadOptions(law_id=law_id))
        except InputError as error:
            typer.echo(f"skipped {error}", err=True)
            raise typer.Exit(EXIT_UNUSABLE_INPUT)
        findings = [f for f in Extractor().extract(document) if not f.digital_alternative]
        techmap_data = load_techmap()
        pairs = [(f, suggest_for(document, f, techmap_data)[1]) for f in findings]
        rows = build_table(document, pairs)
        if output_format == "html":
            write_html(rows, out)
        else:
            write_xlsx(rows, out)
        typer.echo(f"{document.title}: {len(findings)} open findings, {len(rows)} provisions with suggestions "
                   f"→ {out}", err=True)


__all__ = ["enrich", "register", "suggest_for"]
