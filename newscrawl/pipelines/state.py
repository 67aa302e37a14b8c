"""Last pipeline: give each record its version against the crawl state.

A URL the state has never exported is version 1; one whose content hash differs from
the last exported version is that version + 1; one with the same hash is dropped as
`Unchanged` (DEBUG, expected). Nothing is marked seen here: the state learns about a
record only once the run file holding it is fsynced (`newscrawl.feeds`).

A thin adapter: it is handed the run's `CrawlState`
(`newscrawl.extensions.crawlstate`), which opens and closes it. Off when the run keeps
no state (``NEWSCRAWL_STATE_PATH`` empty).

Stats: ``newscrawl/state/new``, ``newscrawl/state/updated``, ``newscrawl/state/unchanged``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.items import Article, content_hash
from newscrawl.state.tracker import Outcome

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

    from newscrawl.state.manager import CrawlState

logger = logging.getLogger(__name__)


class Unchanged(DropItem):
    """The article is exactly as the state last exported it."""

    def __init__(self, url: str, version: int) -> None:
        super().__init__(f"unchanged since version {version}: {url}", log_level="DEBUG")


class StatePipeline:
    def __init__(self, state: CrawlState, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        state = crawl_state(crawler)
        if state is None:
            raise NotConfigured("no crawl state (NEWSCRAWL_STATE_PATH is empty)")
        return cls(state, crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if not item.content_hash:
            item.content_hash = content_hash(item)
        outcome, version = self.state.assign_version(item.url, item.content_hash)
        self.stats.inc_value(f"newscrawl/state/{outcome.value}")
        if outcome is Outcome.UNCHANGED:
            raise Unchanged(item.url, version)
        item.version = version
        if outcome is Outcome.UPDATED:
            logger.info(
                "Article changed since the last export, now version %(version)d: %(url)s",
                {"version": version, "url": item.url},
            )
        return item
