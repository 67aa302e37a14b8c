"""Each article requested once per run, whichever discovery channel names it.

The listing pages, the news sitemap, the archive sitemap and the state's due retries
name many of the same articles, and not always in the same spelling (a mirror host,
with or without ".html", tracking parameters). The spider yields a request for every
entry it reads, so that a callback's output says what its page holds (and
``scrapy check`` can judge it); this spider middleware lets the first request for each
article (`newscrawl.urls.article_key`) through and drops the rest.

It sits closer to the spider than the incremental middleware, which so sees each
article once. Start requests pass through it too.

Stats: ``newscrawl/discovery/already_requested`` (requests dropped as repeats).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request

from newscrawl.middlewares.incremental import is_article_request
from newscrawl.urls import article_key

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self


class OncePerRunMiddleware:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for element in result:
            if self._first(element):
                yield element

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for element in result:
            if self._first(element):
                yield element

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for element in start:
            if self._first(element):
                yield element

    def _first(self, element: Any) -> bool:
        if not isinstance(element, Request) or not is_article_request(element):
            return True
        key = article_key(element.url)
        if key in self.requested:
            self.stats.inc_value("newscrawl/discovery/already_requested")
            return False
        self.requested.add(key)
        return True
