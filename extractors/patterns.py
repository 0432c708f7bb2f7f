"""A small pattern language over morphemes, used by the rule files.

A pattern is a string of steps separated by spaces:

- `掲示` matches a morpheme whose normalised form, dictionary form or surface is 掲示;
- `閲覧|縦覧` alternatives; `備え*` a prefix (備える, 備え付ける, 備え置く); `*申請書` a suffix, for the
  compounds that split mode C keeps whole (承認申請書);
- `@名詞` a part of speech; `掲示@名詞` both;
- `する?` an optional step; `*` any one morpheme;
- `...` a gap of up to `window` morphemes (patterns run per sentence, outside parentheses);
- `...3` a gap of up to 3 morphemes.

The match span runs from the first to the last matched (non-gap) morpheme.
"""
from __future__ import annotations

from dataclasses import dataclass

from .analysis import Morpheme


@dataclass(slots=True, frozen=True)
class Step:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    pos: str | None
    optional: bool
    any_token: bool
    gap: int | None  # not None: this step is a gap of up to `gap` morphemes

    def matches(self, morpheme: Morpheme) -> bool:
        if self.pos and not (morpheme.pos == self.pos or morpheme.pos_detail == self.pos):
            return False
        if self.any_token:
            return True
        if morpheme.norm in self.words or morpheme.lemma in self.words or morpheme.surface in self.words:
            return True
        forms = (morpheme.norm, morpheme.lemma, morpheme.surface)
        if self.prefixes and any(m.startswith(self.prefixes) for m in forms):
            return True
        return bool(self.suffixes) and any(m.endswith(self.suffixes) for m in forms)


class PatternError(ValueError):
    """A rule pattern that cannot be compiled."""


@dataclass(slots=True, frozen=True)
class Pattern:
    source: str
    steps: tuple[Step, ...]

    def search(self, morphemes: list[Morpheme], start: int = 0,
               index: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:
        """All non-overlapping matches as (first, last) morpheme indices, inclusive.

        `index` (word → positions, from `index_morphemes`) lets a pattern whose first step is a plain
        word list jump straight to the positions where it can start.
        """
        found: list[tuple[int, int]] = []
        first = self.steps[0]
        if index is not None and first.words and not first.prefixes and not first.suffixes and not first.pos and not first.optional:
            positions = sorted({i for word in first.words for i in index.get(word, ()) if i >= start})
        else:
            positions = range(start, len(morphemes))
        next_free = start
        for position in positions:
            if position < next_free:
                continue
            end = _match_at(self.steps, 0, morphemes, position)
            if end is not None:
                found.append((position, end))
                next_free = end + 1
        return found


def index_morphemes(morphemes: list[Morpheme]) -> dict[str, list[int]]:
    """Positions of each normalised form, dictionary form and surface in a sentence."""
    index: dict[str, list[int]] = {}
    for position, morpheme in enumerate(morphemes):
        for key in {morpheme.norm, morpheme.lemma, morpheme.surface}:
            index.setdefault(key, []).append(position)
    return index


def _match_at(steps: tuple[Step, ...], step_index: int, morphemes: list[Morpheme], position: int,
              last: int | None = None) -> int | None:
    """Index of the last matched morpheme if steps[step_index:] match from `position`, else None."""
    if step_index == len(steps):
        return last
    step = steps[step_index]
    if step.gap is not None:
        for skip in range(step.gap + 1):
            if position + skip > len(morphemes):
                break
            result = _match_at(steps, step_index + 1, morphemes, position + skip, last)
            if result is not None:
                return result
        return None
    if position < len(morphemes) and step.matches(morphemes[position]):
        result = _match_at(steps, step_index + 1, morphemes, position + 1, position)
        if result is not None:
            return result
    if step.optional:
        return _match_at(steps, step_index + 1, morphemes, position, last)
    return None


def compile_pattern(source: str, window: int = 8) -> Pattern:
    """Compile a pattern string (see the module docstring)."""
    steps: list[Step] = []
    for raw in source.split():
        if raw.startswith("..."):
            size = raw[3:]
            if size and not size.isdigit():
                raise PatternError(f"bad gap {raw!r} in pattern {source!r}")
            steps.append(Step(frozenset(), (), (), None, False, False, int(size) if size else window))
            continue
        optional = raw.endswith("?")
        token = raw[:-1] if optional else raw
        pos = None
        if "@" in token:
            token, pos = token.split("@", 1)
        if not token and not pos:
            raise PatternError(f"empty step in pattern {source!r}")
        any_token = token in ("", "*")
        words: set[str] = set()
        prefixes: list[str] = []
        suffixes: list[str] = []
        if not any_token:
            for alternative in token.split("|"):
                if not alternative or alternative == "*":
                    raise PatternError(f"empty or bare '*' alternative in {raw!r} of pattern {source!r}")
                if alternative.endswith("*") and len(alternative) > 1:
                    prefixes.append(alternative[:-1])
                elif alternative.startswith("*") and len(alternative) > 1:
                    suffixes.append(alternative[1:])
                else:
                    words.add(alternative)
        steps.append(Step(frozenset(words), tuple(prefixes), tuple(suffixes), pos, optional, any_token, None))
    if not steps or all(s.gap is not None for s in steps):
        raise PatternError(f"pattern {source!r} has nothing to match")
    if steps[0].gap is not None or steps[-1].gap is not None:
        raise PatternError(f"pattern {source!r} must not start or end with a gap")
    return Pattern(source, tuple(steps))
