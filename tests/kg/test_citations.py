"""Parsing references between provisions and resolving them to CITES edges."""
from __future__ import annotations

from analogmap.kg.citations import extract_references, num_key, resolve_references
from analogmap.kg.records import ProvisionRecord

LAW = "325AC0000000201"
OTHER = "322AC0000000049"


def _provisions(doc_id: str, articles: dict[str, list[str]], suppl: dict[str, list[str]] | None = None):
    records, position = [], 0
    for block in ("a", "s"):
        source = articles if block == "a" else (suppl or {})
        for num, paragraphs in source.items():
            article_id = f"{doc_id}#{block}{num}"
            records.append(ProvisionRecord(article_id, doc_id, "article", f"{block}{num}", "\n".join(paragraphs),
                                           position, position + 10, num=num))
            for index, text in enumerate(paragraphs, start=1):
                records.append(ProvisionRecord(f"{article_id}-p{index}", doc_id, "paragraph", f"p{index}", text,
                                               position, position + len(text), num=str(index), parent_id=article_id))
                position += len(text) + 1
    return records


def _targets(records, titles=None, known=None):
    known_ids = {r.id for r in records} | set(known or ())
    citations = resolve_references(extract_references(records), titles or {}, lambda ids: set(ids) & known_ids)
    return sorted((c.source_id.partition("#")[2], c.target_id, c.text) for c in citations)


def test_num_key_reads_branch_numbers() -> None:
    assert num_key("十二の二") == "12_2"
    assert num_key("三") == "3"
    assert num_key("１２") == "12"
    assert num_key("十二", "の二の三") == "12_2_3"


def test_same_document_references() -> None:
    records = _provisions(LAW, {
        "1": ["目的を定める。"],
        "2": ["届出をしなければならない。", "前項の届出は、書面でする。"],
        "3": ["前条第二項の書面は、第二条第一項の規定により提出する。", "第一項の規定は、同項の場合に準用する。"],
        "12": ["第十二条の二第一項の規定による。"],
        "12_2": ["第二条第一項第一号の二の規定による。", "前各項の規定にかかわらず、次条の規定による。"],
        "13": ["第五条の規定は、削除。"],
    })
    assert _targets(records, known=[f"{LAW}#a2-p1-i1_2"]) == sorted([
        ("a2-p2", f"{LAW}#a2-p1", "前項"),
        ("a12-p1", f"{LAW}#a12_2-p1", "第十二条の二第一項"),
        ("a3-p1", f"{LAW}#a2-p2", "前条第二項"),
        ("a3-p1", f"{LAW}#a2-p1", "第二条第一項"),
        ("a3-p2", f"{LAW}#a3-p1", "第一項"),
        ("a3-p2", f"{LAW}#a3-p1", "同項"),
        ("a12_2-p1", f"{LAW}#a2-p1-i1_2", "第二条第一項第一号の二"),
        ("a12_2-p2", f"{LAW}#a12_2-p1", "前各項"),
        ("a12_2-p2", f"{LAW}#a13", "次条"),
    ])  # 第五条 is not in the graph: no edge


def test_other_law_by_title_and_same_law() -> None:
    records = _provisions(OTHER, {"1": [
        "建築基準法第六条第一項の確認は、同法第七条の検査とあわせて行う。",
        "建築基準法（昭和二十五年法律第二百一号）第六条の規定による。",
        "未登録法第三条の規定による。",
    ]})
    law_records = _provisions(LAW, {"6": ["確認"], "7": ["検査"]})
    targets = _targets(records, titles={"建築基準法": LAW}, known=[r.id for r in law_records])
    assert targets == sorted([
        ("a1-p1", f"{LAW}#a6-p1", "第六条第一項"),
        ("a1-p1", f"{LAW}#a7", "同法第七条"),
        ("a1-p2", f"{LAW}#a6", "第六条"),
    ])  # 未登録法第三条 names a law that is not in the graph: dropped, not read as this law's 第三条


def test_law_numbers_are_not_items() -> None:
    records = _provisions(OTHER, {"1": ["昭和二十五年法律第二百一号の定めによる。"]})
    assert _targets(records) == []


def test_supplementary_provisions() -> None:
    records = _provisions(LAW, {"1": ["本則"], "2": ["本則二"]},
                          suppl={"1": ["施行する。"], "2": ["前条の規定にかかわらず、第二条の規定は附則第一条の日から適用する。"]})
    assert _targets(records) == sorted([
        ("s2-p1", f"{LAW}#s1", "前条"),
        ("s2-p1", f"{LAW}#a2", "第二条"),
        ("s2-p1", f"{LAW}#s1", "附則第一条"),
    ])
