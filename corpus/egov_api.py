"""Client for the e-Gov 法令API Version 2 (https://laws.e-gov.go.jp/api/2) with a local XML cache.

Endpoints used (spec: https://laws.e-gov.go.jp/api/2/swagger-ui, OpenAPI `lawapi-v2.yaml`):

* `GET /laws?law_title=…&limit=…` — law list search by (partial) title.  JSON
  `{"total_count", "count", "laws": [{"law_info": {"law_id", "law_num", …},
  "revision_info": {"law_revision_id", "law_title", …}, "current_revision_info": …}]}`.
  No match is answered with 404 (`{"code": "404001", …}`), which we map to an empty list.
* `GET /keyword?keyword=…` — full-text search; same `law_info`/`revision_info` per entry of `items`.
* `GET /law_data/{law_id_or_num_or_revision_id}?law_full_text_format=xml` — the law body.  With
  the default `response_format=json` the answer is JSON carrying `law_info`, `revision_info` and
  `law_full_text`; because the text format (xml) differs from the response format (json),
  `law_full_text` is the Base64-encoded 法令標準XML.  One request thus gives the XML *and* the
  revision id used to name the cache file.  This is the default download path.
* `GET /law_file/xml/{law_id_or_num_or_revision_id}` — the raw XML file; the revision id is taken
  from the `Content-Disposition` filename when present.  Used with `EgovClient(source="law_file")`.

Cache layout: `<cache>/<law_id>/<law_revision_id>.xml` (or `<date>.xml` when the API gives no
revision id) plus `<cache>/<law_id>/meta.json` pointing at the newest download.  Every write is
atomic (temporary file in the same directory, then `os.replace`).
"""
from __future__ import annotations

import base64
import binascii
import email.utils
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

import httpx
from lxml import etree

from .ids import looks_like_law_id

DEFAULT_BASE_URL = "https://laws.e-gov.go.jp/api/2"
BASE_URL_ENV = "ANALOGMAP_EGOV_API"
CACHE_ENV = "ANALOGMAP_CACHE"
INTERVAL_ENV = "ANALOGMAP_EGOV_INTERVAL"
DEFAULT_MIN_INTERVAL = 1.0
DEFAULT_MAX_HITS = 5
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 300.0
META_FILE = "meta.json"

_LAW_NUM = re.compile(r"^(明治|大正|昭和|平成|令和).+第.+号$")
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_.\-]")
_DISPOSITION_NAME = re.compile(r"""filename\*?=(?:UTF-8'')?["']?([^"';]+)""", re.IGNORECASE)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("analogmap")
    except Exception:  # pragma: no cover - not installed
        return "0"


DEFAULT_USER_AGENT = f"analogmap/{_version()}"


class FetchError(Exception):
    """A download or search against the e-Gov API failed.  `url` and `status` say where and how."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        self.url = url
        self.status = status
        detail = []
        if status is not None:
            detail.append(f"HTTP {status}")
        if url:
            detail.append(url)
        super().__init__(f"{message} ({', '.join(detail)})" if detail else message)


@dataclass(frozen=True, slots=True)
class LawHit:
    """One law found by a search."""

    law_id: str
    title: str
    law_num: str | None = None
    revision_id: str | None = None


def default_base_url() -> str:
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "analogmap" / "egov"


def looks_like_law_num(text: str) -> bool:
    """`令和元年法律第一号` and the like (a 法令番号, which the API also accepts)."""
    return bool(_LAW_NUM.match(text.strip()))


def validate_law_xml(payload: bytes) -> etree._Element:
    """Parse `payload` and check it is 法令標準XML (root element `Law`); raise ValueError otherwise."""
    if not payload or not payload.strip():
        raise ValueError("empty payload")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(payload, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    if etree.QName(root).localname != "Law":
        raise ValueError(f"root element is <{etree.QName(root).localname}>, expected <Law>")
    return root


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _safe_name(text: str) -> str:
    return _SAFE_NAME.sub("_", text).strip("._") or "law"


def _parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _error_detail(response: httpx.Response) -> str:
    """The API's `{"code", "message"}` error body, or the start of whatever came back."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return text[:200]
    if isinstance(body, dict):
        code, message = body.get("code"), body.get("message")
        if code or message:
            return f"{code or ''} {message or ''}".strip()
    return json.dumps(body, ensure_ascii=False)[:200]


def _hit_from_entry(entry: dict[str, Any]) -> LawHit | None:
    law_info = entry.get("law_info") or {}
    revision = entry.get("revision_info") or entry.get("current_revision_info") or {}
    law_id = law_info.get("law_id")
    if not law_id:
        return None
    return LawHit(
        law_id=law_id,
        title=revision.get("law_title") or "",
        law_num=law_info.get("law_num"),
        revision_id=revision.get("law_revision_id"),
    )


class EgovClient:
    """A polite client for the e-Gov 法令API v2 that caches law XML on disk.

    * at most one request per `min_interval` seconds (1 s by default);
    * 429, 5xx and connection errors are retried up to `max_retries` times with exponential
      backoff (`backoff * 2**attempt`, capped at `max_backoff`); a `Retry-After` header wins;
    * other 4xx are never retried.
    """

    def __init__(
        self,
        base_url: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        user_agent: str = DEFAULT_USER_AGENT,
        source: str = "law_data",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if source not in ("law_data", "law_file"):
            raise ValueError(f"source must be 'law_data' or 'law_file', not {source!r}")
        self.base_url = (base_url or default_base_url()).rstrip("/")
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        self.max_retries = max(0, int(max_retries))
        self.backoff = max(0.0, float(backoff))
        self.max_backoff = max_backoff
        self.min_interval = max(0.0, float(min_interval))
        self.source = source
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_request: float | None = None
        self.request_count = 0
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            transport=transport,
        )

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EgovClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, path: str, params: dict[str, Any] | None = None) -> str:
        return str(self._http.build_request("GET", path, params=params).url)

    def _wait_turn(self) -> None:
        if self._last_request is not None and self.min_interval:
            wait = self._last_request + self.min_interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)
        self._last_request = time.monotonic()

    def _get(self, path: str, params: dict[str, Any] | None = None, *, accept: str) -> httpx.Response:
        """GET with rate limiting and retries; returns a 2xx/4xx response, raises FetchError on
        exhausted retries or transport failure."""
        url = self._url(path, params)
        with self._lock:
            for attempt in range(self.max_retries + 1):
                self._wait_turn()
                self.request_count += 1
                try:
                    response = self._http.get(path, params=params, headers={"Accept": accept})
                except httpx.TransportError as exc:
                    if attempt >= self.max_retries:
                        raise FetchError(
                            f"e-Gov API unreachable after {attempt + 1} attempt(s): {exc!r}", url=url
                        ) from exc
                    self._sleep(self._delay(attempt, None))
                    continue
                if response.status_code in RETRY_STATUSES:
                    if attempt >= self.max_retries:
                        raise FetchError(
                            f"e-Gov API still failing after {attempt + 1} attempt(s): {_error_detail(response)}",
                            url=url, status=response.status_code,
                        )
                    self._sleep(self._delay(attempt, response.headers.get("Retry-After")))
                    continue
                return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        parsed = _parse_retry_after(retry_after)
        if parsed is not None:
            return parsed
        return min(self.backoff * (2 ** attempt), self.max_backoff)

    def _get_json(self, path: str, params: dict[str, Any] | None = None,
                  *, not_found_ok: bool = False) -> dict[str, Any] | None:
        response = self._get(path, params, accept="application/json")
        url = str(response.request.url)
        if response.status_code == 404 and not_found_ok:
            return None
        if response.status_code >= 400:
            raise FetchError(f"e-Gov API error: {_error_detail(response)}", url=url, status=response.status_code)
        try:
            data = response.json()
        except ValueError:
            raise FetchError(
                f"e-Gov API answered with something that is not JSON "
                f"({response.headers.get('content-type', '?')}): {response.text[:120]!r}",
                url=url, status=response.status_code,
            ) from None
        if not isinstance(data, dict):
            raise FetchError("e-Gov API answered with unexpected JSON", url=url, status=response.status_code)
        return data

    # -- search -----------------------------------------------------------------------------

    def search(self, keyword: str, *, limit: int = 20, law_num: str | None = None) -> list[LawHit]:
        """Laws whose title contains `keyword` (`GET /laws?law_title=`); by 法令番号 if `law_num`."""
        params: dict[str, Any] = {"limit": limit, "response_format": "json"}
        if law_num:
            params["law_num"] = law_num
        if keyword:
            params["law_title"] = keyword
        if "law_num" not in params and "law_title" not in params:
            raise ValueError("search needs a keyword or a law_num")
        data = self._get_json("/laws", params, not_found_ok=True)
        return self._hits(data, "laws", limit)

    def search_text(self, keyword: str, *, limit: int = 20) -> list[LawHit]:
        """Laws whose text contains `keyword` (`GET /keyword?keyword=`)."""
        if not keyword:
            raise ValueError("search_text needs a keyword")
        data = self._get_json("/keyword", {"keyword": keyword, "limit": limit, "response_format": "json"},
                              not_found_ok=True)
        return self._hits(data, "items", limit)

    @staticmethod
    def _hits(data: dict[str, Any] | None, key: str, limit: int) -> list[LawHit]:
        hits: list[LawHit] = []
        seen: set[str] = set()
        for entry in (data or {}).get(key) or []:
            hit = _hit_from_entry(entry) if isinstance(entry, dict) else None
            if hit and hit.law_id not in seen:
                seen.add(hit.law_id)
                hits.append(hit)
        return hits[:limit]

    # -- download ---------------------------------------------------------------------------

    def law_dir(self, law_id: str, cache_dir: Path | None = None) -> Path:
        return (cache_dir or self.cache_dir) / _safe_name(law_id)

    def cached_path(self, law_id: str, revision_id: str | None = None,
                    cache_dir: Path | None = None) -> Path | None:
        """The cached XML for `law_id` (a given revision, or the newest download), if any."""
        directory = self.law_dir(law_id, cache_dir)
        if revision_id:
            path = directory / f"{_safe_name(revision_id)}.xml"
            return path if path.is_file() else None
        meta = directory / META_FILE
        try:
            name = json.loads(meta.read_text(encoding="utf-8")).get("file")
        except (OSError, ValueError, AttributeError):
            name = None
        if name and (directory / name).is_file():
            return directory / name
        candidates = sorted(directory.glob("*.xml"), key=lambda p: p.stat().st_mtime) if directory.is_dir() else []
        return candidates[-1] if candidates else None

    def fetch_law(self, law_id: str, *, refresh: bool = False, revision_id: str | None = None,
                  cache_dir: str | os.PathLike[str] | None = None) -> Path:
        """Download the XML of `law_id` into the cache and return its path.

        Without `refresh` a cached copy is returned without touching the network (the copy of
        `revision_id` when given — a search hit knows it — else the newest download).
        """
        law_id = law_id.strip()
        if not law_id:
            raise ValueError("empty law id")
        root_dir = Path(cache_dir).expanduser() if cache_dir is not None else None
        if not refresh:
            cached = self.cached_path(law_id, revision_id, root_dir)
            if cached is not None:
                return cached
        if self.source == "law_file":
            payload, info = self._download_law_file(law_id)
        else:
            payload, info = self._download_law_data(law_id)
        try:
            validate_law_xml(payload)
        except ValueError as exc:
            raise FetchError(f"e-Gov API did not return law XML for {law_id}: {exc}", url=info["url"]) from None

        stored_id = info.get("law_id") or law_id
        revision = info.get("law_revision_id")
        stem = _safe_name(revision) if revision else date.today().isoformat()
        path = self.law_dir(stored_id, root_dir) / f"{stem}.xml"
        _atomic_write(path, payload)
        meta = {
            "law_id": stored_id,
            "law_revision_id": revision,
            "law_title": info.get("law_title"),
            "law_num": info.get("law_num"),
            "file": path.name,
            "source_url": info["url"],
            "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        _atomic_write(path.parent / META_FILE, json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
        return path

    def _download_law_data(self, law_id: str) -> tuple[bytes, dict[str, Any]]:
        path = f"/law_data/{law_id}"
        params = {"law_full_text_format": "xml", "response_format": "json"}
        url = self._url(path, params)
        data = self._get_json(path, params)
        assert data is not None
        law_info = data.get("law_info") or {}
        revision = data.get("revision_info") or {}
        text = data.get("law_full_text")
        if not isinstance(text, str) or not text.strip():
            raise FetchError(f"e-Gov API returned no XML law_full_text for {law_id}", url=url)
        stripped = text.lstrip()
        if stripped.startswith("<"):
            payload = stripped.encode("utf-8")
        else:
            try:
                payload = base64.b64decode(stripped, validate=False)
            except (binascii.Error, ValueError):
                raise FetchError(f"law_full_text of {law_id} is neither XML nor Base64", url=url) from None
        info = {
            "url": url,
            "law_id": law_info.get("law_id"),
            "law_num": law_info.get("law_num"),
            "law_title": revision.get("law_title"),
            "law_revision_id": revision.get("law_revision_id"),
        }
        return payload, info

    def _download_law_file(self, law_id: str) -> tuple[bytes, dict[str, Any]]:
        path = f"/law_file/xml/{law_id}"
        url = self._url(path)
        response = self._get(path, accept="application/xml")
        if response.status_code >= 400:
            raise FetchError(f"e-Gov API error: {_error_detail(response)}", url=url, status=response.status_code)
        revision = None
        match = _DISPOSITION_NAME.search(response.headers.get("content-disposition", ""))
        if match:
            revision = Path(match.group(1)).stem or None
        payload = response.content
        info: dict[str, Any] = {"url": url, "law_id": law_id if looks_like_law_id(law_id) else None,
                                "law_revision_id": revision}
        try:
            root = validate_law_xml(payload)
        except ValueError:
            return payload, info  # fetch_law reports it
        info["law_num"] = (root.findtext("LawNum") or "").strip() or None
        info["law_title"] = (root.findtext("LawBody/LawTitle") or "").strip() or None
        if info["law_id"] is None and revision and looks_like_law_id(revision.split("_")[0]):
            info["law_id"] = revision.split("_")[0]
        return payload, info


def fetch(target: str, cache_dir: str | os.PathLike[str] | None = None, client: EgovClient | None = None,
          *, max_hits: int = DEFAULT_MAX_HITS, refresh: bool = False,
          base_url: str | None = None) -> list[Path]:
    """Fetch `target` into the cache and return the XML paths.

    `target` is a LawId (`327AC0000000231`), a 法令番号 (`令和元年法律第一号`) or a title keyword;
    keywords are searched with `GET /laws?law_title=` and the first `max_hits` laws are fetched.
    """
    target = target.strip()
    if not target:
        raise ValueError("empty target")
    own = client is None
    if client is None:
        client = EgovClient(base_url=base_url, cache_dir=cache_dir)
    try:
        if looks_like_law_id(target):
            return [client.fetch_law(target, refresh=refresh, cache_dir=cache_dir)]
        if looks_like_law_num(target):
            hits = client.search("", law_num=target, limit=max_hits)
        else:
            hits = client.search(target, limit=max_hits)
        return [client.fetch_law(hit.law_id, refresh=refresh, revision_id=hit.revision_id, cache_dir=cache_dir)
                for hit in hits[:max_hits]]
    finally:
        if own:
            client.close()


def default_min_interval() -> float:
    """`$ANALOGMAP_EGOV_INTERVAL` seconds between requests, else 1 s."""
    try:
        return max(0.0, float(os.environ[INTERVAL_ENV]))
    except (KeyError, ValueError):
        return DEFAULT_MIN_INTERVAL


def fetch_command(target: str, cache_dir: Path | None = None, base_url: str | None = None,
                  *, max_hits: int = DEFAULT_MAX_HITS, refresh: bool = False,
                  min_interval: float | None = None) -> int:
    """CLI body for `analogmap fetch TARGET`: download, print a table, return the exit code.

    0: something was downloaded (or found in the cache); 1: nothing matched or an error.
    The base URL is `base_url`, else `$ANALOGMAP_EGOV_API`, else the public API; the cache is
    `cache_dir`, else `$ANALOGMAP_CACHE`, else `~/.cache/analogmap/egov`; the spacing between
    requests is `min_interval`, else `$ANALOGMAP_EGOV_INTERVAL`, else 1 s.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    err = Console(stderr=True)
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    try:
        interval = default_min_interval() if min_interval is None else min_interval
        with EgovClient(base_url=base_url or default_base_url(), cache_dir=cache, min_interval=interval) as client:
            paths = fetch(target, cache, client, max_hits=max_hits, refresh=refresh)
    except FetchError as exc:
        err.print(f"[red]fetch failed:[/red] {escape(str(exc))}", highlight=False)
        return 1
    except ValueError as exc:
        err.print(f"[red]invalid target:[/red] {escape(str(exc))}", highlight=False)
        return 1
    if not paths:
        err.print(f"[yellow]no law matched[/yellow] {escape(repr(target))}", highlight=False)
        return 1
    table = Table(title=f"e-Gov: {target}")
    table.add_column("law_id")
    table.add_column("title")
    table.add_column("file")
    for path in paths:
        meta = _read_meta(path.parent)
        table.add_row(meta.get("law_id") or path.parent.name, meta.get("law_title") or "", str(path))
    console.print(table)
    return 0


def _read_meta(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


__all__ = [
    "DEFAULT_BASE_URL", "EgovClient", "FetchError", "LawHit", "default_base_url", "default_cache_dir",
    "default_min_interval",
    "fetch", "fetch_command", "looks_like_law_num", "validate_law_xml",
]
