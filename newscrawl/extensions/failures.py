"""Failures file: every page the run could not use, one JSON line each.

Together with the feed it accounts for every listed article: an article is either a
record in ``<run>.jsonl`` or a line in ``<run>.failures.jsonl`` (written beside the
feed, even when empty, so "no failures" is told apart from "no file"). Each line is
``{"url", "stage", "reason", "status", "attempts", "failed_at", "fetched_url",
"outcome", "next_attempt_at"}``, from the `newscrawl.signals.page_failed` signal and
from records a pipeline dropped as unusable (reason ``dropped: ...``). Drops logged
below WARNING (a duplicate, an article unchanged since an earlier run) are expected
and are not failures: that article is in this run's or an earlier run's output.
`outcome` says what becomes of the page (`newscrawl.state.failed`): ``gone``,
``retry`` (from ``next_attempt_at`` on), ``abandoned``, ``forbidden`` or ``failed``.

A failed listing page already fails the run (the spider says so). Failed articles fail
it only when they are news: pages the crawl state did not already know to be bad,
neither gone nor forbidden by robots.txt. The run fails when there are at least
``NEWSCRAWL_MIN_FAILED_ARTICLES`` of them and they are more than
``NEWSCRAWL_MAX_FAILURE_RATE`` of the articles tried that way.

Settings:

* ``NEWSCRAWL_FAILURES_ENABLED`` (default True)
* ``NEWSCRAWL_FAILURES_PATH``: a feed-URI-style template; empty (the default) means
  ``<feed path without .jsonl>.failures.jsonl`` (`newscrawl.runfiles`).
* ``NEWSCRAWL_MAX_FAILURE_RATE`` (default 0.1): 1.0 never fails a run for articles.
* ``NEWSCRAWL_MIN_FAILED_ARTICLES`` (default 3): fewer new failures never fail a run,
  whatever the rate, so one broken page in a quiet hour does not.

Stats: ``newscrawl/failures/<stage>``, ``newscrawl/failures/article_rate``,
``newscrawl/failures/counted`` (the failures the rate counts),
``newscrawl/failures/pages`` (lines written to the file).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import signals as newscrawl_signals
from newscrawl.extensions.crawlstate import settle
from newscrawl.runfiles import run_files
from newscrawl.runstatus import fail_run, usable_articles
from newscrawl.state.failed import FORBIDDEN, GONE, failure_from_drop, plain_outcome

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

    from newscrawl.state.manager import PageOutcome

logger = logging.getLogger(__name__)

EXTRACTED_PREFIX = "newscrawl/extraction_path/"


def resolve_outcomes(crawler: Crawler, entries: list[dict[str, Any]]) -> None:
    """Fill in each failure entry's ``outcome`` and ``next_attempt_at`` from the crawl
    state's verdict, or from this run alone without a state; ``known_bad`` and
    ``remembered`` (the state's `FailedPage`) are for the callers, not for files."""
    settled = settle(crawler)
    site_served = usable_articles(crawler.stats) > 0
    for entry in entries:
        outcome: PageOutcome | None = settled.get(entry["url"])
        if outcome is not None:
            entry["outcome"] = outcome.outcome
            entry["next_attempt_at"] = outcome.page.next_attempt
            entry["known_bad"] = outcome.known_bad
            entry["remembered"] = outcome.page
        else:
            entry["outcome"] = plain_outcome(
                entry["stage"], entry["reason"], entry["status"], site_served
            )
            entry["next_attempt_at"] = None
            entry["known_bad"] = False
            entry["remembered"] = None


class FailuresFile:
    def __init__(
        self, crawler: Crawler, path_template: str, max_rate: float, min_failed: int
    ) -> None:
        self.crawler = crawler
        self.path_template = path_template
        self.max_rate = max_rate
        self.min_failed = min_failed
        self.entries: list[dict[str, Any]] = []
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_FAILURES_ENABLED", True):
            raise NotConfigured
        extension = cls(
            crawler,
            settings.get("NEWSCRAWL_FAILURES_PATH") or "",
            settings.getfloat("NEWSCRAWL_MAX_FAILURE_RATE", 0.1),
            settings.getint("NEWSCRAWL_MIN_FAILED_ARTICLES", 3),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.page_failed, signal=newscrawl_signals.page_failed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.path = run_files(self.crawler.settings, spider).failures
        if self.path is None:
            logger.warning(
                "No file feed and no NEWSCRAWL_FAILURES_PATH: failed pages are only logged"
            )

    def page_failed(
        self,
        url: str,
        stage: str,
        reason: str,
        status: int | None = None,
        attempts: int | None = None,
        fetched_url: str | None = None,
        **_: Any,
    ) -> None:
        self.entries.append(
            {
                "url": url,
                "stage": stage,
                "reason": reason,
                "status": status,
                "attempts": attempts,
                "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "fetched_url": fetched_url or url,
            }
        )
        self.crawler.stats.inc_value(f"newscrawl/failures/{stage}")

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, **_: Any
    ) -> None:
        failure = failure_from_drop(item, response, exception)
        if failure is not None:
            self.page_failed(failure.url, "article", failure.reason, failure.status)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        resolve_outcomes(self.crawler, self.entries)
        self._judge()
        if self.path is not None:
            self._write(self.path)

    def _judge(self) -> None:
        stats = self.crawler.stats
        # Robots.txt forbidding an article is the site's wish, and a gone article the
        # site's decision: listed (nothing vanishes) but no fault of this run. A page the
        # state already knew to be bad was counted when it first failed.
        articles = [
            entry
            for entry in self.entries
            if entry["stage"] == "article"
            and entry["outcome"] not in (FORBIDDEN, GONE)
            and not entry["known_bad"]
        ]
        failed = len(articles)
        stats.set_value("newscrawl/failures/counted", failed)
        if not failed:
            return
        # A dropped record was extracted first: it is in both counts, and once in the total.
        dropped = sum(1 for entry in articles if entry["reason"].startswith("dropped: "))
        extracted = sum(
            int(value)
            for key, value in stats.get_stats().items()
            if key.startswith(EXTRACTED_PREFIX)
        )
        tried = failed - dropped + extracted
        rate = failed / tried if tried else 1.0
        stats.set_value("newscrawl/failures/article_rate", round(rate, 4))
        if rate > self.max_rate and failed >= self.min_failed:
            message = (
                f"{failed} of {tried} article pages failed ({rate:.0%}), "
                f"more than NEWSCRAWL_MAX_FAILURE_RATE={self.max_rate:.0%}"
            )
            logger.error("%(message)s; see %(path)s", {"message": message, "path": self.path})
            fail_run(stats, message)

    def _write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for entry in self.entries:
                line = {k: v for k, v in entry.items() if k not in ("known_bad", "remembered")}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        self.crawler.stats.set_value("newscrawl/failures/pages", len(self.entries))
        logger.debug(
            "%(count)d failed page(s) written to %(path)s",
            {"count": len(self.entries), "path": path},
        )
