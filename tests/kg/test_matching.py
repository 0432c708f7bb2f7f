"""Ranking technology-map entries from the provision's own words (kg/matching.py)."""
from __future__ import annotations

from analogmap.kg.matching import load_cues, match_finding, object_words, to_records
from analogmap.kg.records import TechMatchRecord
from analogmap.ontology.techmap import load_techmap, technologies_for_type, type_codes


def _f(type_code: str, sentence: str, trigger: str = "") -> dict:
    return {"type": type_code, "sentence": sentence, "trigger": trigger}


def test_every_type_has_business_types_and_three_technologies_with_phases():
    tm = load_techmap()
    assert set(type_codes()) == set(tm.types)
    for code in type_codes():
        assert tm.business_types_for_type(code), code
        links = technologies_for_type(code)
        assert len(links) >= 3, code
        assert all(link.phase in (1, 2, 3) for link in links)


def test_bridge_inspection_ranks_drone_and_camera_first():
    matches = match_finding(_f("visual_inspection", "橋梁の点検は、近接目視により、五年に一回の頻度で行うこと。", "近接目視"))
    assert [m.technology_id for m in matches[:2]] == [1016, 1001]
    assert "橋" in matches[0].rationale
    assert matches[0].rank == 1 and matches[0].phase == 2


def test_patrol_of_premises_prefers_cameras_and_robots_over_drones():
    matches = match_finding(_f("visual_inspection", "管理者は、作業場所を巡視すること。", "巡視"))
    top = [m.technology_id for m in matches[:3]]
    assert 1017 in top and 1001 in top


def test_posting_of_fees_ranks_web_publication_first_and_quotes_the_object():
    sentence = "本邦航空運送事業者は、運賃及び料金並びに運送約款を営業所その他の事業所において公衆に見やすいように掲示しなければならない。"
    matches = match_finding(_f("paper_posting", sentence, "掲示"))
    assert matches[0].technology_id == 1040
    assert "運賃及び料金並びに運送約款" in matches[0].rationale
    assert "posting-fees-terms" in matches[0].cues


def test_lecture_ranks_online_training_with_identity_checks():
    matches = match_finding(_f("inperson_training", "管理者は、公安委員会が行う講習を受けなければならない。", "講習を受け"))
    top = {m.technology_id for m in matches[:3]}
    assert {1014, 1020} <= top
    assert any("講習" in m.rationale for m in matches[:3])


def test_media_ranks_online_submission_first():
    matches = match_finding(_f("physical_media", "届出書の提出は、光ディスクを提出して行うことができる。", "光ディスク"))
    assert matches[0].technology_id == 1010
    assert "光ディスク" in matches[0].rationale


def test_context_changes_ranking_for_the_same_type():
    land = match_finding(_f("onsite_audit", "その職員に、農用地に立ち入り、土壌を調査測定させることができる。", "立ち入り"))
    office = match_finding(_f("onsite_audit", "その職員に、事務所に立ち入り、帳簿書類を検査させることができる。", "立ち入り"))
    assert land[0].technology_id == 1016
    assert office[0].technology_id == 1014


def test_ranking_is_deterministic_and_products_are_capped():
    finding = _f("visual_inspection", "河川管理施設等の巡視を行うこと。", "巡視")
    first, second = match_finding(finding), match_finding(finding)
    assert [(m.technology_id, m.score) for m in first] == [(m.technology_id, m.score) for m in second]
    assert all(len(m.products) <= 3 for m in first)
    assert any(m.products and m.products[0]["vendor"] for m in first)
    assert [m.rank for m in first] == list(range(1, len(first) + 1))


def test_object_words_use_the_provision_text():
    assert object_words("paper_posting", "古物商は、標識を掲示しなければならない。") == "標識"
    assert "講習" in object_words("inperson_training", "指定する者が行う講習を受けなければならない。")


def test_to_records():
    matches = match_finding(_f("inperson_meeting", "委員の過半数が出席しなければ、会議を開くことができない。", "出席しなければ"))
    records = to_records("abc", matches)
    assert all(isinstance(r, TechMatchRecord) for r in records)
    assert records[0].technology_id == str(matches[0].technology_id) and records[0].rank == 1


def test_cues_are_data():
    cues = load_cues()
    assert cues.version and len(cues.cues) >= 10
    assert len({c.id for c in cues.cues}) == len(cues.cues)
