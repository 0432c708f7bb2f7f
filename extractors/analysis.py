"""Morphological analysis with SudachiPy: one dictionary per process, morphemes with offsets."""
from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache

from .normalize import normalise

SPLIT_MODES = ("A", "B", "C")
#: Chosen by measurement (`bench/extract.py --split-modes`): mode C keeps 定期積金, 備え付ける and
#: 立ち入る as single words, so homonyms do not match and rules stay short.
DEFAULT_SPLIT_MODE = "C"


@dataclass(slots=True, frozen=True)
class Morpheme:
    surface: str
    norm: str
    lemma: str
    pos: str
    pos_detail: str
    start: int
    end: int


@lru_cache(maxsize=None)
def _tokenizer(mode: str):
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary(dict="core")
    if hasattr(dictionary, "tokenizer"):  # SudachiPy >= 0.6.9; create() is deprecated there
        return dictionary.tokenizer(mode=getattr(SplitMode, mode))
    return dictionary.create(getattr(SplitMode, mode))


def analyse(text: str, mode: str = DEFAULT_SPLIT_MODE) -> list[Morpheme]:
    """Morphemes of `text` (normalised first); offsets refer to `text`."""
    if mode not in SPLIT_MODES:
        raise ValueError(f"unknown split mode {mode!r}")
    tokenizer = _tokenizer(mode)
    morphemes = []
    for m in tokenizer.tokenize(normalise(text)):
        pos = m.part_of_speech()
        morphemes.append(Morpheme(m.surface(), m.normalized_form(), m.dictionary_form(), pos[0], pos[1],
                                  m.begin(), m.end()))
    return morphemes


def versions() -> dict[str, str]:
    """Versions of the morphology components, recorded in outputs and golden files."""
    found = {}
    for package in ("sudachipy", "sudachidict-core"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
