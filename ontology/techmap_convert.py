"""Convert the Digital Agency technology map / catalog data (datechmap) into RDF Turtle.

Usage::

    python -m analogmap.ontology.techmap_convert SRC_DIR OUT_TTL

``SRC_DIR`` is a checkout (or extract) of ``TakahiroATanaka/datechmap`` holding
``public/data/technology-map-*.json`` (and optionally ``SOURCE.md`` naming the commit).  The output
holds the facts of the source — ids, names, structure of the four map grids, the Input/Process/Output
functions, the catalog calls and their products, vendors and listings — each with ``dct:source``
pointing at the source file at its commit.  Definitions and English names are our own
(``techmap_glosses.toml``); the source's descriptions are not copied.  The analog-type mapping of
``type_mapping.toml`` is added as ``ar:TypeTechnologyLink`` nodes.

The output is deterministic: no blank nodes, no timestamps, subjects/predicates/objects sorted,
so a re-run on the same source gives a byte-identical file.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from . import uris

AR = Namespace(uris.AR)
SCHEMA = Namespace("https://schema.org/")
HERE = Path(__file__).resolve().parent
GLOSSES = HERE / "techmap_glosses.toml"
TYPE_MAPPING = HERE / "type_mapping.toml"

DEFAULT_REPO = "https://github.com/TakahiroATanaka/datechmap"
DEFAULT_COMMIT = "5b89a143f29ebee8208ac356f8e3b72d8a3ced4a"

DATASET = URIRef(f"{uris.BASE}/techmap")
PROJECT_AGENT = URIRef(uris.agent_uri("analogmap-project"))
SCHEME = {
    "technology": URIRef(f"{uris.TECHMAP}scheme/technology-types"),
    "group": URIRef(f"{uris.TECHMAP}scheme/technology-groups"),
    "function": URIRef(f"{uris.TECHMAP}scheme/functions"),
    "business": URIRef(f"{uris.TECHMAP}scheme/business-types"),
    "step": URIRef(f"{uris.TECHMAP}scheme/process-steps"),
    "heading": URIRef(f"{uris.TECHMAP}scheme/map-headings"),
}

PREFIXES = {
    "ar": uris.AR,
    "dct": str(DCTERMS),
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "xsd": str(XSD),
}

#: Per map: the y-axis columns (0–4) and the row property each one fills.
_AXIS = {
    1: ("purpose", "judgementContent", "managedObject", "managedObjectDetail", "dataContent"),
    2: ("purpose", "businessType", "managedObject", "managedObjectDetail", "dataContent"),
    3: ("purpose", None, "judgementContent", "managedObject", "managedObjectDetail"),
    4: ("purpose", None, "businessType", "managedObject", "managedObjectDetail"),
}
_GRANULARITY = {1: "technology", 2: "technology", 3: "group", 4: "group"}
_EMPTY = {"", "-", "－", "記載なし", "回答対象外"}
_HEADER_ROWS = 4
_FIRST_TECH_COLUMN = 5


class SourceError(ValueError):
    """The source data does not have the shape this converter expects."""


def norm(text: str) -> str:
    """NFKC, no line breaks, no leading '*', trimmed: for matching names and headers."""
    text = unicodedata.normalize("NFKC", text or "").replace("\n", "").strip()
    return text.lstrip("*").strip()


def _url(text: str | None) -> Literal | None:
    """An http(s) URL as xsd:anyURI, non-ASCII characters percent-encoded; None when not a URL."""
    text = (text or "").strip()
    if not re.match(r"^https?://\S+$", text):
        return None
    return Literal(quote(text, safe=":/?#[]@!$&'()*+,;=%~"), datatype=XSD.anyURI)


def _value(text: str) -> str | None:
    value = unicodedata.normalize("NFC", (text or "").strip())
    return None if norm(value) in _EMPTY else value


@dataclass(frozen=True)
class Source:
    root: Path
    repo: str
    commit: str

    @property
    def data(self) -> Path:
        return self.root / "public" / "data"

    def file_uri(self, name: str) -> URIRef:
        return URIRef(f"{self.repo}/blob/{self.commit}/public/data/{name}")

    def pdf_uri(self) -> URIRef:
        return URIRef(f"{self.repo}/tree/{self.commit}/public/pdf")

    def load(self, name: str) -> list:
        path = self.data / name
        if not path.exists():
            raise SourceError(f"missing source file {path}")
        return json.loads(path.read_text(encoding="utf-8"))


def open_source(src_dir: Path) -> Source:
    """Locate the data and read repository and commit from SOURCE.md when present."""
    src_dir = Path(src_dir)
    repo, commit = DEFAULT_REPO, DEFAULT_COMMIT
    source_md = src_dir / "SOURCE.md"
    if source_md.exists():
        text = source_md.read_text(encoding="utf-8")
        if m := re.search(r"https://github\.com/[\w.-]+/[\w.-]+", text):
            repo = m.group(0)
        if m := re.search(r"Commit:\s*([0-9a-f]{40})", text):
            commit = m.group(1)
    if not (src_dir / "public" / "data").is_dir():
        raise SourceError(f"{src_dir} has no public/data directory")
    return Source(src_dir, repo, commit)


# ------------------------------------------------------------------------------------------------
# Graph building
# ------------------------------------------------------------------------------------------------

class _Builder:
    def __init__(self, source: Source, glosses: dict, mapping: dict) -> None:
        self.src = source
        self.gl = glosses
        self.mapping = mapping
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.categories: dict[str, list[tuple[int, str]]] = {}
        self.tech_by_name: dict[str, int] = {}
        self.group_by_name: dict[str, int] = {}
        self.function_by_name: dict[str, int] = {}
        self.business_by_name: dict[str, int] = {}
        self.function_parent: dict[int, int] = {}

    def add(self, s: str | URIRef, p: URIRef, o: object) -> None:
        if o is None:
            return
        self.g.add((URIRef(s), p, o if isinstance(o, (URIRef, Literal)) else Literal(o)))

    def label(self, s: str | URIRef, ja: str | None = None, en: str | None = None,
              prop: URIRef = SKOS.prefLabel) -> None:
        if ja:
            self.add(s, prop, Literal(unicodedata.normalize("NFC", ja), lang="ja"))
        if en:
            self.add(s, prop, Literal(en, lang="en"))

    # -- categories -------------------------------------------------------------------------

    def read_categories(self) -> None:
        rows = self.src.load("technology-map-categories.json")
        if rows[0][:3] != ["id", "description", "type"]:
            raise SourceError("unexpected header in technology-map-categories.json")
        for row in rows[1:]:
            cid, name, kind = int(row[0]), row[1], row[2]
            self.categories.setdefault(kind, []).append((cid, name))
        src = self.src.file_uri("technology-map-categories.json")
        products = self.categories.get("product", [])
        techs = [(i, n) for i, n in products if 1001 <= i <= 1099]
        groups = [(i, n) for i, n in products if 500 <= i < 1000]
        for tid, name in techs:
            gloss = self.gl["technology"].get(str(tid))
            if gloss is None:
                raise SourceError(f"no gloss for technology type {tid}")
            s = uris.technology_uri(tid)
            self.add(s, RDF.type, SKOS.Concept)
            self.add(s, RDF.type, AR.TechnologyType)
            self.add(s, SKOS.inScheme, SCHEME["technology"])
            self.add(s, SKOS.topConceptOf, SCHEME["technology"])
            self.add(s, SKOS.notation, str(tid))
            self.label(s, name, gloss["en"])
            self.label(s, gloss["definition_ja"], gloss["definition_en"], SKOS.definition)
            self.add(s, DCTERMS.source, src)
            self.tech_by_name[norm(name)] = tid
        member_of: dict[int, int] = {}
        for gid, name in groups:
            gloss = self.gl["group"].get(str(gid))
            if gloss is None:
                raise SourceError(f"no gloss for technology group {gid}")
            s = uris.technology_group_uri(gid)
            self.add(s, RDF.type, SKOS.Concept)
            self.add(s, RDF.type, AR.TechnologyGroup)
            self.add(s, SKOS.inScheme, SCHEME["group"])
            self.add(s, SKOS.topConceptOf, SCHEME["group"])
            self.add(s, SKOS.notation, str(gid))
            self.label(s, name, gloss["en"])
            self.add(s, DCTERMS.source, src)
            self.group_by_name[norm(name)] = gid
            for member in gloss["members"]:
                if member in member_of:
                    raise SourceError(f"technology {member} placed in two groups")
                member_of[member] = gid
        for tid, _ in techs:
            if tid not in member_of:
                raise SourceError(f"technology {tid} has no group")
            self.add(uris.technology_uri(tid), AR.inGroup, URIRef(uris.technology_group_uri(member_of[tid])))
        for fid, name in self.categories.get("x-header", []):
            s = uris.function_uri(fid)
            self.add(s, RDF.type, SKOS.Concept)
            self.add(s, RDF.type, AR.TechnologyFunction)
            self.add(s, SKOS.inScheme, SCHEME["function"])
            self.add(s, SKOS.notation, str(fid))
            self.label(s, name, self.gl["function"].get(str(fid)))
            self.add(s, DCTERMS.source, src)
            self.function_by_name[norm(name)] = fid
        for kind in ("y-header-2",):
            for hid, name in self.categories.get(kind, []):
                gloss = self.gl["business_type"].get(str(hid))
                if gloss is None:
                    continue
                s = uris.business_type_uri(hid)
                self.add(s, RDF.type, SKOS.Concept)
                self.add(s, RDF.type, AR.BusinessType)
                self.add(s, SKOS.inScheme, SCHEME["business"])
                self.add(s, SKOS.topConceptOf, SCHEME["business"])
                self.add(s, SKOS.notation, str(hid))
                self.label(s, name, gloss["en"])
                self.label(s, gloss["definition_ja"], gloss["definition_en"], SKOS.definition)
                self.add(s, DCTERMS.source, src)
                self.business_by_name[norm(name)] = hid
        if len(self.business_by_name) != len(self.gl["business_type"]):
            raise SourceError("business types in the glosses not found among y-header-2 categories")

    # -- maps ---------------------------------------------------------------------------------

    def _header_chains(self, grid: list[list[str]]) -> list[list[int]]:
        """Function ids from the top header down to the deepest one, per technology column."""
        width = len(grid[0])
        filled: list[list[str]] = []
        for r in range(_HEADER_ROWS):
            current = ""
            row = []
            for c in range(width):
                cell = norm(grid[r][c]) if c < len(grid[r]) else ""
                if c >= _FIRST_TECH_COLUMN and cell:
                    current = cell
                row.append(current if c >= _FIRST_TECH_COLUMN else "")
            filled.append(row)
        chains = []
        for c in range(_FIRST_TECH_COLUMN, width):
            chain = []
            for r in range(_HEADER_ROWS):
                name = filled[r][c]
                if name and name != "-":
                    if name not in self.function_by_name:
                        raise SourceError(f"unknown function header {name!r}")
                    chain.append(self.function_by_name[name])
            chains.append(chain)
        return chains

    def _column_concept(self, number: int, grid: list[list[str]], c: int) -> URIRef:
        values = {norm(row[c]) for row in grid[_HEADER_ROWS:] if norm(row[c])}
        if len(values) != 1:
            raise SourceError(f"map {number} column {c} holds {sorted(values)}")
        name = values.pop()
        if _GRANULARITY[number] == "technology":
            table, make = self.tech_by_name, uris.technology_uri
        else:
            table, make = self.group_by_name, uris.technology_group_uri
        if name in table:
            return URIRef(make(table[name]))
        stem = name.split("(")[0]
        candidates = [i for n, i in table.items() if n.split("(")[0] == stem or n.startswith(name)]
        if len(candidates) != 1:
            raise SourceError(f"map {number}: cannot match column name {name!r}")
        return URIRef(make(candidates[0]))

    def read_map(self, number: int) -> None:
        name = f"technology-map-{number}.json"
        grid = self.src.load(name)
        src = self.src.file_uri(name)
        m = uris.map_uri(number)
        self.add(m, RDF.type, AR.TechnologyMap)
        self.add(m, AR.pattern, Literal(number))
        self.label(m, f"テクノロジーマップ パターン{number}", f"Technology map, pattern {number}", RDFS.label)
        self.add(m, AR.granularity, _GRANULARITY[number])
        self.add(m, DCTERMS.source, src)
        chains = self._header_chains(grid)
        for chain in chains:
            for parent, child in zip(chain, chain[1:]):
                known = self.function_parent.setdefault(child, parent)
                if known != parent:
                    raise SourceError(f"function {child} under {known} and {parent}")
        columns: list[URIRef] = []
        for index, c in enumerate(range(_FIRST_TECH_COLUMN, len(grid[0])), 1):
            concept = self._column_concept(number, grid, c)
            columns.append(concept)
            col = uris.map_column_uri(number, index)
            self.add(col, RDF.type, AR.MapColumn)
            self.add(col, AR.inMap, URIRef(m))
            self.add(col, AR.columnIndex, Literal(index))
            self.add(col, AR.columnFor, concept)
            if chains[index - 1]:
                self.add(col, AR.hasFunction, URIRef(uris.function_uri(chains[index - 1][-1])))
                self.add(concept, AR.hasFunction, URIRef(uris.function_uri(chains[index - 1][-1])))
        # y axis: headings are matched in order of appearance against the categories of the map
        pool = [(hid, norm(n)) for hid, n in self.categories.get(f"y-header-{number}", [])]
        used: set[int] = set()
        current: list[str | None] = [None] * 5
        current_ids: list[int | None] = [None] * 5
        for r, row in enumerate(grid[_HEADER_ROWS:], 1):
            for k in range(5):
                cell = norm(row[k])
                if cell:
                    current[k] = cell
                    current_ids[k] = None
                    for j in range(k + 1, 5):
                        current[j], current_ids[j] = None, None
                    if cell != "-":
                        hid = next((h for h, n in pool if n == cell and h not in used), None)
                        if hid is None:
                            raise SourceError(f"map {number} row {r}: heading {cell!r} not in categories")
                        used.add(hid)
                        current_ids[k] = hid
            s = uris.map_row_uri(number, r)
            self.add(s, RDF.type, AR.MapRow)
            self.add(s, AR.inMap, URIRef(m))
            self.add(s, AR.rowIndex, Literal(r))
            for k, prop in enumerate(_AXIS[number]):
                if prop is None or current_ids[k] is None:
                    continue
                text = current[k]
                if prop == "businessType":
                    if text not in self.business_by_name:
                        raise SourceError(f"map {number}: unknown business type {text!r}")
                    self.add(s, AR.businessType, URIRef(uris.business_type_uri(self.business_by_name[text])))
                else:
                    self.add(s, AR[prop], URIRef(uris.heading_uri(current_ids[k])))
            for index, c in enumerate(range(_FIRST_TECH_COLUMN, len(grid[0])), 1):
                if norm(row[c]):
                    self.add(s, AR.marks, columns[index - 1])
        # headings that are not business types
        for hid, name in self.categories.get(f"y-header-{number}", []):
            if number in (2, 4) and norm(name) in self.business_by_name:
                continue
            h = uris.heading_uri(hid)
            self.add(h, RDF.type, SKOS.Concept)
            self.add(h, RDF.type, AR.MapHeading)
            self.add(h, SKOS.inScheme, SCHEME["heading"])
            self.add(h, SKOS.notation, str(hid))
            self.label(h, name)
            self.add(h, AR.inMap, URIRef(m))
            self.add(h, DCTERMS.source, self.src.file_uri("technology-map-categories.json"))

    def function_hierarchy(self) -> None:
        for child, parent in sorted(self.function_parent.items()):
            self.add(uris.function_uri(child), SKOS.broader, URIRef(uris.function_uri(parent)))
        children = set(self.function_parent)
        for fid in self.function_by_name.values():
            if fid not in children:
                self.add(uris.function_uri(fid), SKOS.topConceptOf, SCHEME["function"])

    # -- steps, calls, products ---------------------------------------------------------------

    def read_steps(self) -> None:
        for key, step in self.gl["step"].items():
            s = uris.process_step_uri(key)
            self.add(s, RDF.type, SKOS.Concept)
            self.add(s, RDF.type, AR.ProcessStep)
            self.add(s, SKOS.inScheme, SCHEME["step"])
            self.add(s, SKOS.notation, key)
            self.label(s, step["ja"], step["en"])
            if step["origin"] == "catalog":
                self.add(s, DCTERMS.source, self.src.pdf_uri())
            else:
                self.add(s, PROV.wasAttributedTo, PROJECT_AGENT)

    def read_calls(self) -> dict[int, URIRef]:
        rows = self.src.load("technology-map-offers.json")
        head = rows[0]
        src = self.src.file_uri("technology-map-offers.json")
        main = dict(self.categories.get("main-category", []))
        calls: dict[int, URIRef] = {}
        for row in rows[1:]:
            rec = dict(zip(head, row))
            cid = int(rec["id"])
            gloss = self.gl["call"].get(str(cid))
            if gloss is None:
                raise SourceError(f"no gloss for catalog call {cid}")
            s = URIRef(uris.call_uri(cid))
            calls[cid] = s
            self.add(s, RDF.type, AR.CatalogCall)
            self.add(s, SKOS.notation, str(cid))
            self.label(s, rec["title"], gloss["en"], RDFS.label)
            if cid in main:
                self.label(s, main[cid], None, SKOS.altLabel)
            self.add(s, AR.closed, Literal(rec.get("closed") == "1"))
            self.add(s, DCTERMS.source, src)
            for order, key in enumerate(gloss["steps"], 1):
                if key not in self.gl["step"]:
                    raise SourceError(f"call {cid}: unknown step {key!r}")
                st = uris.call_step_uri(cid, order)
                self.add(st, RDF.type, AR.CallProcessStep)
                self.add(st, AR.catalogCall, s)
                self.add(st, AR.order, Literal(order))
                self.add(st, AR.step, URIRef(uris.process_step_uri(key)))
                self.add(st, DCTERMS.source, self.src.pdf_uri())
                self.add(st, DCTERMS.date, Literal(gloss["steps_document_date"]))
            for tid in gloss["technologies"]:
                self.add(s, AR.callTechnology, URIRef(uris.technology_uri(tid)))
        return calls

    def organization(self, name: str, number: str | None, country: str | None = None,
                     url: str | None = None) -> URIRef:
        s = URIRef(uris.organization_uri(name, number))
        self.add(s, RDF.type, SCHEMA.Organization)
        self.add(s, SCHEMA.name, Literal(unicodedata.normalize("NFC", name.strip())))
        digits = norm(number or "")
        if re.fullmatch(r"\d{13}", digits):
            self.add(s, AR.corporateNumber, digits)
        if country:
            self.add(s, SCHEMA.addressCountry, country)
        self.add(s, SCHEMA.url, _url(url))
        return s

    def read_products(self, calls: dict[int, URIRef]) -> None:
        relations = self.src.load("technology-map-relations.json")
        rel_src = self.src.file_uri("technology-map-relations.json")
        head = relations[0]
        listed: dict[int, list[dict]] = {}
        for row in relations[1:]:
            rec = dict(zip(head, row))
            listed.setdefault(int(rec["productId"]), []).append(rec)
            li = URIRef(uris.listing_uri(rec["categoryId"], rec["productId"]))
            self.add(li, RDF.type, AR.CatalogListing)
            self.add(li, AR.catalogCall, calls[int(rec["categoryId"])])
            self.add(li, AR.mainCategory, calls[int(rec["mainCategory"])])
            self.add(li, AR.product, URIRef(uris.product_uri(rec["productId"])))
            self.add(li, AR.qualification, Literal(int(rec["qualification"])))
            self.add(li, DCTERMS.source, rel_src)
        files = sorted(self.src.data.glob("technology-map-product-*.json"),
                       key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        for path in files:
            rows = json.loads(path.read_text(encoding="utf-8"))
            if len(rows) < 3:
                raise SourceError(f"{path.name}: expected two header rows and a data row")
            headers = [norm(b) or norm(a) for a, b in zip(rows[0], rows[1])]
            data = rows[2]
            col = {h: i for i, h in reversed(list(enumerate(headers))) if h}

            def get(*names: str) -> str | None:
                for n in names:
                    if n in col and col[n] < len(data):
                        v = _value(data[col[n]])
                        if v:
                            return v
                return None

            pid = int(data[col["id"]])
            if path.stem.rsplit("-", 1)[1] != str(pid):
                raise SourceError(f"{path.name}: id {pid} does not match the file name")
            s = URIRef(uris.product_uri(pid))
            self.add(s, RDF.type, SCHEMA.Product)
            self.add(s, RDF.type, AR.CatalogProduct)
            self.add(s, SCHEMA.identifier, str(pid))
            self.add(s, SCHEMA.name, Literal(unicodedata.normalize("NFC", get("製品・サービス名", "title") or "")))
            self.add(s, DCTERMS.source, self.src.file_uri(path.name))
            qualification = (data[col["qualification"]] or "").strip() or next(
                (rec["qualification"] for rec in listed.get(pid, [])), "")
            if qualification:
                self.add(s, AR.qualification, Literal(int(qualification)))
            self.add(s, AR.mainCategory, calls[int(data[col["main-category"]])])
            for rec in listed.get(pid, []):
                self.add(s, AR.listedIn, calls[int(rec["categoryId"])])
            self.add(s, SCHEMA.model, get("製品・サービスの型番"))
            self.add(s, SCHEMA.url, _url(get("製品・サービスに関連するホームページ・SNS等のURL")))
            vendor = get("法人名(正式名称)")
            if vendor:
                self.add(s, AR.vendor, self.organization(
                    vendor, get("法人番号"), get("法人設立国"),
                    get("法人の概要がわかるホームページ・SNS等のURL")))
            single_maker = get("製品・サービスの製造業者名")
            if single_maker:
                self.add(s, SCHEMA.manufacturer,
                         self.organization(single_maker, get("製品・サービスの製造業者の法人番号")))
            for k in range(1, 6):
                cname = get(f"要素技術(製品・サービス)の名称{k}", f"要素技術の名称{k}")
                maker = get(f"製品・サービスの製造業者名{k}")
                if not cname and not maker:
                    continue
                c = URIRef(uris.component_uri(pid, k))
                self.add(s, AR.hasComponent, c)
                self.add(c, RDF.type, AR.ProductComponent)
                self.add(c, AR.order, Literal(k))
                if cname:
                    self.add(c, SCHEMA.name, Literal(cname))
                self.add(c, SCHEMA.model, get(f"製品・サービスの型番{k}"))
                if maker:
                    org = self.organization(maker, get(f"製品・サービスの製造業者の法人番号{k}"))
                    self.add(c, SCHEMA.manufacturer, org)
                    self.add(s, SCHEMA.manufacturer, org)
                self.add(c, DCTERMS.source, self.src.file_uri(path.name))

    # -- our mapping ----------------------------------------------------------------------------

    def type_mapping(self, calls: dict[int, URIRef]) -> None:
        steps = self.gl["step"]
        for code, entry in sorted(self.mapping.items()):
            t = URIRef(uris.analog_type_uri(code))
            for bt in entry["business_types"]:
                if str(bt) not in self.gl["business_type"]:
                    raise SourceError(f"{code}: unknown business type {bt}")
                self.add(t, AR.businessType, URIRef(uris.business_type_uri(bt)))
            if "catalog" in entry:
                self.add(t, AR.catalogCall, calls[int(entry["catalog"])])
            for order, key in enumerate(entry["steps"], 1):
                if key not in steps:
                    raise SourceError(f"{code}: unknown step {key!r}")
                st = uris.type_step_uri(code, order)
                self.add(st, RDF.type, AR.TypeProcessStep)
                self.add(st, AR.analogType, t)
                self.add(st, AR.order, Literal(order))
                self.add(st, AR.step, URIRef(uris.process_step_uri(key)))
                self.add(st, PROV.wasAttributedTo, PROJECT_AGENT)
            for link in entry["link"]:
                tid, phase = int(link["technology"]), int(link["phase"])
                if str(tid) not in self.gl["technology"]:
                    raise SourceError(f"{code}: unknown technology {tid}")
                if phase not in (1, 2, 3):
                    raise SourceError(f"{code}/{tid}: phase {phase} outside 1–3")
                s = uris.type_link_uri(code, tid)
                self.add(s, RDF.type, AR.TypeTechnologyLink)
                self.add(s, AR.analogType, t)
                self.add(s, AR.technology, URIRef(uris.technology_uri(tid)))
                self.add(s, AR.phase, Literal(phase))
                self.add(s, AR.targetPhase, URIRef(uris.phase_uri(phase)))
                self.add(s, AR.rationale, Literal(link["rationale"], lang="en"))
                self.add(s, PROV.wasAttributedTo, PROJECT_AGENT)
                self.add(t, AR.substitutableBy, URIRef(uris.technology_uri(tid)))

    def dataset(self) -> None:
        d = DATASET
        self.add(d, RDF.type, PROV.Entity)
        self.label(d, "テクノロジーマップ・技術カタログ（analogmap 変換版）",
                   "Technology map and catalog (analogmap conversion)", DCTERMS.title)
        self.add(d, DCTERMS.description, Literal(
            "Facts of the Digital Agency technology map and technology catalog (ids, names, map grids, "
            "functions, calls, products, vendors, listings) converted from the datechmap repository at the "
            "commit named in dct:source. English names, all definitions, the grouping of technology types, "
            "the per-call technology types and the analog-type links are written by the analogmap project.",
            lang="en"))
        self.add(d, DCTERMS.source, URIRef(f"{self.src.repo}/tree/{self.src.commit}"))
        self.add(d, PROV.wasAttributedTo, PROJECT_AGENT)
        self.add(PROJECT_AGENT, RDF.type, PROV.Agent)
        self.label(PROJECT_AGENT, None, "analogmap project", RDFS.label)
        for scheme in SCHEME.values():
            self.add(scheme, RDF.type, SKOS.ConceptScheme)
            self.add(scheme, DCTERMS.source, URIRef(f"{self.src.repo}/tree/{self.src.commit}"))

    def build(self) -> Graph:
        self.dataset()
        self.read_categories()
        for number in (1, 2, 3, 4):
            self.read_map(number)
        self.function_hierarchy()
        self.read_steps()
        calls = self.read_calls()
        self.read_products(calls)
        self.type_mapping(calls)
        return self.g


def load_toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def convert(src_dir: Path, glosses: Path = GLOSSES, mapping: Path = TYPE_MAPPING) -> Graph:
    """Build the technology-map graph from the datechmap checkout at `src_dir`."""
    return _Builder(open_source(src_dir), load_toml(glosses), load_toml(mapping)).build()


# ------------------------------------------------------------------------------------------------
# Deterministic Turtle
# ------------------------------------------------------------------------------------------------

_PN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*[A-Za-z0-9_-]$|^[A-Za-z_]$")


def _term(term: URIRef | Literal, prefixes: list[tuple[str, str]]) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in prefixes:
            if text.startswith(ns) and _PN_LOCAL.match(text[len(ns):]):
                return f"{prefix}:{text[len(ns):]}"
        if text.startswith(uris.TECHMAP):
            return f"<{text[len(uris.TECHMAP):]}>"
        return f"<{text}>"
    if isinstance(term, Literal):
        lexical = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype is None or term.datatype == XSD.string:
            return f'"{lexical}"'
        return f'"{lexical}"^^{_term(term.datatype, prefixes)}'
    raise TypeError(f"unsupported term {term!r} (no blank nodes in the techmap graph)")


def to_turtle(graph: Graph, header: Iterable[str] = (), extra_prefixes: dict[str, str] | None = None) -> str:
    """Serialise `graph` as sorted Turtle (no blank nodes allowed), techmap IRIs relative to @base."""
    all_prefixes = {**PREFIXES, **(extra_prefixes or {})}
    prefixes = sorted(all_prefixes.items(), key=lambda kv: -len(kv[1]))
    lines = [f"# {h}" if h else "#" for h in header]
    lines.append(f"@base <{uris.TECHMAP}> .")
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(all_prefixes.items())]
    lines.append("")
    subjects = sorted({s for s in graph.subjects()}, key=str)
    for s in subjects:
        if not isinstance(s, URIRef):
            raise TypeError("blank node subject in the techmap graph")
        preds = sorted({p for p in graph.predicates(s)}, key=lambda p: (p != RDF.type, str(p)))
        parts = []
        for p in preds:
            objs = sorted((_term(o, prefixes) for o in graph.objects(s, p)))
            pred = "a" if p == RDF.type else _term(p, prefixes)
            parts.append(f"{pred} {', '.join(objs)}")
        lines.append(f"{_term(s, prefixes)}\n    " + " ;\n    ".join(parts) + " .\n")
    return "\n".join(lines)


def convert_to_turtle(src_dir: Path) -> str:
    """The exact text of techmap.ttl for the datechmap checkout at `src_dir`."""
    source = open_source(src_dir)
    graph = convert(src_dir)
    return to_turtle(graph, HEADER, {"src": str(source.file_uri(""))})


HEADER = (
    "analogmap technology map — generated by `python -m analogmap.ontology.techmap_convert`; do not edit.",
    "Facts from the Digital Agency technology map / catalog data (datechmap, see dct:source of",
    "<https://w3id.org/analogmap/techmap>); names in English, definitions and analog-type links are ours.",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analogmap.ontology.techmap_convert",
                                     description="Convert datechmap JSON into techmap.ttl")
    parser.add_argument("src_dir", type=Path, help="datechmap checkout (holds public/data/)")
    parser.add_argument("out_ttl", type=Path, help="Turtle file to write")
    args = parser.parse_args(argv)
    try:
        text = convert_to_turtle(args.src_dir)
    except (SourceError, OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out_ttl.parent.mkdir(parents=True, exist_ok=True)
    args.out_ttl.write_text(text, encoding="utf-8")
    print(f"wrote {args.out_ttl}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
