"""The run's crawl state: created once per crawl, handed to the components that use it.

`CrawlStateExtension` opens the `newscrawl.state.manager.CrawlState` when the crawler
is set up (run lock first, then the state file), before any other component exists;
recovers the records of killed runs left in ``.part`` files beside the run's feeds;
tells the state about every page that failed (`newscrawl.signals.page_failed`, and
records a pipeline dropped as unusable); settles those failures when the spider closes;
and closes the state when the engine stops, after the feeds' last sync.

The incremental spider middleware, the state pipeline and the feed storage are thin
adapters handed the state through `crawl_state(crawler)`; none of them opens, locks or
closes it.

Settings:

* ``NEWSCRAWL_STATE_PATH`` (default ``data/state/%(name)s-%(site)s.sqlite``, see
  `newscrawl.runfiles.state_path`): empty turns the state (and this extension) off, and
  so does a run without a local run file (`scrapy check`, a feed on stdout).
* ``NEWSCRAWL_RECHECK_HOURS`` (default 48): known articles published or modified this
  recently are fetched again to catch corrections.
* ``NEWSCRAWL_FAILED_RETRY_HOURS`` (default ``[1, 6, 24, 72]``): the waits before each
  further attempt at a page that failed a run; it is abandoned after failing the last.
* ``NEWSCRAWL_STATE_NOW`` (default empty: the system clock): an ISO 8601 date-time the
  state takes as "now" for the whole run (tests, replaying a schedule).

Stats: ``newscrawl/state/known_at_start``, ``newscrawl/state/failed_at_start/<outcome>``,
``newscrawl/state/outcome/<outcome>`` (this run's failed pages by outcome).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import signals as newscrawl_signals
from newscrawl.datasets.instants import parse_instant
from newscrawl.runfiles import run_files, state_path
from newscrawl.runstatus import usable_articles
from newscrawl.state.failed import failure_from_drop
from newscrawl.state.manager import CrawlState
from newscrawl.state.salvage import salvage_folder, state_sink

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

    from newscrawl.state.manager import PageOutcome

logger = logging.getLogger(__name__)


def state_clock(settings: BaseSettings) -> Callable[[], datetime]:
    """The state's clock: ``NEWSCRAWL_STATE_NOW`` when set, else the system clock.

    Raises ValueError, naming the setting, for a value that is not a date-time.
    """
    value = str(settings.get("NEWSCRAWL_STATE_NOW") or "").strip()
    if not value:
        return lambda: datetime.now(timezone.utc)
    fixed = parse_instant(value)
    if fixed is None:
        raise ValueError(
            f"NEWSCRAWL_STATE_NOW={value!r} is not an ISO 8601 date-time such as "
            "2025-04-08T09:00:00+00:00"
        )
    return lambda: fixed


def backoff_schedule(settings: BaseSettings) -> list[timedelta]:
    """``NEWSCRAWL_FAILED_RETRY_HOURS`` as waits (ValueError for a value not a number)."""
    hours = settings.getlist("NEWSCRAWL_FAILED_RETRY_HOURS", [1, 6, 24, 72])
    try:
        return [timedelta(hours=max(0.0, float(h))) for h in hours]
    except ValueError:
        raise ValueError(
            f"NEWSCRAWL_FAILED_RETRY_HOURS={hours!r} is not a list of hours such as 1,6,24,72"
        ) from None


class CrawlStateExtension:
    crawler: Crawler

    def __init__(self, crawler: Crawler, state: CrawlState, section: str) -> None:
        self.crawler = crawler
        self.state = state
        self.section = section
        self._listing_failed = False
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        spider = crawler.spider
        if spider is None:
            raise NotConfigured("no spider: no crawl state")
        section = str(getattr(spider, "section", ""))
        path = state_path(settings, spider.name, section)
        if path is None:
            raise NotConfigured("NEWSCRAWL_STATE_PATH is empty: no crawl state")
        if not run_files(settings, spider).feeds:
            # The state learns only from lines durably in a local run file: without one
            # (`scrapy check`, a feed on stdout) it could only hold the run back.
            raise NotConfigured("no local run file: no crawl state")
        hours = settings.getfloat("NEWSCRAWL_RECHECK_HOURS", 48.0)
        state = CrawlState.open(
            path,
            recheck_window=timedelta(hours=max(0.0, hours)),
            backoff=backoff_schedule(settings),
            clock=state_clock(settings),
        )
        extension = cls(crawler, state, section)
        try:
            extension._opened(spider)
        except BaseException:
            state.close()
            raise
        crawler.signals.connect(extension.page_failed, signal=newscrawl_signals.page_failed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def _opened(self, spider: Spider) -> None:
        stats = self.crawler.stats
        known = self.state.known_articles()
        stats.set_value("newscrawl/state/known_at_start", known)
        for outcome, count in self.state.remembered_failures().items():
            stats.set_value(f"newscrawl/state/failed_at_start/{outcome}", count)
        logger.info(
            "Crawl state %(path)s: %(count)d article(s) known",
            {"path": self.state.path, "count": known},
        )
        files = run_files(self.crawler.settings, spider)
        sink = state_sink(self.state, stats)
        for folder in sorted(files.folders):
            salvage_folder(
                folder,
                reserved=set(files.feeds),
                sink=sink,
                stats=stats,
                merged=files.overwritten,
            )

    # --- what failed ------------------------------------------------------------------
    def page_failed(
        self, url: str, stage: str, reason: str, status: int | None = None, **_: Any
    ) -> None:
        if stage == "listing":
            self._listing_failed = True
        self.state.page_failed(url, stage, reason, status)

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, **_: Any
    ) -> None:
        failure = failure_from_drop(item, response, exception)
        if failure is not None and failure.url:
            self.state.page_failed(failure.url, "article", failure.reason, failure.status)

    # --- the end ----------------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        outcomes = settle(self.crawler)
        for outcome in outcomes.values():
            self.crawler.stats.inc_value(f"newscrawl/state/outcome/{outcome.outcome}")
            _log_outcome(outcome)
        # Only a run that went through its whole listing (to its end, or down to a page of
        # articles an earlier complete reading found) may let the next one stop at the
        # first page of known articles; a run cut short by max_pages or since, or that
        # read no listing, leaves that as it was. Failed pages are remembered on their own.
        stats = self.crawler.stats
        whole = bool(
            stats.get_value("newscrawl/listing/reached_end")
            or stats.get_value("newscrawl/incremental/pagination_stopped")
        )
        if reason == "finished" and not self._listing_failed and whole:
            self.state.discovery_complete(self.section)
        elif self.state.resume_page(self.section):
            logger.info(
                "The run stopped early (%(reason)s): the next run pages at least as deep "
                "as this one got",
                {"reason": "a listing page failed" if reason == "finished" else reason},
            )

    def engine_stopped(self) -> None:
        if not self._closed:
            self._closed = True
            self.state.close()


def crawl_state(crawler: Crawler) -> CrawlState | None:
    """The run's crawl state, or None when it keeps none (``NEWSCRAWL_STATE_PATH`` empty)."""
    try:
        extension = crawler.get_extension(CrawlStateExtension)
    except RuntimeError:
        # A crawler without extensions, built only to host components (`newscrawl
        # reextract`), or Scrapy's feed exporter checking a URI while the extensions are
        # still being set up: no state there.
        return None
    return extension.state if extension is not None else None


def settle(crawler: Crawler) -> dict[str, PageOutcome]:
    """This run's failed pages and how each ended, remembered in the state (once per run;
    empty without a state). Call from `spider_closed` on, when every page is in."""
    state = crawl_state(crawler)
    if state is None:
        return {}
    return state.settle(site_served=usable_articles(crawler.stats) > 0)


def _log_outcome(outcome: PageOutcome) -> None:
    page = outcome.page
    if page.outcome == "retry":
        logger.info(
            "%(url)s failed %(n)d run(s) (%(reason)s); trying again from %(due)s",
            {
                "url": outcome.url,
                "n": page.attempts,
                "reason": page.reason,
                "due": page.next_attempt,
            },
        )
    elif page.outcome in ("gone", "abandoned"):
        logger.info(
            "%(url)s is %(outcome)s (%(reason)s, %(n)d run(s) since %(first)s); not requested "
            "again unless it is listed with a newer date",
            {
                "url": outcome.url,
                "outcome": page.outcome,
                "reason": page.reason,
                "n": page.attempts,
                "first": page.first_attempt,
            },
        )
