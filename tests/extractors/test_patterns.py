"""The morpheme pattern language used by the rule files."""
import pytest

from analogmap.extractors.analysis import analyse
from analogmap.extractors.normalize import normalise
from analogmap.extractors.patterns import PatternError, compile_pattern, index_morphemes


def spans(pattern: str, text: str) -> list[str]:
    morphemes = analyse(text)
    return [text[morphemes[a].start:morphemes[b].end] for a, b in compile_pattern(pattern).search(morphemes)]


def test_normalised_forms_match_spelling_variants():
    for text in ("立入検査をする。", "立ち入り、検査する。", "立入りをさせる。"):
        assert spans("立ち入り|立ち入る", text), text


def test_compound_homonym_does_not_match_its_part():
    assert spans("定期", "組合は定期積金を受け入れる。") == []
    assert spans("定期", "定期に検査する。") == ["定期"]


def test_gap_optional_prefix_and_pos():
    assert spans("帳簿 ...4 備え*", "帳簿を事務所に備え付ける。") == ["帳簿を事務所に備え付ける"]
    assert spans("書面 を? 交付", "書面交付する。") == ["書面交付"]
    assert spans("@名詞 ごと に", "事業所ごとに置く。") == ["事業所ごとに"]
    assert spans("帳簿 ...1 備える", "帳簿を事務所に備える。") == []


def test_suffix_step_matches_compounds_kept_whole():
    assert spans("*申請書 ...3 提出", "承認申請書を大臣に提出する。") == ["承認申請書を大臣に提出"]
    assert spans("*申請書", "申請の書類を提出する。") == []


def test_width_and_character_variants_are_folded_before_analysis():
    assert spans("掲示", "料金を揭示しなければならない。") == ["揭示"]


def test_old_large_tsu_is_read_as_the_small_one():
    """Pre-1988 statutes write 立ち入つて/をもつて; folded to っ, Sudachi reads the right words."""
    assert normalise("事務所に立ち入つて検査させ、書面をもつて通知し、調査によつて") == \
        "事務所に立ち入って検査させ、書面をもって通知し、調査によって"
    assert spans("立ち入る", "当該職員に事務所に立ち入つて検査させることができる。") == ["立ち入つ"]
    assert normalise("かつ、三つの") == "かつ、三つの"


@pytest.mark.parametrize("bad", ["", "... 掲示", "掲示 ...", "掲示|", "掲示|*", "...x 掲示"])
def test_bad_patterns_are_refused(bad):
    with pytest.raises(PatternError):
        compile_pattern(bad)


@pytest.mark.parametrize("source", ["* ごと|毎 に ...6 置く", "*申請書 ...3 提出", "備え* ...3 帳簿", "帳簿 ...4 備え*"])
def test_index_lookup_finds_what_a_full_scan_finds(source):
    """Anchored search (index of words, prefixes and suffixes) must not lose matches."""
    text = "事業者は、事業所ごとに管理者を置き、承認申請書を提出し、備え付けの帳簿を事務所に備え置く。"
    morphemes = analyse(text)
    pattern = compile_pattern(source)
    step = pattern.steps[pattern.anchor[0]] if pattern.anchor else pattern.steps[0]
    index = index_morphemes(morphemes, step.prefixes, step.suffixes)
    assert pattern.search(morphemes, index=index) == pattern.search(morphemes)
    assert pattern.search(morphemes)
