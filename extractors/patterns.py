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

from collections.abc import Iterable
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

    def index_keys(self) -> frozenset[str] | None:
        """Keys under which `index_morphemes` files the morphemes this step matches; None if it cannot be indexed."""
        if self.gap is not None or self.any_token or self.pos or self.optional:
            return None
        return frozenset(self.words) | {p + "*" for p in self.prefixes} | {"*" + x for x in self.suffixes}


class PatternError(ValueError):
    """A rule pattern that cannot be compiled."""


@dataclass(slots=True, frozen=True)
class Pattern:
    source: str
    steps: tuple[Step, ...]
    #: (step offset, index keys) of the step that locates matches: the first step, or the second when the
    #: first is a bare `*`; None when neither can be looked up in an index.  Set by compile_pattern.
    anchor: tuple[int, frozenset[str]] | None = None

    def search(self, morphemes: list[Morpheme], start: int = 0,
               index: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:
        """All non-overlapping matches as (first, last) morpheme indices, inclusive.

        `index` (key → positions, from `index_morphemes`) lets a pattern jump straight to the positions where
        its anchor step matches instead of trying every morpheme.
        """
        found: list[tuple[int, int]] = []
        anchor = self.anchor
        if index is not None and anchor is not None:
            offset, keys = anchor
            positions = sorted({i - offset for key in keys for i in index.get(key, ()) if i - offset >= start})
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


def _anchor_of(steps: tuple[Step, ...]) -> tuple[int, frozenset[str]] | None:
    first = steps[0]
    keys = first.index_keys()
    if keys:
        return 0, keys
    if first.any_token and not first.optional and not first.pos and len(steps) > 1:
        keys = steps[1].index_keys()
        if keys:
            return 1, keys
    return None


def index_morphemes(morphemes: list[Morpheme], prefixes: Iterable[str] = (),
                    suffixes: Iterable[str] = ()) -> dict[str, list[int]]:
    """Positions of each normalised form, dictionary form and surface in a sentence, and of the morphemes
    that start with one of `prefixes` (key ``"備え*"``) or end with one of `suffixes` (key ``"*申請書"``)."""
    index: dict[str, list[int]] = {}
    prefixes, suffixes = tuple(prefixes), tuple(suffixes)
    for position, morpheme in enumerate(morphemes):
        norm, lemma, surface = morpheme.norm, morpheme.lemma, morpheme.surface
        index.setdefault(norm, []).append(position)
        if lemma != norm:
            index.setdefault(lemma, []).append(position)
        if surface != norm and surface != lemma:
            index.setdefault(surface, []).append(position)
        affix_keys: set[str] = set()
        for form in (norm, lemma, surface):
            if prefixes and form.startswith(prefixes):  # one C-level test before the per-affix loop
                affix_keys.update(prefix + "*" for prefix in prefixes if form.startswith(prefix))
            if suffixes and form.endswith(suffixes):
                affix_keys.update("*" + suffix for suffix in suffixes if form.endswith(suffix))
        for key in affix_keys:
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
    return Pattern(source, tuple(steps), _anchor_of(tuple(steps)))
