"""A small export-shaped graph (document, expression, provision, finding, run, suggestion, review)."""
from __future__ import annotations

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef

from analogmap.ontology import uris

AR = Namespace(uris.AR)
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")

LAW_ID = "325AC0000000201"
PROVISION_ID = f"{LAW_ID}#a12-p1"
VERSION = "2024-04-01"
RULESET = "rules-2024.1"


def sample_graph(*, confidence: str = "0.87", with_type: bool = True) -> tuple[Graph, dict[str, URIRef]]:
    g = Graph()
    for prefix, ns in (("ar", AR), ("eli", ELI), ("oa", OA), ("prov", PROV)):
        g.bind(prefix, ns)
    work = URIRef(uris.document_uri(LAW_ID))
    expr = URIRef(uris.expression_uri(LAW_ID, VERSION))
    prov_uri = URIRef(uris.provision_uri(PROVISION_ID, VERSION))
    run = URIRef(uris.scan_run_uri("2024-06-01T10-00-00Z"))
    software = URIRef(uris.agent_uri("analogmap-extractor"))
    finding = URIRef(uris.finding_uri(PROVISION_ID, 120, 124, "visual_inspection", RULESET, VERSION))
    target = URIRef(f"{finding}/target")
    pos = URIRef(f"{finding}/position")
    quote = URIRef(f"{finding}/quote")
    suggestion = URIRef(uris.suggestion_uri(str(finding), "remote-inspection", 1016))
    reviewer = URIRef(uris.agent_uri("reviewer-1"))
    review = URIRef(uris.review_uri(str(finding), "reviewer-1", "2024-06-02T09:00:00+09:00"))

    add = g.add
    add((work, RDF.type, ELI.LegalResource))
    add((work, ELI.id_local, Literal(LAW_ID)))
    add((work, ELI.title, Literal("建築基準法", lang="ja")))
    add((work, ELI.type_document, URIRef(uris.doc_type_uri("法律"))))
    add((work, ELI.is_realized_by, expr))
    add((expr, RDF.type, ELI.LegalExpression))
    add((expr, ELI.realizes, work))
    add((expr, ELI.version_date, Literal(VERSION, datatype=XSD.date)))
    add((prov_uri, RDF.type, ELI.LegalResourceSubdivision))
    add((prov_uri, ELI.is_part_of, expr))
    add((prov_uri, ELI.id_local, Literal(PROVISION_ID)))
    add((prov_uri, AR.provisionId, Literal(PROVISION_ID)))
    add((prov_uri, ELI.type_subdivision, URIRef(uris.subdivision_type_uri("paragraph"))))
    add((prov_uri, ELI.number, Literal("1")))
    add((prov_uri, AR.eId, Literal("art_12__para_1")))

    add((software, RDF.type, PROV.SoftwareAgent))
    add((run, RDF.type, AR.ScanRun))
    add((run, PROV.startedAtTime, Literal("2024-06-01T10:00:00+00:00", datatype=XSD.dateTime)))
    add((run, PROV.wasAssociatedWith, software))

    add((finding, RDF.type, AR.Finding))
    add((finding, RDF.type, OA.Annotation))
    if with_type:
        add((finding, OA.hasBody, URIRef(uris.analog_type_uri("visual_inspection"))))
    add((finding, OA.motivatedBy, OA.classifying))
    add((finding, OA.hasTarget, target))
    add((target, RDF.type, OA.SpecificResource))
    add((target, OA.hasSource, prov_uri))
    add((target, OA.hasSelector, pos))
    add((target, OA.hasSelector, quote))
    add((pos, RDF.type, OA.TextPositionSelector))
    add((pos, OA.start, Literal(120, datatype=XSD.nonNegativeInteger)))
    add((pos, OA.end, Literal(124, datatype=XSD.nonNegativeInteger)))
    add((quote, RDF.type, OA.TextQuoteSelector))
    add((quote, OA.exact, Literal("目視により")))
    add((quote, OA.prefix, Literal("定期に")))
    add((finding, AR.confidence, Literal(confidence, datatype=XSD.decimal)))
    add((finding, AR.phase, Literal(1)))
    add((finding, AR.ruleId, Literal("visual_inspection.mokushi.v1")))
    add((finding, AR.digitalAlternative, Literal(False)))
    add((finding, PROV.wasGeneratedBy, run))

    add((suggestion, RDF.type, AR.Suggestion))
    add((suggestion, PROV.wasDerivedFrom, finding))
    add((suggestion, AR.proposedText, Literal("目視又はドローンその他の情報通信技術を利用する方法により", lang="ja")))
    add((suggestion, AR.phase, Literal(2)))
    add((suggestion, AR.suggestionStatus, URIRef(uris.suggestion_status_uri("draft"))))
    add((suggestion, AR.proposedTechnology, URIRef(uris.technology_uri(1016))))
    add((suggestion, AR.amendsSubdivision, prov_uri))

    add((reviewer, RDF.type, PROV.Person))
    add((review, RDF.type, AR.Review))
    add((review, PROV.used, finding))
    add((review, PROV.wasAssociatedWith, reviewer))
    add((review, PROV.endedAtTime, Literal("2024-06-02T09:00:00+09:00", datatype=XSD.dateTime)))
    add((review, AR.reviewStatus, URIRef(uris.review_status_uri("要改正"))))
    nodes = {"work": work, "expression": expr, "provision": prov_uri, "finding": finding,
             "suggestion": suggestion, "review": review, "run": run}
    return g, nodes
