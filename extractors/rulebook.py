"""Loading the rule files: trigger rules per type, exclusions, digital alternatives, calibration.

Everything the extractor decides with lives in data files under `extractors/rules/` (TOML), each
entry with an id, so every finding names the rule that produced it and the exclusions that did not
fire.  `Rulebook.load()` reads the packaged files; a directory can be given to use other rules.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .patterns import Pattern, compile_pattern

RULES_DIR = Path(__file__).with_name("rules")

TYPE_CODES = (
    "visual_inspection", "onsite_audit", "periodic_inspection", "resident_dedicated", "inperson_training",
    "paper_posting", "inperson_viewing", "physical_media", "paper_procedure", "inperson_procedure",
    "inperson_meeting",
)


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and the entry."""


@dataclass(slots=True, frozen=True)
class TriggerRule:
    id: str
    type: str
    pattern: Pattern
    prior: float
    rationale: str
    needs_modality: bool
    require_any: tuple[Pattern, ...]
    forbid_any: tuple[Pattern, ...]
    forbid_regex: re.Pattern | None
    require_regex: re.Pattern | None
    positive_examples: tuple[str, ...]
    negative_examples: tuple[str, ...]
    skip_exclusions: frozenset[str] = frozenset()


@dataclass(slots=True, frozen=True)
class TypeInfo:
    code: str
    label_ja: str
    phase_now: int
    phase_digital: int
    phase_max: int
    prefilter: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class Exclusion:
    id: str
    scope: str  # sentence | article_caption | heading | after_trigger | before_trigger | leadin | trigger_in_quote
    types: frozenset[str]
    regex: re.Pattern | None
    pattern: Pattern | None
    window: int
    rationale: str
    after_regex: re.Pattern | None = None
    unless_after: re.Pattern | None = None  # the exclusion does not apply when the text after the trigger matches

    def applies_to(self, type_code: str) -> bool:
        return "*" in self.types or type_code in self.types


@dataclass(slots=True, frozen=True)
class DigitalAlternative:
    id: str
    regex: re.Pattern
    types: frozenset[str]
    rationale: str
    article_wide_types: frozenset[str] = frozenset()
    article_wide_unconditional: bool = False


@dataclass(slots=True)
class Rulebook:
    types: dict[str, TypeInfo]
    rules: list[TriggerRule]
    exclusions: list[Exclusion]
    alternatives: list[DigitalAlternative]
    calibration: dict[str, tuple[int, int]] = field(default_factory=dict)
    prefilter: re.Pattern | None = None
    version: str = ""

    @classmethod
    def load(cls, directory: Path | None = None) -> "Rulebook":
        directory = Path(directory or RULES_DIR)
        types: dict[str, TypeInfo] = {}
        rules: list[TriggerRule] = []
        digest = hashlib.sha256()
        for path in sorted(directory.glob("*.toml")):
            digest.update(path.read_bytes())
        for code in TYPE_CODES:
            path = directory / f"{code}.toml"
            if not path.is_file():
                raise RuleFileError(f"{path}: missing rule file for type {code}")
            data = _read_toml(path)
            info, type_rules = _type_file(path, code, data)
            types[code] = info
            rules.extend(type_rules)
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise RuleFileError(f"duplicate rule id {rule.id}")
            seen.add(rule.id)
        exclusions = _exclusions(directory / "exclusions.toml")
        alternatives = _alternatives(directory / "digital.toml")
        calibration_path = directory / "calibration.toml"
        calibration = {}
        if calibration_path.is_file():
            for entry in _read_toml(calibration_path).get("rule", []):
                calibration[entry["id"]] = (int(entry["true_positives"]), int(entry["matches"]))
        prefilter_words = sorted({w for info in types.values() for w in info.prefilter}, key=len, reverse=True)
        prefilter = re.compile("|".join(re.escape(w) for w in prefilter_words)) if prefilter_words else None
        return cls(types, rules, exclusions, alternatives, calibration, prefilter, digest.hexdigest()[:12])


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleFileError(f"{path}: {error}") from None


def _patterns(path: Path, rule_id: str, sources: list[str], window: int) -> tuple[Pattern, ...]:
    compiled = []
    for source in sources:
        try:
            compiled.append(compile_pattern(source, window))
        except ValueError as error:
            raise RuleFileError(f"{path}: rule {rule_id}: {error}") from None
    return tuple(compiled)


def _regex(path: Path, rule_id: str, source: str | None) -> re.Pattern | None:
    if not source:
        return None
    try:
        return re.compile(source)
    except re.error as error:
        raise RuleFileError(f"{path}: {rule_id}: bad regex {source!r}: {error}") from None


def _type_file(path: Path, code: str, data: dict) -> tuple[TypeInfo, list[TriggerRule]]:
    if data.get("type") != code:
        raise RuleFileError(f"{path}: 'type' must be {code!r}")
    info = TypeInfo(code, data.get("label_ja", code), int(data.get("phase_now", 1)),
                    int(data.get("phase_digital", 2)), int(data.get("phase_max", 3)),
                    tuple(data.get("prefilter", [])))
    window = int(data.get("window", 8))
    rules = []
    for index, entry in enumerate(data.get("rule", []), start=1):
        rule_id = entry.get("id")
        if not rule_id or "pattern" not in entry:
            raise RuleFileError(f"{path}: rule #{index} needs an 'id' and a 'pattern'")
        examples = entry.get("examples", {})
        (pattern,) = _patterns(path, rule_id, [entry["pattern"]], int(entry.get("window", window)))
        rules.append(TriggerRule(
            id=rule_id, type=code, pattern=pattern, prior=float(entry.get("prior", 0.7)),
            rationale=entry.get("rationale", ""), needs_modality=bool(entry.get("needs_modality", True)),
            require_any=_patterns(path, rule_id, entry.get("require_any", []), window),
            forbid_any=_patterns(path, rule_id, entry.get("forbid_any", []), window),
            forbid_regex=_regex(path, rule_id, entry.get("forbid_regex")),
            require_regex=_regex(path, rule_id, entry.get("require_regex")),
            positive_examples=tuple(examples.get("positive", [])),
            negative_examples=tuple(examples.get("negative", [])),
            skip_exclusions=frozenset(entry.get("skip_exclusions", [])),
        ))
    return info, rules


def _exclusions(path: Path) -> list[Exclusion]:
    found = []
    for index, entry in enumerate(_read_toml(path).get("exclusion", []), start=1):
        exclusion_id = entry.get("id") or f"#{index}"
        if "regex" not in entry and "pattern" not in entry:
            raise RuleFileError(f"{path}: exclusion {exclusion_id} needs 'regex' or 'pattern'")
        pattern = _patterns(path, exclusion_id, [entry["pattern"]], int(entry.get("window", 8)))[0] \
            if "pattern" in entry else None
        found.append(Exclusion(
            id=exclusion_id, scope=entry.get("scope", "sentence"), types=frozenset(entry.get("types", ["*"])),
            regex=_regex(path, exclusion_id, entry.get("regex")), pattern=pattern,
            window=int(entry.get("window", 6)), rationale=entry.get("rationale", ""),
            after_regex=_regex(path, exclusion_id, entry.get("after_regex")),
            unless_after=_regex(path, exclusion_id, entry.get("unless_after")),
        ))
    return found


def _alternatives(path: Path) -> list[DigitalAlternative]:
    found = []
    for entry in _read_toml(path).get("alternative", []):
        found.append(DigitalAlternative(
            id=entry["id"], regex=_regex(path, entry["id"], entry["regex"]),
            types=frozenset(entry.get("types", ["*"])), rationale=entry.get("rationale", ""),
            article_wide_types=frozenset(entry.get("article_wide_types", [])),
            article_wide_unconditional=bool(entry.get("article_wide_unconditional", False)),
        ))
    return found
