"""The technology map: conversion from the datechmap source, the shipped Turtle, and the Python API."""
from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from shared_data import TECHMAP, require_shared

from rdflib import RDF, BNode, Namespace, URIRef
from rdflib.namespace import SKOS

from analogmap.ontology import techmap_convert, uris
from analogmap.ontology.techmap import (
    TypeLink, load_techmap, technologies_for_type, techmap_graph, type_mapping,
)

AR = Namespace(uris.AR)
SCHEMA = Namespace("https://schema.org/")
ONTOLOGY_DIR = Path(techmap_convert.__file__).resolve().parent
SHIPPED = ONTOLOGY_DIR / "techmap.ttl"


def _data() -> Path:
    return require_shared(TECHMAP) / "public" / "data"


def _load(name: str) -> list:
    return json.loads((_data() / name).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------
# Counts in the source (corpus) and in the conversion
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def converted():
    return techmap_convert.convert(require_shared(TECHMAP))


@pytest.mark.corpus
def test_source_counts():
    categories = _load("technology-map-categories.json")[1:]
    kinds = Counter(row[2] for row in categories)
    techs = [r for r in categories if r[2] == "product" and 1001 <= int(r[0]) <= 1099]
    groups = [r for r in categories if r[2] == "product" and 500 <= int(r[0]) < 1000]
    assert len(techs) == 43 and [int(r[0]) for r in techs] == list(range(1001, 1044))
    assert len(groups) == 20 and [int(r[0]) for r in groups] == list(range(530, 550))
    assert kinds["x-header"] == 30 and kinds["main-category"] == 7
    assert len(list(_data().glob("technology-map-product-*.json"))) == 196
    relations = _load("technology-map-relations.json")[1:]
    assert len(relations) == 196
    assert Counter(r[0] for r in relations) == {"10006": 68, "10004": 43, "10003": 23, "10005": 20,
                                                "10001": 18, "10007": 18, "10002": 6}
    assert Counter(r[3] for r in relations) == {"1": 169, "0": 11, "2": 16}
    # data rows (after 4 header rows) and technology columns (after 5 axis columns) per map
    shapes = {n: (len(g) - 4, len(g[0]) - 5) for n in (1, 2, 3, 4)
              for g in [_load(f"technology-map-{n}.json")]}
    assert shapes == {1: (25, 43), 2: (33, 43), 3: (18, 20), 4: (18, 20)}


@pytest.mark.corpus
def test_converted_counts(converted):
    g = converted

    def count(cls):
        return len(set(g.subjects(RDF.type, cls)))

    assert count(AR.TechnologyType) == 43
    assert count(AR.TechnologyGroup) == 20
    assert count(AR.TechnologyFunction) == 30
    assert count(AR.BusinessType) == 10
    assert count(AR.CatalogCall) == 7
    assert count(AR.CatalogProduct) == 196
    assert count(SCHEMA.Product) == 196
    assert count(AR.CatalogListing) == 196
    assert len(list(g.subject_objects(AR.listedIn))) == 196
    for number, (rows, columns) in {1: (25, 43), 2: (33, 43), 3: (18, 20), 4: (18, 20)}.items():
        m = URIRef(uris.map_uri(number))
        members = set(g.subjects(AR.inMap, m))
        assert len([s for s in members if (s, RDF.type, AR.MapRow) in g]) == rows
        cols = [s for s in members if (s, RDF.type, AR.MapColumn) in g]
        assert len(cols) == columns
        # each column stands for a distinct technology (maps 1, 2) or group (maps 3, 4)
        assert len({g.value(c, AR.columnFor) for c in cols}) == columns


@pytest.mark.corpus
def test_map_cells_follow_the_source(converted):
    """Every filled cell of every map is one ar:marks triple of its row, and nothing else is."""
    g = converted
    for number in (1, 2, 3, 4):
        grid = _load(f"technology-map-{number}.json")
        filled = sum(1 for row in grid[4:] for cell in row[5:] if cell.strip())
        marks = sum(len(list(g.objects(URIRef(uris.map_row_uri(number, i)), AR.marks)))
                    for i in range(1, len(grid) - 3))
        assert marks == filled
    # pattern 1, row 1 (水質・大気質) marks drones but not the microphone
    row = URIRef(uris.map_row_uri(1, 1))
    assert (row, AR.marks, URIRef(uris.technology_uri(1016))) in g
    assert (row, AR.marks, URIRef(uris.technology_uri(1002))) not in g


@pytest.mark.corpus
def test_business_types_are_the_pattern2_rows(converted):
    names = {str(o) for s in converted.subjects(RDF.type, AR.BusinessType)
             for o in converted.objects(s, SKOS.prefLabel) if o.language == "ja"}
    assert {"検査・点検・監査", "監視・見張り・監督", "講習・教育", "公示・掲示", "閲覧・交付",
            "報告・申請・提出", "記録・保管"} <= names
    assert len(names) == 10


@pytest.mark.corpus
def test_definitions_are_our_own(converted):
    """The source's descriptions are not carried over (no definition shares a long run with them)."""
    categories = _load("technology-map-categories.json")[1:]
    source_texts = [row[4] for row in categories if row[4]] + [row[1] for row in categories if len(row[1]) > 40]
    ours = [str(o) for o in converted.objects(None, SKOS.definition)]
    assert len(ours) >= 2 * 43
    for text in ours:
        for i in range(0, max(len(text) - 20, 0) + 1):
            piece = text[i:i + 20]
            assert not any(piece in src for src in source_texts), piece


@pytest.mark.corpus
def test_shipped_turtle_is_a_fresh_conversion():
    fresh = techmap_convert.convert_to_turtle(require_shared(TECHMAP))
    assert SHIPPED.read_text(encoding="utf-8") == fresh, (
        "ontology/techmap.ttl is stale: run python -m analogmap.ontology.techmap_convert "
        "../shared/techmap/datechmap ontology/techmap.ttl")


@pytest.mark.corpus
def test_conversion_is_deterministic(tmp_path):
    out = tmp_path / "a.ttl"
    assert techmap_convert.main([str(require_shared(TECHMAP)), str(out)]) == 0
    assert out.read_text(encoding="utf-8") == techmap_convert.convert_to_turtle(require_shared(TECHMAP))


def test_converter_rejects_a_directory_without_data(tmp_path, capsys):
    assert techmap_convert.main([str(tmp_path), str(tmp_path / "x.ttl")]) == 2
    assert "public/data" in capsys.readouterr().err
    assert not (tmp_path / "x.ttl").exists()


# ------------------------------------------------------------------------------------------------
# Shipped package data (no ../shared needed)
# ------------------------------------------------------------------------------------------------

def test_shipped_graph_has_no_blank_nodes_and_cites_the_source():
    g = techmap_graph()
    assert not any(isinstance(term, BNode) for triple in g for term in triple)
    source = g.value(URIRef(f"{uris.BASE}/techmap"), URIRef("http://purl.org/dc/terms/source"))
    assert str(source).startswith("https://github.com/TakahiroATanaka/datechmap/tree/")
    for s in g.subjects(RDF.type, AR.TechnologyType):
        assert str(g.value(s, URIRef("http://purl.org/dc/terms/source"))).endswith("technology-map-categories.json")


def test_load_techmap_typed_objects():
    tm = load_techmap()
    assert len(tm.technologies) == 43 and len(tm.groups) == 20 and len(tm.products) == 196
    assert len(tm.calls) == 7 and len(tm.business_types) == 10 and len(tm.functions) == 30
    drone = tm.technologies[1016]
    assert drone.name_ja == "無人航空機・ドローン" and drone.group == 532
    assert drone.functions[0] == 501  # Input
    assert tm.functions[drone.functions[-1]].name_ja == "移動機能"
    assert drone.definition and drone.definition_ja
    for tech in tm.technologies.values():
        assert tech.group in tm.groups and tech.functions and tech.definition and tech.name_en
    assert {t.group for t in tm.technologies.values()} == set(tm.groups)
    product = tm.products[201]
    assert product.vendor and product.call_ids == (10003,) and product.qualification == 1
    assert 1014 in product.technology_ids
    assert tm.calls[10006].steps == ("prep", "acquire", "analyse", "record")
    assert [tm.steps[k].name_ja for k in tm.calls[10006].steps] == ["現場での準備", "情報取得", "分析・判断", "記録・保存"]
    assert sum(1 for r in tm.rows if r.map == 2) == 33
    assert {r.business_type for r in tm.rows if r.map == 2} == set(tm.business_types)


def test_every_type_maps_to_business_types_steps_and_three_technologies():
    tm = load_techmap()
    codes = set(uris.ANALOG_TYPES)
    assert set(type_mapping()) == codes
    for code in codes:
        profile = tm.types[code]
        assert profile.business_type_ids and set(profile.business_type_ids) <= set(tm.business_types), code
        assert profile.steps and set(profile.steps) <= set(tm.steps), code
        links = technologies_for_type(code)
        assert len(links) >= 3, code
        assert len({link.technology_id for link in links}) == len(links), code
        for link in links:
            assert isinstance(link, TypeLink) and link.type_code == code
            assert link.technology_id in tm.technologies
            assert link.phase in (1, 2, 3)
            assert len(link.rationale) > 20
        if profile.catalog_call is not None:
            assert profile.catalog_call in tm.calls
    assert [l.phase for l in technologies_for_type("periodic_inspection")] == sorted(
        (l.phase for l in technologies_for_type("periodic_inspection")), reverse=True)
    assert tm.types["visual_inspection"].steps == ("prep", "acquire", "analyse", "record")
    assert {54, 55} <= set(tm.types["visual_inspection"].business_type_ids)


def test_type_mapping_is_in_the_turtle():
    g = techmap_graph()
    mapping = type_mapping()
    links = set(g.subjects(RDF.type, AR.TypeTechnologyLink))
    assert len(links) == sum(len(entry["link"]) for entry in mapping.values())
    link = URIRef(uris.type_link_uri("visual_inspection", 1016))
    assert g.value(link, AR.phase).toPython() == 2
    assert g.value(link, AR.analogType) == URIRef(uris.analog_type_uri("visual_inspection"))
    assert (URIRef(uris.analog_type_uri("paper_posting")), AR.substitutableBy,
            URIRef(uris.technology_uri(1040))) in g


def test_unknown_type_code_is_rejected():
    with pytest.raises(ValueError):
        technologies_for_type("telepathy")


def test_type_mapping_toml_parses_with_ids():
    with open(ONTOLOGY_DIR / "type_mapping.toml", "rb") as fh:
        data = tomllib.load(fh)
    assert all(isinstance(link["technology"], int) for entry in data.values() for link in entry["link"])
