"""Every rule file: its entries are complete, and its worked examples come out as written."""
import tomllib
from pathlib import Path

import pytest

from analogmap.corpus.snippet import document_from_paragraphs
from analogmap.extractors.engine import Extractor
from analogmap.extractors.normalize import normalise
from analogmap.extractors.rulebook import RULES_DIR, TYPE_CODES, RuleFileError, Rulebook

EXAMPLES = [
    (code, index, example)
    for code in TYPE_CODES
    for index, example in enumerate(tomllib.loads((RULES_DIR / f"{code}.toml").read_text("utf-8")).get("example", []))
]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_every_type_has_rules_examples_and_phases():
    rulebook = Rulebook.load()
    for code in TYPE_CODES:
        rules = [r for r in rulebook.rules if r.type == code]
        assert rules, code
        assert all(r.id and r.rationale for r in rules), code
        assert any(c == code and ex["types"] == [code] for c, _, ex in EXAMPLES), f"{code} needs a positive example"
        info = rulebook.types[code]
        assert 1 <= info.phase_now <= info.phase_digital <= info.phase_max <= 3


def test_rule_ids_are_unique_and_exclusions_and_alternatives_have_ids():
    rulebook = Rulebook.load()
    ids = [r.id for r in rulebook.rules]
    assert len(ids) == len(set(ids))
    assert all(e.id.startswith("EX-") and e.rationale for e in rulebook.exclusions)
    assert all(a.id.startswith("DA-") and a.rationale for a in rulebook.alternatives)


@pytest.mark.parametrize("code,index,example", EXAMPLES, ids=[f"{c}-{i}" for c, i, _ in EXAMPLES])
def test_examples(extractor, code, index, example):
    findings = extractor.extract(document_from_paragraphs([example["text"]]))
    assert sorted({f.type for f in findings if not f.digital_alternative}) == sorted(example["types"])
    assert sorted({f.type for f in findings if f.digital_alternative}) == sorted(example.get("digital", []))


@pytest.mark.parametrize("code,index,example", [e for e in EXAMPLES if e[2]["types"]])
def test_prefilter_keeps_every_positive_example(code, index, example):
    rulebook = Rulebook.load()
    assert rulebook.prefilter.search(normalise(example["text"]))


def test_prefilter_changes_no_finding(extractor):
    texts = [example["text"] for _, _, example in EXAMPLES]
    document = document_from_paragraphs(texts)
    with_filter = [(f.provision_id, f.type, f.start) for f in extractor.extract(document)]
    without = [(f.provision_id, f.type, f.start) for f in Extractor(use_prefilter=False).extract(document)]
    assert with_filter == without


def test_a_broken_rule_file_is_named(tmp_path):
    for path in RULES_DIR.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (tmp_path / "paper_posting.toml").write_text('type = "paper_posting"\n[[rule]]\nid = "X"\npattern = "掲示 ..."\n',
                                                 "utf-8")
    with pytest.raises(RuleFileError, match="paper_posting.toml: rule X"):
        Rulebook.load(tmp_path)
    (tmp_path / "paper_posting.toml").write_text("type = [", "utf-8")
    with pytest.raises(RuleFileError, match="paper_posting.toml"):
        Rulebook.load(tmp_path)
