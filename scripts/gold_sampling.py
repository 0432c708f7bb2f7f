"""Shared parts of the gold-set sampling scripts (scripts/gold_sample_*.py).

Each script draws candidate paragraphs for one hand-labelled gold file; these helpers decide the held-out side
and pick records so that documents with no labels yet come first and no document gets more than a few.
The knobs (`per`, `order_key`) keep each historical draw reproducible exactly as it was made.
"""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path


def held_out(doc_id: str) -> bool:
    """A document is held out of rule writing when sha256(doc_id) % 10 < 3."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 10 < 3


def read_index(path: Path) -> dict[str, str]:
    """File name -> law id of the 2015 texts (index.tsv of egov-html-ledmonster-2015)."""
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        cells = line.split("\t")
        if n and len(cells) > 1 and cells[1].strip():
            out[cells[0]] = cells[1].strip()
    return out


def labelled_ids(gold_files) -> tuple[set[str], Counter]:
    """Provision ids already in these gold files, and how many labels each law id has (missing files count as empty)."""
    taken: set[str] = set()
    prior: Counter = Counter()
    for path in gold_files:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                provision_id = json.loads(line)["provision_id"]
                taken.add(provision_id)
                prior[provision_id.split("#")[0]] += 1
    return taken, prior


def full_text(rec: dict) -> str:
    """A candidate's paragraph text with its items, for cue matching."""
    return rec["text"] + "\n" + "\n".join(rec["items"])


def by_id_and_source(rec: dict) -> tuple[str, str]:
    return rec["provision_id"], rec["source"]


class Sampler:
    """Draws records from shuffled pools: unlabelled documents first, at most `max_per` per document (or file)."""

    def __init__(self, rng: random.Random, prior: Counter, max_per: int, per: str = "doc_id",
                 order_key: Callable[[dict], object] = by_id_and_source) -> None:
        self.rng = rng
        self.prior = prior
        self.max_per = max_per
        self.per = per
        self.order_key = order_key
        self.used: Counter = Counter()
        self.per_doc: Counter = Counter()
        self.chosen: dict[str, dict] = {}

    def order(self, pool: list[dict]) -> list[dict]:
        pool = sorted(pool, key=self.order_key)
        self.rng.shuffle(pool)
        return pool

    def ok(self, rec: dict) -> bool:
        return rec["provision_id"] not in self.chosen and self.used[rec[self.per]] < self.max_per

    def add(self, rec: dict, reason: str) -> None:
        self.chosen[rec["provision_id"]] = dict(rec, pools=[reason])
        self.used[rec[self.per]] += 1
        self.per_doc[rec["doc_id"]] += 1

    def pick(self, pool: list[dict]) -> dict | None:
        """Next record of a shuffled pool: documents with no labels yet (prior gold + this sample) first."""
        best, key = None, None
        for rec in pool:
            if not self.ok(rec):
                continue
            k = self.prior[rec["doc_id"]] + 2 * self.per_doc[rec["doc_id"]]
            if key is None or k < key:
                best, key = rec, k
                if k == 0:
                    break
        return best

    def take(self, pool: list[dict], target: int, reason: str) -> None:
        pool = self.order(pool)
        for _ in range(target):
            rec = self.pick(pool)
            if rec is None:
                return
            self.add(rec, reason)


def paragraph_candidates(corpus: Path, path: Path, doc, doc_id: str,
                         sibling_kinds: tuple[str, ...] = ("paragraph", "item", "subitem")) -> list[dict]:
    """One candidate record per paragraph with text: its items, its article's other units, and its text hash."""
    by_id = {p.provision_id: p for p in doc.walk()}
    out = []
    for prov in doc.walk():
        if prov.kind != "paragraph" or getattr(prov, "deleted", False) or not prov.text.strip():
            continue
        parent = by_id.get(prov.parent_id) if prov.parent_id else None
        own = list(prov.walk())
        items = [f"{c.label} {c.text}" for c in own if c.kind in ("item", "subitem") and c.text.strip()]
        siblings = []
        if parent is not None:
            siblings = [f"{c.label} {c.text}" for c in parent.walk()
                        if c.kind in sibling_kinds and c is not prov and c not in own]
        out.append({
            "provision_id": prov.provision_id,
            "doc_id": doc_id,
            "title": doc.title,
            "source": str(path.relative_to(corpus)),
            "label": prov.label,
            "article_caption": parent.caption if parent is not None else None,
            "article_label": parent.label if parent is not None else None,
            "text": prov.text,
            "items": items,
            "siblings": siblings,
            "text_sha256": hashlib.sha256(prov.text.encode("utf-8")).hexdigest(),
        })
    return out
