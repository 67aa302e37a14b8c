"""Fetch only what is new, may have changed, or is due to be tried again.

A spider middleware between the spider and the scheduler, a thin adapter over the
run's `CrawlState` (`newscrawl.state.manager`, handed over by
`newscrawl.extensions.crawlstate`), which decides per listed article:

* unknown: requested;
* known and published or modified within ``NEWSCRAWL_RECHECK_HOURS``: re-requested with
  the ETag / Last-Modified of the exported version (``If-None-Match`` /
  ``If-Modified-Since``); a ``304 Not Modified`` reaches the spider as an unchanged
  article rather than a failure;
* known and older: not requested;
* failed in an earlier run: requested only when its next attempt is due (the spider
  starts with those, wherever they are listed now), or when the listing shows it with
  a newer date than it had (the ``newscrawl_listed_at`` meta key of the request); gone
  and abandoned pages otherwise never.

The next listing page is not requested when every article the page showed (the spider
lists them in the request's ``newscrawl_listed`` meta), whichever channel requested
them, is left alone (known and settled, or known to fail and not due), unless the
previous run stopped early (killed, interrupted, a listing page failed) deeper in the
listing than this page: then the run goes on at least that far, so nothing listed
there is missed. And only once some run has read the listing to its end: articles
known from a sitemap, or from a run cut short by max_pages or since, say nothing of
the pages below them.

It also judges the run: article pages the state did not already know to be bad were
requested, and not one article came out of the run (extracted, or known to be
unchanged): that fails it (`newscrawl.runstatus.fail_run`). This check also runs with
the state off.

Meta keys read: ``newscrawl_listed_at`` (ISO 8601 date or date-time the listing or a
sitemap shows for the article), ``newscrawl_listed``. Set on re-checks:
``newscrawl_recheck`` (True). See `newscrawl.requestmeta`.

Stats, which add up (``articles_seen = requested + skipped + not_retried/*``):
``newscrawl/incremental/articles_seen`` (article requests from the spider),
``newscrawl/incremental/requested`` (let through: the article pages the run asks for),
``newscrawl/incremental/skipped`` (known, settled), ``newscrawl/incremental/rechecked``,
``newscrawl/incremental/not_modified``, ``newscrawl/incremental/retried/<due|reappeared>``,
``newscrawl/incremental/not_retried/<waiting|gone|abandoned>``,
``newscrawl/incremental/pagination_stopped``, ``newscrawl/incremental/pagination_continued``
(all known, but the listing was never read to its end).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from newscrawl import requestmeta
from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.items import Article
from newscrawl.runstatus import fail_run, usable_articles
from newscrawl.state.manager import Plan
from newscrawl.urls import article_key, article_section

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

    from newscrawl.state.manager import CrawlState, Decision

logger = logging.getLogger(__name__)

RECHECK_META = requestmeta.RECHECK


def is_article_request(request: Request) -> bool:
    return article_section(urlsplit(request.url).path) is not None


class _Tally:
    """Article requests of one response: let through, and left alone."""

    def __init__(self) -> None:
        self.fetched = 0
        self.left = 0
        self.reported = False


class IncrementalMiddleware:
    def __init__(self, stats: StatsCollector, state: CrawlState | None) -> None:
        self.stats = stats
        self.state = state
        self.section = ""
        self.resume_page = 0
        self.listing_completed = False
        # Article keys this run requested as unknown to the state.
        self._fetched_as_new: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_INCREMENTAL_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_INCREMENTAL_ENABLED is off")
        middleware = cls(crawler.stats, crawl_state(crawler))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.section = str(getattr(spider, "section", ""))
        if self.state is not None:
            self.resume_page = self.state.resume_page(self.section)
            self.listing_completed = self.state.listing_completed(self.section)
            if self.resume_page:
                logger.info(
                    "The previous run stopped at listing page %(page)d without finishing: "
                    "paginating at least that far",
                    {"page": self.resume_page},
                )

    # --- output of the spider ---------------------------------------------------------
    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        # The spider starts with the failed pages now due (`CrawlState.due`): decided
        # here like listed ones, so they count as known to be bad.
        tally = _Tally()
        async for element in start:
            if isinstance(element, Request) and is_article_request(element):
                for kept in self._article_request(element, tally):
                    yield kept
            else:
                yield element

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        self._start(response)
        tally = _Tally()
        for element in result:
            yield from self._filter(response, element, tally)
        self._report_page(response, tally)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        self._start(response)
        tally = _Tally()
        async for element in result:
            for kept in self._filter(response, element, tally):
                yield kept
        self._report_page(response, tally)

    def _report_page(self, response: Response, tally: _Tally) -> None:
        page = _listing_page(response)
        if page is not None and tally.fetched + tally.left and not tally.reported:
            tally.reported = True
            logger.info(
                "Listing page %(page)d: %(fetched)d article(s) to fetch, %(left)d known",
                {"page": page, "fetched": tally.fetched, "left": tally.left},
            )

    def _start(self, response: Response) -> None:
        if response.status == 304 and response.meta.get(RECHECK_META):
            self.stats.inc_value("newscrawl/incremental/not_modified")
            if self.state is not None:
                self.state.not_modified(response.url)
        page = _listing_page(response)
        if page is not None and self.state is not None:
            self.state.reached_listing_page(self.section, page)

    def _filter(self, response: Response, element: Any, tally: _Tally) -> Iterator[Any]:
        if isinstance(element, Article):
            self._note_article(response, element)
            yield element
            return
        if not isinstance(element, Request):
            yield element
            return
        if is_article_request(element):
            yield from self._article_request(element, tally)
            return
        self._report_page(response, tally)  # before the verdict on the next page
        page = _listing_page(response)
        listed = element.meta.get(requestmeta.LISTED) or []
        all_known = bool(listed) and all(self._settled(url) for url in listed)
        if page is not None and all_known and page > self.resume_page:
            if not self.listing_completed:
                # Known from a sitemap or a run cut short: nothing says what lies below.
                self.stats.inc_value("newscrawl/incremental/pagination_continued")
                logger.info(
                    "Listing page %(page)d lists only known articles, but no run has read "
                    "the listing to its end yet: paginating on",
                    {"page": page},
                )
                yield element
                return
            self.stats.inc_value("newscrawl/incremental/pagination_stopped")
            logger.info(
                "Listing page %(page)d lists only known, settled articles: not paginating further",
                {"page": page},
            )
            return
        yield element

    def _settled(self, url: str) -> bool:
        """Nothing to fetch for it, as the state stood before this run.

        An article this run fetched as new (through a sitemap, say) is in the state by
        the time a later listing page shows it, but it says nothing about what lies
        deeper in the listing: paging must go on past it.
        """
        if self.state is None or article_key(url) in self._fetched_as_new:
            return False
        return self.state.settled(url)

    def _article_request(self, request: Request, tally: _Tally) -> Iterator[Request]:
        self.stats.inc_value("newscrawl/incremental/articles_seen")
        if self.state is None:
            tally.fetched += 1
            self.stats.inc_value("newscrawl/incremental/requested")
            self._fetched_as_new.add(article_key(request.url))
            yield request
            return
        listed_at = request.meta.get(requestmeta.LISTED_AT)
        decision = self.state.decide(request.url, listed_at if isinstance(listed_at, str) else None)
        if not decision.plan.fetches:
            tally.left += 1
            self._count_skip(request, decision)
            return
        tally.fetched += 1
        self.stats.inc_value("newscrawl/incremental/requested")
        if decision.plan in (Plan.RETRY, Plan.REAPPEARED):
            self._count_retry(request, decision)
        if decision.plan is Plan.RECHECK:
            yield self._recheck(request, decision)
            return
        if decision.plan is Plan.FETCH:
            self._fetched_as_new.add(article_key(request.url))
        yield request

    def _count_skip(self, request: Request, decision: Decision) -> None:
        if decision.plan is Plan.KNOWN:
            self.stats.inc_value("newscrawl/incremental/skipped")
            logger.debug("Known and not recent, not fetched: %(url)s", {"url": request.url})
            return
        self.stats.inc_value(f"newscrawl/incremental/not_retried/{decision.plan.value}")
        failed = decision.failed
        assert failed is not None
        logger.debug(
            "Not requested, %(plan)s since %(since)s (%(reason)s): %(url)s",
            {
                "plan": decision.plan.value,
                "since": failed.first_attempt,
                "reason": failed.reason,
                "url": request.url,
            },
        )

    def _count_retry(self, request: Request, decision: Decision) -> None:
        self.stats.inc_value(f"newscrawl/incremental/retried/{decision.plan.value}")
        failed = decision.failed
        assert failed is not None
        logger.info(
            "Trying again (%(why)s), %(outcome)s after %(n)d run(s) (%(reason)s): %(url)s",
            {
                "why": "listed with a newer date"
                if decision.plan is Plan.REAPPEARED
                else "its next attempt is due",
                "outcome": failed.outcome,
                "n": failed.attempts,
                "reason": failed.reason,
                "url": request.url,
            },
        )

    def _recheck(self, request: Request, decision: Decision) -> Request:
        known = decision.article
        assert known is not None
        headers = dict(request.headers.to_unicode_dict())
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        allowed = [*request.meta.get("handle_httpstatus_list", []), 304]
        self.stats.inc_value("newscrawl/incremental/rechecked")
        return request.replace(
            headers=headers,
            meta={**request.meta, RECHECK_META: True, "handle_httpstatus_list": allowed},
        )

    def _note_article(self, response: Response, item: Article) -> None:
        if self.state is None or not item.url:
            return
        fetched = [*response.meta.get("redirect_urls", []), response.url]
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        self.state.note_response(
            item.url,
            fetched,
            etag.decode("latin-1") if etag else None,
            last_modified.decode("latin-1") if last_modified else None,
        )

    # --- the run's verdict ------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        requested = int(self.stats.get_value("newscrawl/incremental/requested", 0))
        retried = sum(
            int(self.stats.get_value(f"newscrawl/incremental/retried/{plan.value}", 0))
            for plan in (Plan.RETRY, Plan.REAPPEARED)
        )
        # Pages the state already knew to be bad are no news: only the others count.
        fresh = requested - retried
        if fresh and not usable_articles(self.stats):
            fail_run(self.stats, f"zero articles extracted from {fresh} article page(s) listed")


def _listing_page(response: Response) -> int | None:
    request = response.request
    if request is None or is_article_request(request):
        return None
    page = request.cb_kwargs.get("page")
    return page if isinstance(page, int) else None
