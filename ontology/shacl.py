"""Validate an exported graph against the project's SHACL shapes (``shapes.ttl``).

The ontology (``analogmap.ttl``) is mixed in as pyshacl's ``ont_graph`` so that ``sh:class``
constraints see its ``rdfs:subClassOf`` statements (ar:ScanRun is a prov:Activity, prov:Person a
prov:Agent …).  Needs the optional dependency ``pyshacl``.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from rdflib import Graph


def _read(name: str) -> Graph:
    text = resources.files("analogmap.ontology").joinpath(name).read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shipped SHACL shapes."""
    return _read("shapes.ttl")


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The shipped OWL ontology."""
    return _read("analogmap.ttl")


def validate(data: Graph) -> tuple[bool, str]:
    """(conforms, human-readable report) for `data`."""
    import pyshacl

    conforms, _report_graph, report_text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none",
        allow_warnings=True)
    return bool(conforms), str(report_text)
