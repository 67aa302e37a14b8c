"""Run report: one small JSON file beside each run's output telling what happened.

It lists when the run started and ended, how it finished, what was requested and
exported, the articles new / updated / unchanged / skipped against the crawl state,
every dropped record (URL and reason) and every page that could not be used
(`newscrawl.signals.page_failed`) with its outcome, the pages found gone and those
abandoned this run under keys of their own (``gone``, ``abandoned``: first and last
attempt, and how many runs tried them), the run's failure reasons, and the full stats.

It is written when the engine stops, after every `spider_closed` listener (failure
verdicts, the feeds' last sync into the crawl state) has had its say. Then the run ends
its log with a summary a person reads at a glance: the articles new, updated,
unchanged, failed, gone, abandoned and dropped, and where the run file, the report and
the failures file are. The numbers add up: every article request the run made
(``newscrawl/incremental/requested``) is exactly one of them, and ``extraction_paths``
counts the exported records.

Settings:

* ``NEWSCRAWL_REPORT_ENABLED`` (default True): write the report (the closing summary
  is logged either way).
* ``NEWSCRAWL_REPORT_PATH``: a template like feed URIs (``%(name)s``, ``%(section)s``,
  ``%(run_id)s``, ``%(time)s``, any spider attribute). Empty (the default) puts the
  report beside the first feed: ``<feed path without .jsonl>.report.json``
  (`newscrawl.runfiles`).
* ``NEWSCRAWL_REPORT_MAX_ENTRIES`` (default 10000): drops and failures listed one by
  one; past that they are only counted.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals

from newscrawl import signals as newscrawl_signals
from newscrawl.extensions.failures import resolve_outcomes
from newscrawl.runfiles import RunFiles, run_files
from newscrawl.runstatus import failure_reasons
from newscrawl.state.failed import ABANDONED, GONE

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

#: The summary's counts, in the order a person reads them.
SUMMARY_COUNTS = ("new", "updated", "unchanged", "failed", "gone", "abandoned", "dropped")


class RunReport:
    def __init__(self, crawler: Crawler, max_entries: int, *, write: bool = True) -> None:
        self.crawler = crawler
        self.max_entries = max_entries
        self.write = write
        self.files: RunFiles | None = None
        self.exported_paths: Counter[str] = Counter()
        self.started_at = datetime.now(timezone.utc)
        self.drops: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.path: Path | None = None
        self.finish_reason: str | None = None
        self.sections: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        report = cls(
            crawler,
            crawler.settings.getint("NEWSCRAWL_REPORT_MAX_ENTRIES", 10000),
            write=crawler.settings.getbool("NEWSCRAWL_REPORT_ENABLED", True),
        )
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(report.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(report.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(report.page_failed, signal=newscrawl_signals.page_failed)
        crawler.signals.connect(report.add_section, signal=newscrawl_signals.report_section)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.engine_stopped, signal=signals.engine_stopped)
        return report

    def spider_opened(self, spider: Spider) -> None:
        self.files = run_files(self.crawler.settings, spider)
        self.path = self.files.report if self.write else None
        if self.write and self.path is None:
            logger.info("No file feed and no NEWSCRAWL_REPORT_PATH: no run report will be written")

    def item_scraped(self, item: Any, **_: Any) -> None:
        # Exported records only: a page extracted and then dropped is no record.
        path = ItemAdapter(item).get("extraction_path") if ItemAdapter.is_item(item) else None
        self.exported_paths[str(path or "unknown")] += 1

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
        # Every failure, even past max_entries: each one still needs its outcome counted.
        self.failures.append(
            {
                "url": url,
                "stage": stage,
                "reason": reason,
                "status": status,
                "attempts": attempts,
                "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        )

    def add_section(self, name: str, data: Any, **_: Any) -> None:
        self.sections[name] = data

    def _append(self, entries: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        if len(entries) < self.max_entries:
            entries.append(entry)

    def build(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats
        values = stats.get_stats()
        resolve_outcomes(self.crawler, self.failures)
        articles = [f for f in self.failures if f["stage"] == "article"]
        gone = [_remembered(f) for f in articles if f["outcome"] == GONE]
        abandoned = [_remembered(f) for f in articles if f["outcome"] == ABANDONED]
        not_retried = sum(
            int(value)
            for key, value in values.items()
            if key.startswith("newscrawl/incremental/not_retried/")
        )
        # An unchanged article is dropped by the state pipeline: counted as unchanged.
        unchanged_drops = values.get("newscrawl/state/unchanged", 0)
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
                "unchanged": unchanged_drops + values.get("newscrawl/incremental/not_modified", 0),
                "skipped": values.get("newscrawl/incremental/skipped", 0),
                # this run's failed article pages, each in one of these three
                "failed": len(articles) - len(gone) - len(abandoned),
                "gone": len(gone),
                "abandoned": len(abandoned),
                # records a pipeline dropped: duplicates, invalid records
                "dropped": values.get("item_dropped_count", 0) - unchanged_drops,
                # listed, but known to fail and not due: left alone
                "not_retried": not_retried,
                "recovered_from_killed_runs": values.get("newscrawl/feeds/salvaged_lines", 0),
            },
            "extraction_paths": dict(sorted(self.exported_paths.items())),
            **self.sections,
            "archive_files": values.get("newscrawl/archive/files", []),
            "drops": self.drops,
            "failures": [_listed(f) for f in self.failures[: self.max_entries]],
            "gone": gone[: self.max_entries],
            "abandoned": abandoned[: self.max_entries],
            "stats": {k: _jsonable(v) for k, v in sorted(values.items())},
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish_reason = reason

    def engine_stopped(self) -> None:
        if self.finish_reason is None:
            return  # the spider never opened: nothing ran to report on
        report = self.build(self.finish_reason)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                json.dump(report, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(self.path)
            logger.debug("Run report written to %(path)s", {"path": self.path})
        self._summarise(report)

    def _summarise(self, report: dict[str, Any]) -> None:
        started = datetime.fromisoformat(report["started_at"])
        finished = datetime.fromisoformat(report["finished_at"])
        counts = report["articles"]
        logger.info(
            "Done (%(reason)s) in %(seconds)d s, %(requests)d request(s): articles "
            "%(counts)s",
            {
                "reason": report["finish_reason"],
                "seconds": (finished - started).total_seconds(),
                "requests": report["requests"],
                "counts": ", ".join(
                    f"{counts[key]} {key}" for key in SUMMARY_COUNTS if key in counts
                ),
            },
        )
        files = self.files
        failed_pages = self.crawler.stats.get_value("newscrawl/failures/pages")
        places = [
            ("run file", files.feeds[0] if files and files.feeds else None),
            ("report", self.path),
            ("failures", files.failures if files and failed_pages is not None else None),
        ]
        shown = [f"{name} {path}" for name, path in places if path is not None]
        if shown:
            logger.info("Written: %(files)s", {"files": ", ".join(shown)})


def _listed(failure: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in failure.items() if k not in ("known_bad", "remembered")}


def _remembered(failure: dict[str, Any]) -> dict[str, Any]:
    """A gone or abandoned page: what the state remembers of it, when it keeps one."""
    page = failure.get("remembered")
    entry = {"url": failure["url"], "reason": failure["reason"], "status": failure["status"]}
    if page is None:
        moment = failure["failed_at"]
        return {**entry, "attempts": 1, "first_attempt_at": moment, "last_attempt_at": moment}
    return {
        **entry,
        "attempts": page.attempts,
        "first_attempt_at": page.first_attempt,
        "last_attempt_at": page.last_attempt,
    }


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
