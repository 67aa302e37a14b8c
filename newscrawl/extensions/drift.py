"""Layout drift alarm: notice on the first run after a redesign, not a month later.

When the site changes its markup, extraction keeps producing records through the
fallbacks (JSON-LD text, the generic densest-text block) and fields quietly go empty.
At the end of each run this extension looks at

* the fallback share: articles whose body came from one of the fallback paths
  (``newscrawl/extraction_path/<path>`` stats, counted by the spider), and
* the empty-field share, per watched field, among the records the spider produced
  (exported or dropped by a pipeline),

and when either passes its threshold, over at least a minimum number of articles,
logs an ERROR, marks the run failed (non-zero exit) and leaves its findings in the
stats, which the run report carries.

Settings:

* ``NEWSCRAWL_DRIFT_ENABLED`` (default True)
* ``NEWSCRAWL_DRIFT_MIN_ARTICLES`` (default 4): below this the shares say too little.
* ``NEWSCRAWL_DRIFT_FALLBACK_PATHS`` (default structured-data, generic-fallback)
* ``NEWSCRAWL_DRIFT_MAX_FALLBACK_SHARE`` (default 0.5)
* ``NEWSCRAWL_DRIFT_FIELDS`` (default body, published_at)
* ``NEWSCRAWL_DRIFT_MAX_EMPTY_SHARE`` (default 0.25)

Stats: ``newscrawl/drift/articles``, ``newscrawl/drift/fallback_share``,
``newscrawl/drift/records``, ``newscrawl/drift/empty/<field>``,
``newscrawl/drift/empty_share/<field>``, ``newscrawl/drift/alarms`` (list of messages).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.runstatus import fail_run

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

PATH_PREFIX = "newscrawl/extraction_path/"


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return not value
    return False


class LayoutDriftAlarm:
    def __init__(
        self,
        crawler: Crawler,
        *,
        min_articles: int,
        fallback_paths: list[str],
        max_fallback_share: float,
        fields: list[str],
        max_empty_share: float,
    ) -> None:
        self.crawler = crawler
        self.min_articles = min_articles
        self.fallback_paths = fallback_paths
        self.max_fallback_share = max_fallback_share
        self.fields = fields
        self.max_empty_share = max_empty_share
        self.records = 0
        self.empty: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_DRIFT_ENABLED", True):
            raise NotConfigured
        alarm = cls(
            crawler,
            min_articles=settings.getint("NEWSCRAWL_DRIFT_MIN_ARTICLES", 4),
            fallback_paths=settings.getlist(
                "NEWSCRAWL_DRIFT_FALLBACK_PATHS", ["structured-data", "generic-fallback"]
            ),
            max_fallback_share=settings.getfloat("NEWSCRAWL_DRIFT_MAX_FALLBACK_SHARE", 0.5),
            fields=settings.getlist("NEWSCRAWL_DRIFT_FIELDS", ["body", "published_at"]),
            max_empty_share=settings.getfloat("NEWSCRAWL_DRIFT_MAX_EMPTY_SHARE", 0.25),
        )
        crawler.signals.connect(alarm.item_seen, signal=signals.item_scraped)
        crawler.signals.connect(alarm.item_seen, signal=signals.item_dropped)
        crawler.signals.connect(alarm.spider_closed, signal=signals.spider_closed)
        return alarm

    def item_seen(self, item: Any, **_: Any) -> None:
        if not ItemAdapter.is_item(item):
            return
        adapter = ItemAdapter(item)
        self.records += 1
        for name in self.fields:
            if _is_empty(adapter.get(name)):
                self.empty[name] += 1

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        alarms = self.findings(stats.get_stats())
        if alarms:
            stats.set_value("newscrawl/drift/alarms", alarms)
            for message in alarms:
                logger.error("Layout drift: %(message)s", {"message": message})
                fail_run(stats, f"layout drift: {message}")

    def findings(self, values: dict[str, Any]) -> list[str]:
        """Record the shares in the stats and return one message per threshold passed."""
        stats = self.crawler.stats
        assert stats is not None
        paths = {
            key[len(PATH_PREFIX) :]: int(value)
            for key, value in values.items()
            if key.startswith(PATH_PREFIX)
        }
        articles = sum(paths.values())
        alarms: list[str] = []
        stats.set_value("newscrawl/drift/articles", articles)
        if articles:
            fallback = sum(paths.get(path, 0) for path in self.fallback_paths)
            share = fallback / articles
            stats.set_value("newscrawl/drift/fallback_share", round(share, 4))
            if articles >= self.min_articles and share > self.max_fallback_share:
                alarms.append(
                    f"{fallback} of {articles} articles ({share:.0%}) were read by a fallback "
                    f"({', '.join(self.fallback_paths)}), more than "
                    f"NEWSCRAWL_DRIFT_MAX_FALLBACK_SHARE={self.max_fallback_share:.0%}: "
                    "the article markup has probably changed"
                )
        stats.set_value("newscrawl/drift/records", self.records)
        if self.records:
            for name in self.fields:
                share = self.empty[name] / self.records
                stats.set_value(f"newscrawl/drift/empty/{name}", self.empty[name])
                stats.set_value(f"newscrawl/drift/empty_share/{name}", round(share, 4))
                if self.records >= self.min_articles and share > self.max_empty_share:
                    alarms.append(
                        f"{name} is empty in {self.empty[name]} of {self.records} records "
                        f"({share:.0%}), more than "
                        f"NEWSCRAWL_DRIFT_MAX_EMPTY_SHARE={self.max_empty_share:.0%}"
                    )
        return alarms
