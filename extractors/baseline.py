"""The keyword baseline: the plain trigger-word regex of typology.md, with no context at all.

This is what today's keyword scans do; `analogmap eval` reports it beside the extractor so the gain
in precision is measured on the same provisions.
"""
from __future__ import annotations

import re

#: Trigger words per type, from the "typical wording" column of typology.md.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "visual_inspection": ("目視", "近接目視", "巡視", "巡回", "見回り", "見張り", "監視する", "点検する", "現地調査"),
    "onsite_audit": ("実地に", "実地調査", "実地検査", "立入検査", "立ち入り", "立入り", "臨検", "現地において",
                     "帳簿書類その他の物件を検査"),
    "periodic_inspection": ("定期に", "定期検査", "定期点検", "毎年一回以上", r"年ごとに.{0,20}検査を受け", "定期的に測定"),
    "resident_dedicated": ("常駐", "専任", "駐在", "常置", r"常時.{0,10}(置|配置)", r"事業所ごとに.{0,30}置かなければならない"),
    "inperson_training": ("講習を受け", "研修を受け", "講習を修了", "実習", "実技"),
    "paper_posting": ("掲示しなければ", "見やすい場所に掲示", "標識を掲げ", "掲示場に掲示", "公衆の見やすいように"),
    "inperson_viewing": ("閲覧させ", "縦覧に供し", "事務所に備え置き", "備え付け", "帳簿を備え", "謄写", "縦覧ニ供シ"),
    "physical_media": ("フレキシブルディスク", "磁気ディスク", "磁気テープ", "光ディスク", "シー・ディー・ロム", "ビデオカセット"),
    "paper_procedure": ("書面により", "書面をもって", "書面をもつて", "文書で", "申請書を提出", "記名押印", "押印", "署名",
                        "印鑑", "原本を提示"),
    "inperson_procedure": ("出頭", "来庁", "窓口において", "持参", "面接", "面前において", "立会い", "対面で"),
    "inperson_meeting": ("出席しなければ", "会議室において開催", "参集", "意見の聴取の期日に出頭"),
}

_COMPILED = {code: re.compile("|".join(words)) for code, words in KEYWORDS.items()}


def keyword_types(text: str) -> set[str]:
    """Type codes whose trigger words occur anywhere in `text`."""
    return {code for code, pattern in _COMPILED.items() if pattern.search(text)}


def keyword_matches(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of each trigger-word hit, for speed comparisons and reports."""
    hits = []
    for code, pattern in _COMPILED.items():
        hits.extend((code, m.start(), m.end()) for m in pattern.finditer(text))
    return hits
