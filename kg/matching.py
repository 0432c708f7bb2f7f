"""Rank technology-map entries for a finding, from the provision's own words.

The candidate list per analog type is the type profile of the technology map
(`ontology/type_mapping.toml`: technology type, the phase it reaches).  Context cues
(`kg/matching_cues.toml`, data) re-rank it from the sentence and the article: a bridge or river
raises drones and cameras, a posting of fees raises web publication, a lecture raises online
training with identity checks, a named disk raises online submission.  Ranking is deterministic
(score, then technology id).

    from analogmap.kg.matching import match_finding
    matches = match_finding(finding, provision.text, article.text)
    matches[0].name_ja, matches[0].rationale
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from analogmap.ontology.techmap import TechMap, load_techmap

from .records import TechMatchRecord

PACKAGE = "analogmap.kg"
MAX_PRODUCTS = 3

#: Preferred process step per technology (first one present in the type's steps wins).
_STEP_PREFERENCE: dict[int, tuple[str, ...]] = {
    1001: ("acquire", "acquire-share", "measure", "remote-watch"),
    1002: ("acquire-share", "acquire"),
    1003: ("acquire", "measure"),
    1004: ("measure", "acquire"),
    1005: ("measure", "acquire"),
    1006: ("measure", "acquire"),
    1008: ("measure", "acquire"),
    1010: ("submit-online", "accept-request", "enrol", "book"),
    1011: ("prepare-data", "prepare-notice", "digitise", "convene"),
    1012: ("online-course", "exam", "convene", "deliberate"),
    1013: ("online-course", "exam", "record", "store"),
    1014: ("remote-interview", "online-course", "attend-online", "acquire-share", "remote-watch", "acquire"),
    1016: ("acquire", "move"),
    1017: ("acquire", "move"),
    1019: ("disclose",),
    1020: ("identify", "enrol", "exam", "attend-online", "disclose", "accept-request"),
    1021: ("record", "store", "keep-available", "receive-review", "submit-online"),
    1024: ("acquire", "acquire-share"),
    1025: ("store", "data-store", "keep-available", "digitise", "disclose", "record", "submit-online"),
    1026: ("receive-review", "digitise"),
    1027: ("minutes", "record"),
    1028: ("analyse", "detect", "judge"),
    1032: ("analyse", "record"),
    1033: ("analyse", "detect", "judge"),
    1034: ("judge", "analyse"),
    1035: ("judge", "measure", "respond"),
    1040: ("publish-online", "disclose", "notify"),
    1041: ("certificate",),
    1042: ("notify", "detect", "respond", "remote-watch"),
    1043: ("respond",),
}


@dataclass(slots=True)
class Cue:
    id: str
    types: tuple[str, ...]
    pattern: re.Pattern[str]
    boost: dict[int, float]
    weight: float
    phase: int
    rationale: str


@dataclass(slots=True)
class CueBook:
    version: str
    cues: list[Cue]
    acts: dict[str, str]
    objects: dict[str, list[re.Pattern[str]]]


@dataclass(slots=True)
class TechMatch:
    """One technology-map entry proposed for a finding."""

    technology_id: int
    name_ja: str
    function: str                 # the technology's function in the map (leaf, Japanese)
    process_step: str             # the business-process step it serves (Japanese)
    business_type: str            # パターン2 business type of the analog type (Japanese)
    phase: int
    rank: int
    score: float
    rationale: str
    products: list[dict[str, Any]] = field(default_factory=list)   # ≤3: id, name, vendor, url
    cues: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _resource_text(name: str) -> str:
    return resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_cues() -> CueBook:
    """The shipped matching cues (cached)."""
    data = tomllib.loads(_resource_text("matching_cues.toml"))
    cues = [Cue(c["id"], tuple(c["types"]), re.compile(c["pattern"]),
                {int(k): float(v) for k, v in c.get("boost", {}).items()}, float(c.get("weight", 1.0)),
                int(c.get("phase", 2)), c.get("rationale", ""))
            for c in data.get("cue", [])]
    acts = {code: entry.get("act", code) for code, entry in data.get("types", {}).items()}
    objects = {code: [re.compile(p) for p in entry.get("objects", [])]
               for code, entry in data.get("types", {}).items()}
    return CueBook(str(data.get("version", "")), cues, acts, objects)


_PAREN = re.compile(r"[（(][^（()）]*[)）]")


def _strip_parens(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _PAREN.sub("", text)
    return text


def short_name(name_ja: str) -> str:
    """`カメラ（画像・動画・衛星画像）` → `カメラ`."""
    return re.split(r"[（(]", name_ja, maxsplit=1)[0].strip() or name_ja


def object_words(type_code: str, sentence: str, trigger: str = "", cues: CueBook | None = None) -> str:
    """The provision's own words for what is inspected, posted, attended … (falls back to the trigger)."""
    cues = cues or load_cues()
    text = _strip_parens(sentence)
    for pattern in cues.objects.get(type_code, []):
        match = pattern.search(text)
        if match:
            words = match.group("obj").strip("、 　")
            # keep the tail of long phrases: the object is usually the last noun phrase
            words = re.split(r"[、]|において|に対し|から|により|によって", words)[-1].strip()
            words = re.sub(r"^(?:その|当該|これらの|次に掲げる)", "", words) or words
            if len(words) >= 2:
                return words[-30:]
    return trigger or {"paper_posting": "掲示事項"}.get(type_code, "当該事項")


def _products(tm: TechMap, technology_id: int, call: int | None) -> list[dict[str, Any]]:
    products = tm.products_for_technology(technology_id)
    ranked = sorted(products, key=lambda p: (0 if call is not None and call in p.call_ids else 1,
                                             {2: 0, 1: 1}.get(p.qualification or 0, 2), p.id))
    return [{"id": p.id, "name": p.name, "vendor": p.vendor, "url": p.url} for p in ranked[:MAX_PRODUCTS]]


def _step(tm: TechMap, type_code: str, technology_id: int) -> str:
    profile = tm.types.get(type_code)
    steps = profile.steps if profile else ()
    for key in _STEP_PREFERENCE.get(technology_id, ()):
        if key in steps:
            return tm.steps[key].name_ja if key in tm.steps else key
    if len(steps) > 1:
        return tm.steps[steps[1]].name_ja if steps[1] in tm.steps else steps[1]
    return ""


def match_finding(finding: Any, provision_text: str = "", article_text: str = "",
                  techmap: TechMap | None = None, cues: CueBook | None = None) -> list[TechMatch]:
    """Ranked technology-map entries for one finding.

    `finding` needs `type`, `sentence` and `trigger` (an `engine.Finding`, a `FindingRecord` or a dict).
    """
    tm = techmap or load_techmap()
    cues = cues or load_cues()
    get = finding.get if isinstance(finding, dict) else lambda key, default=None: getattr(finding, key, default)
    type_code = get("type")
    sentence = get("sentence") or provision_text
    trigger = get("trigger") or ""
    profile = tm.types.get(type_code)
    if profile is None:
        return []
    obj = object_words(type_code, sentence, trigger, cues)
    act = cues.acts.get(type_code, type_code)
    context = (provision_text or "") + "\n" + (article_text or "")
    scores: dict[int, float] = {}
    phases: dict[int, int] = {}
    reasons: dict[int, list[tuple[float, str, str]]] = {}
    for index, link in enumerate(profile.links):
        scores[link.technology_id] = 2.0 - 0.1 * index + 0.05 * link.phase
        phases[link.technology_id] = link.phase
    for cue in cues.cues:
        if type_code not in cue.types and "*" not in cue.types:
            continue
        match = cue.pattern.search(sentence)
        factor = 1.0
        if match is None:
            match = cue.pattern.search(context)
            factor = 0.5
        if match is None:
            continue
        for technology_id, boost in cue.boost.items():
            if technology_id not in tm.technologies:
                continue
            gain = cue.weight * boost * factor
            scores[technology_id] = scores.get(technology_id, 0.0) + gain
            phases.setdefault(technology_id, cue.phase)
            text = cue.rationale.format(cue=match.group(0), obj=obj)
            reasons.setdefault(technology_id, []).append((gain, cue.id, text))
    business = "・".join(tm.business_types[b].name_ja for b in profile.business_type_ids
                         if b in tm.business_types)
    ordered = sorted(scores.items(), key=lambda item: (-round(item[1], 6), item[0]))
    matches: list[TechMatch] = []
    for rank, (technology_id, score) in enumerate(ordered, start=1):
        technology = tm.technologies[technology_id]
        phase = phases[technology_id]
        step = _step(tm, type_code, technology_id)
        cue_reasons = sorted(reasons.get(technology_id, []), key=lambda r: (-r[0], r[1]))
        name = short_name(technology.name_ja)
        base = f"「{obj}」の{act}について、{name}により「{step or '業務'}」を行う（フェーズ{phase}）"
        rationale = base + ("。" + cue_reasons[0][2] + "。" if cue_reasons else "。")
        function = tm.functions[technology.functions[-1]].name_ja if technology.functions else ""
        matches.append(TechMatch(technology_id, technology.name_ja, function, step, business, phase, rank,
                                 round(score, 4), rationale, _products(tm, technology_id, profile.catalog_call),
                                 [r[1] for r in cue_reasons]))
    return matches


def to_records(finding_id: str, matches: list[TechMatch]) -> list[TechMatchRecord]:
    """The store's records for these matches."""
    return [TechMatchRecord(finding_id=finding_id, technology_id=str(m.technology_id), rank=m.rank,
                            phase=m.phase, rationale=m.rationale) for m in matches]


__all__ = ["Cue", "CueBook", "TechMatch", "load_cues", "match_finding", "object_words", "short_name",
           "to_records"]
