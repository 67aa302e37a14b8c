"""Repeated paragraphs within an article: each kept once, at its first occurrence.

Equality and containment rules live in `newscrawl.cleaning.dedup`. The standfirst
(`summary`) is never touched; its copy in the body is a body paragraph like any other
and stays there once.

Settings: ``NEWSCRAWL_DEDUP_ENABLED`` (default True), ``NEWSCRAWL_DEDUP_MIN_CONTAINED_CHARS``
(default 50).

Stats: ``newscrawl/dedup/paragraphs_removed/exact``,
``newscrawl/dedup/paragraphs_removed/contained``, ``newscrawl/dedup/paragraphs_trimmed``,
``newscrawl/dedup/items_changed``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newscrawl.cleaning.dedup import MIN_CONTAINED_CHARS, dedup_paragraphs
from newscrawl.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class ParagraphDedupPipeline:
    def __init__(self, crawler: Crawler, min_contained_chars: int = MIN_CONTAINED_CHARS) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.min_contained_chars = min_contained_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_DEDUP_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_DEDUP_ENABLED is off")
        minimum = settings.getint("NEWSCRAWL_DEDUP_MIN_CONTAINED_CHARS", MIN_CONTAINED_CHARS)
        return cls(crawler, minimum)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        paragraphs = item.paragraphs
        result = dedup_paragraphs(paragraphs, self.min_contained_chars, item.memo())
        if not result.changes:
            return item
        item.paragraphs = result.paragraphs
        self.stats.inc_value("newscrawl/dedup/items_changed")
        for key, count in (
            ("paragraphs_removed/exact", result.removed_exact),
            ("paragraphs_removed/contained", result.removed_contained),
            ("paragraphs_trimmed", result.trimmed),
        ):
            if count:
                self.stats.inc_value(f"newscrawl/dedup/{key}", count)
        for index, rule in result.changes:
            logger.debug(
                "Repeated paragraph (%(rule)s) in %(url)s: %(text)r",
                {"rule": rule, "url": item.url, "text": paragraphs[index][:80]},
                extra={"spider": self.crawler.spider},
            )
        return item
