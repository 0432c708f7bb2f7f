"""The OWL ontology (HermiT via owlready2), the SHACL shapes (pyshacl) and the URI patterns."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("rdflib")

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef  # noqa: E402
from rdflib.namespace import SKOS  # noqa: E402

from analogmap.ontology import uris  # noqa: E402

from sample_graph import AR, PROV, sample_graph  # noqa: E402

ONTOLOGY_DIR = Path(uris.__file__).resolve().parent
ONTOLOGY = ONTOLOGY_DIR / "analogmap.ttl"
TECHMAP_TTL = ONTOLOGY_DIR / "techmap.ttl"
TYPOLOGY_CODES = ("visual_inspection", "onsite_audit", "periodic_inspection", "resident_dedicated",
                  "inperson_training", "paper_posting", "inperson_viewing", "physical_media",
                  "paper_procedure", "inperson_procedure", "inperson_meeting")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


# ------------------------------------------------------------------------------------------------
# Vocabulary content
# ------------------------------------------------------------------------------------------------

def test_analog_type_scheme_has_the_eleven_codes(ontology):
    concepts = set(ontology.subjects(SKOS.inScheme, AR.AnalogRegulationType))
    codes = {str(ontology.value(c, SKOS.notation)) for c in concepts}
    assert codes == set(TYPOLOGY_CODES)
    for code in TYPOLOGY_CODES:
        c = URIRef(uris.analog_type_uri(code))
        assert c in concepts and (c, RDF.type, AR.AnalogType) in ontology
        langs = {o.language for o in ontology.objects(c, SKOS.prefLabel)}
        assert langs == {"ja", "en"}
        assert {o.language for o in ontology.objects(c, SKOS.definition)} == {"ja", "en"}
        assert uris.analog_type_code(str(c)) == code


def test_phases_and_status_schemes(ontology):
    phases = sorted(str(ontology.value(p, SKOS.notation)) for p in ontology.subjects(SKOS.inScheme, AR.DigitalizationPhase))
    assert phases == ["1", "2", "3"]
    for n in (1, 2, 3):
        assert (URIRef(uris.phase_uri(n)), SKOS.inScheme, AR.DigitalizationPhase) in ontology
    for table, scheme in ((uris.REVIEW_STATUSES, AR.ReviewStatusScheme),
                          (uris.SUGGESTION_STATUSES, AR.SuggestionStatusScheme),
                          (uris.DOC_TYPES, AR.DocTypeScheme), (uris.SUBDIVISION_TYPES, AR.SubdivisionTypeScheme)):
        members = set(ontology.subjects(SKOS.inScheme, scheme))
        assert {URIRef(uris.AR + local) for local in table.values()} == members
        assert {str(ontology.value(m, SKOS.notation)) for m in members} == set(table)


def test_document_and_provision_kinds_match_the_corpus_model():
    model = pytest.importorskip("analogmap.corpus.model")
    assert set(uris.DOC_TYPES) == set(model.DOCUMENT_KINDS)
    assert set(uris.SUBDIVISION_TYPES) == set(model.PROVISION_KINDS)


def test_own_terms_have_ja_en_labels_and_a_definition(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    own = {s for k in kinds for s in ontology.subjects(RDF.type, k) if str(s).startswith(uris.AR)}
    assert {AR.Finding, AR.Suggestion, AR.Review, AR.ScanRun, AR.TypeTechnologyLink, AR.confidence, AR.phase,
            AR.ruleId, AR.digitalAlternative, AR.substitutableBy, AR.reviewStatus} <= own
    for term in own:
        assert {o.language for o in ontology.objects(term, RDFS.label)} >= {"ja", "en"}, term
        assert ontology.value(term, SKOS.definition) is not None, term
    assert (AR.Finding, RDFS.subClassOf, URIRef("http://www.w3.org/ns/oa#Annotation")) in ontology
    assert (AR.Review, RDFS.subClassOf, PROV.Activity) in ontology
    assert (AR.ScanRun, RDFS.subClassOf, PROV.Activity) in ontology


def test_every_ar_term_used_by_the_techmap_is_declared(ontology):
    techmap = Graph().parse(TECHMAP_TTL)
    used = {p for p in techmap.predicates() if str(p).startswith(uris.AR)}
    used |= {o for o in techmap.objects(None, RDF.type) if str(o).startswith(uris.AR)}
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(uris.AR)}
    assert used - declared == set()


def test_ontology_header_documents_the_uri_patterns():
    header = "".join(line for line in ONTOLOGY.read_text(encoding="utf-8").splitlines(True) if line.startswith("#"))
    for token in ("/eli/jp/{type}/{year}/{LawId}", "/id/finding/", "/id/suggestion/", "/techmap/technology/",
                  "{work}/{YYYY-MM-DD}/jpn"):
        assert token in header


# ------------------------------------------------------------------------------------------------
# Reasoner
# ------------------------------------------------------------------------------------------------

def _owlready_world(tmp_path: Path, *graphs: Graph):
    owlready2 = pytest.importorskip("owlready2")
    if shutil.which("java") is None:
        message = "java is not installed: HermiT (owlready2) needs a JRE"
        if _in_ci():
            pytest.fail(message + "; CI must have it")
        pytest.skip(message)
    merged = Graph()
    for graph in graphs:
        merged += graph
    path = tmp_path / "merged.nt"
    merged.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    return owlready2, world, onto


def test_ontology_and_techmap_are_consistent_under_hermit(tmp_path, ontology):
    owlready2, world, onto = _owlready_world(tmp_path, ontology, Graph().parse(TECHMAP_TTL))
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
    assert world["https://w3id.org/analogmap/ontology#Finding"] is not None


def test_hermit_rejects_an_inconsistent_individual(tmp_path, ontology):
    """A thing that is both a suggestion (prov:Entity) and a review (prov:Activity) is caught."""
    bad = Graph()
    node = URIRef(f"{uris.BASE}/id/suggestion/bad")
    bad.add((node, RDF.type, AR.Suggestion))
    bad.add((node, RDF.type, AR.Review))
    owlready2, world, onto = _owlready_world(tmp_path, ontology, bad)
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


# ------------------------------------------------------------------------------------------------
# SHACL
# ------------------------------------------------------------------------------------------------

def test_sample_export_conforms():
    pytest.importorskip("pyshacl")
    from analogmap.ontology.shacl import validate

    graph, _ = sample_graph()
    conforms, report = validate(graph)
    assert conforms, report


def test_broken_finding_is_rejected():
    pytest.importorskip("pyshacl")
    from analogmap.ontology.shacl import validate

    graph, _ = sample_graph(confidence="1.5", with_type=False)
    conforms, report = validate(graph)
    assert not conforms
    assert "MaxInclusiveConstraintComponent" in report and "ar:confidence" in report
    assert "MinCountConstraintComponent" in report and "oa:hasBody" in report


@pytest.mark.parametrize("mutate, expected", [
    (lambda g, n: g.set((n["finding"], AR.phase, Literal(4))), "ar:phase"),
    (lambda g, n: g.remove((n["suggestion"], PROV.wasDerivedFrom, None)), "prov:wasDerivedFrom"),
    (lambda g, n: g.remove((n["review"], PROV.endedAtTime, None)), "prov:endedAtTime"),
    (lambda g, n: g.remove((n["review"], PROV.wasAssociatedWith, None)), "prov:wasAssociatedWith"),
    (lambda g, n: g.set((n["finding"], URIRef("http://www.w3.org/ns/oa#hasBody"), AR.Phase1)), "oa:hasBody"),
    (lambda g, n: g.remove((n["provision"], URIRef("http://data.europa.eu/eli/ontology#is_part_of"), None)),
     "eli:is_part_of"),
])
def test_shapes_catch_each_rule(mutate, expected):
    pytest.importorskip("pyshacl")
    from analogmap.ontology.shacl import validate

    graph, nodes = sample_graph()
    mutate(graph, nodes)
    conforms, report = validate(graph)
    assert not conforms and expected in report, report


def test_selectors_must_have_start_before_end():
    pytest.importorskip("pyshacl")
    from analogmap.ontology.shacl import validate

    graph, nodes = sample_graph()
    oa = Namespace("http://www.w3.org/ns/oa#")
    position = URIRef(f"{nodes['finding']}/position")
    graph.set((position, oa.start, Literal(200, datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))))
    conforms, report = validate(graph)
    assert not conforms


def test_techmap_links_conform_to_the_shapes():
    pytest.importorskip("pyshacl")
    from analogmap.ontology.shacl import validate

    conforms, report = validate(Graph().parse(TECHMAP_TTL))
    assert conforms, report


# ------------------------------------------------------------------------------------------------
# URI patterns
# ------------------------------------------------------------------------------------------------

def test_document_and_provision_uris():
    assert uris.document_uri("325AC0000000201") == f"{uris.BASE}/eli/jp/act/1950/325AC0000000201"
    assert uris.document_uri("405M60000400001").startswith(f"{uris.BASE}/eli/jp/ministerial-ordinance/1993/")
    assert uris.document_uri("501CO0000000001") == f"{uris.BASE}/eli/jp/cabinet-order/2019/501CO0000000001"
    assert uris.document_uri("x", municipality_code="132012", kind="jorei", year=2005, number="30") == \
        f"{uris.BASE}/eli/jp-lg/132012/jorei/2005/30"
    assert uris.document_uri("reiki-0123abcd") == f"{uris.BASE}/eli/jp-lg/doc/reiki-0123abcd"
    assert uris.expression_uri("325AC0000000201", "2024-04-01").endswith("/325AC0000000201/2024-04-01/jpn")
    assert uris.provision_uri("325AC0000000201#a21-p1-i3", "2024-04-01").endswith("/2024-04-01/jpn/art_21__para_1__item_3")
    assert uris.provision_uri("325AC0000000201#a12_2-p1-i2.1").endswith("/art_12_2__para_1__item_2__subitem1_1")
    assert uris.provision_uri("327AC0000000231#R5L63-s2-p1").endswith("/suppl_R5L63__art_2__para_1")
    assert uris.provision_uri("327AC0000000231#s2-p1").endswith("/suppl_orig__art_2__para_1")
    assert uris.provision_uri("325AC0000000201#appdx1").endswith("/appdx_1")
    with pytest.raises(ValueError):
        uris.provision_uri("325AC0000000201")
    with pytest.raises(ValueError):
        uris.expression_uri("325AC0000000201", "20240401")


def test_finding_suggestion_review_uris_are_deterministic_and_distinct():
    a = uris.finding_uri("325AC0000000201#a12-p1", 10, 14, "visual_inspection", "r1")
    assert a == uris.finding_uri("325AC0000000201#a12-p1", 10, 14, "visual_inspection", "r1")
    assert re.fullmatch(rf"{re.escape(uris.BASE)}/id/finding/[0-9a-f]{{16}}", a)
    assert a != uris.finding_uri("325AC0000000201#a12-p1", 10, 14, "onsite_audit", "r1")
    assert a != uris.finding_uri("325AC0000000201#a12-p1", 10, 14, "visual_inspection", "r2")
    assert a != uris.finding_uri("325AC0000000201#a12-p1", 10, 14, "visual_inspection", "r1", "2024-04-01")
    s = uris.suggestion_uri(a, "remote-inspection", 1016)
    assert s == uris.suggestion_uri(a, "remote-inspection", "1016") and "/id/suggestion/" in s
    assert uris.review_uri(a, "u1", "2024-06-02T09:00:00+09:00") != uris.review_uri(a, "u2", "2024-06-02T09:00:00+09:00")
    with pytest.raises(ValueError):
        uris.finding_uri("325AC0000000201#a12-p1", 1, 2, "not_a_type")


def test_techmap_uris():
    assert uris.technology_uri(1001) == "https://w3id.org/analogmap/techmap/technology/1001"
    assert uris.technology_uri("1016") == uris.technology_uri(1016)
    assert uris.technology_group_uri(530) != uris.function_uri(530)
    assert uris.analog_type_uri("physical_media") == "https://w3id.org/analogmap/ontology#RecordingMediaDesignation"
    assert uris.phase_uri(3).endswith("#Phase3")
    with pytest.raises(ValueError):
        uris.phase_uri(4)
    assert uris.organization_uri("株式会社A", "1234567890123").endswith("/org/1234567890123")
    assert uris.organization_uri("株式会社Ａ") == uris.organization_uri("株式会社A")  # NFKC
