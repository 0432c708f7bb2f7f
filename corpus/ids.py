"""Provision ids, human labels and Japanese numerals.

Ids follow `typology.md`: `<LawId>#a<Article Num>[-p<Paragraph Num>][-i<Item Num>[.<Subitem Num>…]]`,
built from the e-Gov `Num` attributes (`12_2` for 第十二条の二).  Supplementary provisions (附則) use
`s` instead of `a`, prefixed by a compact key of the amending law when the 附則 has one:
`327AC0000000231#R5L63-s2-p1` is 附則第二条第一項 of the 附則 added by 令和5年法律第63号; the
original 附則 of a law is `#s2-p1`; a 附則 without articles is `#R5L63-s-p1`.
Tables are `-t<n>` under their provision; appended tables (別表) are `#appdx<Num>`.
"""
from __future__ import annotations

import re
from functools import lru_cache

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "壱": 1, "弐": 2, "参": 3}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千万壱弐参拾]+")
_ERAS = {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}
_LAW_TYPE_KEYS = {"法律": "L", "政令": "CO", "勅令": "IO", "府令": "M", "省令": "M", "内閣府令": "M",
                  "規則": "R", "条例": "O", "太政官布告": "DP", "告示": "N", "訓令": "K", "規程": "RT",
                  "要綱": "Y"}

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def kanji_to_int(text: str) -> int:
    """Parse a Japanese numeral: positional (二百三十一) or digit-by-digit (六三, 二〇一五).

    Arabic and full-width digits are accepted too.  Raises ValueError on anything else.
    """
    text = text.strip().translate(FULLWIDTH_DIGITS).replace("拾", "十")
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    if not _KANJI_NUMBER.fullmatch(text):
        raise ValueError(f"not a Japanese numeral: {text!r}")
    if not any(ch in _UNITS or ch in _BIG_UNITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = 0
    section = 0
    digit = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (digit if digit is not None else 1) * _UNITS[ch]
            digit = None
        elif ch in _BIG_UNITS:
            section += digit or 0
            total += (section or 1) * _BIG_UNITS[ch]
            section = 0
            digit = None
    return total + section + (digit or 0)


def int_to_kanji(number: int) -> str:
    """Write a number the way statutes do: 231 → 二百三十一, 10 → 十."""
    if number == 0:
        return "〇"
    digits = "〇一二三四五六七八九"
    parts: list[str] = []
    if number >= 10_000:
        parts.append(int_to_kanji(number // 10_000) + "万")
        number %= 10_000
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        quotient, number = divmod(number, unit_value)
        if quotient:
            parts.append(("" if quotient == 1 else digits[quotient]) + unit)
    if number:
        parts.append(digits[number])
    return "".join(parts)


@lru_cache(maxsize=4096)
def num_to_kanji_label(num: str) -> str:
    """`12_2` → 十二の二 (for labels such as 第十二条の二)."""
    pieces = [p for p in num.split("_") if p]
    out = []
    for piece in pieces:
        out.append(int_to_kanji(int(piece)) if piece.isdigit() else piece)
    return "の".join(out)


@lru_cache(maxsize=4096)
def _numbered(num: str, unit: str) -> str:
    """`12_2`, 条 → 第十二条の二."""
    first, *rest = [p for p in num.split("_") if p] or [num]
    label = f"第{num_to_kanji_label(first)}{unit}"
    return label + "".join("の" + num_to_kanji_label(piece) for piece in rest)


@lru_cache(maxsize=4096)
def article_label(num: str, suppl: bool = False) -> str:
    prefix = "附則" if suppl else ""
    if ":" in num:  # ranges such as 3:5 in e-Gov for 第三条から第五条まで (削除)
        first, last = num.split(":", 1)
        return f"{prefix}{_numbered(first, '条')}から{_numbered(last, '条')}まで"
    return prefix + _numbered(num, "条")


@lru_cache(maxsize=4096)
def paragraph_label(num: str) -> str:
    return _numbered(num, "項")


@lru_cache(maxsize=4096)
def item_label(num: str) -> str:
    return _numbered(num, "号")


def amend_key(amend_law_num: str | None) -> str | None:
    """`令和五年六月一六日法律第六三号` → `R5L63`; None when it cannot be read."""
    if not amend_law_num:
        return None
    text = amend_law_num.translate(FULLWIDTH_DIGITS)
    era_match = re.match(r"(明治|大正|昭和|平成|令和)([〇一二三四五六七八九十元0-9]+)年", text)
    kind_match = re.search(r"(内閣府令|太政官布告|法律|政令|勅令|府令|省令|規則|条例|告示|訓令|規程|要綱)第([〇一二三四五六七八九十百千0-9]+)号", text)
    if not era_match or not kind_match:
        return None
    year_text = era_match.group(2)
    year = 1 if year_text == "元" else kanji_to_int(year_text)
    return f"{_ERAS[era_match.group(1)]}{year}{_LAW_TYPE_KEYS[kind_match.group(1)]}{kanji_to_int(kind_match.group(2))}"


def normalise_num(num: str | None) -> str | None:
    """Normalise a Num attribute: strip spaces, full-width digits to ASCII."""
    if num is None:
        return None
    if num.isascii() and num.strip() == num:
        return num or None
    num = num.strip().translate(FULLWIDTH_DIGITS)
    return num or None


LAW_ID_PATTERN = re.compile(r"\b(\d{3}(?:AC|CO|IO|M\d|DP|CONSTITUTION|RJ)[0-9A-Z]{5,12})\b")
_FILE_NAME = re.compile(r"^(?P<law_id>\d{3}[0-9A-Z]{12})_(?P<date>\d{8})_(?P<amend>[0-9A-Z]{15}|0{15}|\w+)$")


def law_id_from_file_name(stem: str) -> tuple[str, str | None] | None:
    """`327AC0000000231_20240401_505AC0000000063` → (`327AC0000000231`, `2024-04-01`)."""
    match = _FILE_NAME.match(stem)
    if not match:
        return None
    date = match.group("date")
    return match.group("law_id"), f"{date[:4]}-{date[4:6]}-{date[6:]}"


def looks_like_law_id(text: str) -> bool:
    return bool(re.fullmatch(r"\d{3}[A-Z]{2}[0-9A-Z]{10}", text))
