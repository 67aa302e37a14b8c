"""Sitemaps fetched conditionally: Scrapy's HTTP cache, for sitemap requests only.

Scrapy's `HttpCacheMiddleware` with these two classes (``HTTPCACHE_POLICY``,
``HTTPCACHE_STORAGE`` in newscrawl/settings.py) keeps the last copy of each sitemap
beside the crawl state and revalidates it the way a browser would (RFC 2616: fresh while
the server's max-age lasts, then ``If-None-Match`` / ``If-Modified-Since``). A run with
nothing new gets "304 Not Modified" and is handed the stored copy, so the spider still
reads every entry (and the coverage check still runs) at the cost of a tiny request.

A sitemap that does not exist (404/410, the site's conventional address on a site
without it, an old robots.txt line) is remembered as missing for
``NEWSCRAWL_SITEMAP_MISSING_RECHECK_HOURS`` (24), so hourly runs do not ask again.

Only requests carrying the ``newscrawl_sitemap`` meta key are cached; listing and
article pages never are (their freshness is the crawl state's business). The cache
lives in ``<state file stem>.sitemaps/`` next to the state file, and is off with the
state (``NEWSCRAWL_STATE_PATH`` empty, or no local run file: every run fetches every
sitemap in full).
"""

from __future__ import annotations

import base64
import gzip
import json
from time import time
from typing import TYPE_CHECKING

from scrapy.extensions.httpcache import RFC2616Policy, rfc1123_to_epoch
from scrapy.utils.response import response_from_dict

from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.requestmeta import SITEMAP as SITEMAP_META

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Spider
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

_MISSING = frozenset({404, 410})
_VALIDATORS = ((b"ETag", b"If-None-Match"), (b"Last-Modified", b"If-Modified-Since"))


def _explicit_lifetime(response: Response) -> bool:
    """Whether the server said how long the response stays fresh."""
    control = (response.headers.get(b"Cache-Control") or b"").lower()
    return b"max-age" in control or b"Expires" in response.headers


class SitemapCachePolicy(RFC2616Policy):
    """RFC 2616 caching for sitemap requests; a missing sitemap is remembered a while."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.missing_recheck = 3600 * settings.getfloat("NEWSCRAWL_SITEMAP_MISSING_RECHECK_HOURS")

    def should_cache_request(self, request: Request) -> bool:
        return bool(request.meta.get(SITEMAP_META)) and super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if response.status in _MISSING:
            return self.missing_recheck > 0
        return super().should_cache_response(response, request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        if cachedresponse.status in _MISSING:
            stored = rfc1123_to_epoch(cachedresponse.headers.get(b"Date"))
            return stored is not None and time() - stored < self.missing_recheck
        fresh = super().is_cached_response_fresh(cachedresponse, request)
        if fresh and not _explicit_lifetime(cachedresponse):
            # Fresh only by the browsers' heuristic (a share of the time since
            # Last-Modified): a news sitemap changes without notice, so ask the server.
            for validator, condition in _VALIDATORS:
                value = cachedresponse.headers.get(validator)
                if value:
                    request.headers[condition] = value
            return False
        return fresh


class SitemapCacheStorage:
    """A cache storage (Scrapy's storage interface) beside the crawl state file.

    One JSON file per request fingerprint holding the response (`Response.to_dict`,
    headers as text, body gzipped and base64-encoded), written under a temporary name
    and renamed, so a run killed mid-write leaves the previous copy or none. Sitemaps are
    a handful of files per site; nothing here is meant for pages.
    """

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        self.folder: Path | None = None

    def open_spider(self, spider: Spider) -> None:
        # Without a crawl state (`scrapy check` keeps none) nothing is kept.
        state = crawl_state(spider.crawler)
        self.folder = state.path.with_name(state.path.stem + ".sitemaps") if state else None
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        self.folder = None

    def _path(self, request: Request) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"{self._fingerprinter.fingerprint(request).hex()}.json"

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        path = self._path(request)
        if path is None or not path.is_file():
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            data = dict(stored["response"])
            data["body"] = gzip.decompress(base64.b64decode(stored["body"]))
            data["headers"] = {
                k: [v.encode("latin-1") for v in vs] for k, vs in data["headers"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            # The middleware counts a failed read as a miss; say which file it was.
            raise OSError(f"unreadable sitemap cache entry {path}: {exc}") from exc
        request.meta["cache_timestamp"] = stored.get("stored_at")
        return response_from_dict(data)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        path = self._path(request)
        if path is None:
            return
        data = response.to_dict()
        data.pop("ip_address", None)  # an ipaddress object, and of no use in a cached copy
        body = base64.b64encode(gzip.compress(data.pop("body"))).decode("ascii")
        data["headers"] = {
            k.decode("latin-1"): [v.decode("latin-1") for v in vs]
            for k, vs in data["headers"].items()
        }
        entry = {"url": request.url, "stored_at": time(), "response": data, "body": body}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        tmp.replace(path)
