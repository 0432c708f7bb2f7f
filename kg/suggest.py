"""Draft a revision of an analog provision in the wording the Diet and municipalities use.

Templates are data (`kg/templates.toml`): id, type codes, the precedent (law and article) they
follow, match conditions and the rewrite.  `suggest()` tries the templates of the finding's type in
priority order on the finding's sentence and returns the first that changes it::

    from analogmap.kg.suggest import suggest
    s = suggest(finding, provision, document, matches)
    s.new_text, s.template_id, s.precedent, s.changes

Ordinance names follow the document: the ministry ordinance named in the sentence, article or law
(国土交通省令 …), 「規則」 in a municipal ordinance, 「市長が別に」 in a municipal rule, else 「主務省令」.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .records import SuggestionRecord, suggestion_id

PACKAGE = "analogmap.kg"
VIDEO = "映像及び音声の送受信により相手の状態を相互に認識しながら通話をすることができる方法"

_ORDINANCES = ("内閣府令", "デジタル庁令", "復興庁令", "総務省令", "法務省令", "外務省令", "財務省令", "文部科学省令",
               "厚生労働省令", "農林水産省令", "経済産業省令", "国土交通省令", "環境省令", "防衛省令", "国家公安委員会規則",
               "原子力規制委員会規則", "個人情報保護委員会規則", "公正取引委員会規則", "主務省令")
_ORDINANCE_RE = re.compile("(?<![、・])(" + "|".join(_ORDINANCES) + ")(?![、・])")
_MINISTERS = {"内閣総理大臣": "内閣府令", "総務大臣": "総務省令", "法務大臣": "法務省令", "外務大臣": "外務省令",
              "財務大臣": "財務省令", "文部科学大臣": "文部科学省令", "厚生労働大臣": "厚生労働省令",
              "農林水産大臣": "農林水産省令", "経済産業大臣": "経済産業省令", "国土交通大臣": "国土交通省令",
              "環境大臣": "環境省令", "防衛大臣": "防衛省令", "国家公安委員会": "国家公安委員会規則",
              "原子力規制委員会": "原子力規制委員会規則", "デジタル大臣": "デジタル庁令"}
_MINISTER_OF = {v: k for k, v in _MINISTERS.items()}
_MUNICIPAL_RULE_KINDS = ("規則", "規則(自治体)", "規程", "要綱", "訓令", "告示")
_NATIONAL_SUB_KINDS = ("府省令", "規則", "告示")
_ZEN = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(slots=True)
class Template:
    id: str
    types: tuple[str, ...]
    priority: int
    rule: str
    precedent: str
    technology: tuple[int, ...]
    phase: int
    note: str
    when: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Change:
    """One changed part: offsets in old_text and new_text (for marking)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    old: str
    new: str


@dataclass(slots=True)
class Suggestion:
    provision_id: str
    type: str
    old_text: str
    new_text: str
    changes: list[Change]
    template_id: str
    precedent: str
    technology_id: int | None
    technology_name: str
    phase: int
    note: str
    delegation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_record(self, finding: str) -> SuggestionRecord:
        technology = None if self.technology_id is None else str(self.technology_id)
        return SuggestionRecord(id=suggestion_id(finding, self.template_id, technology), finding_id=finding,
                                old_text=self.old_text, new_text=self.new_text, template_id=self.template_id,
                                precedent=self.precedent, technology_id=technology, phase=self.phase)


# -- loading --------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def load_templates() -> tuple[Template, ...]:
    data = tomllib.loads(resources.files(PACKAGE).joinpath("templates.toml").read_text(encoding="utf-8"))
    known = {"id", "types", "priority", "rule", "precedent", "technology", "phase", "note", "when", "unless"}
    templates = []
    for entry in data["template"]:
        templates.append(Template(
            entry["id"], tuple(entry["types"]), int(entry.get("priority", 50)), entry["rule"], entry["precedent"],
            tuple(int(t) for t in entry.get("technology", [])), int(entry.get("phase", 2)), entry.get("note", ""),
            re.compile(entry["when"]) if entry.get("when") else None,
            re.compile(entry["unless"]) if entry.get("unless") else None,
            {k: v for k, v in entry.items() if k not in known}))
        if templates[-1].rule not in RULES:
            raise ValueError(f"template {entry['id']}: unknown rule {entry['rule']!r}")
    return tuple(sorted(templates, key=lambda t: (t.priority, t.id)))


def templates_for(type_code: str) -> list[Template]:
    return [t for t in load_templates() if type_code in t.types]


# -- context ----------------------------------------------------------------------------------------

def _attr(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def is_municipal(document: Any) -> bool:
    jurisdiction = _attr(document, "jurisdiction", "国") or "国"
    return jurisdiction != "国"


def delegation(document: Any, sentence: str = "", article_text: str = "") -> str:
    """The 「…で」 phrase that delegates details: 「国土交通省令で」, 「規則で」, 「市長が別に」 …"""
    kind = _attr(document, "kind", "") or ""
    if is_municipal(document):
        if kind in ("条例",) or not kind or kind == "その他":
            return "規則で"
        head = _municipal_head(_attr(document, "jurisdiction", ""))
        return f"{head}が別に"
    counts: Counter[str] = Counter()
    for text, weight in ((sentence, 100), (article_text, 10), (_attr(document, "text", "") or "", 1)):
        for match in _ORDINANCE_RE.finditer(text or ""):
            counts[match.group(1)] += weight
    name = None
    if counts:
        name = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    else:
        ministers: Counter[str] = Counter()
        text = (sentence or "") * 100 + (article_text or "") * 10 + (_attr(document, "text", "") or "")[:200000]
        for minister, ordinance in _MINISTERS.items():
            ministers[ordinance] += text.count(minister)
        if ministers and ministers.most_common(1)[0][1] > 0:
            name = min(ministers.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    name = name or "主務省令"
    if kind in _NATIONAL_SUB_KINDS:
        minister = _MINISTER_OF.get(name, "主務大臣")
        return f"{minister}が別に"
    return f"{name}で"


def _municipal_head(jurisdiction: str) -> str:
    jurisdiction = jurisdiction or ""
    for suffix, head in (("都", "知事"), ("道", "知事"), ("府", "知事"), ("県", "知事"), ("市", "市長"), ("町", "町長"),
                         ("村", "村長"), ("区", "区長")):
        if jurisdiction.endswith(suffix):
            return head
    return "長"


_SUBJECT = re.compile(r"^(?P<s>[^、。（）「」]{1,40}?)(?:は|が)、")


def subject_of(sentence: str) -> str:
    match = _SUBJECT.search(sentence)
    if not match:
        return ""
    subject = match.group("s")
    if re.search(r"場合|とき|ため|において|前項|規定", subject):
        return ""
    return subject


# -- rewrite helpers --------------------------------------------------------------------------------

@dataclass(slots=True)
class _Ctx:
    sentence: str
    provision_text: str
    article_text: str
    rei_de: str
    subject: str
    type_code: str
    caption: str | None
    paragraph_num: int | None
    is_item: bool
    act: str

    def fields(self, **extra: str) -> dict[str, str]:
        tokoro = "" if "定めるところにより" in self.sentence else f"{self.rei_de}定めるところにより、"
        values = {"rei_de": self.rei_de, "tokoro": tokoro, "subject": self.subject, "video": VIDEO,
                  "act": self.act}
        values.update(extra)
        return values


def _fill(text: str, ctx: _Ctx, **extra: str) -> str:
    return text.format(**ctx.fields(**extra))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _rule_replace(t: Template, ctx: _Ctx) -> str | None:
    sentence = ctx.sentence
    for pattern, replacement in zip(_as_list(t.params.get("pattern")), _as_list(t.params.get("replacement"))):
        regex = re.compile(pattern)
        if regex.search(sentence):
            return regex.sub(_fill(replacement, ctx), sentence, count=1)
    return None


def _rule_insert_after(t: Template, ctx: _Ctx) -> str | None:
    sentence = ctx.sentence
    for pattern in _as_list(t.params.get("pattern")):
        for match in re.finditer(pattern, sentence):
            if _inside_parens(sentence, match.start()):
                continue
            noun = match.group(0)
            insert = _fill(t.params["insert"], ctx, noun=noun)
            return sentence[:match.end()] + insert + sentence[match.end():]
    return None


def _rule_append_sentence(t: Template, ctx: _Ctx) -> str | None:
    key = "text"
    if t.params.get("requires_subject") and not ctx.subject:
        if "text_no_subject" not in t.params:
            return None
        key = "text_no_subject"
    if "text_if_proviso" in t.params and "ただし" in ctx.provision_text:
        key = "text_if_proviso"
    extra = _append_fields(ctx)
    if extra is None:
        return None
    text = _fill(t.params[key], ctx, **extra)
    sentence = ctx.sentence
    if not sentence.endswith("。"):
        sentence += "。"
    return sentence + text


def _append_fields(ctx: _Ctx) -> dict[str, str] | None:
    s = ctx.sentence
    acts = [word for word in ("検査", "質問", "調査測定", "調査", "測量", "集取", "収去") if word in s]
    if "調査測定" in acts and "調査" in acts:
        acts.remove("調査")
    acts = [a for a in acts if a not in ("集取", "収去")] or ["検査"]
    hearing = "審理"
    for word in ("聴聞の期日における審理", "口頭審査", "意見の聴取", "意見聴取", "和解の仲介", "聴聞", "審理", "意見を聴取"):
        if word in s:
            hearing = "意見の聴取" if word == "意見を聴取" else word
            break
    presence = "立会い"
    for word, noun in (("立ち会", "立会い"), ("立会", "立会い"), ("面接", "面接"), ("出頭", "出頭"), ("対面", "対面")):
        if word in s:
            presence = noun
            break
    role = ""
    match = re.search(r"専任の(?P<r>[一-龥ー・]+)", s) or re.search(r"(?P<r>[一-龥ー・]+)を常駐", s) \
        or re.search(r"ごとに、?(?:[^。]{0,60}のうちから、)?(?P<r>[一-龥ー・]+)を(?:置|選任)", s)
    if match:
        role = match.group("r")
    place = "事業所"
    match = re.search(r"(?P<p>[一-龥ー・]+)ごと(?:に|及び)", s)
    if match:
        place = match.group("p")
    else:
        match = re.search(r"(?:その|当該)?(?P<p>事務所|営業所|店舗|薬局|工事現場|施設|基地局|事業場|工場)", s)
        if match:
            place = match.group("p")
    role_clause = f"当該{role}が" if role else ""
    return {"acts": "又は".join(acts), "hearing": hearing, "presence": presence, "role": role,
            "role_clause": role_clause, "place": place}


def _rule_new_paragraph(t: Template, ctx: _Ctx) -> str | None:
    if ctx.is_item:
        return None
    if t.params.get("requires_subject") and not ctx.subject:
        return None
    text = _fill(t.params["text"], ctx)
    number = (ctx.paragraph_num or 1) + 1
    return ctx.sentence + "\n" + str(number).translate(_ZEN) + "\u3000" + text


_POST_VERBS = (
    # (regex on the end of the duty, replacement stem before 「とともに、」, closing modal)
    (re.compile(r"(?P<v>掲示し|掲げ|表示をし|表示し|明示し|設け)なければならない"), "なければならない"),
    (re.compile(r"(?P<v>掲示す|掲げ|表示をす|表示す|明示す|設け)ること(?=。|$)"), "こと"),
)
_STEM = {"掲示し": "掲示する", "掲げ": "掲げる", "表示をし": "表示をする", "表示し": "表示する", "明示し": "明示する",
         "設け": "設ける", "掲示す": "掲示する", "表示をす": "表示をする", "表示す": "表示する", "明示す": "明示する"}


def _rule_posting_same_sentence(t: Template, ctx: _Ctx) -> str | None:
    sentence = ctx.sentence
    exception = "その事業の規模が著しく小さい場合その他の{rei_de}定める場合を除き、" if t.params.get("exception") else ""
    web = "電気通信回線に接続して行う自動公衆送信により公衆の閲覧に供"
    for regex, modal in _POST_VERBS:
        matches = [m for m in regex.finditer(sentence) if not _inside_parens(sentence, m.start())]
        if not matches:
            continue
        m = matches[-1]
        head = sentence[:m.start()]
        verb = m.group("v")
        obj = ""
        new_head = head
        transformed = _kotsuite(head, ctx.subject)
        if transformed is not None:
            new_head = transformed
        elif head.endswith("を"):
            obj = ""
        elif verb in ("表示をし", "表示をす"):
            obj = "その内容を"
        elif verb == "設け":
            obj = "当該掲示板に掲示する事項を"
        else:
            obj = "その内容を" if not re.search(r"[^、。]を[^、。を]*$", head) else ""
        tokoro = ctx.fields()["tokoro"]
        tail = "しなければならない" if modal == "なければならない" else "すること"
        middle = _fill(exception, ctx) + tokoro + obj + web + tail
        return new_head + _STEM[verb] + "とともに、" + middle + sentence[m.end():]
    # mid-sentence 「掲示するとともに、」
    m = re.search(r"掲示するとともに、", sentence)
    if m:
        tokoro = ctx.fields()["tokoro"]
        return (sentence[:m.start()] + "掲示し、及び" + tokoro + "電気通信回線に接続して行う自動公衆送信により公衆の閲覧に供するとともに、"
                + sentence[m.end():])
    return None


def _kotsuite(head: str, subject: str) -> str | None:
    """「…は、XをYに掲示し」 → 「…は、XについてYに掲示し」 as the Diet wrote (航空法第百七条, 警備業法第六条)."""
    match = re.match(r"^(?P<pre>[^。]*?(?:は|が)、)(?P<obj>[^。を]+?)を(?P<place>[^。を]*?(?:において|場所に|箇所に|ように|に)[^。を]*)$",
                     head)
    if not match or not subject:
        return None
    obj = match.group("obj")
    if _inside_parens(head, match.start("obj") + len(obj)) or obj.endswith("、"):
        return None
    return match.group("pre") + obj + "について、" + match.group("place")


def _rule_koji(t: Template, ctx: _Ctx) -> str | None:
    sentence = ctx.sentence
    m = re.search(r"を(?P<place>[^、。を]{1,40}?)の掲示(?:場|板)に掲示(?:すること(?P<by>によって|によつて|により)|して)行",
                  sentence)
    if m:
        place = m.group("place")
        by = m.group("by") or "により"
        office = "当該事務所" if place.endswith("事務所") else place + "の事務所"
        new = (f"を{ctx.rei_de}定める方法により不特定多数の者が閲覧することができる状態に置くとともに、その旨が記載された書面を"
               f"{place}の掲示場に掲示し、又はその旨を{office}に設置した電子計算機の映像面に表示したものの閲覧をすることができる"
               f"状態に置く措置をとること{by}行")
        return sentence[:m.start()] + new + sentence[m.end():]
    m = re.search(r"(?P<pre>は、)(?P<place>[^、。を]{1,40}?)の掲示(?:場|板)に掲示して行", sentence)
    if m:
        place = m.group("place")
        office = "当該事務所" if place.endswith("事務所") else place + "の事務所"
        new = (f"は、{ctx.rei_de}定める方法により不特定多数の者が閲覧することができる状態に置くとともに、その内容を記載した書面を"
               f"{place}の掲示板に掲示し、又はその内容を{office}に設置した電子計算機の映像面に表示したものの閲覧をすることが"
               f"できる状態に置く措置をとることにより行")
        return sentence[:m.start()] + new + sentence[m.end():]
    return None


_MEDIA = re.compile(r"(?:フレキシブルディスク|フロッピーディスク|光ディスク|磁気ディスク|磁気テープ|シー・ディー・ロム|ＣＤ－ＲＯＭ|"
                    r"ＣＤ―ＲＯＭ|ＤＶＤ)(?:カートリッジ)?(?:（[^（）]*(?:（[^（）]*）[^（）]*)*）)?")


def _rule_media_neutral(t: Template, ctx: _Ctx) -> str | None:
    sentence = ctx.sentence
    if "ビデオカセット" in sentence and not _MEDIA.search(sentence):
        return sentence.replace("ビデオカセット", "録画物")
    matches = list(_MEDIA.finditer(sentence))
    if not matches:
        return None
    defined = "電磁的記録媒体（" in ctx.article_text or "電磁的記録媒体（" in ctx.provision_text
    out = []
    last = 0
    for index, m in enumerate(matches):
        out.append(sentence[last:m.start()])
        replacement = "電磁的記録媒体"
        if index == 0 and not defined:
            replacement += "（電磁的記録に係る記録媒体をいう。以下同じ。）"
        after = sentence[m.end():m.end() + 8]
        if index == 0 and "電子情報処理組織" not in sentence and re.match(r"(?:の提出)?により", after):
            replacement = "電子情報処理組織を使用する方法又は" + replacement
        out.append(replacement)
        last = m.end()
    out.append(sentence[last:])
    # 「電磁的記録媒体提出書」 for 「光ディスク提出書」 reads as media-neutral already
    return "".join(out)


def _rule_replace_whole(t: Template, ctx: _Ctx) -> str | None:
    return t.params.get("text", "削除")


RULES: dict[str, Callable[[Template, _Ctx], str | None]] = {
    "replace": _rule_replace, "insert_after": _rule_insert_after, "append_sentence": _rule_append_sentence,
    "new_paragraph": _rule_new_paragraph, "posting_same_sentence": _rule_posting_same_sentence, "koji": _rule_koji,
    "media_neutral": _rule_media_neutral, "replace_whole": _rule_replace_whole,
}


def _inside_parens(text: str, position: int) -> bool:
    depth = 0
    for char in text[:position]:
        if char in "（(":
            depth += 1
        elif char in "）)" and depth:
            depth -= 1
    return depth > 0


# -- diff -------------------------------------------------------------------------------------------

def diff_changes(old: str, new: str) -> list[Change]:
    """Changed parts between old and new text (character diff, small equal gaps merged)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if changes and i1 - changes[-1].old_end <= 2 and j1 - changes[-1].new_end <= 2:
            last = changes[-1]
            last.old_end, last.new_end = i2, j2
            last.old, last.new = old[last.old_start:i2], new[last.new_start:j2]
            continue
        changes.append(Change(i1, i2, j1, j2, old[i1:i2], new[j1:j2]))
    return changes


# -- entry point --------------------------------------------------------------------------------------

_ACTS = {"visual_inspection": "目視による確認", "onsite_audit": "実地の検査", "periodic_inspection": "検査又は点検",
         "resident_dedicated": "職務", "inperson_training": "講習", "inperson_viewing": "閲覧",
         "paper_procedure": "手続", "inperson_procedure": "手続", "inperson_meeting": "会議",
         "physical_media": "提出", "paper_posting": "掲示"}


def suggest(finding: Any, provision: Any, document: Any = None, matches: list | None = None,
            article: Any = None) -> Suggestion | None:
    """A drafted revision for an open finding, or None (already digital, or no template applies)."""
    if _attr(finding, "digital_alternative", False):
        return None
    type_code = _attr(finding, "type")
    old_text = _attr(provision, "text", "") or ""
    sentence = _attr(finding, "sentence", "") or old_text
    if not old_text:
        return None
    position = old_text.find(sentence)
    if position < 0:
        sentence, position = old_text, 0
    if article is None and document is not None and hasattr(document, "get"):
        article_id = _attr(provision, "provision_id", "").split("-")[0]
        article = document.get(article_id)
    article_text = _attr(article, "text", "") or ""
    caption = _attr(article, "caption", None)
    num = _attr(provision, "num", None)
    kind = _attr(provision, "kind", "paragraph")
    ctx = _Ctx(sentence, old_text, article_text, delegation(document or {}, sentence, article_text),
               subject_of(sentence), type_code, caption,
               int(num) if kind == "paragraph" and str(num or "").isdigit() else None, kind in ("item", "subitem"),
               _ACTS.get(type_code, "手続"))
    for template in templates_for(type_code):
        if template.when is not None and not template.when.search(sentence):
            continue
        if template.unless is not None and template.unless.search(sentence):
            continue
        new_sentence = RULES[template.rule](template, ctx)
        if not new_sentence or new_sentence == sentence:
            continue
        if template.rule == "replace_whole":
            new_text = new_sentence
        else:
            new_text = old_text[:position] + new_sentence + old_text[position + len(sentence):]
            for pattern, replacement in template.params.get("extra", []):
                new_text = new_text.replace(pattern, replacement)
        technology_id, technology_name = _pick_technology(template, matches)
        note = template.note
        if template.rule == "new_paragraph":
            note += _new_paragraph_note(provision, document, caption, template)
        return Suggestion(_attr(provision, "provision_id", ""), type_code, old_text, new_text,
                          diff_changes(old_text, new_text), template.id, template.precedent, technology_id,
                          technology_name, template.phase, note, ctx.rei_de)
    return None


def _pick_technology(template: Template, matches: list | None) -> tuple[int | None, str]:
    ranked = sorted(matches or [], key=lambda m: _attr(m, "rank", 99))
    for match in ranked:
        if _attr(match, "technology_id") in template.technology:
            return int(_attr(match, "technology_id")), _attr(match, "name_ja", "")
    if template.technology:
        from analogmap.ontology.techmap import load_techmap

        technology = load_techmap().technologies.get(template.technology[0])
        return template.technology[0], technology.name_ja if technology else ""
    if ranked:
        return int(_attr(ranked[0], "technology_id")), _attr(ranked[0], "name_ja", "")
    return None, ""


def _new_paragraph_note(provision: Any, document: Any, caption: str | None, template: Template) -> str:
    parts = []
    if caption and template.params.get("caption"):
        pattern, replacement = template.params["caption"]
        new_caption = re.sub(pattern, replacement, caption, count=1)
        if new_caption != caption:
            parts.append(f"見出し {caption}→{new_caption}。")
    if document is not None and hasattr(document, "get"):
        article = document.get(_attr(provision, "provision_id", "").split("-")[0])
        if article is not None:
            later = [c for c in article.children if c.kind == "paragraph" and str(c.num or "").isdigit()
                     and int(c.num) > int(_attr(provision, "num", 0) or 0)]
            if later:
                parts.append("以下の項を一項ずつ繰り下げる。")
    return "".join(parts)


__all__ = [
    "VIDEO",
    "Change",
    "Suggestion",
    "Template",
    "delegation",
    "diff_changes",
    "is_municipal",
    "load_templates",
    "subject_of",
    "suggest",
    "templates_for",
]
