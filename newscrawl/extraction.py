"""One fetched article page in, one cleaned record out: the work that needs no other page.

`ArticleExtractor.extract` runs the article page object (`ArticlePage.to_item()`) and
then the cleaning pipelines of ``NEWSCRAWL_CLEANING_PIPELINES`` (normalisation, drop
cap, known boilerplate phrases, paragraph dedup), in their order. Everything it needs
travels in a `FetchedPage` and everything it produces in an `Extraction`, both plain
picklable values, so the same call runs inside the crawl, in a worker process, or on a
Dask worker, and gives the same record wherever it runs. Whatever needs a view across
articles (duplicate articles, learned boilerplate, validation's final verdict,
versions) stays in ``ITEM_PIPELINES``, which only the process that writes the output
runs, in a fixed order.

The cleaning pipelines are Scrapy components (`from_crawler`, `NotConfigured` when
switched off). The extractor builds them from a `Crawler` of its own that has
settings and a stats collector but no engine; their stats are handed back with each
`Extraction` (`stats`) for the caller to add to the run's stats.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import build_from_crawler, load_object

from newscrawl.pages.article import ArticlePage, PageParseError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from typing_extensions import Self

    from newscrawl.items import Article

logger = logging.getLogger(__name__)

#: The setting naming the per-page cleaning pipelines and their order.
CLEANING_SETTING = "NEWSCRAWL_CLEANING_PIPELINES"


@dataclass(frozen=True)
class FetchedPage:
    """An article response as plain values: what the page object and cleaning read.

    `headers` are the response's HTTP headers as (name, value) pairs; `fetched_at` is
    when the response arrived (the crawl's clock, or the capture time of an archived
    record), and becomes the record's `crawled_at`.
    """

    url: str
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    status: int
    fetched_at: datetime
    section: str
    #: The listing's teaser for the article, when the page was reached from a listing.
    teaser: str | None = None


@dataclass
class Extraction:
    """What extracting one page gave: a cleaned record, or the reason there is none.

    `failure` is set when the page cannot be used as an article (the page object's
    reason, or a cleaning step that dropped the record: ``dropped: ...``); `stats` the
    counters the page object's findings, the cleaning pipelines and the extractor
    incremented for this page.
    """

    url: str
    item: Article | None = None
    failure: str | None = None
    stats: dict[str, int] = field(default_factory=dict)


def offline_crawler(settings: Mapping[str, Any]) -> Crawler:
    """A `Crawler` with `settings` (plain values, e.g. `Settings.copy_to_dict()`) and a
    memory stats collector, and no engine.

    Enough for components that read settings and count stats in `from_crawler`; it
    installs no reactor and starts no extension, so it can be built in any process.
    """
    from newscrawl.spiders.jakartapost import JakartaPostSpider

    crawler = Crawler(JakartaPostSpider, dict(settings))
    crawler.stats = MemoryStatsCollector(crawler)
    return crawler


def build_components(crawler: Crawler, setting: str) -> list[Any]:
    """The components a ``{path: order}`` setting names, built with `from_crawler`, in
    order; those that raise `NotConfigured` (switched off) are left out."""
    configured = crawler.settings.getdict(setting)
    built = []
    for path, order in sorted(configured.items(), key=lambda kv: (kv[1] is None, kv[1] or 0)):
        if order is None:
            continue
        try:
            built.append(build_from_crawler(load_object(path), crawler))
        except NotConfigured:
            continue
    return built


class ArticleExtractor:
    """`ArticlePage.to_item()` plus the per-page cleaning pipelines, for one page at a time.

    Built on a running crawl's crawler, its counters go straight to the crawl's stats.
    Built with `from_settings` (a worker process, re-extraction), it counts in a
    collector of its own and hands each page's counters back in `Extraction.stats`.
    """

    def __init__(self, crawler: Crawler, *, own_stats: bool = False) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.own_stats = own_stats
        components = build_components(crawler, CLEANING_SETTING)
        self.names = [type(c).__name__ for c in components]
        self.stages: list[Callable[[Any], Any]] = [c.process_item for c in components]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Self:
        return cls(offline_crawler(settings), own_stats=True)

    def extract(self, page: FetchedPage) -> Extraction:
        """Extract a page given as plain values (in a worker process, from an archive)."""
        headers = Headers(page.headers)
        cls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
        if not issubclass(cls, TextResponse):
            return Extraction(page.url, failure="not an HTML page")
        response = cls(page.url, status=page.status, headers=headers, body=page.body)
        return self.extract_response(response, page.section, page.fetched_at, teaser=page.teaser)

    def extract_response(
        self,
        response: TextResponse,
        section: str,
        fetched_at: datetime,
        *,
        teaser: str | None = None,
    ) -> Extraction:
        result = Extraction(response.url)
        try:
            item = self._item(response, section, fetched_at, teaser)
        except PageParseError as exc:
            result.failure = exc.reason
            result.stats = self._take_stats()
            return result
        for stage in self.stages:
            try:
                item = stage(item)
            except DropItem as exc:
                result.failure = f"dropped: {exc}"
                result.stats = self._take_stats()
                return result
        result.item = item
        self.stats.inc_value(f"newscrawl/extraction_path/{item.extraction_path}")
        result.stats = self._take_stats()
        return result

    def _item(
        self, response: TextResponse, section: str, fetched_at: datetime, teaser: str | None
    ) -> Article:
        article = ArticlePage(response, section=section, fetched_at=fetched_at, teaser=teaser)
        item = article.to_item()
        for problem in article.problems:
            self.stats.inc_value(f"newscrawl/article/problem/{problem}")
        return item

    def _take_stats(self) -> dict[str, int]:
        if not self.own_stats:
            return {}
        values = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, int)}
        self.stats.clear_stats()
        return values
