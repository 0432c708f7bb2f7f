"""One entry point for every source format: sniff the content, pick the reader, return a `Document`.

Formats are recognised by content, not by file extension: e-Gov 法令標準XML, the e-Gov HTML renderings
(API v2 and the 2015 法令データ提供システム), and any municipal 例規 HTML or plain text.  Walking a
directory skips files that are not law documents at all (sidecar JSON, TSV indexes, README files)
and says how many it skipped.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError
from .model import Document

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_TEXT_LAW_STRUCTURE = re.compile(r"(?m)^[\s\u3000]*(?:第[〇一二三四五六七八九十百千0-9０-９]+条|附[\s\u3000]*則)")


@dataclass(slots=True)
class ReadOptions:
    """What the caller knows about the input: a forced law id, a file→law id mapping, size limit."""

    law_id: str | None = None
    law_id_map: dict[str, str] = field(default_factory=dict)
    max_bytes: int = DEFAULT_MAX_BYTES


def sniff_format(head: bytes) -> str:
    """`egov-xml`, `egov-html`, `html`, `json`, `binary`, `empty` or `text` from the first bytes."""
    from .egov_html import is_egov_html

    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return "empty"
    if b"\x00" in head[:8192] and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        return "binary"
    lowered = stripped[:4096].lower()
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<Law") or stripped.startswith(b"<!DOCTYPE Law"):
        if b"<law" in stripped.lower()[:_SNIFF_BYTES] and b"<html" not in lowered:
            return "egov-xml"
    if stripped.startswith(b"<"):  # markup must open the file; a README that quotes HTML is text
        if is_egov_html(head):
            return "egov-html"
        if stripped.startswith(b"<?xml") and b"<html" not in lowered:
            return "xml"
        return "html"
    if stripped[:1] in (b"{", b"["):
        try:
            json.loads(head.decode("utf-8"))
            return "json"
        except (UnicodeDecodeError, ValueError):
            pass
    return "text"


def read_document(path: Path, options: ReadOptions | None = None) -> Document:
    """Read one file of any supported format; raise InputError when it is unusable."""
    options = options or ReadOptions()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror}") from None
    if size > options.max_bytes:
        raise InputError(path, f"file is {size / 1e6:.1f} MB, over the limit of {options.max_bytes / 1e6:.0f} MB "
                               "(raise it with --max-mb)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror}") from None
    kind = sniff_format(data[:_SNIFF_BYTES])
    law_id = options.law_id or options.law_id_map.get(path.name) or options.law_id_map.get(path.stem)
    if kind == "empty":
        raise InputError(path, "empty file")
    if kind == "binary":
        raise InputError(path, "binary file, not a law text (no XML, HTML or text found)")
    if kind == "json":
        raise InputError(path, "JSON file, not a law text")
    if kind == "xml":
        raise InputError(path, "XML file whose root is not an e-Gov <Law> element")
    if kind == "egov-xml":
        from .egov_xml import read_egov_xml

        return read_egov_xml(path, law_id=law_id, data=data, max_bytes=options.max_bytes)
    if kind == "egov-html":
        from .egov_html import read_egov_html

        return read_egov_html(path, law_id=law_id, data=data, max_bytes=options.max_bytes)
    from .reiki import read_reiki_html, read_reiki_text

    if kind == "html":
        return read_reiki_html(path, doc_id=law_id)
    return read_reiki_text(path, doc_id=law_id)


def looks_like_law_file(path: Path) -> bool:
    """Whether a file met while walking a directory is worth reading (by content, not extension)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return True  # let read_document report it
    kind = sniff_format(head)
    if kind in ("egov-xml", "egov-html", "html"):
        return True
    if kind == "text":
        from .reiki import decode_bytes

        try:
            text = decode_bytes(head, path)
        except InputError:
            return False
        return bool(_TEXT_LAW_STRUCTURE.search(text))
    return False


@dataclass(slots=True)
class WalkResult:
    """Files to read, and files passed over because they are not law documents."""

    files: list[Path]
    ignored: list[Path]


def collect_files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Yield (file, explicitly_named) for each path; directories are walked recursively in sorted order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith("."):
                        yield Path(root) / name, False
        else:
            yield path, True


def load_law_id_map(path: Path) -> dict[str, str]:
    """A file → law id mapping from a TSV (`file<TAB>law_id…` with a header) or a JSON object."""
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return {str(k): str(v) for k, v in json.loads(text).items()}
    mapping: dict[str, str] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        cells = line.split("\t")
        if len(cells) < 2 or line_number == 1 and not re.match(r"\d{3}[A-Z]", cells[1]):
            continue
        mapping[cells[0].strip()] = cells[1].strip()
    return mapping
