"""Evaluation against labelled provisions (typology.md's JSON Lines format).

Scoring is over (paragraph, type) pairs: a finding on an item counts for its paragraph, a type counts
once per paragraph, and findings with `digital_alternative: true` are scored separately against the
labelled flag.  Texts are read from the corpus at evaluation time and checked against the stored
sha256, so a gold file never carries statute text and a changed source is noticed.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from analogmap.corpus.errors import InputError
from analogmap.corpus.model import Provision, paragraph_level_id
from analogmap.corpus.readers import read_document

from .baseline import keyword_types
from .engine import Extractor, Finding
from .rulebook import TYPE_CODES


class GoldError(ValueError):
    """A gold file line that cannot be used; names the file and line."""


@dataclass(slots=True)
class GoldItem:
    provision_id: str
    source: str
    types: frozenset[str]
    digital_alternative: bool
    digital_types: frozenset[str]
    text_sha256: str | None
    split: str
    line: int
    note: str = ""


def load_gold(path: Path) -> list[GoldItem]:
    items = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            types = frozenset(record["types"])
            unknown = types - set(TYPE_CODES)
            if unknown:
                raise GoldError(f"{path}:{number}: unknown type codes {sorted(unknown)}")
            item = GoldItem(record["provision_id"], record.get("source", ""), types,
                            bool(record.get("digital_alternative", False)),
                            frozenset(record.get("digital_types", [])), record.get("text_sha256"),
                            record.get("split", "dev"), number, record.get("note", ""))
        except (ValueError, KeyError, TypeError) as error:
            if isinstance(error, GoldError):
                raise
            raise GoldError(f"{path}:{number}: bad gold record ({error})") from None
        if item.provision_id in seen:
            raise GoldError(f"{path}:{number}: duplicate provision_id {item.provision_id}")
        seen.add(item.provision_id)
        items.append(item)
    return items


@dataclass
class Scores:
    true_positives: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    false_positives: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    false_negatives: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, predicted: set[str], gold: set[str]) -> None:
        for code in predicted & gold:
            self.true_positives[code] += 1
        for code in predicted - gold:
            self.false_positives[code] += 1
        for code in gold - predicted:
            self.false_negatives[code] += 1

    def table(self) -> dict:
        per_type = {}
        for code in TYPE_CODES:
            tp, fp, fn = self.true_positives[code], self.false_positives[code], self.false_negatives[code]
            per_type[code] = _prf(tp, fp, fn) | {"support": tp + fn}
        tp = sum(self.true_positives.values())
        fp = sum(self.false_positives.values())
        fn = sum(self.false_negatives.values())
        with_support = [v for v in per_type.values() if v["support"] > 0]
        macro = {key: round(sum(v[key] for v in with_support) / len(with_support), 4) if with_support else 0.0
                 for key in ("precision", "recall", "f1")}
        return {"per_type": per_type, "micro": _prf(tp, fp, fn) | {"support": tp + fn}, "macro": macro}


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def _paragraph_text(provision: Provision) -> str:
    return provision.text + "".join(c.text for c in provision.walk() if c is not provision)


def calibration_report(pairs: list[tuple[float, bool]], bins: int = 5) -> dict:
    """Reliability bins, expected calibration error and Brier score of (confidence, correct) pairs."""
    if not pairs:
        return {"bins": [], "ece": None, "brier": None, "n": 0}
    table = []
    total = len(pairs)
    ece = 0.0
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [(c, ok) for c, ok in pairs if low <= c < high or (index == bins - 1 and c == 1.0)]
        if not members:
            continue
        mean_confidence = sum(c for c, _ in members) / len(members)
        accuracy = sum(ok for _, ok in members) / len(members)
        ece += len(members) / total * abs(mean_confidence - accuracy)
        table.append({"range": f"{low:.1f}-{high:.1f}", "n": len(members),
                      "mean_confidence": round(mean_confidence, 3), "accuracy": round(accuracy, 3)})
    brier = sum((c - ok) ** 2 for c, ok in pairs) / total
    return {"bins": table, "ece": round(ece, 4), "brier": round(brier, 4), "n": total}


@dataclass
class EvaluationResult:
    report: dict
    rule_counts: dict[str, list[int]]
    errors: list[str]


def evaluate(gold: list[GoldItem], corpus_dir: Path, extractor: Extractor | None = None,
             splits: tuple[str, ...] | None = None) -> EvaluationResult:
    """Score the extractor and the keyword baseline on the gold items (optionally one split)."""
    extractor = extractor or Extractor()
    chosen = [g for g in gold if splits is None or g.split in splits]
    by_source: dict[str, list[GoldItem]] = defaultdict(list)
    for item in chosen:
        by_source[item.source].append(item)
    results: dict[str, Scores] = defaultdict(Scores)
    digital_correct = digital_total = 0
    calibration_pairs: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    rule_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[str] = []
    for source, items in sorted(by_source.items()):
        path = Path(corpus_dir) / source
        try:
            document = read_document(path)
        except (InputError, OSError) as error:
            errors.append(f"{source}: {error}")
            continue
        findings = extractor.extract(document)
        by_paragraph: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_paragraph[paragraph_level_id(finding.provision_id)].append(finding)
        for item in items:
            provision = document.get(item.provision_id)
            if provision is None:
                errors.append(f"{source}: provision {item.provision_id} not found (gold line {item.line})")
                continue
            if item.text_sha256 and hashlib.sha256(provision.text.encode("utf-8")).hexdigest() != item.text_sha256:
                errors.append(f"{source}: text of {item.provision_id} changed since labelling (gold line {item.line})")
                continue
            found = by_paragraph.get(item.provision_id, [])
            open_findings = [f for f in found if not f.digital_alternative]
            predicted = {f.type for f in open_findings}
            gold_types = set(item.types)
            for split_name in ("all", item.split):
                results[f"extractor:{split_name}"].add(predicted, gold_types)
                results[f"baseline:{split_name}"].add(keyword_types(_paragraph_text(provision)), gold_types)
            best: dict[str, Finding] = {}
            for finding in open_findings:
                if finding.type not in best or finding.confidence > best[finding.type].confidence:
                    best[finding.type] = finding
            for code, finding in best.items():
                correct = code in gold_types
                calibration_pairs[item.split].append((finding.confidence, correct))
                calibration_pairs["all"].append((finding.confidence, correct))
                if item.split == "dev":
                    counts = rule_counts[finding.rule]
                    counts[0] += int(correct)
                    counts[1] += 1
            predicted_digital = any(f.digital_alternative for f in found)
            digital_total += 1
            digital_correct += int(predicted_digital == item.digital_alternative)
    report = {
        name: scores.table() for name, scores in sorted(results.items())
    }
    report["digital_alternative_accuracy"] = round(digital_correct / digital_total, 4) if digital_total else None
    report["calibration"] = {split: calibration_report(pairs) for split, pairs in sorted(calibration_pairs.items())}
    report["provisions"] = digital_total
    return EvaluationResult(report, dict(rule_counts), errors)


def write_calibration(rule_counts: dict[str, list[int]], path: Path, note: str) -> None:
    """Store per-rule (true positives, matches) measured on the dev split as a data file."""
    lines = [f"# Per-rule precision counts on the dev split of the gold set ({note}).",
             "# Written by `analogmap eval --write-calibration`; confidence = (tp + prior*4) / (matches + 4).", ""]
    for rule_id, (true_positives, matches) in sorted(rule_counts.items()):
        lines += ["[[rule]]", f'id = "{rule_id}"', f"true_positives = {true_positives}", f"matches = {matches}", ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
