"""Within-run duplicate articles: the same article identity exported once per run.

An article slides from listing page 1 to page 2 while the crawl runs, or a mirror host
serves a copy whose canonical link names the same www URL: both arrive with the same
`url` (the page object already reduced it to the article identity). The first copy
wins; later copies are dropped with `DuplicateArticle` at DEBUG level, since they are
expected. Memory: one 8-byte fingerprint per URL, not the URL.

Settings: ``NEWSCRAWL_DUPLICATES_ENABLED`` (default True).

Stats: ``newscrawl/duplicates/dropped`` (plus Scrapy's
``item_dropped_reasons_count/DuplicateArticle``), ``newscrawl/duplicates/paragraphs_dropped``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.cleaning.fold import url_fingerprint
from newscrawl.items import Article
from newscrawl.urls import article_identity, is_site_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self


class DuplicateArticle(DropItem):
    """The run already exported this article."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"duplicate of an article already seen in this run: {url}", log_level="DEBUG"
        )
        self.url = url


class DuplicateArticlesPipeline:
    def __init__(self, crawler: Crawler, base_url: str) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.base_host = urlsplit(base_url).hostname or ""
        self._seen: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_DUPLICATES_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_DUPLICATES_ENABLED is off")
        return cls(crawler, crawler.settings.get("JAKARTAPOST_BASE_URL") or "")

    def open_spider(self) -> None:
        self._seen = set()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article) or not item.url:
            return item  # nothing to compare; validation drops a record without url
        key = url_fingerprint(self._identity(item.url))
        if key in self._seen:
            self.stats.inc_value("newscrawl/duplicates/dropped")
            self.stats.inc_value("newscrawl/duplicates/paragraphs_dropped", len(item.paragraphs))
            raise DuplicateArticle(item.url)
        self._seen.add(key)
        return item

    def _identity(self, url: str) -> str:
        identity = article_identity(url)
        parts = urlsplit(identity)
        # www, a mirror host and the configured base all serve the same article at the
        # same path, so for the site's own hosts the path (and query) is the identity.
        if parts.hostname and is_site_host(parts.hostname, self.base_host):
            return f"{parts.path}?{parts.query}"
        return identity
