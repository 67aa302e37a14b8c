"""Last pipeline: give each record its version against the crawl state.

A URL the state has never exported is version 1; one whose content hash differs from
the last exported version is that version + 1; one with the same hash is dropped as
`Unchanged` (DEBUG, expected). Nothing is marked seen here: the state learns about a
record only once the run file holding it is fsynced (`newscrawl.feeds`).

This pipeline also owns the run's crawl state: it opens the state file when the
spider opens, first recovering the records of killed runs left in ``.part`` files
beside the feeds, and closes it when the engine stops (after the feeds' last sync).
The spider middleware and the feed storage reach it through `state_tracker(crawler)`.

Settings:

* ``NEWSCRAWL_STATE_PATH`` (default ``data/state/%(name)s-%(site)s.sqlite``; ``%(site)s`` is
  the base URL's host (and port), ``%(name)s`` and
  ``%(section)s`` are filled in). Empty turns incremental crawling off. A path that
  does not exist yet means a full crawl.
* ``NEWSCRAWL_RECHECK_HOURS`` (default 48): known articles published or modified
  this recently are fetched again to catch corrections.

Stats: ``newscrawl/state/new``, ``newscrawl/state/updated``, ``newscrawl/state/unchanged``,
``newscrawl/state/committed``, ``newscrawl/state/known_at_start``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.extensions.feedexport import apply_uri_params

from newscrawl.extensions.runreport import uri_params
from newscrawl.feeds import salvage_folder
from newscrawl.items import Article, content_hash
from newscrawl.state.store import StateStore
from newscrawl.state.tracker import Outcome, StateTracker

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class Unchanged(DropItem):
    """The article is exactly as the state last exported it."""

    def __init__(self, url: str, version: int) -> None:
        super().__init__(f"unchanged since version {version}: {url}", log_level="DEBUG")


def resolve_state_path(settings: BaseSettings, spider_name: str, section: str) -> Path | None:
    """The state file for a crawl of `section`, or None when the state is off."""
    template = str(settings.get("NEWSCRAWL_STATE_PATH") or "")
    if not template:
        return None
    params = {
        "name": spider_name,
        "section": section.replace("/", "-"),
        "site": site_slug(str(settings.get("JAKARTAPOST_BASE_URL") or "")),
    }
    return Path(apply_uri_params(template, params)).expanduser()


def site_slug(base_url: str) -> str:
    """File-name-safe name of the site root: "www.thejakartapost.com", "127.0.0.1-8000".

    The state is kept per site root so that crawling a copy of the site (a mirror, a
    loopback copy on some port) never marks the real site's articles as seen, nor the
    other way round.
    """
    parts = urlsplit(base_url)
    host = (parts.hostname or "site").lower()
    return f"{host}-{parts.port}" if parts.port else host


class StatePipeline:
    crawler: Crawler

    def __init__(self, crawler: Crawler, recheck_window: timedelta) -> None:
        self.crawler = crawler
        self.recheck_window = recheck_window
        self.tracker: StateTracker | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("NEWSCRAWL_STATE_PATH"):
            raise NotConfigured("NEWSCRAWL_STATE_PATH is empty: no crawl state")
        hours = crawler.settings.getfloat("NEWSCRAWL_RECHECK_HOURS", 48.0)
        pipeline = cls(crawler, timedelta(hours=max(0.0, hours)))
        crawler.signals.connect(pipeline.engine_stopped, signal=signals.engine_stopped)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        section = str(getattr(spider, "section", ""))
        path = resolve_state_path(self.crawler.settings, spider.name, section)
        assert path is not None
        store = StateStore(path)
        self.tracker = StateTracker(store, recheck_window=self.recheck_window)
        stats = self.crawler.stats
        assert stats is not None
        known = store.count()
        stats.set_value("newscrawl/state/known_at_start", known)
        logger.info(
            "Crawl state %(path)s: %(count)d article(s) known", {"path": path, "count": known}
        )
        overwritten = [
            str(uri)
            for uri, options in self.crawler.settings.getdict("FEEDS").items()
            if isinstance(options, dict) and options.get("overwrite")
        ]
        if known and overwritten:
            # -O replaces the file with this run's records only: new or corrected articles.
            logger.warning(
                "Incremental run: %(count)d article(s) are already in the crawl state, so "
                "%(feeds)s will hold only new or changed articles. Use -o to append, the "
                "default per-run files, or -s NEWSCRAWL_STATE_PATH= for a full crawl.",
                {"count": known, "feeds": ", ".join(overwritten)},
            )
        reserved, folders = self._feed_paths()
        sink = state_sink(self.crawler)
        for folder in folders:
            salvage_folder(folder, reserved=reserved, sink=sink, stats=stats)

    def _feed_paths(self) -> tuple[set[Path], set[Path]]:
        assert self.crawler.spider is not None
        params = uri_params(self.crawler.spider)
        targets: set[Path] = set()
        for uri in self.crawler.settings.getdict("FEEDS"):
            text = str(uri)
            if text.startswith("file://"):
                text = text[len("file://") :]
            elif "://" in text or text in ("-", "stdout:"):
                continue
            targets.add(Path(apply_uri_params(text, params)))
        return targets, {t.parent for t in targets}

    def engine_stopped(self) -> None:
        if self.tracker is not None:
            self.tracker.store.close()
            self.tracker = None

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article) or self.tracker is None:
            return item
        if not item.content_hash:
            item.content_hash = content_hash(item)
        outcome, version = self.tracker.assign_version(item.url, item.content_hash)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/state/{outcome.value}")
        if outcome is Outcome.UNCHANGED:
            raise Unchanged(item.url, version)
        item.version = version
        if outcome is Outcome.UPDATED:
            logger.info(
                "Article changed since the last export, now version %(version)d: %(url)s",
                {"version": version, "url": item.url},
            )
        return item


def state_tracker(crawler: Crawler) -> StateTracker | None:
    """The run's crawl state, if the state pipeline is enabled and open."""
    pipeline = crawler.get_item_pipeline(StatePipeline)
    return pipeline.tracker if pipeline is not None else None


def state_sink(crawler: Crawler) -> Callable[[list[bytes]], None] | None:
    """A callback committing durable JSON lines to the run's crawl state."""
    if crawler.get_item_pipeline(StatePipeline) is None:
        return None
    stats = crawler.stats
    assert stats is not None
    warned = False

    def commit(lines: list[bytes]) -> None:
        nonlocal warned
        tracker = state_tracker(crawler)
        stats.inc_value("newscrawl/feeds/synced_lines", len(lines))
        if tracker is None:
            return
        committed, problems = tracker.commit_lines(lines)
        stats.inc_value("newscrawl/state/committed", committed)
        if problems:
            stats.inc_value("newscrawl/feeds/unreadable_lines", len(problems))
            if not warned:
                warned = True
                logger.warning(
                    "%(count)d exported line(s) could not be recorded in the crawl state "
                    "(first: %(reason)s); later ones are only counted",
                    {"count": len(problems), "reason": problems[0]},
                )

    return commit
