"""Tests for the e-Gov HTML readers (API v2 and the 2015 法令データ提供システム layout)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from analogmap.corpus.egov_html import (
    article_num, detect_layout, is_egov_html, item_num, kind_from_law_num, law_id_from_law_num,
    load_law_id_mapping, paragraph_num, read_egov_html, subitem_num,
)
from analogmap.corpus.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"
V2_FIXTURE = FIXTURES / "egov_html_v2" / "411CO0000000099_20240401_505CO0000000009.html"
FIXTURE_2015 = FIXTURES / "egov_html_2015" / "H11HO123.html"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
V2_DIR = SHARED / "egov-html-ledmonster"
DIR_2015 = SHARED / "egov-html-ledmonster-2015"
XML_DIR = SHARED / "egov-xml-gitlaw"


def _require_shared(*paths: Path) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared corpus missing under CI: {missing}")
        pytest.skip(f"shared corpus not available: {missing}")


def _check_offsets(doc) -> None:
    for provision in doc.walk():
        assert doc.text[provision.start:provision.end] == provision.text, provision.provision_id
        for sentence in provision.sentences:
            assert doc.text[sentence.start:sentence.end] == sentence.text, provision.provision_id


# ---------------------------------------------------------------------------------------------- labels


def test_label_numbers() -> None:
    assert article_num("第十二条の二") == "12_2"
    assert article_num("第三条ノ二") == "3_2"
    assert article_num("第三条から第五条まで") == "3:5"
    assert article_num("第三十四条及第三十五条") == "34:35"
    assert article_num("２") is None
    assert paragraph_num("２") == "2"
    assert paragraph_num("○１２") == "12"
    assert paragraph_num("②") == "2"
    assert item_num("一") == "1"
    assert item_num("十二の二") == "12_2"
    assert item_num("一から四まで") == "1:4"
    assert item_num("三及び四") == "3:4"
    assert subitem_num("イ") == "1"
    assert subitem_num("ハ") == "3"
    assert subitem_num("（２）") == "2"
    assert subitem_num("（ｉｉ）") == "2"
    assert subitem_num("イ及びロ") == "1:2"


def test_law_id_from_law_num() -> None:
    assert law_id_from_law_num("昭和二十七年法律第二百三十一号") == "327AC0000000231"
    assert law_id_from_law_num("昭和二十七年七月十五日法律第二百三十一号") == "327AC0000000231"
    assert law_id_from_law_num("平成元年法律第八十二号") == "401AC0000000082"
    assert law_id_from_law_num("明治三十年法律第二十九号") == "130AC0000000029"
    assert law_id_from_law_num("令和五年政令第九号") == "505CO0000000009"
    assert law_id_from_law_num("昭和二十五年建設省令第四十号") is None  # ministry code not derivable
    assert law_id_from_law_num("規約") is None


def test_kind_from_law_num() -> None:
    assert kind_from_law_num("昭和二十三年法律第百八十六号") == "法律"
    assert kind_from_law_num("昭和三十六年政令第三十七号") == "政令"
    assert kind_from_law_num("昭和三十六年自治省令第六号") == "府省令"
    assert kind_from_law_num("昭和四十六年総理府・通商産業省令第二号") == "府省令"
    assert kind_from_law_num("平成十年国家公安委員会規則第一号") == "府省令"


def test_sniffing() -> None:
    assert detect_layout(V2_FIXTURE.read_bytes()[:65536]) == "egov-html-v2"
    assert detect_layout(FIXTURE_2015.read_bytes()[:65536]) == "egov-html-2015"
    assert is_egov_html(V2_FIXTURE.read_bytes())
    assert not is_egov_html(b"<html><body><p>municipal rule</p></body></html>")
    assert not is_egov_html(b'<?xml version="1.0"?><Law><LawBody/></Law>')


# ---------------------------------------------------------------------------------------------- v2


def test_v2_fixture() -> None:
    doc = read_egov_html(V2_FIXTURE)
    assert doc.doc_id == "411CO0000000099"
    assert doc.version_date == "2024-04-01"
    assert doc.title == "架空試験法施行令"
    assert doc.law_num == "平成十一年政令第九十九号"
    assert doc.kind == "政令" and doc.jurisdiction == "国"
    assert doc.source_format == "egov-html-v2"
    assert len(doc.sha256) == 64
    _check_offsets(doc)
    ids = [p.provision_id.split("#", 1)[1] for p in doc.walk()]
    for expected in ("a1", "a1-p1", "a1-p2", "a1-p2-i1", "a1-p2-i12_2", "a1-p2-i12_2.1", "a1-p2-i12_2.2",
                     "a1-p2-i12_2.2.1", "a1-p2-i12_2.2.1-t1", "a1_2", "a2", "a3:5", "s", "s1", "s1-p1",
                     "R5CO9-s", "R5CO9-s-p1", "R5CO9-s-p2", "appdx1"):
        assert expected in ids, expected
    a1 = doc.get("411CO0000000099#a1")
    assert a1.caption == "（帳簿の備付け）"
    assert a1.heading == "第一章　総則"
    assert a1.label == "第一条"
    p1 = doc.get("411CO0000000099#a1-p1")
    assert p1.text == "試験機関は、帳簿を事務所に備え付けなければならない。ただし、電磁的記録による場合は、この限りでない。"
    assert [s.function for s in p1.sentences] == ["main", "proviso"]
    assert doc.get("411CO0000000099#a1-p2").text.startswith("前項の帳簿は")
    assert doc.get("411CO0000000099#a1-p2-i12_2").label == "第一条第二項第十二号の二"
    assert doc.get("411CO0000000099#a1-p2-i12_2.1").text == "学科試験の按分点"  # ruby reading dropped
    assert doc.get("411CO0000000099#a1_2").deleted
    assert doc.get("411CO0000000099#a3:5").deleted
    assert doc.get("411CO0000000099#a2").heading == "第二章　雑則"
    suppl = doc.get("411CO0000000099#R5CO9-s")
    assert suppl.kind == "suppl_provision"
    assert suppl.amend_law_num == "令和五年六月一六日政令第九号"
    assert doc.get("411CO0000000099#R5CO9-s-p1").caption == "（施行期日）"
    assert doc.get("411CO0000000099#s1").label == "附則第一条"
    appdx = doc.get("411CO0000000099#appdx1")
    assert appdx.kind == "appdx_table" and "五千円" in appdx.text
    table = doc.get("411CO0000000099#a1-p2-i12_2.2.1-t1")
    assert table.kind == "table" and table.text == "区分\t保存期間\n帳簿\t五年"
    assert "目次" not in doc.text and "（第一条・第二条）" not in doc.text


def test_v2_law_id_sources(tmp_path: Path) -> None:
    target = tmp_path / "renamed.html"
    shutil.copy(V2_FIXTURE, target)
    doc = read_egov_html(target)
    assert doc.doc_id == "411CO0000000099"  # derived from 平成十一年政令第九十九号
    assert doc.version_date is None
    assert read_egov_html(target, law_id="411CO0000000100").doc_id == "411CO0000000100"


# ---------------------------------------------------------------------------------------------- 2015


def test_2015_fixture() -> None:
    doc = read_egov_html(FIXTURE_2015)
    assert doc.doc_id == "411AC1000000123"  # from index.tsv beside the file
    assert doc.source_format == "egov-html-2015"
    assert doc.version_date == "2015-12-27"
    assert doc.title == "架空検査法"
    assert doc.law_num == "平成十一年法律第百二十三号"
    assert doc.kind == "法律"
    _check_offsets(doc)
    ids = [p.provision_id.split("#", 1)[1] for p in doc.walk()]
    assert ids == [
        "a1", "a1-p1", "a12_2", "a12_2-p1", "a12_2-p1-i1", "a12_2-p1-i12_2", "a12_2-p1-i12_2.1",
        "a12_2-p1-i12_2.2", "a12_2-p2", "a12_2-p2-t1", "a13", "a13-p1", "s", "s1", "s1-p1",
        "H23L74-s", "H23L74-s-p1", "H23L74-s-p2",
    ]
    a1 = doc.get("411AC1000000123#a1")
    assert a1.caption == "（目的）" and a1.heading == "第一章　総則"
    assert doc.get("411AC1000000123#a12_2-p1").text == "事業者は、次に掲げる事項を帳簿に記載しなければならない。"
    assert doc.get("411AC1000000123#a12_2-p1-i12_2").text == "次のいずれかに該当する事項"
    assert doc.get("411AC1000000123#a12_2-p1-i12_2.1").text == "目視による点検の結果"
    assert doc.get("411AC1000000123#a12_2-p1-i12_2.1").label == "第十二条の二第一項第十二号の二イ"
    p2 = doc.get("411AC1000000123#a12_2-p2")
    assert p2.label == "第十二条の二第二項"
    assert p2.text.startswith("前項の帳簿は") and "帳簿\t五年" not in p2.text
    assert doc.get("411AC1000000123#a12_2-p2-t1").text == "帳簿\t五年"
    assert doc.get("411AC1000000123#a13").deleted
    assert doc.get("411AC1000000123#H23L74-s").amend_law_num == "平成二三年六月二四日法律第七四号"
    assert doc.get("411AC1000000123#H23L74-s-p1").caption == "（施行期日）"


def test_2015_law_id_sources(tmp_path: Path) -> None:
    lone = tmp_path / "H11HO123.html"
    shutil.copy(FIXTURE_2015, lone)
    assert read_egov_html(lone).doc_id == "411AC0000000123"  # derived from the law number
    assert read_egov_html(lone, law_id="411AC0000000999").doc_id == "411AC0000000999"
    mapping = load_law_id_mapping(FIXTURE_2015.parent / "index.tsv")
    assert mapping == {"H11HO123.html": "411AC1000000123", "H11HO123": "411AC1000000123"}
    assert read_egov_html(lone, law_id_map=mapping).doc_id == "411AC1000000123"


def test_2015_shift_jis(tmp_path: Path) -> None:
    text = FIXTURE_2015.read_text(encoding="utf-8").replace(
        '<meta http-equiv="Content-Language" content="ja">',
        '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
    target = tmp_path / "H11HO123.html"
    target.write_bytes(text.encode("cp932"))
    doc = read_egov_html(target)
    assert doc.title == "架空検査法"
    assert doc.get("411AC0000000123#a1-p1").text == "この法律は、検査の適正を確保することを目的とする。"


# ---------------------------------------------------------------------------------------------- errors


def test_unusable_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    with pytest.raises(InputError):
        read_egov_html(empty)
    other = tmp_path / "other.html"
    other.write_text("<html><body><p>not a law</p></body></html>", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_egov_html(other)
    assert info.value.path == str(other)
    no_articles = tmp_path / "x.html"
    no_articles.write_text('<html><head><style>DIV.arttitle {}</style></head><body><b>題名<br>（昭和二十年法律第一号）'
                           '</b></body></html>', encoding="utf-8")
    with pytest.raises(InputError):
        read_egov_html(no_articles)
    unknown = tmp_path / "y.html"
    unknown.write_text('<html><head><style>DIV.arttitle {}</style></head><body><b>題名</b><div class="item">'
                       '<b>第一条</b>　本文</div></body></html>', encoding="utf-8")
    with pytest.raises(InputError, match="LawId"):
        read_egov_html(unknown)


# ---------------------------------------------------------------------------------------------- corpus


@pytest.mark.corpus
def test_corpus_files_parse() -> None:
    _require_shared(V2_DIR, DIR_2015)
    files = sorted(V2_DIR.glob("*.html")) + sorted(DIR_2015.glob("*.html"))
    assert len(files) >= 100
    total = 0
    started = time.perf_counter()
    for path in files:
        doc = read_egov_html(path)
        total += path.stat().st_size
        assert doc.provisions, path
        assert doc.source_format == ("egov-html-v2" if path.parent == V2_DIR else "egov-html-2015")
        _check_offsets(doc)
    elapsed = time.perf_counter() - started
    print(f"\n{len(files)} files, {total / 1e6:.1f} MB in {elapsed:.1f} s = {total / 1e6 / elapsed:.1f} MB/s")


@pytest.mark.corpus
def test_2015_ids_exist_in_current() -> None:
    _require_shared(DIR_2015 / "index.tsv", XML_DIR)
    from analogmap.corpus.egov_xml import read_egov_xml

    rows = [line.split("\t") for line in (DIR_2015 / "index.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    hits = total = 0
    report = []
    for row in rows:
        name, law_id, xml_rel = row[0], row[1], row[5]
        old = read_egov_html(DIR_2015 / name)
        assert old.doc_id == law_id
        new = read_egov_xml(XML_DIR / xml_rel)
        old_ids = {p.provision_id for p in old.walk()}
        new_ids = {p.provision_id for p in new.walk()}
        found = len(old_ids & new_ids)
        hits += found
        total += len(old_ids)
        report.append(f"{name} {law_id} {found}/{len(old_ids)} {100 * found / len(old_ids):.1f}%")
    share = hits / total
    print("\n" + "\n".join(report) + f"\noverall {hits}/{total} {100 * share:.2f}%")
    assert len(rows) == 60
    assert share >= 0.90
