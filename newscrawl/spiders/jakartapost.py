"""The `jakartapost` spider: the section's listing pages and sitemaps to article pages.

It only navigates. Articles are discovered through channels (the `discover` argument):

* ``listing``: the section's listing pages, ``/{section}/latest?page=N``, read by
  `ListingPage`;
* ``sitemap``: the section's news sitemap (recent articles), found from robots.txt
  ``Sitemap:`` lines, sitemap indexes, and the address the site uses
  (``/{section}/news/sitemap.xml``), read by `SitemapPage`;
* ``archive``: the section's archive sitemap (``/{section}/web/sitemap.xml`` and the
  like): every article, for backfills; off unless asked for.

Each article is requested once per run whichever channels name it. What each channel
showed is signalled (`newscrawl.signals.listing_read`, `sitemap_read`) to the coverage
check (`newscrawl.extensions.coverage`), which compares them. Articles are read by
`ArticlePage`; cleaning and validation happen in the item pipelines, writing in the feed
exporter.

Arguments (see `newscrawl.spiders.arguments`): `section` (default "world"), `since`
(skip older articles, stop paginating once the listing reaches them), `max_pages`
(listing pages), `discover` (channels, default "listing,sitemap").

The request meta keys the spider sets are listed in `newscrawl.requestmeta`.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals as scrapy_signals
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots

from newscrawl import requestmeta, signals
from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.extraction_service import ExtractionService
from newscrawl.pages.fields import date_from_url
from newscrawl.pages.listing import ListingPage
from newscrawl.pages.sitemap import SitemapError, SitemapPage
from newscrawl.runstatus import fail_run
from newscrawl.spiders.arguments import ArgumentError, CrawlArguments
from newscrawl.urls import (
    ARCHIVE_SITEMAP_PATH,
    NEWS_SITEMAP_PATH,
    article_identity,
    article_key,
    is_loopback,
    is_section_article,
    on_site_root,
    rebase,
    sitemap_kind,
    sitemap_section,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure
    from typing_extensions import Self

    from newscrawl.pages.listing import ListingEntry
    from newscrawl.pages.sitemap import SitemapEntry

DEFAULT_FEED_OPTIONS = {"format": "jsonlines", "encoding": "utf-8"}
# Articles before further listing pages: finish what is known before discovering more,
# which keeps the scheduler queue (and memory) small on long backfills. Sitemaps sit
# between: a few documents that may name many articles.
ARTICLE_PRIORITY = 10
SITEMAP_PRIORITY = 5
LISTING_PRIORITY = 0
#: Set (to 1) when the listing's pagination ended where the section ends (an empty page,
#: a 404 past the last page, a page with nothing new), not at max_pages or since.
REACHED_END = "newscrawl/listing/reached_end"
# Sitemap indexes may name indexes; deeper nesting than this is a loop or a trap.
MAX_SITEMAP_DEPTH = 3


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
        self.channels = frozenset(self.arguments.discover)
        self.obeys_robots = True
        self.sitemap_max_size = 50 * 1024 * 1024
        self.sitemap_max_files = 50
        # Article keys the listing pages of this run showed.
        self._listed: set[str] = set()
        self._sitemaps: set[str] = set()
        self._sitemaps_seen: set[str] = set()
        self._sitemap_limit_logged = False
        self._extraction: ExtractionService | None = None
        # The callbacks given to every request, bound once. Scrapy checks each callback
        # for a generator `return value` by parsing its source (`ast`), caching the verdict
        # under a weak reference to the bound method: a fresh `self.parse_article` per
        # request is dropped with its request, so the source was parsed again every few
        # pages (~1% of a crawl's CPU). Keeping one bound method alive keeps the verdict.
        self._on_article = self.parse_article
        self._on_article_error = self.article_failed
        self._on_listing = self.parse_listing
        self._on_listing_error = self.listing_failed
        self._on_sitemap = self.parse_sitemap
        self._on_sitemap_error = self.sitemap_failed

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
        settings = crawler.settings
        spider.base_url = _validated_base_url(settings.get("JAKARTAPOST_BASE_URL"))
        if is_loopback(spider.base_url) and settings.getbool("NEWSCRAWL_LOOPBACK_FAST"):
            _lift_politeness_for_loopback(crawler)
        spider.obeys_robots = settings.getbool("ROBOTSTXT_OBEY")
        spider.sitemap_max_size = settings.getint("NEWSCRAWL_SITEMAP_MAXSIZE")
        spider.sitemap_max_files = settings.getint("NEWSCRAWL_SITEMAP_MAX_FILES")
        crawler.signals.connect(spider.robots_parsed, signal=scrapy_signals.robots_parsed)
        spider._extraction = ExtractionService.from_crawler(crawler)
        return spider

    @property
    def uses_sitemaps(self) -> bool:
        return bool(self.channels & {"sitemap", "archive"})

    @property
    def extraction(self) -> ExtractionService:
        """The page object and the per-page cleaning (NEWSCRAWL_CLEANING_PIPELINES), in
        worker processes or in this one (built in `from_crawler`; a spider made without
        it extracts in this process)."""
        if self._extraction is None:
            self._extraction = ExtractionService(self.crawler, workers=0, timeout=0)
        return self._extraction

    # --- navigation -------------------------------------------------------------------
    def listing_url(self, page: int) -> str:
        path = f"{self.base_url}/{self.section}/latest"
        return path if page == 1 else f"{path}?page={page}"

    def _listing_request(
        self, page: int, url: str | None = None, after: list[ListingEntry] | None = None
    ) -> scrapy.Request:
        """Listing page `page`; `after` are the entries of the page before it."""
        meta = {requestmeta.LISTED: [e.url for e in after]} if after else {}
        return scrapy.Request(
            url or self.listing_url(page),
            callback=self._on_listing,
            errback=self._on_listing_error,
            cb_kwargs={"page": page},
            priority=LISTING_PRIORITY,
            dont_filter=url is not None,
            meta=meta,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.logger.info(
            "Crawling section %(section)s from %(base)s through %(channels)s "
            "(since=%(since)s, max_pages=%(max_pages)s)",
            {
                "section": self.section,
                "base": self.base_url,
                "channels": ", ".join(self.arguments.discover),
                "since": self.arguments.since,
                "max_pages": self.arguments.max_pages,
            },
        )
        if "listing" in self.channels:
            yield self._listing_request(1)
        for retry in self._due_retries():
            yield retry
        if not self.uses_sitemaps:
            return
        if not self.obeys_robots:
            # The robots.txt middleware is off, so nobody reads the file's Sitemap lines.
            yield scrapy.Request(
                f"{self.base_url}/robots.txt",
                callback=self.parse_robots,
                errback=self.robots_failed,
                priority=SITEMAP_PRIORITY,
            )
        for path in (NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH):
            request = self._sitemap_request(self.base_url + path.format(section=self.section))
            if request is not None:
                yield request

    def _due_retries(self) -> Iterator[scrapy.Request]:
        """Article pages that failed earlier runs and are due to be tried again, asked for
        wherever (if at all) a channel shows them now: a page that slid past the listing
        pages a run reads would otherwise never get its turn (newscrawl.state.manager)."""
        state = crawl_state(self.crawler)
        for page in state.due() if state is not None else []:
            url = rebase(page.url, self.base_url)
            if url is not None:
                yield from self._article_request(url, "retry")

    # --- sitemaps -----------------------------------------------------------------------
    def robots_parsed(self, robotparser: RobotParser, request: scrapy.Request) -> None:
        """Scrapy's robots.txt middleware read the site's robots.txt: follow its Sitemap
        lines (Protego, Scrapy's default parser, keeps them)."""
        if not self.uses_sitemaps or urlsplit(request.url).netloc != urlsplit(self.base_url).netloc:
            return
        parsed = getattr(robotparser, "rp", None)
        found = list(getattr(parsed, "sitemaps", None) or [])
        engine = self.crawler.engine
        for url in found:
            sitemap = self._sitemap_request(url)
            if sitemap is not None and engine is not None:
                engine.crawl(sitemap)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else ""
        for url in sitemap_urls_from_robots(text, base_url=response.url):
            sitemap = self._sitemap_request(url)
            if sitemap is not None:
                yield sitemap

    def robots_failed(self, failure: Failure) -> None:
        self.logger.info(
            "robots.txt could not be read (%(reason)s): no Sitemap lines from it",
            {"reason": _reason(failure)},
        )

    def _sitemap_request(self, url: str, depth: int = 0) -> scrapy.Request | None:
        """A request for the sitemap at `url` (moved onto the site root), or None when it
        is not wanted: another section's, an archive sitemap without the archive channel,
        one already requested, or past the nesting and file limits (each counted)."""
        stats = self.crawler.stats
        assert stats is not None
        target = rebase(urljoin(self.base_url + "/", url.strip()), self.base_url)
        if target is None:
            stats.inc_value("newscrawl/discovery/sitemaps_offsite")
            return None
        if target in self._sitemaps_seen:
            return None
        self._sitemaps_seen.add(target)
        section, kind = sitemap_section(target), sitemap_kind(target)
        if section is not None and section != self.section.split("/", 1)[0]:
            stats.inc_value("newscrawl/discovery/sitemaps_other_section")
            self.logger.debug("Sitemap of another section, not read: %(url)s", {"url": target})
            return None
        if kind == "archive" and "archive" not in self.channels:
            stats.inc_value("newscrawl/discovery/sitemaps_archive_not_read")
            return None
        if kind == "news" and "sitemap" not in self.channels:
            return None
        if depth > MAX_SITEMAP_DEPTH or len(self._sitemaps) >= self.sitemap_max_files:
            stats.inc_value("newscrawl/discovery/sitemaps_over_limit")
            if not self._sitemap_limit_logged:
                self._sitemap_limit_logged = True
                self.logger.warning(
                    "Not reading sitemap %(url)s: more than %(files)d sitemaps or nested "
                    "deeper than %(depth)d (NEWSCRAWL_SITEMAP_MAX_FILES); further ones are "
                    "only counted",
                    {"url": target, "files": self.sitemap_max_files, "depth": MAX_SITEMAP_DEPTH},
                )
            return None
        self._sitemaps.add(target)
        return scrapy.Request(
            target,
            callback=self._on_sitemap,
            errback=self._on_sitemap_error,
            priority=SITEMAP_PRIORITY,
            cb_kwargs={"depth": depth},
            meta={requestmeta.SITEMAP: True, "download_maxsize": self.sitemap_max_size},
        )

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """A sitemap index (its sitemaps) or urlset (its articles of the section).

        @url https://www.thejakartapost.com/world/news/sitemap.xml
        @on_base_url
        @cb_kwargs {"depth": 0}
        @returns items 0 0
        @returns requests 1
        """
        stats = self.crawler.stats
        assert stats is not None
        page = SitemapPage(response.body, response.url, max_size=self.sitemap_max_size)
        try:
            kind = page.kind
        except SitemapError as exc:
            stats.inc_value("newscrawl/discovery/sitemaps_invalid")
            self._page_failed(
                response.url, "sitemap", f"not a usable sitemap: {exc}", response.status
            )
            return
        stats.inc_value("newscrawl/discovery/sitemaps_read")
        if kind == "index":
            for ref in page.sitemaps():
                request = self._sitemap_request(ref.url, depth + 1)
                if request is not None:
                    yield request
            return
        channel = "sitemap" if page.is_news else "archive"
        entries = []
        for entry in page.entries():
            url = rebase(urljoin(response.url, entry.url), self.base_url)
            if url is None or not is_section_article(url, self.section):
                stats.inc_value("newscrawl/discovery/sitemap_entries_outside_section")
                continue
            entries.append(entry if url == entry.url else _moved(entry, url))
        stats.inc_value(f"newscrawl/discovery/{channel}_entries", len(entries))
        if channel not in self.channels:
            # A sitemap whose address did not say what it holds turned out not to be a
            # news sitemap (the archive, an image sitemap): not a channel of this run.
            self.logger.info(
                "Sitemap %(url)s lists the whole archive (%(n)d articles): not followed "
                "without -a discover=...,archive",
                {"url": response.url, "n": len(entries)},
            )
            return
        # Only a channel this run uses counts as having found its articles.
        self.crawler.signals.send_catch_log(
            signals.sitemap_read, url=response.url, news=page.is_news, entries=entries
        )
        since = self.arguments.since
        for entry in entries:
            day = entry.published or (entry.lastmod.date() if entry.lastmod else None)
            day = day or date_from_url(entry.url)
            if since is not None and day is not None and day < since:
                stats.inc_value("newscrawl/discovery/sitemap_entries_before_since")
                continue
            shown = entry.lastmod or entry.published_at or entry.published
            yield from self._article_request(entry.url, channel, shown)

    def sitemap_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        status = _status(failure)
        stats = self.crawler.stats
        assert stats is not None
        if status in (404, 410):
            # Sitemaps named by convention or by an old robots.txt may not exist.
            stats.inc_value("newscrawl/discovery/sitemaps_missing")
            self.logger.info(
                "No sitemap at %(url)s (HTTP %(status)d)", {"url": request.url, "status": status}
            )
            return
        stats.inc_value("newscrawl/discovery/sitemaps_failed")
        self._page_failed(request.url, "sitemap", _reason(failure), status, _attempts(request))

    # --- articles -----------------------------------------------------------------------
    def _article_request(
        self,
        url: str,
        channel: str,
        shown: date | datetime | None = None,
        teaser: str | None = None,
    ) -> Iterator[scrapy.Request]:
        """The request for an article (repeats of an article are dropped downstream, by
        `newscrawl.middlewares.onceperrun`)."""
        meta: dict[str, Any] = {requestmeta.CHANNEL: channel}
        if shown is not None:
            meta[requestmeta.LISTED_AT] = shown.isoformat()
        if teaser:
            meta[requestmeta.TEASER] = teaser
        yield scrapy.Request(
            url,
            callback=self._on_article,
            errback=self._on_article_error,
            priority=ARTICLE_PRIORITY,
            meta=meta,
            # Each article is requested once per run (newscrawl.middlewares.onceperrun); a
            # redirect from an old slug to an article fetched already is still followed,
            # so the two are known to be one.
            dont_filter=True,
        )

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
        fetched_at = datetime.now(timezone.utc)
        listing = ListingPage(
            response, section=self.section, base_url=self.base_url, now=fetched_at
        )
        entries = listing.entries()
        outside = listing.outside_section()
        if outside:
            # Other sections' and sponsored entries share the list: counted, not followed.
            stats.inc_value("newscrawl/listing/entries_outside_section", outside)
            self.logger.debug(
                "Listing page %(page)d: %(n)d entries link outside the section, not followed",
                {"page": page, "n": outside},
            )
        self.crawler.signals.send_catch_log(
            signals.listing_read,
            page=page,
            url=response.url,
            fetched_at=fetched_at,
            entries=entries,
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
            else:
                stats.set_value(REACHED_END, 1)
            return
        stats.inc_value("newscrawl/listing/entries", len(entries))
        wanted = [e for e in entries if self._wanted(e)]
        for entry in wanted:
            shown = entry.published_at or entry.published
            yield from self._article_request(entry.url, "listing", shown, entry.teaser)
        if self._should_paginate(page, entries, wanted):
            yield self._listing_request(page + 1, after=entries)

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
        keys = {article_key(entry.url) for entry in entries}
        if page > 1 and keys <= self._listed:
            # Past the last page a site may keep showing its sidebars, or ignore ?page=
            # and show page 1 again: a page with nothing new ends the section.
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/listing/ended_without_new_entries")
            self.crawler.stats.set_value(REACHED_END, 1)
            self.logger.info(
                "Listing page %(page)d shows no article earlier pages did not: end of the section",
                {"page": page},
            )
            return False
        self._listed |= keys
        return True

    async def parse_article(self, response: Response) -> list[Any]:
        """An article page: one cleaned record (awaited: extraction may run in a worker
        process while the crawl goes on downloading).

        @url https://www.thejakartapost.com/world/2022/08/03/russia-backs-myanmar-juntas-efforts-to-stabilise-country-lavrov.html
        @on_base_url
        @returns items 1 1
        @returns requests 0 0
        @scrapes url title body published_at section extraction_path
        """
        if response.status == 304:  # a re-check found no change (newscrawl.middlewares.incremental)
            return []
        if not isinstance(response, TextResponse):
            self._page_failed(
                response.url,
                "article",
                "not an HTML page",
                response.status,
                _attempts(response.request),
            )
            return []
        result = await self.extraction.extract(
            response,
            section=self.section,
            fetched_at=datetime.now(timezone.utc),
            teaser=_meta(response).get(requestmeta.TEASER),
        )
        if result.item is None:
            reason = result.failure or "no record extracted"
            self._page_failed(
                response.url, "article", reason, response.status, _attempts(response.request)
            )
            return []
        return [result.item]

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
            self.crawler.stats.set_value(REACHED_END, 1)
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


def _attempts(request: scrapy.Request | None) -> int | None:
    """Requests made for this page, retries included (None when unknown)."""
    return None if request is None else int(request.meta.get("retry_times", 0)) + 1


def _meta(response: Response) -> dict[str, Any]:
    """The meta of the request behind `response` (none for a response made by hand)."""
    return response.request.meta if response.request is not None else {}


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


def _moved(entry: SitemapEntry, url: str) -> SitemapEntry:
    """`entry` named by its URL on the crawled site root."""
    return dataclasses.replace(entry, url=url)
