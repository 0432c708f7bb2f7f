"""`GET /techmap` and `GET /techmap/technologies/{id}`: the technology map, its technologies and the
catalog products listed for them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from . import schemas
from .problems import Problem, problem_responses
from .routes_common import techmap, type_labels

router = APIRouter(tags=["techmap"])


def _links_by_technology() -> dict[int, list[schemas.TypeLink]]:
    labels = type_labels()
    links: dict[int, list[schemas.TypeLink]] = {}
    for code, profile in techmap().types.items():
        for link in profile.links:
            links.setdefault(link.technology_id, []).append(schemas.TypeLink(
                type_code=code, type_label=labels.get(code, code), phase=link.phase, rationale=link.rationale))
    return links


def _technology(tech, tm) -> dict:
    group = tm.groups.get(tech.group)
    return {"id": tech.id, "name_ja": tech.name_ja, "name_en": tech.name_en, "group": tech.group,
            "group_name_ja": group.name_ja if group else "", "definition_ja": tech.definition_ja,
            "definition": tech.definition, "products": len(tm.products_for_technology(tech.id))}


@router.get("/techmap", response_model=schemas.TechMapResponse, summary="The technology map")
def get_techmap() -> schemas.TechMapResponse:
    """Technology types (with how many catalog products each has), groups, and for every analog type
    the technologies that can digitise it with the phase they reach."""
    tm = techmap()
    labels = type_labels()
    types = []
    for code, profile in tm.types.items():
        links = sorted(profile.links, key=lambda link: (-link.phase, link.technology_id))
        types.append({"code": code, "label": labels.get(code, code),
                      "technologies": [{"technology_id": link.technology_id, "phase": link.phase,
                                        "name_ja": tm.technologies[link.technology_id].name_ja
                                        if link.technology_id in tm.technologies else None,
                                        "rationale": link.rationale} for link in links]})
    return schemas.TechMapResponse(
        technologies=[schemas.Technology(**_technology(t, tm)) for t in tm.technologies.values()],
        groups={str(g.id): g.name_ja for g in tm.groups.values()}, types=types)


@router.get("/techmap/technologies/{technology_id}", response_model=schemas.TechnologyDetail,
            summary="One technology with its catalog products", responses=problem_responses(404, 422))
def get_technology(technology_id: Annotated[int, Path(ge=0, le=10**9)]) -> schemas.TechnologyDetail:
    tm = techmap()
    tech = tm.technologies.get(technology_id)
    if tech is None:
        raise Problem(404, "not-found", f"no technology {technology_id}")
    products = [schemas.Product(id=p.id, name=p.name, vendor=p.vendor, url=p.url, qualification=p.qualification)
                for p in tm.products_for_technology(technology_id)]
    functions = [tm.functions[f].name_ja for f in tech.functions if f in tm.functions]
    return schemas.TechnologyDetail(**_technology(tech, tm), functions=functions,
                                    analog_types=_links_by_technology().get(technology_id, []),
                                    catalog_products=products)
