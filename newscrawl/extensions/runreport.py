"""Run report: one small JSON file beside each run's output telling what happened.

It lists when the run started and ended, how it finished, what was requested and
exported, the articles new / updated / unchanged / skipped against the crawl state,
every dropped record (URL and reason) and every page that could not be used
(`newscrawl.signals.page_failed`), the run's failure reasons, and the full stats.

It is written when the engine stops, after every `spider_closed` listener (failure
verdicts, the feeds' last sync into the crawl state) has had its say.

Settings:

* ``NEWSCRAWL_REPORT_ENABLED`` (default True)
* ``NEWSCRAWL_REPORT_PATH``: a template like feed URIs (``%(name)s``, ``%(section)s``,
  ``%(run_id)s``, any spider attribute). Empty (the default) puts the report beside the
  first feed: ``<feed path without .jsonl>.report.json``.
* ``NEWSCRAWL_REPORT_MAX_ENTRIES`` (default 10000): drops and failures listed one by
  one; past that they are only counted.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import apply_uri_params

from newscrawl import signals as newscrawl_signals
from newscrawl.runstatus import failure_reasons

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)


def feed_path(crawler: Crawler, spider: Spider) -> Path | None:
    """Local path of the run's first file feed, with its URI parameters filled in."""
    for uri in crawler.settings.getdict("FEEDS"):
        uri = str(uri)
        if uri.startswith("file://"):
            uri = uri[len("file://") :]
        elif "://" in uri or uri in ("-", "stdout:"):
            continue
        return Path(apply_uri_params(uri, uri_params(spider)))
    return None


def uri_params(spider: Spider) -> dict[str, Any]:
    params: dict[str, Any] = {"time": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")}
    for name in dir(spider):
        if not name.startswith("_"):
            try:
                params[name] = getattr(spider, name)
            except AttributeError:
                continue
    return params


def companion_path(crawler: Crawler, spider: Spider, template: str, suffix: str) -> Path | None:
    """Where a file that goes with the run is written: `template` filled in like a feed
    URI when given, else beside the run's first file feed, its suffix replaced by
    `suffix` (``world.jsonl`` -> ``world.report.json``); None without either."""
    if template:
        return Path(apply_uri_params(template, uri_params(spider)))
    feed = feed_path(crawler, spider)
    if feed is None:
        return None
    stem = feed.name[: -len(feed.suffix)] if feed.suffix else feed.name
    return feed.with_name(stem + suffix)


class RunReport:
    def __init__(self, crawler: Crawler, path_template: str, max_entries: int) -> None:
        self.crawler = crawler
        self.path_template = path_template
        self.max_entries = max_entries
        self.started_at = datetime.now(timezone.utc)
        self.drops: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.path: Path | None = None
        self.finish_reason: str | None = None
        self.sections: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_REPORT_ENABLED", True):
            raise NotConfigured
        report = cls(
            crawler,
            crawler.settings.get("NEWSCRAWL_REPORT_PATH") or "",
            crawler.settings.getint("NEWSCRAWL_REPORT_MAX_ENTRIES", 10000),
        )
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(report.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(report.page_failed, signal=newscrawl_signals.page_failed)
        crawler.signals.connect(report.add_section, signal=newscrawl_signals.report_section)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.engine_stopped, signal=signals.engine_stopped)
        return report

    def spider_opened(self, spider: Spider) -> None:
        self.path = companion_path(self.crawler, spider, self.path_template, ".report.json")
        if self.path is None:
            logger.info("No file feed and no NEWSCRAWL_REPORT_PATH: no run report will be written")

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, spider: Spider
    ) -> None:
        url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
        self._append(
            self.drops,
            {
                "url": url or (response.url if response is not None else None),
                "reason": str(exception),
                "kind": type(exception).__name__,
            },
        )

    def page_failed(
        self,
        url: str,
        stage: str,
        reason: str,
        status: int | None = None,
        attempts: int | None = None,
        **_: Any,
    ) -> None:
        self._append(
            self.failures,
            {
                "url": url,
                "stage": stage,
                "reason": reason,
                "status": status,
                "attempts": attempts,
            },
        )

    def add_section(self, name: str, data: Any, **_: Any) -> None:
        self.sections[name] = data

    def _append(self, entries: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        if len(entries) < self.max_entries:
            entries.append(entry)

    def build(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        return {
            "spider": self.crawler.spider.name if self.crawler.spider else None,
            "section": getattr(self.crawler.spider, "section", None),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "finish_reason": reason,
            "ok": not failure_reasons(stats),
            "failure_reasons": failure_reasons(stats),
            "requests": values.get("downloader/request_count", 0),
            "articles_exported": values.get("item_scraped_count", 0),
            "articles_dropped": values.get("item_dropped_count", 0),
            "pages_failed": len(self.failures),
            # Without a crawl state (NEWSCRAWL_STATE_PATH empty) every export is new.
            "articles": {
                "new": values.get("newscrawl/state/new", 0)
                if "newscrawl/state/known_at_start" in values
                else values.get("item_scraped_count", 0),
                "updated": values.get("newscrawl/state/updated", 0),
                # re-fetched with the same content, or answered 304 Not Modified
                "unchanged": values.get("newscrawl/state/unchanged", 0)
                + values.get("newscrawl/incremental/not_modified", 0),
                "skipped": values.get("newscrawl/incremental/skipped", 0),
                "recovered_from_killed_runs": values.get("newscrawl/feeds/salvaged_lines", 0),
            },
            "extraction_paths": {
                key.rsplit("/", 1)[1]: value
                for key, value in values.items()
                if key.startswith("newscrawl/extraction_path/")
            },
            **self.sections,
            "archive_files": values.get("newscrawl/archive/files", []),
            "drops": self.drops,
            "failures": self.failures,
            "stats": {k: _jsonable(v) for k, v in sorted(values.items())},
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish_reason = reason

    def engine_stopped(self) -> None:
        if self.path is None or self.finish_reason is None:
            return  # the spider never opened: nothing ran to report on
        report = self.build(self.finish_reason)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.path)
        logger.info("Run report written to %(path)s", {"path": self.path})


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
