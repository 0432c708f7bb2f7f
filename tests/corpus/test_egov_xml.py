"""Tests for the e-Gov 法令標準XML reader (`analogmap.corpus.egov_xml`) on small hand-written fixtures.

The main fixture (`fixtures/egov_xml_sample/…xml`) carries Part/Chapter/Section headings, ArticleCaption,
Article/Paragraph/Item/Subitem1/Subitem2, Sentence Function main/proviso, Column, Ruby, TableStruct,
Delete="true" and 削除 articles, three kinds of SupplProvision and an AppdxTable.  Variants for law-id
resolution are written to tmp_path.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from analogmap.corpus import ids
from analogmap.corpus.egov_xml import read_egov_xml
from analogmap.corpus.errors import InputError
from analogmap.corpus.readers import ReadOptions, read_document

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "egov_xml_sample" / "505AC0000000099_20240401_505AC0000000063.xml"
LAW = "505AC0000000099"


@pytest.fixture(scope="module")
def doc():
    return read_egov_xml(SAMPLE)


def _by_id(document) -> dict:
    return {p.provision_id: p for p in document.walk()}


# --------------------------------------------------------------------------------------------------
# document level


def test_document_metadata(doc):
    assert doc.doc_id == LAW
    assert doc.title == "試験法"
    assert doc.kind == "法律"
    assert doc.jurisdiction == "国"
    assert doc.law_num == "令和五年法律第九十九号"
    assert doc.version_date == "2024-04-01"
    assert doc.source_format == "egov-xml"
    assert doc.source_path == str(SAMPLE)
    assert len(doc.sha256) == 64


def test_read_document_sniffs_egov_xml(doc):
    via_dispatch = read_document(SAMPLE)
    assert via_dispatch.source_format == "egov-xml"
    assert [p.provision_id for p in via_dispatch.walk()] == [p.provision_id for p in doc.walk()]


def test_all_ids_in_document_order(doc):
    assert [p.provision_id.split("#", 1)[1] for p in doc.walk()] == [
        "a1", "a1-p1",
        "a12_2", "a12_2-p1", "a12_2-p1-i1", "a12_2-p1-i2", "a12_2-p1-i2.1", "a12_2-p1-i2.1.1",
        "a12_2-p2", "a12_2-p2-t1",
        "a13", "a13-p1", "a14", "a14-p1",
        "s", "s1", "s1-p1", "s2", "s2-p1",
        "R5L63-s", "R5L63-s1", "R5L63-s1-p1",
        "R6L20-s", "R6L20-s-p1", "R6L20-s-p2",
        "appdx1",
    ]
    assert all(p.provision_id.startswith(f"{LAW}#") for p in doc.walk())


def test_ids_unique_and_no_dedup_suffix(doc):
    all_ids = [p.provision_id for p in doc.walk()]
    assert len(all_ids) == len(set(all_ids))
    assert not any("~" in i for i in all_ids)


# --------------------------------------------------------------------------------------------------
# articles, paragraphs, items, subitems


def test_article_paragraph_item_subitem_ids_and_labels(doc):
    by_id = _by_id(doc)
    expected = {
        "a12_2": ("article", "12_2", "第十二条の二"),
        "a12_2-p1": ("paragraph", "1", "第十二条の二第一項"),
        "a12_2-p1-i1": ("item", "1", "第十二条の二第一項第一号"),
        "a12_2-p1-i2": ("item", "2", "第十二条の二第一項第二号"),
        "a12_2-p1-i2.1": ("subitem", "1", "第十二条の二第一項第二号イ"),
        "a12_2-p1-i2.1.1": ("subitem", "1", "第十二条の二第一項第二号イ（１）"),
        "a12_2-p2": ("paragraph", "2", "第十二条の二第二項"),
    }
    for local, (kind, num, label) in expected.items():
        provision = by_id[f"{LAW}#{local}"]
        assert (provision.kind, provision.num, provision.label) == (kind, num, label), local
    assert by_id[f"{LAW}#a12_2-p1-i2.1"].level == 1
    assert by_id[f"{LAW}#a12_2-p1-i2.1.1"].level == 2
    assert by_id[f"{LAW}#a12_2-p1-i1"].level == 0


def test_tree_and_parent_ids(doc):
    by_id = _by_id(doc)
    article = by_id[f"{LAW}#a12_2"]
    assert [c.provision_id for c in article.children] == [f"{LAW}#a12_2-p1", f"{LAW}#a12_2-p2"]
    assert by_id[f"{LAW}#a12_2-p1"].parent_id == f"{LAW}#a12_2"
    assert by_id[f"{LAW}#a12_2-p1-i2"].parent_id == f"{LAW}#a12_2-p1"
    assert by_id[f"{LAW}#a12_2-p1-i2.1"].parent_id == f"{LAW}#a12_2-p1-i2"
    assert by_id[f"{LAW}#a12_2-p1-i2.1.1"].parent_id == f"{LAW}#a12_2-p1-i2.1"
    assert doc.get(f"{LAW}#a12_2-p1-i2.1.1") is by_id[f"{LAW}#a12_2-p1-i2.1.1"]
    assert doc.get(f"{LAW}#a99") is None


def test_labels_from_ids_helpers():
    assert ids.article_label("12_2") == "第十二条の二"
    assert ids.article_label("3", suppl=True) == "附則第三条"
    assert ids.paragraph_label("1") == "第一項"
    assert ids.item_label("2") == "第二号"
    assert ids.article_label("3:5") == "第三条から第五条まで"


def test_article_caption(doc):
    by_id = _by_id(doc)
    assert by_id[f"{LAW}#a1"].caption == "（目的）"
    assert by_id[f"{LAW}#a12_2"].caption == "（書面の掲示）"
    assert by_id[f"{LAW}#a13"].caption is None
    # the caption is part of the article's span, not of its paragraph
    assert by_id[f"{LAW}#a1"].text.startswith("（目的）")
    assert "（目的）" not in by_id[f"{LAW}#a1-p1"].text


def test_sentence_functions_main_and_proviso(doc):
    paragraph = doc.get(f"{LAW}#a1-p1")
    assert [s.function for s in paragraph.sentences] == ["main", "proviso"]
    assert paragraph.sentences[0].text == "この法律は、試験の適正な実施を目的とする。"
    assert paragraph.sentences[1].text == "ただし、別に定める場合は、この限りでない。"
    assert paragraph.text == paragraph.sentences[0].text + paragraph.sentences[1].text
    # a Sentence without Function is main
    assert [s.function for s in doc.get(f"{LAW}#a12_2-p1").sentences] == ["main"]


def test_ruby_reading_dropped(doc):
    paragraph = doc.get(f"{LAW}#a1-p1")
    assert "試験の適正な実施" in paragraph.text
    assert "しけん" not in doc.text


def test_columns_joined(doc):
    item = doc.get(f"{LAW}#a12_2-p1-i2")
    assert item.text == "掲示の方法　書面によること"
    assert len(item.sentences) == 1


def test_table_struct_becomes_table_provision(doc):
    table = doc.get(f"{LAW}#a12_2-p2-t1")
    assert table.kind == "table"
    assert table.num == "1"
    assert table.parent_id == f"{LAW}#a12_2-p2"
    assert table.text.splitlines() == ["区分\t方法", "甲種\t書面の備付け"]
    assert doc.text[table.start:table.end] == table.text
    # the table text is not part of the paragraph's own text
    assert "区分" not in doc.get(f"{LAW}#a12_2-p2").text


def test_appdx_table(doc):
    appdx = doc.get(f"{LAW}#appdx1")
    assert appdx.kind == "appdx_table"
    assert appdx.num == "1"
    assert appdx.label == "別表第一（第十二条の二関係）"
    assert appdx.caption == "別表第一（第十二条の二関係）"
    assert appdx.text == "一\t定期検査の結果の掲示"
    assert doc.text[appdx.start:appdx.end] == appdx.text
    assert appdx in doc.provisions  # top level


def test_deleted_articles(doc):
    by_id = _by_id(doc)
    assert by_id[f"{LAW}#a13"].deleted  # Delete="true"
    assert by_id[f"{LAW}#a14"].deleted  # only 削除 paragraphs
    assert by_id[f"{LAW}#a14-p1"].deleted
    assert by_id[f"{LAW}#a14-p1"].text == "削除"
    assert not by_id[f"{LAW}#a12_2"].deleted
    assert not by_id[f"{LAW}#a12_2-p1"].deleted


def test_headings_kept_on_articles(doc):
    by_id = _by_id(doc)
    assert by_id[f"{LAW}#a1"].heading == "第一編　総則／第一章　通則／第一節　目的"
    assert by_id[f"{LAW}#a12_2"].heading == "第二編　各則／第二章　手続"
    assert by_id[f"{LAW}#a13"].heading == "第二編　各則／第二章　手続"
    # headings of the main provision do not leak into the 附則
    assert by_id[f"{LAW}#s1"].heading is None
    assert "第二章　手続" in doc.text


# --------------------------------------------------------------------------------------------------
# 附則


def test_amend_key():
    assert ids.amend_key("令和五年六月一六日法律第六三号") == "R5L63"
    assert ids.amend_key("令和六年五月一日法律第二〇号") == "R6L20"
    assert ids.amend_key("平成元年一二月二二日法律第九一号") == "H1L91"
    assert ids.amend_key("昭和二十二年政令第十六号") == "S22CO16"
    assert ids.amend_key("令和５年６月１６日法律第６３号") == "R5L63"
    assert ids.amend_key(None) is None
    assert ids.amend_key("") is None
    assert ids.amend_key("不明") is None


def test_original_suppl_provision_without_amend_law_num(doc):
    suppl = doc.get(f"{LAW}#s")
    assert suppl.kind == "suppl_provision"
    assert suppl.amend_law_num is None
    assert suppl.num is None
    assert [c.provision_id for c in suppl.children] == [f"{LAW}#s1", f"{LAW}#s2"]
    article = doc.get(f"{LAW}#s1")
    assert article.kind == "article"
    assert article.label == "附則第一条"
    assert article.caption == "（施行期日）"
    assert article.parent_id == f"{LAW}#s"
    assert doc.get(f"{LAW}#s1-p1").label == "附則第一条第一項"
    assert doc.get(f"{LAW}#s2-p1").label == "附則第二条第一項"


def test_suppl_provision_with_amend_law_num(doc):
    key = ids.amend_key("令和五年六月一六日法律第六三号")
    suppl = doc.get(f"{LAW}#{key}-s")
    assert suppl.kind == "suppl_provision"
    assert suppl.num == key == "R5L63"
    assert suppl.amend_law_num == "令和五年六月一六日法律第六三号"
    assert "令和五年六月一六日法律第六三号" in suppl.label
    paragraph = doc.get(f"{LAW}#R5L63-s1-p1")
    assert paragraph is not None and paragraph.kind == "paragraph"
    assert paragraph.label == "附則第一条第一項"
    assert paragraph.text.startswith("この法律は、公布の日から起算して一年を超えない範囲内")
    # the same article number in the original 附則 keeps its own id
    assert doc.get(f"{LAW}#s1-p1").text != paragraph.text


def test_suppl_provision_without_articles(doc):
    suppl = doc.get(f"{LAW}#R6L20-s")
    assert [c.provision_id for c in suppl.children] == [f"{LAW}#R6L20-s-p1", f"{LAW}#R6L20-s-p2"]
    first, second = suppl.children
    assert first.kind == second.kind == "paragraph"
    assert first.label == "附則第一項"
    assert second.label == "附則第二項"
    assert first.parent_id == suppl.provision_id
    assert second.text.startswith("この法律の施行前にした行為")


def test_suppl_provision_span_covers_its_children(doc):
    suppl = doc.get(f"{LAW}#R6L20-s")
    assert doc.text[suppl.start:suppl.end] == suppl.text
    for child in suppl.walk():
        assert suppl.start <= child.start <= child.end <= suppl.end


_MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<Law {attrs}><LawNum>{law_num}</LawNum><LawBody><LawTitle>小さな法</LawTitle>
<MainProvision><Article Num="1"><ArticleTitle>第一条</ArticleTitle><Paragraph Num="1"><ParagraphNum/>
<ParagraphSentence><Sentence>本則。</Sentence></ParagraphSentence></Paragraph></Article></MainProvision>
{extra}
</LawBody></Law>
"""


def _write(path: Path, attrs: str = 'LawType="Act" Era="Reiwa" Year="5" Num="7"', law_num: str = "令和五年法律第七号",
           extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_MINIMAL.format(attrs=attrs, law_num=law_num, extra=extra), encoding="utf-8")
    return path


def test_article_less_original_suppl_provision(tmp_path):
    extra = ("<SupplProvision><SupplProvisionLabel>附　則</SupplProvisionLabel><Paragraph Num=\"1\"><ParagraphNum/>"
             "<ParagraphSentence><Sentence>この法律は、公布の日から施行する。</Sentence></ParagraphSentence>"
             "</Paragraph></SupplProvision>")
    document = read_egov_xml(_write(tmp_path / "505AC0000000007_20230401_000000000000000.xml", extra=extra))
    assert [p.provision_id for p in document.walk()][-2:] == ["505AC0000000007#s", "505AC0000000007#s-p1"]


# --------------------------------------------------------------------------------------------------
# offsets


def test_offsets_of_paragraphs_items_and_sentences(doc):
    checked = 0
    for provision in doc.walk():
        if provision.kind in ("paragraph", "item", "subitem", "table", "appdx_table"):
            assert doc.text[provision.start:provision.end] == provision.text, provision.provision_id
            checked += 1
        for sentence in provision.sentences:
            assert doc.text[sentence.start:sentence.end] == sentence.text, provision.provision_id
    assert checked >= 15


def test_container_spans_are_their_text(doc):
    for provision in doc.walk():
        if provision.kind in ("article", "suppl_provision"):
            assert doc.text[provision.start:provision.end] == provision.text, provision.provision_id
            assert provision.start <= provision.end


# --------------------------------------------------------------------------------------------------
# law id resolution


def test_law_id_from_file_name(tmp_path):
    path = _write(tmp_path / "505AC0000000007_20230401_505AC0000000063.xml", attrs='LawType="Act" LawId="999AC0000000999"')
    document = read_egov_xml(path)
    assert document.doc_id == "505AC0000000007"  # the file name wins over the root attribute
    assert document.version_date == "2023-04-01"
    assert ids.law_id_from_file_name("327AC0000000231_20240401_505AC0000000063") == ("327AC0000000231", "2024-04-01")
    assert ids.law_id_from_file_name("current") is None


def test_law_id_from_parent_folder(tmp_path):
    (tmp_path / "505AC0000000008").mkdir()
    (tmp_path / "505AC0000000008" / "current.json").write_text(json.dumps({"law_id": "111AC0000000111"}), "utf-8")
    path = _write(tmp_path / "505AC0000000008" / "current.xml", attrs='LawType="Act" LawId="999AC0000000999"')
    assert read_egov_xml(path).doc_id == "505AC0000000008"  # folder wins over sidecar and root


def test_law_id_from_sidecar_current_json(tmp_path):
    folder = tmp_path / "law"
    folder.mkdir()
    (folder / "current.json").write_text(json.dumps({"law_id": "505AC0000000009", "revision_id":
                                                     "20230601_505AC0000000001"}), "utf-8")
    path = _write(folder / "current.xml", attrs='LawType="Act" LawId="999AC0000000999"')
    document = read_egov_xml(path)
    assert document.doc_id == "505AC0000000009"  # sidecar wins over root attribute
    assert document.version_date == "2023-06-01"


def test_law_id_from_sidecar_with_same_stem(tmp_path):
    (tmp_path / "mylaw.json").write_text(json.dumps({"law_id": "505AC0000000010"}), "utf-8")
    path = _write(tmp_path / "mylaw.xml")
    assert read_egov_xml(path).doc_id == "505AC0000000010"


def test_law_id_from_root_attribute(tmp_path):
    path = _write(tmp_path / "law.xml", attrs='LawType="Act" LawId="505AC0000000011" Era="Reiwa" Year="5" Num="11"')
    assert read_egov_xml(path).doc_id == "505AC0000000011"


def test_law_id_for_cabinet_order_from_root_attributes(tmp_path):
    path = _write(tmp_path / "order.xml", attrs='LawType="CabinetOrder" Era="Reiwa" Year="05" Num="222"',
                  law_num="令和五年政令第二百二十二号")
    document = read_egov_xml(path)
    assert document.doc_id == "505CO0000000222"
    assert document.kind == "政令"


def test_law_id_for_imperial_order_from_root_attributes(tmp_path):
    path = _write(tmp_path / "order.xml", attrs='LawType="ImperialOrder" Era="Showa" Year="21" Num="3"',
                  law_num="昭和二十一年勅令第三号")
    assert read_egov_xml(path).doc_id == "321IO0000000003"


def test_act_without_any_id_source_is_a_clear_input_error(tmp_path):
    path = _write(tmp_path / "law.xml")  # Act: era/year/num are not enough (閣法/衆法/参法 unknown)
    with pytest.raises(InputError) as caught:
        read_egov_xml(path)
    message = str(caught.value)
    assert str(path) in message
    assert "LawId" in message
    with pytest.raises(InputError):
        read_document(path)


def test_caller_law_id_wins(tmp_path):
    path = _write(tmp_path / "505AC0000000007_20230401_000000000000000.xml")
    assert read_egov_xml(path, law_id="505AC0000000077").doc_id == "505AC0000000077"
    assert read_document(path, ReadOptions(law_id="505AC0000000078")).doc_id == "505AC0000000078"
    assert read_document(path, ReadOptions(law_id_map={path.name: "505AC0000000079"})).doc_id == "505AC0000000079"
    # the id lands in every provision id
    assert all(p.provision_id.startswith("505AC0000000077#") for p in read_egov_xml(path, law_id="505AC0000000077").walk())


def test_non_law_root_is_refused(tmp_path):
    path = tmp_path / "505AC0000000007_20230401_000000000000000.xml"
    path.write_text('<?xml version="1.0"?><NotALaw><LawBody/></NotALaw>', "utf-8")
    with pytest.raises(InputError) as caught:
        read_egov_xml(path)
    assert str(path) in str(caught.value)
