"""Small in-memory documents for the matching / suggestion / 新旧対照表 tests."""
from __future__ import annotations

from analogmap.corpus.model import Document, Provision
from analogmap.extractors.engine import Finding


def make_document(doc_id: str, articles: dict[str, tuple[str | None, list[str]]], *, title: str = "テスト法",
                  jurisdiction: str = "国", kind: str = "法律") -> Document:
    text_parts, provisions, position = [], [], 0
    for num, (caption, paragraphs) in articles.items():
        article_text = "\n".join(paragraphs)
        article = Provision(f"{doc_id}#a{num}", "article", num, f"第{num}条", article_text, position,
                            position + len(article_text), caption=caption)
        for index, paragraph in enumerate(paragraphs, start=1):
            article.children.append(Provision(f"{doc_id}#a{num}-p{index}", "paragraph", str(index),
                                              f"第{num}条第{index}項", paragraph, position,
                                              position + len(paragraph), parent_id=article.provision_id))
            position += len(paragraph) + 1
        text_parts.append(article_text)
        provisions.append(article)
    return Document(doc_id, title, kind, jurisdiction, None, "", "", "\n".join(text_parts), provisions)


def make_finding(document: Document, provision_id: str, type_code: str, trigger: str, sentence: str | None = None,
                 digital: bool = False) -> Finding:
    provision = document.get(provision_id)
    sentence = sentence or provision.text
    start = provision.start + provision.text.find(trigger)
    return Finding(document.doc_id, provision_id, type_code, trigger, start, start + len(trigger), sentence,
                   f"test.{type_code}", 0.9, digital, 1, 3, "regulated_party", provision.label)
