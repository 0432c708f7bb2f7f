"""The extractor: documents in, findings out.

For each paragraph (and the items under it) the text is split into sentences; a cheap pre-filter
(the rule files' `prefilter` words) decides which sentences are analysed with Sudachi at all.  Trigger
rules match on morphemes; exclusions (definitions, penalties, prohibitions, citations, homonyms) are
checked in the sentence, the article caption and the lead-in (柱書) of items; the digital-alternative
check reads the provision and its article.  Every finding carries the id of its rule.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

from analogmap.corpus.model import Document, Provision

from .analysis import DEFAULT_SPLIT_MODE, Morpheme, analyse
from .patterns import index_morphemes
from .rulebook import Exclusion, Rulebook, TriggerRule

_LEADIN = re.compile(r"(次に掲げる|次の各号|左に掲げる|左の各号|次のとおり|次の事項|次に定める)")
_MODALITY = re.compile(
    r"(なければならない|なければ、?ならない|ものとする|ことを要する|ねばならない|させることができる|ことができる|"
    r"なければ[^。]{0,40}(?:できない|ならない|できず)|ことができず|に限る|すること。|しないこと。|こと。$|べし|ヘシ|ベシ|"
    r"(?:により|によって|によつて)行な?う。|(?:により|によって|によつて)行わ?なければ|こととする。|ことができない|"
    r"ナケレバナラナイ|ナケレハナラナイ|ヲ要ス|モノトス|ルコトヲ得)")
_AUTHORITY = re.compile(
    r"(行政庁|知事|市町村長|市長|町長|村長|区長|大臣|長官|委員会|本部長|署長|消防長|職員|審査会|審議会|機構|"
    r"国|都道府県|市町村|地方公共団体|裁判所|官署|公安委員会|税務署長|局長|河川管理者|道路管理者|港湾管理者|公園管理者|"
    r"海岸管理者|下水道管理者|主宰者|審理員|審査庁|命じた者|委任した者|命を受けた者|委任を受けた者)等?(?:は|が)、?")
_REGULATED = re.compile(
    r"(者|事業者|設置者|管理者|所有者|占有者|開設者|業者|法人|会社|組合|申請者|届出者|使用者|事業主|施工者|"
    r"建築主|営業者|取扱者|販売業者|製造業者|輸入業者|責任者|受託者|登録者|許可を受けた者|代理人|参加人|審査請求人|"
    r"申立人|請求人|利害関係人)等?(?:は|が)、?")
_BRACKETS = {"（": "）", "「": "」", "(": ")"}
_ANY_BRACKET = re.compile(r"[（「(）」)]")
_PLAIN_SENTENCE = re.compile(r"[^。]*。|[^。]+$")


@dataclass(slots=True)
class Finding:
    """One analog requirement found in a provision (the `check` output contract)."""

    doc_id: str
    provision_id: str
    type: str
    trigger: str
    start: int
    end: int
    sentence: str
    rule: str
    confidence: float
    digital_alternative: bool
    phase: int
    max_phase: int
    obliged: str
    label: str = ""
    rationale: str = ""
    alternative_rule: str | None = None
    applies_to: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Suppressed:
    """A trigger that matched but was excluded, kept for `--explain`."""

    provision_id: str
    type: str
    trigger: str
    rule: str
    exclusion: str


@dataclass(slots=True)
class _Context:
    """What surrounds a provision: its article, its lead-ins, its heading."""

    article: Provision | None
    leadins: list[Provision]
    heading: str


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, split at 。 outside brackets (legal text nests 。 inside parentheses)."""
    if not _ANY_BRACKET.search(text):
        spans = [(m.start(), m.end()) for m in _PLAIN_SENTENCE.finditer(text) if text[m.start():m.end()].strip()]
        return spans
    spans = []
    depth = 0
    start = 0
    closers = set(_BRACKETS.values())
    for index, char in enumerate(text):
        if char in _BRACKETS:
            depth += 1
        elif char in closers and depth:
            depth -= 1
        elif char == "。" and depth == 0:
            spans.append((start, index + 1))
            start = index + 1
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text)))
    return spans


def outside_brackets(morphemes: list[Morpheme]) -> list[Morpheme]:
    """Morphemes outside parentheses: parentheticals (…を除く。以下同じ。) are not where duties are stated."""
    kept = []
    depth = 0
    for morpheme in morphemes:
        if morpheme.surface in ("（", "("):
            depth += 1
        elif morpheme.surface in ("）", ")") and depth:
            depth -= 1
        elif depth == 0:
            kept.append(morpheme)
    return kept


_PARENTHETICAL = re.compile(r"[（(][^（()）]*[)）]")


def strip_parentheticals(text: str) -> str:
    """Text without (nested) parenthetical insertions, for context regexes."""
    previous = None
    while previous != text:
        previous, text = text, _PARENTHETICAL.sub("", text)
    return text


def _inside_brackets(sentence: str, position: int) -> bool:
    depth = 0
    for char in sentence[:position]:
        if char in "（(":
            depth += 1
        elif char in "）)" and depth:
            depth -= 1
    return depth > 0


def _inside_quote(sentence: str, position: int) -> bool:
    return sentence.count("「", 0, position) > sentence.count("」", 0, position)


class Extractor:
    """Finds analog requirements in documents using a `Rulebook`."""

    def __init__(self, rulebook: Rulebook | None = None, split_mode: str = DEFAULT_SPLIT_MODE,
                 use_prefilter: bool = True) -> None:
        self.rulebook = rulebook or Rulebook.load()
        self.split_mode = split_mode
        self.use_prefilter = use_prefilter
        self.suppressed: list[Suppressed] = []
        self.sentences_analysed = 0  # sentences that passed the pre-filter and went to Sudachi
        self._rules_by_anchor_key: dict[str, list[TriggerRule]] = {}
        self._scan_rules: list[TriggerRule] = []
        prefixes: set[str] = set()
        suffixes: set[str] = set()
        for rule in self.rulebook.rules:
            anchor = rule.pattern.anchor
            if anchor is None:
                self._scan_rules.append(rule)
                continue
            step = rule.pattern.steps[anchor[0]]
            prefixes.update(step.prefixes)
            suffixes.update(step.suffixes)
            for key in anchor[1]:
                self._rules_by_anchor_key.setdefault(key, []).append(rule)
        self._affixes = (tuple(sorted(prefixes)), tuple(sorted(suffixes)))
        self._rule_order = {rule.id: n for n, rule in enumerate(self.rulebook.rules)}

    # -- public -------------------------------------------------------------------------------
    def extract(self, document: Document) -> list[Finding]:
        findings: list[Finding] = []
        for provision, context in self._units(document):
            findings.extend(self._provision_findings(document, provision, context))
        return findings

    def extract_all(self, documents: Iterable[Document]) -> Iterator[tuple[Document, list[Finding]]]:
        for document in documents:
            yield document, self.extract(document)

    # -- walking ------------------------------------------------------------------------------
    def _units(self, document: Document) -> Iterator[tuple[Provision, _Context]]:
        def visit(provision: Provision, article: Provision | None, leadins: list[Provision], heading: str):
            if provision.kind in ("table", "appdx_table", "appendix"):
                return
            if provision.kind == "article":
                article = provision
                heading = provision.heading or heading
            if provision.kind in ("paragraph", "item", "subitem") and not provision.deleted:
                yield provision, _Context(article, list(leadins), heading)
            child_leadins = leadins + [provision] if provision.kind in ("paragraph", "item", "subitem") else leadins
            for child in provision.children:
                yield from visit(child, article, child_leadins, heading)

        for top in document.provisions:
            yield from visit(top, None, [], top.heading or "")

    # -- matching -----------------------------------------------------------------------------
    def _provision_findings(self, document: Document, provision: Provision, context: _Context) -> list[Finding]:
        text = provision.text
        if not text:
            return []
        prefilter = self.rulebook.prefilter if self.use_prefilter else None
        folded = _fold(text) if prefilter is not None else text
        if prefilter is not None and not prefilter.search(folded):
            return []  # most provisions: no cue word anywhere, so no sentence needs splitting or analysis
        results: list[Finding] = []
        seen: set[tuple[str, int, int]] = set()
        for sentence_start, sentence_end in split_sentences(text):
            sentence = text[sentence_start:sentence_end]
            if prefilter is not None and not prefilter.search(folded, sentence_start, sentence_end):
                continue
            self.sentences_analysed += 1
            morphemes = outside_brackets(analyse(sentence, self.split_mode))
            index = index_morphemes(morphemes, *self._affixes)
            for rule in self._candidate_rules(index):
                for first, last in rule.pattern.search(morphemes, index=index):
                    finding = self._judge(document, provision, context, rule, sentence, morphemes, first, last,
                                          provision.start + sentence_start)
                    if finding is not None and (finding.type, finding.start, finding.end) not in seen:
                        seen.add((finding.type, finding.start, finding.end))
                        results.append(finding)
        return results

    def _candidate_rules(self, index: dict[str, list[int]]) -> list[TriggerRule]:
        """Rules whose first word occurs in the sentence, plus those that must scan, in rule-file order."""
        candidates = {rule.id: rule for rule in self._scan_rules}
        for word in index:
            for rule in self._rules_by_anchor_key.get(word, ()):
                candidates[rule.id] = rule
        return sorted(candidates.values(), key=lambda rule: self._rule_order[rule.id])

    def _judge(self, document: Document, provision: Provision, context: _Context, rule: TriggerRule,
               sentence: str, morphemes: list[Morpheme], first: int, last: int, offset: int) -> Finding | None:
        begin, end = morphemes[first].start, morphemes[last].end
        trigger = sentence[begin:end]
        if rule.require_any and not any(p.search(morphemes) for p in rule.require_any):
            return None
        if rule.require_regex and not rule.require_regex.search(_fold(sentence)):
            return None
        if any(p.search(morphemes) for p in rule.forbid_any) or \
                (rule.forbid_regex and rule.forbid_regex.search(_fold(sentence))):
            self.suppressed.append(Suppressed(provision.provision_id, rule.type, trigger, rule.id, "rule:forbid"))
            return None
        leadin_text = "".join(p.text for p in context.leadins)
        modality = bool(_MODALITY.search(sentence)) or (bool(context.leadins) and bool(_MODALITY.search(leadin_text)))
        if rule.needs_modality and not modality:
            self.suppressed.append(Suppressed(provision.provision_id, rule.type, trigger, rule.id, "no-modality"))
            return None
        obliged = _obliged(sentence[:begin], context)
        permission_only = obliged == "regulated_party" and _is_permission(sentence)
        exclusion = self._excluded(rule, sentence, morphemes, first, last, begin, context, permission_only)
        if exclusion is not None:
            self.suppressed.append(Suppressed(provision.provision_id, rule.type, trigger, rule.id, exclusion.id))
            return None
        alternative = self._digital_alternative(rule.type, provision, context, trigger)
        info = self.rulebook.types[rule.type]
        confidence = self._confidence(rule, modality, _inside_brackets(sentence, begin))
        applies_to = [c.provision_id for c in provision.children if c.kind in ("item", "subitem")] \
            if _LEADIN.search(sentence) else []
        return Finding(
            doc_id=document.doc_id, provision_id=provision.provision_id, type=rule.type, trigger=trigger,
            start=offset + begin, end=offset + end, sentence=sentence, rule=rule.id, confidence=confidence,
            digital_alternative=alternative is not None,
            phase=info.phase_digital if alternative is not None else info.phase_now, max_phase=info.phase_max,
            obliged=obliged, label=provision.label, rationale=rule.rationale,
            alternative_rule=alternative, applies_to=applies_to,
        )

    def _excluded(self, rule: TriggerRule, sentence: str, morphemes: list[Morpheme], first: int, last: int,
                  begin: int, context: _Context, permission_only: bool = False) -> Exclusion | None:
        type_code = rule.type
        folded = strip_parentheticals(_fold(sentence))
        after_text = strip_parentheticals(_fold(sentence[end_offset(morphemes, last):]))
        before_text = strip_parentheticals(_fold(sentence[:begin]))
        for exclusion in self.rulebook.exclusions:
            if not exclusion.applies_to(type_code) or exclusion.id in rule.skip_exclusions:
                continue
            if exclusion.unless_after is not None and exclusion.unless_after.search(after_text):
                continue
            scope = exclusion.scope
            if scope == "sentence":
                if _hit(exclusion, folded, morphemes):
                    return exclusion
            elif scope == "after_trigger":
                window = morphemes[last + 1:last + 1 + exclusion.window]
                if _hit(exclusion, "".join(m.surface for m in window), window):
                    return exclusion
            elif scope == "before_trigger":
                window = morphemes[max(0, first - exclusion.window):first]
                if _hit(exclusion, "".join(m.surface for m in window), window):
                    return exclusion
            elif scope == "after_text":
                if exclusion.regex and exclusion.regex.search(after_text):
                    return exclusion
            elif scope == "before_text":
                if exclusion.regex and exclusion.regex.search(before_text):
                    return exclusion
            elif scope == "around_text":
                if exclusion.regex and exclusion.regex.search(before_text) and \
                        (exclusion.after_regex is None or exclusion.after_regex.search(after_text)):
                    return exclusion
            elif scope == "permission":
                if permission_only and exclusion.regex and exclusion.regex.search(folded):
                    return exclusion
            elif scope == "trigger_in_quote":
                if _inside_quote(sentence, begin):
                    return exclusion
            elif scope == "article_caption":
                caption = (context.article.caption or "") if context.article else ""
                if caption and exclusion.regex and exclusion.regex.search(caption):
                    return exclusion
            elif scope == "heading":
                if context.heading and exclusion.regex and exclusion.regex.search(context.heading):
                    return exclusion
            elif scope == "leadin":
                if any(exclusion.regex and exclusion.regex.search(strip_parentheticals(_fold(p.text)))
                       for p in context.leadins):
                    return exclusion
        return None

    def _digital_alternative(self, type_code: str, provision: Provision, context: _Context,
                             trigger: str) -> str | None:
        """The id of the digital-alternative entry that applies, read over the provision and its article."""
        paragraph = context.leadins[0] if context.leadins else provision
        own = _fold("".join(c.text for c in paragraph.walk()))
        for alternative in self.rulebook.alternatives:
            if ("*" in alternative.types or type_code in alternative.types) and alternative.regex.search(own):
                return alternative.id
        if context.article is None:
            return None
        for sibling in context.article.children:
            if sibling.kind != "paragraph" or sibling is paragraph:
                continue
            sibling_text = _fold("".join(c.text for c in sibling.walk()))
            for alternative in self.rulebook.alternatives:
                if type_code in alternative.article_wide_types:
                    plain = strip_parentheticals(sibling_text)
                    if alternative.regex.search(plain) and not (
                            alternative.article_wide_unconditional and _CONDITION.search(_PROVISO.sub("", plain))):
                        return alternative.id
            if not _refers_to(sibling_text, sibling, paragraph):
                continue
            for alternative in self.rulebook.alternatives:
                if ("*" in alternative.types or type_code in alternative.types) and alternative.regex.search(sibling_text):
                    return alternative.id
        return None

    def _confidence(self, rule: TriggerRule, modality: bool, in_brackets: bool) -> float:
        true_positives, matches = self.rulebook.calibration.get(rule.id, (0, 0))
        weight = 4.0
        score = (true_positives + rule.prior * weight) / (matches + weight)
        if not modality:
            score *= 0.8
        if in_brackets:
            score *= 0.85
        return round(min(max(score, 0.01), 0.99), 3)


def end_offset(morphemes: list[Morpheme], last: int) -> int:
    return morphemes[last].end


def _hit(exclusion: Exclusion, text: str, morphemes: list[Morpheme]) -> bool:
    if exclusion.regex is not None and exclusion.regex.search(text):
        return True
    return exclusion.pattern is not None and bool(exclusion.pattern.search(morphemes))


def _fold(text: str) -> str:
    from .normalize import normalise

    return normalise(text)


_DUTY = re.compile(r"なければならない|なければ、?ならない|ものとする|ことを要する|ねばならない|なければ[^。]{0,40}(?:できない|できず)")


def _is_permission(sentence: str) -> bool:
    """The sentence only permits (…ことができる) and imposes no duty."""
    return "ことができる" in sentence and not _DUTY.search(sentence)


_CONDITION = re.compile(r"(とき|場合)(は|には|においては)、")
_PROVISO = re.compile(r"ただし、[^。]*この限りでない。")  # an exemption for some parties leaves the duty unconditional
_SUBSTITUTE = re.compile(r"に代えて|に代わり|代わりに|によることができる|を含む|のほか")


def _refers_to(text: str, sibling: Provision, paragraph: Provision) -> bool:
    """Whether another paragraph of the article speaks about `paragraph` and offers a substitute."""
    if not _SUBSTITUTE.search(text):
        return False
    if "前各項" in text or "前二項" in text or "前三項" in text:
        return True
    if "前項" in text or "同項" in text:
        return _next_to(paragraph, sibling)
    number = paragraph.num or ""
    if number.isdigit():
        from analogmap.corpus.ids import int_to_kanji

        return f"第{int_to_kanji(int(number))}項" in text
    return False


def _next_to(paragraph: Provision, sibling: Provision) -> bool:
    try:
        return int(sibling.num or 0) == int(paragraph.num or 0) + 1
    except ValueError:
        return False


def _obliged(before: str, context: _Context) -> str:
    """Who must act: `authority`, `regulated_party` or `unknown`, from the subject before the trigger."""
    candidates = [before] + [p.text for p in reversed(context.leadins)]
    for text in candidates:
        authority = list(_AUTHORITY.finditer(text))
        regulated = list(_REGULATED.finditer(text))
        if authority or regulated:
            last_authority = authority[-1].end() if authority else -1
            last_regulated = regulated[-1].end() if regulated else -1
            return "authority" if last_authority >= last_regulated else "regulated_party"
    return "unknown"
