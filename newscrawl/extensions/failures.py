"""Failures file: every page the run could not use, one JSON line each.

Together with the feed it accounts for every listed article: an article is either a
record in ``<run>.jsonl`` or a line in ``<run>.failures.jsonl`` (written beside the
feed, even when empty, so "no failures" is told apart from "no file"). Each line is
``{"url", "stage", "reason", "status", "attempts", "failed_at"}``, from the
`newscrawl.signals.page_failed` signal, and from records a pipeline dropped as
unusable (reason ``dropped: ...``). Drops logged below WARNING (a duplicate, an
article unchanged since an earlier run) are expected and are not failures: that
article is in this run's or an earlier run's output.

A failed listing page already fails the run (the spider says so). Failed articles fail
it only past a share of the articles the run tried: failed / (failed + extracted).

Settings:

* ``NEWSCRAWL_FAILURES_ENABLED`` (default True)
* ``NEWSCRAWL_FAILURES_PATH``: a feed-URI-style template; empty (the default) means
  ``<feed path without .jsonl>.failures.jsonl``.
* ``NEWSCRAWL_MAX_FAILURE_RATE`` (default 0.1): the run fails when more than this
  share of its articles failed. 1.0 never fails a run for article failures.

Stats: ``newscrawl/failures/<stage>``, ``newscrawl/failures/article_rate``.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import signals as newscrawl_signals
from newscrawl.extensions.runreport import companion_path
from newscrawl.runstatus import fail_run

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

EXTRACTED_PREFIX = "newscrawl/extraction_path/"


#: How Scrapy's robots.txt middleware words the request it refused.
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"


class FailuresFile:
    def __init__(self, crawler: Crawler, path_template: str, max_rate: float) -> None:
        self.crawler = crawler
        self.path_template = path_template
        self.max_rate = max_rate
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
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.page_failed, signal=newscrawl_signals.page_failed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.path = companion_path(self.crawler, spider, self.path_template, ".failures.jsonl")
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
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/failures/{stage}")

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, **_: Any
    ) -> None:
        level = getattr(exception, "log_level", None)
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
        if isinstance(level, int) and level < logging.WARNING:
            return
        url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
        self.page_failed(
            url or (response.url if response is not None else ""),
            "article",
            f"dropped: {exception}",
            response.status if response is not None else None,
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._judge()
        if self.path is not None:
            self._write(self.path)

    def _judge(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        # An article robots.txt forbids is listed in the file (nothing vanishes) but is the
        # site's wish, not a fault: it does not count towards the failure rate.
        articles = [
            entry
            for entry in self.entries
            if entry["stage"] == "article" and ROBOTS_FORBIDDEN not in entry["reason"]
        ]
        if not articles:
            return
        failed = len(articles)
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
        if rate > self.max_rate:
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
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        if self.entries:
            logger.info(
                "%(count)d failed page(s) written to %(path)s",
                {"count": len(self.entries), "path": path},
            )
