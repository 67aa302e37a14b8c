"""The engine's floor: the same navigation as `jakartapost`, yielding only each article's URL.

Run with `scrapy runspider benchmarks/bare_spider.py -s BARE_BASE_URL=http://127.0.0.1:PORT`
outside the project (no SCRAPY_SETTINGS_MODULE), with the same engine settings as the
crawl it is compared with. It reads listing pages with one XPath, follows each main-list
entry and stops at the first listing page without entries; articles go before further
listing pages, as in the real spider. `-s BARE_PARSE=True` also parses each article page
(a diagnostic: the engine plus the parse, nothing else).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response

ENTRY_LINKS = (
    '//div[contains(@class, "tjp-latest-entries")]'
    '/div[@class="listNews"]/div[@class="detailNews"]/a/@href'
)


class BareSpider(scrapy.Spider):
    name = "bare"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        base = self.settings.get("BARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        self.listing = f"{base}/{self.settings.get('BARE_SECTION', 'world')}/latest"
        yield scrapy.Request(self.listing, callback=self.parse_listing, cb_kwargs={"page": 1})

    def parse_listing(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        links = response.xpath(ENTRY_LINKS).getall()
        if not links:
            return
        for href in links:
            url = response.urljoin(href.split("?", 1)[0])
            yield scrapy.Request(url, callback=self.parse_article, priority=10)
        yield scrapy.Request(f"{self.listing}?page={page + 1}", callback=self.parse_listing,
                             cb_kwargs={"page": page + 1})

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        if self.settings.getbool("BARE_PARSE"):
            # Diagnostic variant: also build the page's lxml tree, as any extraction must.
            response.selector  # noqa: B018
        yield {"url": response.url}
