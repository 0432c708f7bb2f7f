"""Build a small `Document` from loose sentences (rule examples, API snippets, tests)."""
from __future__ import annotations

import hashlib

from . import ids
from .model import Document, DocumentBuilder, Provision


def document_from_paragraphs(paragraphs: list[str], doc_id: str = "snippet", title: str = "snippet",
                             caption: str | None = None) -> Document:
    """One article (第一条) whose paragraphs are the given texts."""
    builder = DocumentBuilder()
    builder.add_line(title)
    article_start = builder.position
    if caption:
        builder.add_line(caption)
    children = []
    for number, text in enumerate(paragraphs, start=1):
        prefix = "第一条　" if number == 1 else f"{ids.int_to_kanji(number)}　"
        start, end = builder.add_line(text, prefix=prefix)
        children.append(Provision(
            provision_id=f"{doc_id}#a1-p{number}", kind="paragraph", num=str(number),
            label=f"第一条{ids.paragraph_label(str(number))}", text=text, start=start, end=end,
            parent_id=f"{doc_id}#a1",
        ))
    text = builder.text()
    article = Provision(provision_id=f"{doc_id}#a1", kind="article", num="1", label="第一条",
                        text=text[article_start:builder.position - 1], start=article_start,
                        end=builder.position - 1, caption=caption, children=children)
    return Document(doc_id=doc_id, title=title, kind="その他", jurisdiction="", version_date=None,
                    source_path="<snippet>", sha256=hashlib.sha256(text.encode()).hexdigest(), text=text,
                    provisions=[article], source_format="snippet")
