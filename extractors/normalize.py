"""Length-preserving text normalisation before morphological analysis.

Sudachi normalises spelling variants of words it knows, but not character variants such as 揭 (U+63ED)
for 掲, nor full/half-width forms, nor the large つ that statutes enacted before 1988 write for the small
っ (立ち入つて, 書面をもつて, によつて), which Sudachi splits into the wrong words.  Every replacement here
maps one character to one character, so offsets in the normalised text are offsets in the original text.
"""
from __future__ import annotations

import re
import unicodedata

_VARIANTS = {
    "揭": "掲", "搨": "掲", "敎": "教", "歷": "歴", "淸": "清", "卽": "即", "賴": "頼", "硏": "研",
    "錄": "録", "檢": "検", "證": "証", "舖": "舗", "鑛": "鉱", "螢": "蛍", "醫": "医", "藥": "薬",
    "〜": "～", "‐": "－", "−": "－",
}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII: digits and letters to ASCII, keep punctuation
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded.isalnum():
            table[code] = folded
    for code in range(0xFF61, 0xFFA0):  # half-width katakana to full width (one to one only)
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1:
            table[code] = folded
    for source, target in _VARIANTS.items():
        table[ord(source)] = target
    return table


_TABLE = _build_table()
# str.translate walks every character through a dict; most sentences need no change, so look first (in C).
_TRANSLATABLE = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_TABLE)) + "]")


# A large つ between a kana or kanji and て/た is the old spelling of the geminate っ (あつて, 行つた,
# 立ち入つて); the one common exception, かつて (formerly), carries no trigger word.
_OLD_SOKUON = re.compile(r"(?<=[ぁ-ゖ一-鿿々])つ(?=[てた])")
_ANY_CHANGE = re.compile(_TRANSLATABLE.pattern + "|" + _OLD_SOKUON.pattern)


def normalise(text: str) -> str:
    """Fold width, character variants and the old large つ; the result has exactly the length of `text`."""
    found = _ANY_CHANGE.search(text)
    if found is None:  # the common case: one C-level scan and nothing to do
        return text
    if _TRANSLATABLE.search(text, found.start()):
        text = text.translate(_TABLE)
    return _OLD_SOKUON.sub("っ", text)
