"""The `jakartapost` spider: section listing pages to article pages.

It only navigates. Listing pages are read by `ListingPage`, articles by `ArticlePage`;
cleaning and validation happen in the item pipelines, writing in the feed exporter.

Arguments (see `newscrawl.spiders.arguments`): `section` (default "world"), `since`
(stop paginating once the listing reaches older articles), `max_pages`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from newscrawl import signals
from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.pages.article import ArticlePage, PageParseError
from newscrawl.pages.listing import ListingPage
from newscrawl.runstatus import fail_run
from newscrawl.spiders.arguments import ArgumentError, CrawlArguments
from newscrawl.urls import article_identity, is_loopback, on_site_root, rebase

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure
    from typing_extensions import Self

    from newscrawl.pages.listing import ListingEntry

DEFAULT_FEED_OPTIONS = {"format": "jsonlines", "encoding": "utf-8"}
# Articles before further listing pages: finish what is known before discovering more,
# which keeps the scheduler queue (and memory) small on long backfills.
ARTICLE_PRIORITY = 10
LISTING_PRIORITY = 0


class JakartaPostSpider(scrapy.Spider):
    name = "jakartapost"

    def __init__(self, *args: Any, arguments: CrawlArguments | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arguments = arguments or CrawlArguments()
        self.section = self.arguments.section
        # The run's start names its files: %(run_id)s, and %(time)s (newscrawl.runfiles).
        self.started_at = datetime.now(timezone.utc).replace(microsecond=0)
        self.run_id = self.started_at.strftime("%Y%m%dT%H%M%SZ")
        self.base_url = "https://www.thejakartapost.com"
        # The callbacks given to every request, bound once. Scrapy checks each callback
        # for a generator `return value` by parsing its source (`ast`), caching the verdict
        # under a weak reference to the bound method: a fresh `self.parse_article` per
        # request is dropped with its request, so the source was parsed again every few
        # pages (~1% of a crawl's CPU). Keeping one bound method alive keeps the verdict.
        self._on_article = self.parse_article
        self._on_article_error = self.article_failed
        self._on_listing = self.parse_listing
        self._on_listing_error = self.listing_failed

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # FEEDS merges per key, so a default in settings.py would still be written next
        # to -o/-O; add the default run file only when no feed was configured at all.
        default_feed = settings.get("NEWSCRAWL_DEFAULT_FEED")
        if default_feed and not settings.getdict("FEEDS"):
            settings.set("FEEDS", {default_feed: DEFAULT_FEED_OPTIONS}, priority="spider")

    @classmethod
    def parse_arguments(cls, raw: dict[str, Any]) -> CrawlArguments:
        return CrawlArguments.parse(raw)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        arguments = cls.parse_arguments(kwargs)
        spider = super().from_crawler(crawler, *args, arguments=arguments)
        spider.base_url = _validated_base_url(crawler.settings.get("JAKARTAPOST_BASE_URL"))
        if is_loopback(spider.base_url) and crawler.settings.getbool("NEWSCRAWL_LOOPBACK_FAST"):
            _lift_politeness_for_loopback(crawler)
        return spider

    # --- navigation -------------------------------------------------------------------
    def listing_url(self, page: int) -> str:
        path = f"{self.base_url}/{self.section}/latest"
        return path if page == 1 else f"{path}?page={page}"

    def _listing_request(self, page: int, url: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            url or self.listing_url(page),
            callback=self._on_listing,
            errback=self._on_listing_error,
            cb_kwargs={"page": page},
            priority=LISTING_PRIORITY,
            dont_filter=url is not None,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.logger.info(
            "Crawling section %(section)s from %(base)s (since=%(since)s, max_pages=%(max_pages)s)",
            {
                "section": self.section,
                "base": self.base_url,
                "since": self.arguments.since,
                "max_pages": self.arguments.max_pages,
            },
        )
        yield self._listing_request(1)
        for request in self._due_retries():
            yield request

    def _due_retries(self) -> list[scrapy.Request]:
        """Article pages that failed earlier runs and are due to be tried again: asked
        for wherever the listing now has them, or they would wait for ever once they
        slid past the listing pages a run reads (newscrawl.state.manager)."""
        state = crawl_state(self.crawler)
        if state is None:
            return []
        requests = []
        for page in state.due():
            url = rebase(page.url, self.base_url)
            if url is not None:
                requests.append(
                    scrapy.Request(
                        url,
                        callback=self._on_article,
                        errback=self._on_article_error,
                        priority=ARTICLE_PRIORITY,
                        cb_kwargs={"listing_page": 0},
                        meta={"newscrawl_channel": "retry"},
                    )
                )
        return requests

    def parse_listing(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        """A listing page: one request per wanted article, then the next page.

        @url https://www.thejakartapost.com/world/latest
        @on_base_url
        @cb_kwargs {"page": 1}
        @returns items 0 0
        @returns requests 2
        """
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("newscrawl/listing/pages")
        if not isinstance(response, TextResponse):
            self._page_failed(
                response.url,
                "listing",
                "not an HTML page",
                response.status,
                _attempts(response.request),
            )
            return
        listing = ListingPage(response, section=self.section, base_url=self.base_url)
        entries = listing.entries()
        if listing.skipped:
            # Other sections' and sponsored entries share the list: counted, not followed.
            stats.inc_value("newscrawl/listing/entries_outside_section", listing.skipped)
            self.logger.debug(
                "Listing page %(page)d: %(n)d entries link outside the section, not followed",
                {"page": page, "n": listing.skipped},
            )
        if not entries:
            self.logger.info(
                "Listing page %(page)d lists no article: end of the section", {"page": page}
            )
            if page == 1:
                # The section always lists something: an empty first page means the
                # listing markup changed (or the page is not a listing), not "no news".
                stats.inc_value("newscrawl/listing/empty_first_page")
                fail_run(stats, f"listing page 1 ({response.url}) lists no article")
            return
        stats.inc_value("newscrawl/listing/entries", len(entries))
        wanted = [e for e in entries if self._wanted(e)]
        for entry in wanted:
            yield scrapy.Request(
                entry.url,
                callback=self._on_article,
                errback=self._on_article_error,
                priority=ARTICLE_PRIORITY,
                cb_kwargs={"listing_page": page},
                meta=_listed_meta(entry),
            )
        if self._should_paginate(page, entries, wanted):
            yield self._listing_request(page + 1)

    def _wanted(self, entry: ListingEntry) -> bool:
        since = self.arguments.since
        return since is None or entry.published is None or entry.published >= since

    def _should_paginate(
        self, page: int, entries: list[ListingEntry], wanted: list[ListingEntry]
    ) -> bool:
        max_pages = self.arguments.max_pages
        if max_pages is not None and page >= max_pages:
            self.logger.info(
                "Reached max_pages=%(max)d: not paginating further", {"max": max_pages}
            )
            return False
        if self.arguments.since is not None and len(wanted) < len(entries):
            self.logger.info(
                "Listing page %(page)d reaches articles older than since=%(since)s: stopping",
                {"page": page, "since": self.arguments.since},
            )
            return False
        return True

    def parse_article(self, response: Response, listing_page: int) -> Iterator[Any]:
        """An article page: one raw record.

        @url https://www.thejakartapost.com/world/2022/08/03/russia-backs-myanmar-juntas-efforts-to-stabilise-country-lavrov.html
        @on_base_url
        @cb_kwargs {"listing_page": 1}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url title body published_at section extraction_path
        """
        if response.status == 304:  # a re-check found no change (newscrawl.middlewares.incremental)
            return
        if not isinstance(response, TextResponse):
            self._page_failed(
                response.url,
                "article",
                "not an HTML page",
                response.status,
                _attempts(response.request),
            )
            return
        page = ArticlePage(response, section=self.section, fetched_at=datetime.now(timezone.utc))
        try:
            item = page.to_item()
        except PageParseError as exc:
            self._page_failed(
                response.url, "article", exc.reason, response.status, _attempts(response.request)
            )
            return
        stats = self.crawler.stats
        assert stats is not None
        for problem in page.problems:
            stats.inc_value(f"newscrawl/article/problem/{problem}")
        stats.inc_value(f"newscrawl/extraction_path/{item.extraction_path}")
        yield item

    # --- failures ---------------------------------------------------------------------
    def listing_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        status = _status(failure)
        page = request.cb_kwargs.get("page", 0)
        # The first page is also served as /latest?page=1; try that spelling once.
        if page == 1 and status == 404 and "page=" not in request.url:
            yield self._listing_request(1, f"{request.url}?page=1")
            return
        # Past the last page some servers answer 404 instead of an empty list: after a
        # page that listed articles, that is the end of the section, not a failure.
        if page > 1 and status in (404, 410):
            self.logger.info(
                "Listing page %(page)d answered %(status)d: end of the section",
                {"page": page, "status": status},
            )
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/listing/ended_by_status")
            return
        self._page_failed(request.url, "listing", _reason(failure), status, _attempts(request))
        assert self.crawler.stats is not None
        fail_run(self.crawler.stats, f"listing page {page} failed: {_reason(failure)}")

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        status = _status(failure)
        # Report the URL the listing named, not where a redirect chain gave up.
        listed = request.meta.get("redirect_urls", [request.url])[0]
        self._page_failed(listed, "article", _reason(failure), status, _attempts(request))

    def _page_failed(
        self, url: str, stage: str, reason: str, status: int | None, attempts: int | None = None
    ) -> None:
        self.logger.warning(
            "Could not use %(stage)s page %(url)s: %(reason)s",
            {"stage": stage, "url": url, "reason": reason},
        )
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/{stage}/failed")
        self.crawler.signals.send_catch_log(
            signals.page_failed,
            # Named the way exported records name their article, so the two files join.
            url=article_identity(on_site_root(url)),
            fetched_url=url,
            stage=stage,
            reason=reason,
            status=status,
            attempts=attempts,
            spider=self,
        )


def _listed_meta(entry: ListingEntry) -> dict[str, Any]:
    """What the listing said about an article: the channel, and the date it showed (the
    crawl state tries a gone article again when it comes back with a newer date)."""
    meta: dict[str, Any] = {"newscrawl_channel": "listing"}
    if entry.published is not None:
        meta["newscrawl_listed_at"] = entry.published.isoformat()
    return meta


def _attempts(request: scrapy.Request | None) -> int | None:
    """Requests made for this page, retries included (None when unknown)."""
    return None if request is None else int(request.meta.get("retry_times", 0)) + 1


def _status(failure: Failure) -> int | None:
    """The HTTP status behind a failure, when a response came at all."""
    error = failure.value
    return error.response.status if isinstance(error, HttpError) else None


def _reason(failure: Failure) -> str:
    status = _status(failure)
    if status is not None:
        return f"HTTP {status}"
    kind = failure.type.__name__ if failure.type is not None else "Error"
    return f"{kind}: {failure.getErrorMessage()}"


def _validated_base_url(value: str | None) -> str:
    base = (value or "").strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(
            f"JAKARTAPOST_BASE_URL={value!r} is not an http(s) site root such as https://www.thejakartapost.com"
        )
    return base


def _lift_politeness_for_loopback(crawler: Crawler) -> None:
    settings = crawler.settings
    project = settings.getpriority("BOT_NAME") or 20
    lifted = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    }
    for name, value in lifted.items():
        if (settings.getpriority(name) or 0) <= project:
            settings.set(name, value, priority=project)
