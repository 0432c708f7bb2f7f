"""Tests for the municipal 例規 reader (`analogmap.corpus.reiki`).

Fixtures under `fixtures/reiki_*` are made-up ordinances written for these tests:
- reiki_greiki_sjis.html: g-reiki-like page (div.article, number/text table cells, a data table,
  a side menu with a table of contents), Shift_JIS (CP932) with <meta charset>;
- reiki_d1law_eucjp.html: d1-law-like page (<p> lines, full-width numbers, 一/イ/（１）, <br>),
  EUC-JP without any charset declaration;
- reiki_export.txt: plain-text export (目次, chapters, wrapped line, bare-digit items, 削除 range,
  three 附則 of which two unkeyed);
- reiki_yoko.txt: article-less 要綱 (paragraphs only), UTF-8 with BOM.
The real pages of かつらぎ町 are read from ../shared (sibling of the repository root).
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from analogmap.corpus.errors import InputError
from analogmap.corpus.model import Document
from analogmap.corpus.reiki import (
    TableLine,
    decode_bytes,
    parse_reiki_lines,
    read_reiki_html,
    read_reiki_text,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
KATSURAGI = SHARED / "corpus" / "reiki-katsuragi"


def _check_offsets(doc: Document) -> None:
    ids = [p.provision_id for p in doc.walk()]
    assert len(ids) == len(set(ids)), "provision ids must be unique"
    for provision in doc.walk():
        assert doc.text[provision.start:provision.end] == provision.text, provision.provision_id
        assert provision.provision_id.startswith(doc.doc_id + "#")
        for sentence in provision.sentences:
            assert doc.text[sentence.start:sentence.end] == sentence.text
        for child in provision.children:
            assert child.parent_id == provision.provision_id


def _texts(doc: Document) -> dict[str, str]:
    return {p.provision_id.split("#", 1)[1]: p.text for p in doc.walk()}


# --------------------------------------------------------------------------------------------
# Real pages (reiki-system / ぎょうせい taikei layout)
# --------------------------------------------------------------------------------------------


def _katsuragi(name: str) -> Path:
    if not KATSURAGI.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared corpus missing in CI: {KATSURAGI}")
        pytest.skip(f"shared corpus not available: {KATSURAGI} (sibling ../shared of the repository)")
    return KATSURAGI / name


@pytest.mark.corpus
def test_katsuragi_parking_ordinance() -> None:
    doc = read_reiki_html(_katsuragi("k518RG00000080.html"))
    _check_offsets(doc)
    assert doc.doc_id == "k518RG00000080"
    assert doc.title == "かつらぎ町駐車場等設置条例"
    assert doc.kind == "条例"
    assert doc.jurisdiction == "かつらぎ町"
    assert doc.law_num == "平成9年11月14日 条例第25号"
    assert doc.source_format == "reiki-html"
    counts = Counter(p.kind for p in doc.walk())
    assert counts == {"article": 9, "paragraph": 19, "item": 11, "suppl_provision": 9}
    texts = _texts(doc)
    a1 = doc.get("k518RG00000080#a1")
    assert a1 is not None and a1.caption == "(目的)" and a1.label == "第一条"
    assert texts["a1-p1"].startswith("この条例は、車両を利用する者の利便に資するため")
    assert texts["a2-p1-i2"].startswith("駐車場　道路交通法(昭和35年法律第105号。以下「法」という。)")
    p2 = doc.get("k518RG00000080#a4-p2")
    assert p2 is not None and p2.label == "第四条第二項"
    assert p2.text == "駐輪場に駐車できるものは、次の各号に掲げるものとする。"
    item = doc.get("k518RG00000080#a4-p2-i4")
    assert item is not None and item.label == "第四条第二項第四号"
    assert item.text == "前3号に掲げるもののほか、町長が特に認めたもの"
    # the table of 第3条 is text of its paragraph; the side panel (table of contents) is not read
    assert "船岡山駐車場\tかつらぎ町大字西渋田372番地の5" in texts["a3-p1"]
    assert "条項目次" not in doc.text and "沿革情報" not in doc.text
    # article text spans the whole article
    assert texts["a4"].startswith("(駐車対象)\n第4条") and texts["a4"].endswith("町長が特に認めたもの")
    # 附則: the original unkeyed, the amendments keyed by their number
    suppl_ids = [p.provision_id.split("#")[1] for p in doc.provisions if p.kind == "suppl_provision"]
    assert suppl_ids == ["s", "H10O5-s", "H10O21-s", "H13O1-s", "H18O25-s", "H18O30-s", "H25O27-s",
                         "H26O4-s", "H28O18-s"]
    assert texts["s-p1"] == "この条例は、公布の日から施行する。"
    assert texts["H18O25-s-p1"] == "この条例は、公布の日から施行する。"  # numbered 1 in a 抄 附則
    suppl = doc.get("k518RG00000080#H10O5-s")
    assert (suppl.num, suppl.label) == ("H10O5", "附則（平成10年3月30日条例第5号）")
    assert suppl.amend_law_num == "平成10年3月30日条例第5号"
    assert doc.get("k518RG00000080#H10O5-s-p1").label == "附則第一項"


@pytest.mark.corpus
def test_katsuragi_award_rules() -> None:
    doc = read_reiki_html(_katsuragi("k518RG00000012.html"))
    _check_offsets(doc)
    assert doc.title == "かつらぎ町表彰規程"
    assert doc.kind == "規程"
    assert doc.law_num == "昭和43年9月10日 規程第9号"
    counts = Counter(p.kind for p in doc.walk())
    assert counts == {"article": 9, "paragraph": 11, "item": 13, "suppl_provision": 1, "appendix": 1}
    assert doc.get("k518RG00000012#a2-p1-i13").label == "第二条第一項第十三号"
    assert _texts(doc)["s-p2"].startswith("昭和43年度にあっては、第5条中「7月1日」")
    a5 = doc.get("k518RG00000012#a5-p1")
    assert [s.function for s in a5.sentences] == ["main", "proviso"]
    appendix = doc.get("k518RG00000012#appdxstyle1")
    assert appendix.kind == "appendix" and appendix.label == "別記様式"
    assert appendix.caption == "別記様式(第7条関係)"


@pytest.mark.corpus
def test_katsuragi_consolidation_ordinance() -> None:
    doc = read_reiki_html(_katsuragi("k518RG00000055.html"))
    _check_offsets(doc)
    assert doc.title == "かつらぎ町例規集の改版に伴う条例の整備に関する条例"
    counts = Counter(p.kind for p in doc.walk())
    assert counts == {"article": 5, "paragraph": 6, "item": 4, "suppl_provision": 1}
    assert [p.caption for p in doc.provisions if p.kind == "article"] == [
        "(目的)", "(用字、用語及び送り仮名)", "(句読点)", "(語句)", "(その他)"]
    assert _texts(doc)["s-p1"] == "この条例は、公布の日から施行する。"


# --------------------------------------------------------------------------------------------
# Fixtures in other layouts and encodings
# --------------------------------------------------------------------------------------------


def test_greiki_like_shift_jis() -> None:
    path = FIXTURES / "reiki_greiki_sjis.html"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    doc = read_reiki_html(path, doc_id="midori-park")
    _check_offsets(doc)
    assert doc.doc_id == "midori-park"
    assert doc.title == "みどり町公園条例"
    assert (doc.kind, doc.jurisdiction, doc.law_num) == ("条例", "みどり町", "平成20年3月25日 条例第8号")
    texts = _texts(doc)
    assert list(texts) == [
        "a1", "a1-p1", "a2", "a2-p1", "a2-p1-i1", "a2-p1-i2", "a2-p2", "a3", "a3-p1", "a4", "a4-p1",
        "a4_2", "a4_2-p1", "s", "s-p1", "H25O3-s", "H25O3-s-p1",
    ]
    a1 = doc.get("midori-park#a1")
    assert a1.caption == "（目的）" and a1.heading == "第1章　総則"
    assert doc.get("midori-park#a2").heading == "第2章　公園の管理"
    assert texts["a2-p1-i2"] == "業として写真又は映画を撮影すること。"
    assert doc.get("midori-park#a2-p1-i2").label == "第二条第一項第二号"
    assert texts["a2-p2"] == "前項の許可を受けようとする者は、申請書を町長に提出しなければならない。"
    # the fee table is data: its rows (starting with 1, 2) are not paragraphs
    assert texts["a3-p1"].endswith("2\t撮影\t1時間につき1,000円")
    assert doc.get("midori-park#a4").deleted and doc.get("midori-park#a4-p1").deleted
    a4_2 = doc.get("midori-park#a4_2")
    assert a4_2.label == "第四条の二" and a4_2.caption == "（委任）" and a4_2.num == "4_2"
    assert texts["H25O3-s-p1"] == "この条例は、平成25年4月1日から施行する。"
    # menu (table of contents), script and footer are dropped
    assert "スクリプト" not in doc.text and "Copyright" not in doc.text
    assert doc.text.count("第1条") == 1


def test_d1law_like_euc_jp_without_declaration() -> None:
    path = FIXTURES / "reiki_d1law_eucjp.html"
    assert b"charset" not in path.read_bytes()
    doc = read_reiki_html(path)
    _check_offsets(doc)
    assert doc.doc_id.startswith("reiki-") and len(doc.doc_id) == len("reiki-") + 12
    assert doc.title == "ひかり市手数料条例"
    assert (doc.kind, doc.jurisdiction, doc.law_num) == ("条例", "ひかり市", "令和2年3月27日条例第15号")
    texts = _texts(doc)
    assert texts["a2-p1-i1"] == "住民票の写しの交付　1通につき300円"
    assert texts["a2-p1-i2.1"] == "印鑑登録証明書　1通につき300円"
    assert texts["a2-p1-i2.2"] == "その他の証明書"
    assert texts["a2-p1-i2.2.2"] == "郵送により交付するもの　1通につき350円"
    assert texts["a2-p1-i3"] == "閲覧　1件につき300円"
    sub = doc.get(doc.doc_id + "#a2-p1-i2.2.1")
    assert sub.kind == "subitem" and sub.level == 2 and sub.label == "第二条第一項第二号ロ（１）"
    assert doc.get(doc.doc_id + "#a2-p1-i2.1").label == "第二条第一項第二号イ"
    assert texts["a2-p2"].startswith("手数料は、申請の際に徴収する。ただし")
    # <br> lines inside one <div>
    assert texts["a3-p2"] == "前項の規定により手数料の減免を受けようとする者は、市長に申請しなければならない。"
    assert doc.get(doc.doc_id + "#a3").caption == "（減免）"
    # articles inside 附則
    s1 = doc.get(doc.doc_id + "#s1")
    assert s1.kind == "article" and s1.label == "附則第一条" and s1.caption == "（施行期日）"
    assert texts["s2-p1"] == "この条例の施行の日前にされた申請に係る手数料については、なお従前の例による。"
    assert "トップ" not in doc.text  # breadcrumb dropped
    # same text → same hash id
    assert read_reiki_html(path).doc_id == doc.doc_id


def test_plain_text_export() -> None:
    doc = read_reiki_text(FIXTURES / "reiki_export.txt", doc_id="sakura-hall")
    _check_offsets(doc)
    assert doc.source_format == "reiki-text"
    assert (doc.title, doc.kind, doc.jurisdiction) == ("さくら村集会所管理規則", "規則(自治体)", "さくら村")
    assert doc.law_num == "平成30年3月30日 規則第7号"
    texts = _texts(doc)
    assert list(texts) == [
        "a1", "a1-p1", "a2", "a2-p1", "a2-p2", "a2-p2-i1", "a2-p2-i2", "a2-p2-i2.1", "a2-p2-i2.2",
        "a3", "a3-p1", "a4:5", "a4:5-p1", "a6", "a6-p1", "a6-p1-i1", "a6-p1-i2", "a6-p1-i3", "a6-p2",
        "s", "s-p1", "R3R20-s", "R3R20-s-p1", "s~2", "s-p1~2",
    ]
    assert doc.get("sakura-hall#a1").heading == "第1章　総則"  # not confused by the 目次
    assert doc.get("sakura-hall#a3").heading == "第2章　使用の手続"
    # a hard-wrapped line continues its paragraph
    assert texts["a2-p1"] == ("集会所の開館時間は、午前9時から午後9時までとする。ただし、村長が必要と認めるときは、\n"
                              "これを変更することができる。")
    assert texts["a2-p2-i2.2"] == "災害その他やむを得ない事由がある日"
    assert doc.get("sakura-hall#a2-p2-i2.1").label == "第二条第二項第二号ア"
    deleted = doc.get("sakura-hall#a4:5")
    assert deleted.deleted and deleted.label == "第四条から第五条まで"
    # bare digits under an unnumbered first paragraph are items; 2 after item 3 is paragraph 2
    assert texts["a6-p1-i3"] == "破損した設備の有無"
    assert texts["a6-p2"] == "前項の報告書には、使用者が記名押印しなければならない。"
    assert texts["R3R20-s-p1"] == "この規則は、令和4年1月1日から施行する。"
    assert texts["s-p1~2"] == "この規則は、公布の日から施行する。"


def test_articleless_yoko_with_bom() -> None:
    doc = read_reiki_text(FIXTURES / "reiki_yoko.txt", doc_id="momiji-akiya")
    _check_offsets(doc)
    assert (doc.title, doc.kind, doc.jurisdiction) == ("もみじ町空き家改修補助金交付要綱", "要綱", "もみじ町")
    assert doc.law_num == "令和4年4月1日 告示第30号"
    texts = _texts(doc)
    assert list(texts) == ["p1", "p2", "p2-i1", "p2-i2", "p3", "s", "s-p1", "appdx1"]
    p1 = doc.get("momiji-akiya#p1")
    assert p1.caption == "（趣旨）" and p1.label == "第一項" and p1.parent_id is None
    assert doc.get("momiji-akiya#p2-i2").label == "第二項第二号"
    assert texts["p2-i1"] == "町内に空き家を所有する者"
    assert texts["appdx1"].startswith("別表（第3項関係）\n改修工事")


def test_parse_lines_directly_and_data_table_lines() -> None:
    lines = ["○テスト町手数料条例", "令和元年6月1日", "条例第1号", "第1条　手数料は、次のとおりとする。",
             TableLine("2\t200円"), "2　前項の手数料は、前納とする。"]
    doc = parse_reiki_lines(lines, doc_id="t", title="テスト町手数料条例", source_path=None, sha256="0", fmt="test")
    _check_offsets(doc)
    texts = _texts(doc)
    assert list(texts) == ["a1", "a1-p1", "a1-p2"]
    assert texts["a1-p1"] == "手数料は、次のとおりとする。\n2\t200円"
    assert doc.law_num == "令和元年6月1日 条例第1号"


# --------------------------------------------------------------------------------------------
# Encodings and errors
# --------------------------------------------------------------------------------------------

SAMPLE = "第1条　この条例は、公布の日から施行する。"


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc_jp"])
def test_decode_bytes_detects_japanese_encodings(encoding: str) -> None:
    assert decode_bytes(SAMPLE.encode(encoding), "x.txt") == SAMPLE


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc_jp"])
def test_decode_bytes_accepts_a_truncated_head(encoding: str) -> None:
    data = SAMPLE.encode(encoding)
    assert decode_bytes(data[:-1], "head.txt") == SAMPLE[:-1]


def test_decode_bytes_prefers_declared_charset_and_bom() -> None:
    html = f'<meta charset="Shift_JIS"><p>{SAMPLE}</p>'
    assert SAMPLE in decode_bytes(html.encode("cp932"), "x.html")
    assert decode_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "x.txt") == SAMPLE


def test_decode_bytes_rejects_garbage() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(b"\x80\x81\xff\xfe\xfd\x85", "broken.html")
    assert info.value.path == "broken.html"
    assert str(info.value).startswith("broken.html: cannot decode")
    with pytest.raises(InputError):
        decode_bytes(b"PK\x03\x04\x00\x00binary", "x.zip")


def test_input_error_format() -> None:
    error = InputError(Path("a/b.txt"), "bad line", line=3)
    assert (error.path, error.line, error.message) == ("a/b.txt", 3, "bad line")
    assert str(error) == "a/b.txt:3: bad line"
    assert str(InputError("a.txt", "oops")) == "a.txt: oops"


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_reiki_text(tmp_path / "none.txt")
