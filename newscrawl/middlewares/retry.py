"""Retries that wait: exponential backoff, and Retry-After when the server gives one.

Scrapy's `RetryMiddleware` re-queues a failed request at once and ignores the
Retry-After header (scrapy/scrapy#3848, open since 2019), so a throttled crawler
hammers the server that asked it to wait. `BackoffRetryMiddleware` replaces it in
`DOWNLOADER_MIDDLEWARES` and keeps its settings (RETRY_ENABLED, RETRY_TIMES,
RETRY_HTTP_CODES, RETRY_EXCEPTIONS, the `dont_retry` / `max_retry_times` meta keys).

The wait happens on the event loop (`scrapy.utils.asyncio.sleep`), never blocking
the reactor; the request being retried keeps its downloader slot while it waits,
which slows the crawl down exactly when the server asked for it.

Every retry is one INFO line saying what, why and when
(``listing page 1: connection refused, retry 2 of 3 in 4 s``), so a run against a site
that is down is never silent. robots.txt is not retried when the site cannot be reached
at all: the page waiting for it is retried anyway, and says so.

Settings:

* ``NEWSCRAWL_RETRY_BACKOFF_BASE`` (default 2.0 s): wait before the first retry of a
  failure without Retry-After; doubled on every further retry.
* ``NEWSCRAWL_RETRY_BACKOFF_MAX`` (default 60 s): ceiling of that wait.
* ``NEWSCRAWL_RETRY_AFTER_MAX`` (default 120 s): the longest Retry-After honoured. A
  server asking for longer is not retried in this run: the page is reported failed.

Stats: ``newscrawl/retry/backoff_count``, ``newscrawl/retry/retry_after_count``,
``newscrawl/retry/retry_after_invalid``, ``newscrawl/retry/retry_after_too_long``,
``newscrawl/retry/waited_seconds`` (plus Scrapy's own ``retry/*``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.http import Request
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message
from twisted.internet.error import ConnectError, DNSLookupError

from newscrawl import requestmeta
from newscrawl.logs import describe_error
from newscrawl.urls import article_section

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

logger = logging.getLogger(__name__)

#: The site is not there at all: no point asking it for robots.txt again.
_UNREACHABLE = (
    DownloadConnectionRefusedError,
    CannotResolveHostError,
    ConnectError,
    DNSLookupError,
)


def describe_request(request: Request) -> str:
    """What a request is for, in a person's words: "listing page 2", "robots.txt"."""
    path = urlsplit(request.url).path
    if path == "/robots.txt":
        return "robots.txt"
    if request.meta.get(requestmeta.SITEMAP):
        return f"sitemap {request.url}"
    page = request.cb_kwargs.get("page")
    if isinstance(page, int) and article_section(path) is None:
        return f"listing page {page}"
    return request.url


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP-date)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry (see the module docstring)."""

    def __init__(
        self,
        settings: BaseSettings,
        *,
        backoff_base: float,
        backoff_max: float,
        retry_after_max: float,
    ) -> None:
        super().__init__(settings)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        middleware = cls(
            settings,
            backoff_base=settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE", 2.0),
            backoff_max=settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX", 60.0),
            retry_after_max=settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 120.0),
        )
        middleware.crawler = crawler
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        stats = self.crawler.stats
        assert stats is not None
        wait = self._retry_after(request, response)
        if wait is not None and wait > self.retry_after_max:
            stats.inc_value("newscrawl/retry/retry_after_too_long")
            logger.warning(
                "Not retrying %(url)s: the server asks to wait %(wait).0f s, more than "
                "NEWSCRAWL_RETRY_AFTER_MAX=%(max).0f s",
                {"url": request.url, "wait": wait, "max": self.retry_after_max},
                extra={"spider": self.crawler.spider},
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait is None:
            wait = self._backoff(request)
            stats.inc_value("newscrawl/retry/backoff_count")
        else:
            stats.inc_value("newscrawl/retry/retry_after_count")
        self._announce(retry, f"HTTP {response.status}", wait)
        await self._pause(wait)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if isinstance(exception, _UNREACHABLE) and describe_request(request) == "robots.txt":
            return None
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/retry/backoff_count")
            wait = self._backoff(request)
            self._announce(retry, describe_error(exception), wait)
            await self._pause(wait)
        return retry

    def _announce(self, retry: Request, why: str, wait: float) -> None:
        logger.info(
            "%(what)s: %(why)s, retry %(n)d of %(of)d in %(wait)s s",
            {
                "what": describe_request(retry),
                "why": why,
                "n": int(retry.meta.get("retry_times", 1)),
                "of": int(retry.meta.get("max_retry_times", self.max_retry_times)),
                "wait": f"{wait:.3g}",
            },
            extra={"spider": self.crawler.spider},
        )

    def _backoff(self, request: Request) -> float:
        failures_so_far = int(request.meta.get("retry_times", 0))
        return float(min(self.backoff_max, self.backoff_base * 2**failures_so_far))

    def _retry_after(self, request: Request, response: Response) -> float | None:
        raw = response.headers.get("Retry-After")
        if raw is None:
            return None
        # Measured against the server's own clock, an HTTP-date is immune to skew with ours.
        now = _header_date(response.headers.get("Date")) or datetime.now(timezone.utc)
        wait = parse_retry_after(raw.decode("latin-1"), now)
        if wait is None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/retry/retry_after_invalid")
            logger.info(
                "Ignoring unreadable Retry-After %(value)r from %(url)s; backing off instead",
                {"value": raw, "url": request.url},
                extra={"spider": self.crawler.spider},
            )
        return wait

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        assert self.crawler.stats is not None
        waited = float(self.crawler.stats.get_value("newscrawl/retry/waited_seconds", 0.0))
        self.crawler.stats.set_value("newscrawl/retry/waited_seconds", round(waited + seconds, 3))
        await sleep(seconds)


def _header_date(raw: bytes | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
