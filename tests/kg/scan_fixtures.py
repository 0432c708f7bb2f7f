"""Small e-Gov XML laws written into a temporary directory, for the scan pipeline tests."""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

NAMES = "甲乙丙丁戊己庚辛壬癸"
KANJI = "〇一二三四五六七八九"


def kanji(number: int) -> str:
    """1..99 in kanji numerals (十, 二十三 …)."""
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else KANJI[tens]) + "十" if tens else "") + (KANJI[ones] if ones else "")


def law_id(index: int) -> str:
    return f"405AC{index:010d}"


def title(index: int) -> str:
    return NAMES[index // 10 % 10] + NAMES[index % 10] + "試験法"


FILLER = [
    "事業者は、帳簿を事務所に備え付け、これを保存しなければならない。",
    "許可を受けた者は、毎年一回、その施設の定期検査を受けなければならない。",
    "前項の申請は、申請書を知事に提出してしなければならない。",
    "職員は、事業所に立ち入り、帳簿書類を検査することができる。",
]


def law_xml(index: int, articles: list[list[str]]) -> str:
    """An e-Gov 法令標準XML document: `articles` is a list of paragraphs (texts) per article."""
    parts = []
    for number, paragraphs in enumerate(articles, start=1):
        body = []
        for p_number, text in enumerate(paragraphs, start=1):
            body.append(f'<Paragraph Num="{p_number}"><ParagraphNum>{"" if p_number == 1 else kanji(p_number)}'
                        f'</ParagraphNum><ParagraphSentence><Sentence Num="1">{escape(text)}</Sentence>'
                        f'</ParagraphSentence></Paragraph>')
        parts.append(f'<Article Num="{number}"><ArticleTitle>第{kanji(number)}条</ArticleTitle>{"".join(body)}</Article>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Law Era="Reiwa" Year="05" Num="{index}" LawType="Act" Lang="ja">'
            f'<LawNum>令和五年法律第{kanji(index % 100 or 1)}号</LawNum><LawBody><LawTitle>{title(index)}</LawTitle>'
            f'<MainProvision>{"".join(parts)}</MainProvision></LawBody></Law>\n')


def standard_articles(index: int, count: int, fillers: int = 2) -> list[list[str]]:
    """Articles with findings, references inside the law and to the next law (by title)."""
    articles = [
        [f"この法律は、{title(index)}の適正な実施を目的とする。"],
        ["事業者は、次に掲げる事項を記載した書面を事務所に掲示しなければならない。",
         "前項の書面は、申請書に添付して提出しなければならない。"],
        [f"{title((index + 1) % count)}第二条第一項の規定により届出をした者は、その事務所に出頭しなければならない。",
         "第二条第二項の規定は、前項の場合に準用する。"],
    ]
    for number in range(fillers):
        articles.append([FILLER[(index + number) % len(FILLER)], FILLER[(index + number + 1) % len(FILLER)]])
    return articles


def write_law(directory: Path, index: int, articles: list[list[str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{law_id(index)}_20240401_0.xml"
    path.write_text(law_xml(index, articles), encoding="utf-8")
    return path


def write_corpus(directory: Path, count: int, fillers: int = 2) -> list[Path]:
    return [write_law(directory, index, standard_articles(index, count, fillers)) for index in range(count)]


SCRIPT = """
import sys
import typer
from analogmap.api.commands_kg import register

app = typer.Typer()
register(app)


@app.callback()
def main() -> None:
    pass


if __name__ == "__main__":
    app(sys.argv[1:])
"""
