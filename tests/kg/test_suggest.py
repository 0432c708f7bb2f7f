"""Drafted revisions (kg/suggest.py): unit tests on small texts and the corpus acceptance test."""
from __future__ import annotations

import re

import pytest
from analogmap.kg.matching import match_finding
from analogmap.kg.records import SuggestionRecord
from analogmap.kg.suggest import (
    VIDEO,
    delegation,
    diff_changes,
    load_templates,
    suggest,
)
from kg_textdocs import make_document, make_finding
from shared_data import CORPUS, require_shared

WEB = "電気通信回線に接続して行う自動公衆送信により公衆の閲覧に供しなければならない"


def _suggest(text: str, type_code: str, trigger: str, *, caption=None, jurisdiction="国", kind="法律",
             extra_text: str = "", paragraphs: list[str] | None = None):
    paragraphs = paragraphs or [text]
    document = make_document("999AC0000000001", {"1": (caption, paragraphs), "2": (None, [extra_text or "雑則。"])},
                             jurisdiction=jurisdiction, kind=kind)
    finding = make_finding(document, "999AC0000000001#a1-p1", type_code, trigger)
    provision = document.get(finding.provision_id)
    return suggest(finding, provision, document, match_finding(finding, provision.text))


def test_templates_are_data_with_ids_and_precedents():
    templates = load_templates()
    assert len({t.id for t in templates}) == len(templates)
    for t in templates:
        assert t.precedent and t.types and t.phase in (1, 2, 3)
    covered = {code for t in templates for code in t.types}
    from analogmap.ontology.techmap import type_codes
    assert set(type_codes()) <= covered


def test_posting_adds_web_publication_and_keeps_the_posting():
    s = _suggest("事業者は、料金表を営業所において公衆に見やすいように掲示しなければならない。", "paper_posting", "掲示",
                 extra_text="国土交通大臣は、国土交通省令で定めるところにより…。")
    assert s.new_text == ("事業者は、料金表について、営業所において公衆に見やすいように掲示するとともに、"
                          "国土交通省令で定めるところにより、" + WEB + "。")
    assert s.template_id == "posting-web-same-sentence"
    assert "航空法第百七条" in s.precedent and s.technology_id == 1040 and s.phase == 3
    assert all(c.old == "" or c.old in s.old_text for c in s.changes)
    assert any("自動公衆送信" in c.new for c in s.changes)


def test_sign_posting_gets_a_new_paragraph_with_small_business_exception():
    s = _suggest("販売業者は、その営業所ごとに、公衆の見やすい場所に、主務省令で定める様式の標識を掲げなければならない。",
                 "paper_posting", "標識を掲げ", caption="（標識の掲示）")
    first, second = s.new_text.split("\n")
    assert first == s.old_text
    assert second.startswith("２\u3000販売業者は、その事業の規模が著しく小さい場合その他の主務省令で定める場合を除き、")
    assert second.endswith(WEB + "。")
    assert "（標識の掲示等）" in s.note
    assert s.template_id == "posting-web-sign-paragraph"


def test_municipal_ordinance_delegates_to_kisoku():
    s = _suggest("事業者は、許可証を事務所の見やすい場所に掲示しなければならない。", "paper_posting", "掲示",
                 jurisdiction="葛城市", kind="条例")
    assert "規則で定めるところにより" in s.new_text and "省令" not in s.new_text
    assert s.delegation == "規則で"


def test_delegation_names():
    doc = make_document("999", {"1": (None, ["厚生労働大臣は、厚生労働省令で定めるところにより…。"])})
    assert delegation(doc) == "厚生労働省令で"
    assert delegation(make_document("999", {"1": (None, ["総務大臣は…。"])})) == "総務省令で"
    assert delegation(make_document("999", {"1": (None, ["何もない。"])})) == "主務省令で"
    assert delegation(make_document("k1", {"1": (None, ["x"])}, jurisdiction="葛城市", kind="規則")) == "市長が別に"


def test_koji_by_notice_board_follows_the_enacted_public_notice_pattern():
    text = ("行政庁は、通知を、書面をいつでも交付する旨を当該行政庁の事務所の掲示場に掲示することによって行うことができる。"
            "この場合においては、掲示を始めた日から二週間を経過したときに、当該通知が到達したものとみなす。")
    s = _suggest(text, "paper_posting", "掲示", extra_text="総務大臣は…。")
    assert "総務省令で定める方法により不特定多数の者が閲覧することができる状態に置くとともに" in s.new_text
    assert "当該事務所に設置した電子計算機の映像面に表示したものの閲覧をすることができる状態に置く措置" in s.new_text
    assert "当該措置を開始した日から二週間" in s.new_text and "掲示を始めた日" not in s.new_text


def test_appearance_gets_the_video_parenthetical_after_the_noun():
    s = _suggest("審議会は、関係者に対し出頭を求めることができる。", "inperson_procedure", "出頭")
    assert s.new_text == f"審議会は、関係者に対し出頭（{VIDEO}によるものを含む。）を求めることができる。"


def test_paper_method_adds_electromagnetic_method():
    s = _suggest("知事は、その旨を申請者に書面により通知しなければならない。", "paper_procedure", "書面に")
    assert "書面又は電磁的方法（電子情報処理組織を使用する方法その他の情報通信の技術を利用する方法であって" in s.new_text
    assert s.new_text.endswith("をいう。）により通知しなければならない。")


def test_media_become_media_neutral_and_online():
    s = _suggest("報告は、主務省令で定めるところにより、フレキシブルディスクの提出により行うことができる。", "physical_media",
                 "フレキシブルディスク")
    assert "フレキシブルディスク" not in s.new_text
    assert "電子情報処理組織を使用する方法又は電磁的記録媒体（電磁的記録に係る記録媒体をいう。以下同じ。）の提出により" in s.new_text


def test_dedicated_post_gets_ict_proviso():
    s = _suggest("事業者は、営業所ごとに、専任の管理者を置かなければならない。", "resident_dedicated", "専任")
    assert s.new_text.startswith(s.old_text + "ただし、当該管理者が営業所の状況の確認その他の職務を情報通信技術を利用する方法により行うため必要な措置")
    assert s.new_text.endswith("この限りでない。")
    assert "建設業法第二十六条第三項" in s.precedent


def test_visual_inspection_accepts_equivalent_methods():
    s = _suggest("施設の点検は、近接目視により行うこと。", "visual_inspection", "近接目視")
    assert "近接目視又はこれと同等以上の情報が得られると認められる方法（無人航空機、カメラ等による撮影その他の情報通信技術を用いた方法を含む。）により" in s.new_text


def test_training_includes_online_courses():
    s = _suggest("管理者は、公安委員会が行う講習を受けなければならない。", "inperson_training", "講習を受け")
    assert "講習（情報通信技術を活用した方法により行うものを含む。）を受けなければならない" in s.new_text


def test_viewing_adds_web_viewing():
    s = _suggest("市町村長は、図書を当該市町村の事務所において、公衆の縦覧に供しなければならない。", "inperson_viewing", "縦覧")
    assert "縦覧に供するとともに" in s.new_text and WEB in s.new_text


def test_onsite_inspection_adds_remote_inspection():
    s = _suggest("大臣は、その職員に、事業者の事務所に立ち入り、帳簿書類を検査させることができる。", "onsite_audit", "立ち入り")
    assert f"この場合において、大臣は、主務省令で定めるところにより、当該職員に、立入りに代えて、{VIDEO}" in s.new_text


def test_meeting_quorum_counts_online_attendance():
    s = _suggest("審議会は、委員の過半数が出席しなければ、会議を開くことができない。", "inperson_meeting", "出席しなければ")
    assert s.new_text == f"審議会は、委員の過半数が出席（{VIDEO}による出席を含む。）しなければ、会議を開くことができない。"


def test_digital_findings_get_no_suggestion_and_records_convert():
    document = make_document("999", {"1": (None, ["事業者は、標識を掲示しなければならない。"])})
    finding = make_finding(document, "999#a1-p1", "paper_posting", "掲示", digital=True)
    assert suggest(finding, document.get("999#a1-p1"), document, []) is None
    finding.digital_alternative = False
    s = suggest(finding, document.get("999#a1-p1"), document, [])
    record = s.to_record("f1")
    assert isinstance(record, SuggestionRecord) and record.template_id == s.template_id and record.finding_id == "f1"


def test_diff_changes_offsets():
    changes = diff_changes("AをBする。", "AをB及びCする。")
    assert len(changes) == 1 and changes[0].new == "及びC" and changes[0].old == ""


# -- corpus acceptance: the suggestion takes the route the Diet enacted ---------------------------------

ROUTE_WEB = "電気通信回線に接続して行う自動公衆送信により公衆の閲覧に供"
#: 行政手続法第十五条第四項 as enacted by 令和五年法律第六十三号 (not yet in force in the corpus; domain.md §4.3).
ENACTED_GYOTE_15_4 = ("前項の公示は、…（公示事項）を総務省令で定める方法により不特定多数の者が閲覧することができる状態に置くとともに、"
                      "公示事項が記載された書面を当該行政庁の事務所の掲示場に掲示し、又は公示事項を当該事務所に設置した電子計算機の映像面に"
                      "表示したものの閲覧をすることができる状態に置く措置をとることによって行うものとする。この場合においては、当該措置を"
                      "開始した日から二週間を経過したときに、当該通知がその者に到達したものとみなす。")
ROUTE_KOJI = ("不特定多数の者が閲覧することができる状態に置く", "掲示場に掲示し", "電子計算機の映像面に表示したものの閲覧",
              "措置を開始した日から二週間")


def _route(text: str) -> dict[str, bool]:
    from analogmap.extractors.engine import strip_parentheticals

    text = strip_parentheticals(text)   # 「自動公衆送信（…をいう。）により」 → 「自動公衆送信により」
    return {"web": ROUTE_WEB in text, "posting_kept": bool(re.search(r"掲示|表示", text)),
            **{marker: marker in text for marker in ROUTE_KOJI}}


def _suggestion_2015(file_name: str, provision_id: str):
    from analogmap.api.commands_techmap import suggest_for
    from analogmap.corpus.readers import read_document
    from analogmap.extractors.engine import Extractor

    document = read_document(require_shared(CORPUS) / "egov-html-ledmonster-2015" / file_name)
    findings = [f for f in Extractor().extract(document)
                if f.provision_id == provision_id and f.type == "paper_posting" and not f.digital_alternative]
    assert findings, f"no open paper_posting finding on {provision_id}"
    _, suggestion = suggest_for(document, findings[0])
    assert suggestion is not None
    return suggestion


def _current_article(law_id: str, article: str) -> str:
    from analogmap.corpus.readers import read_document

    path = require_shared(CORPUS) / "egov-xml-gitlaw" / "laws" / law_id[:3] / law_id / "current.xml"
    document = read_document(path)
    provision = document.get(f"{law_id}#{article}")
    return "".join(p.text for p in provision.walk() if p.kind == "paragraph")


@pytest.mark.corpus
@pytest.mark.parametrize("file_name, provision_id, current_article", [
    ("S27HO231.html", "327AC0000000231#a107-p1", "a107"),      # 航空法第百七条 (same sentence)
    ("S24HO108.html", "324AC0000000108#a12-p1", "a12"),        # 古物営業法第十二条 (new paragraph 2)
    ("S47HO117.html", "347AC0000000117#a6-p1", "a6"),          # 警備業法第六条
    ("S25HO158.html", "325AC0000000158#a10-p1", "a10"),        # 質屋営業法第十条
])
def test_posting_suggestion_follows_the_enacted_web_route(file_name, provision_id, current_article):
    suggestion = _suggestion_2015(file_name, provision_id)
    current = _current_article(provision_id.split("#")[0], current_article)
    assert ROUTE_WEB not in suggestion.old_text           # the 2015 text was analog
    enacted, drafted = _route(current), _route(suggestion.new_text)
    assert enacted["web"] and enacted["posting_kept"]
    assert drafted["web"] == enacted["web"] and drafted["posting_kept"] == enacted["posting_kept"]
    assert suggestion.technology_id == 1040


@pytest.mark.corpus
def test_aviation_law_107_matches_the_current_text_exactly():
    suggestion = _suggestion_2015("S27HO231.html", "327AC0000000231#a107-p1")
    assert suggestion.new_text == _current_article("327AC0000000231", "a107")


@pytest.mark.corpus
def test_kobutsu_12_adds_a_paragraph_with_the_small_business_exception_like_the_diet():
    suggestion = _suggestion_2015("S24HO108.html", "324AC0000000108#a12-p1")
    current = _current_article("324AC0000000108", "a12")
    for phrase in ("その事業の規模が著しく小さい場合その他の国家公安委員会規則で定める場合", "国家公安委員会規則で定めるところにより"):
        assert phrase in current and phrase in suggestion.new_text
    assert "\n２\u3000古物商又は古物市場主は、" in suggestion.new_text


@pytest.mark.corpus
def test_gyosei_tetsuzuki_15_3_follows_the_enacted_koji_measure():
    suggestion = _suggestion_2015("H05HO088.html", "405AC0000000088#a15-p3")
    current = _current_article("405AC0000000088", "a15")
    assert "掲示場に掲示することによって行うことができる" in current        # not yet amended in the corpus
    enacted, drafted = _route(ENACTED_GYOTE_15_4), _route(suggestion.new_text)
    for marker in ROUTE_KOJI:
        assert enacted[marker] and drafted[marker], marker
    assert "総務省令で定める方法により" in suggestion.new_text
    assert suggestion.template_id == "posting-koji-measure"
