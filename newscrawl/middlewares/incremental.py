"""Fetch only what is new or may have changed since the last run.

A spider middleware between the spider and the scheduler, using the run's crawl state
(`newscrawl.pipelines.state`):

* an article request whose URL the state knows is dropped before download, unless
  the article was published or modified within ``NEWSCRAWL_RECHECK_HOURS``: then it is
  re-requested with the ETag / Last-Modified of the exported version
  (``If-None-Match`` / ``If-Modified-Since``), and a ``304 Not Modified`` reaches the
  spider as an unchanged article rather than a failure;
* the next listing page is not requested when every article the page showed (the
  spider lists them in the request's ``newscrawl_listed`` meta) is known and outside
  the recheck window, whichever channel requested them (a page still holding recent articles may be
  followed by more recent ones to re-check), unless the previous run stopped (killed,
  failed) deeper in the listing than this page: then the run goes on at least that
  far, so nothing listed there is missed.

It also judges the run: listing entries were requested but not one article came out
of them (extracted, or known to be unchanged) fails the run
(`newscrawl.runstatus.fail_run`). That check also runs with the state off.

Meta key set on re-checks: ``newscrawl_recheck`` (True); see `newscrawl.requestmeta`.

Stats: ``newscrawl/incremental/article_requests`` (seen from the spider),
``newscrawl/incremental/requested`` (let through), ``newscrawl/incremental/skipped``,
``newscrawl/incremental/rechecked``, ``newscrawl/incremental/not_modified``,
``newscrawl/incremental/pagination_stopped``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from newscrawl import requestmeta
from newscrawl.items import Article
from newscrawl.pipelines.state import state_tracker
from newscrawl.runstatus import fail_run, failure_reasons
from newscrawl.urls import article_key, article_section

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

    from newscrawl.state.tracker import StateTracker

logger = logging.getLogger(__name__)

RECHECK_META = requestmeta.RECHECK


def is_article_request(request: Request) -> bool:
    return article_section(urlsplit(request.url).path) is not None


class IncrementalMiddleware:
    crawler: Crawler

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.tracker: StateTracker | None = None
        self.section = ""
        self.resume_page = 0
        # Article keys this run requested as unknown to the state.
        self._fetched_as_new: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_INCREMENTAL_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_INCREMENTAL_ENABLED is off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.tracker = state_tracker(self.crawler)
        self.section = str(getattr(spider, "section", ""))
        if self.tracker is not None:
            self.resume_page = self.tracker.resume_page(self.section)
            if self.resume_page:
                logger.info(
                    "The previous run stopped at listing page %(page)d without finishing: "
                    "paginating at least that far",
                    {"page": self.resume_page},
                )

    # --- output of the spider ---------------------------------------------------------
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        self._start(response)
        for element in result:
            yield from self._filter(response, element)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        self._start(response)
        async for element in result:
            for kept in self._filter(response, element):
                yield kept

    def _start(self, response: Response) -> None:
        if response.status == 304 and response.meta.get(RECHECK_META):
            self.stats.inc_value("newscrawl/incremental/not_modified")
            if self.tracker is not None:
                self.tracker.not_modified(response.url)
        page = _listing_page(response)
        if page is not None and self.tracker is not None:
            self.tracker.reached_listing_page(self.section, page)

    def _filter(self, response: Response, element: Any) -> Iterator[Any]:
        if isinstance(element, Article):
            self._note_article(response, element)
            yield element
            return
        if not isinstance(element, Request):
            yield element
            return
        if is_article_request(element):
            yield from self._article_request(element)
            return
        page = _listing_page(response)
        listed = element.meta.get(requestmeta.LISTED) or []
        all_known = bool(listed) and all(self._settled(url) for url in listed)
        if page is not None and all_known and page > self.resume_page:
            self.stats.inc_value("newscrawl/incremental/pagination_stopped")
            logger.info(
                "Listing page %(page)d lists only known, settled articles: not paginating further",
                {"page": page},
            )
            return
        yield element

    def _settled(self, url: str) -> bool:
        """Known before this run and outside the recheck window: nothing to fetch for it.

        An article this run fetched as new (through a sitemap, say) is in the state by
        the time a later listing page shows it, but it says nothing about what lies
        deeper in the listing: paging must go on past it.
        """
        if article_key(url) in self._fetched_as_new:
            return False
        known = self.tracker.lookup(url) if self.tracker is not None else None
        return known is not None and not self.tracker.is_recent(known)  # type: ignore[union-attr]

    def _article_request(self, request: Request) -> Iterator[Request]:
        self.stats.inc_value("newscrawl/incremental/article_requests")
        known = self.tracker.lookup(request.url) if self.tracker is not None else None
        if known is None:
            self.stats.inc_value("newscrawl/incremental/requested")
            self._fetched_as_new.add(article_key(request.url))
            yield request
            return
        assert self.tracker is not None
        if not self.tracker.is_recent(known):
            self.stats.inc_value("newscrawl/incremental/skipped")
            logger.debug("Known and not recent, not fetched: %(url)s", {"url": request.url})
            return
        headers = dict(request.headers.to_unicode_dict())
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        allowed = [*request.meta.get("handle_httpstatus_list", []), 304]
        self.stats.inc_value("newscrawl/incremental/requested")
        self.stats.inc_value("newscrawl/incremental/rechecked")
        yield request.replace(
            headers=headers,
            meta={**request.meta, RECHECK_META: True, "handle_httpstatus_list": allowed},
        )

    def _note_article(self, response: Response, item: Article) -> None:
        if self.tracker is None or not item.url:
            return
        fetched = [*response.meta.get("redirect_urls", []), response.url]
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        self.tracker.note_response(
            item.url,
            fetched,
            etag.decode("latin-1") if etag else None,
            last_modified.decode("latin-1") if last_modified else None,
        )

    # --- the run's verdict ------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        requested = int(self.stats.get_value("newscrawl/incremental/requested", 0))
        usable = sum(
            int(self.stats.get_value(key, 0))
            for key in (
                "item_scraped_count",
                "newscrawl/state/unchanged",
                "newscrawl/incremental/not_modified",
            )
        )
        if requested and not usable:
            fail_run(self.stats, f"zero articles extracted from {requested} article page(s) listed")
        if self.tracker is None:
            return
        failed = any(
            int(self.stats.get_value(f"newscrawl/{stage}/failed", 0))
            for stage in ("article", "listing")
        )
        if reason == "finished" and not failed and not failure_reasons(self.stats):
            self.tracker.discovery_complete(self.section)
        else:
            logger.info(
                "Run did not finish cleanly (%(reason)s): the next run paginates at least as "
                "deep as this one got",
                {"reason": reason},
            )


def _listing_page(response: Response) -> int | None:
    request = response.request
    if request is None or is_article_request(request):
        return None
    page = request.cb_kwargs.get("page")
    return page if isinstance(page, int) else None
