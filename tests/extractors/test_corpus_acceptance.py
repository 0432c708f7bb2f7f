"""Acceptance on the real corpus: digital alternatives enacted in 2023, and the gold-set scores."""
from pathlib import Path

import pytest

from analogmap.corpus.readers import read_document
from analogmap.extractors.engine import Extractor
from analogmap.extractors.evaluate import evaluate, load_gold
from analogmap.extractors.rulebook import TYPE_CODES
from shared_data import CORPUS, REPO_ROOT, require_shared

pytestmark = pytest.mark.corpus

# (current e-Gov XML, 2015 HTML, posting paragraph amended by 令和5年法律第63号)
AMENDED_POSTINGS = [
    ("egov-xml-gitlaw/laws/327/327AC0000000231/current.xml", "egov-html-ledmonster-2015/S27HO231.html",
     "327AC0000000231#a107-p1"),  # 航空法 第百七条
    ("egov-xml-gitlaw/laws/324/324AC0000000108/current.xml", "egov-html-ledmonster-2015/S24HO108.html",
     "324AC0000000108#a12-p1"),  # 古物営業法 第十二条
    ("egov-xml-gitlaw/laws/347/347AC0000000117/current.xml", "egov-html-ledmonster-2015/S47HO117.html",
     "347AC0000000117#a6-p1"),  # 警備業法 第六条
]
GOLD = sorted((REPO_ROOT / "tests" / "data").glob("gold_*.jsonl"))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def posting_findings(extractor, relative: str, provision_id: str):
    document = read_document(require_shared(CORPUS) / relative)
    return [f for f in extractor.extract(document)
            if f.provision_id == provision_id and f.type == "paper_posting"]


@pytest.mark.parametrize("current,before,provision_id", AMENDED_POSTINGS)
def test_amended_postings_are_digital_now_and_open_in_2015(extractor, current, before, provision_id):
    now = posting_findings(extractor, current, provision_id)
    assert now and all(f.digital_alternative for f in now)
    then = posting_findings(extractor, before, provision_id)
    assert then and not any(f.digital_alternative for f in then)


@pytest.fixture(scope="module")
def report(extractor):
    items = [item for path in GOLD for item in load_gold(path)]
    result = evaluate(items, require_shared(CORPUS), extractor)
    assert result.errors == [], "every gold provision must resolve and keep its text hash"
    return result.report


def test_gold_sets_are_big_enough_and_cover_every_type():
    items = [item for path in GOLD for item in load_gold(path)]
    assert len(items) >= 400
    assert {item.source.split("/")[0] for item in items} >= {
        "egov-xml-gitlaw", "egov-html-ledmonster", "egov-html-ledmonster-2015", "reiki-katsuragi"}
    covered = {code for item in items for code in item.types}
    assert covered == set(TYPE_CODES)


def test_dev_scores(report):
    dev = report["extractor:dev"]
    assert dev["micro"]["precision"] >= 0.90 and dev["micro"]["recall"] >= 0.90
    for code, row in dev["per_type"].items():
        if row["support"] >= 10:
            assert row["f1"] >= 0.75, code
    assert dev["micro"]["precision"] >= report["baseline:dev"]["micro"]["precision"] + 0.30


def test_holdout_beats_the_keyword_baseline(report):
    holdout, baseline = report["extractor:holdout"]["micro"], report["baseline:holdout"]["micro"]
    assert holdout["precision"] >= baseline["precision"] + 0.20
    assert holdout["recall"] >= baseline["recall"]


def test_digital_alternative_accuracy(report):
    assert report["digital_alternative_accuracy"] >= 0.95
