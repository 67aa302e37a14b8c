"""Coverage check: did the listing show every article the news sitemap says it should?

Every run compares the discovery channels (`newscrawl.coverage.CoverageLedger`): the
articles the listing pages showed, and those the section's news sitemap (and, when
read, its archive sitemap) names. News-sitemap articles published inside the span the
listing pages covered, which the listing did not show, were *missed* by the listing:
they are counted (``newscrawl/discovery/listing_missed``), named in the run report and
logged. They are crawled all the same: the spider requests every sitemap article it
has not requested from the listing.

When the listing misses at least ``NEWSCRAWL_COVERAGE_MIN_MISSED`` articles and more
than ``NEWSCRAWL_COVERAGE_MAX_MISSED_SHARE`` of those judged, the listing is not to be
trusted any more (a redesign, entries in markup of their own): the run fails (exit 1)
with a reason naming the listing.

The run report gets a ``discovery`` section: per channel how many articles each found,
which only one of them found, the span judged and the missed articles.

Settings: ``NEWSCRAWL_COVERAGE_ENABLED`` (True), ``NEWSCRAWL_COVERAGE_MAX_MISSED_SHARE``
(0.05), ``NEWSCRAWL_COVERAGE_MIN_MISSED`` (2), ``NEWSCRAWL_REPORT_MAX_ENTRIES`` (URLs
listed per list in the report section).

Stats: ``newscrawl/discovery/listing_found``, ``.../sitemap_found``,
``.../archive_found``, ``.../only_listing``, ``.../only_sitemaps``,
``.../coverage_judged``, ``.../listing_missed``, ``.../coverage_unchecked``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import signals as newscrawl_signals
from newscrawl.coverage import Coverage, CoverageLedger
from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.runstatus import fail_run

if TYPE_CHECKING:
    from datetime import datetime

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

    from newscrawl.pages.listing import ListingEntry
    from newscrawl.pages.sitemap import SitemapEntry

logger = logging.getLogger(__name__)


class CoverageCheck:
    crawler: Crawler

    def __init__(
        self, crawler: Crawler, max_missed_share: float, min_missed: int, max_entries: int
    ) -> None:
        self.crawler = crawler
        self.max_missed_share = max_missed_share
        self.min_missed = max(1, min_missed)
        self.max_entries = max_entries
        self.ledger = CoverageLedger()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_COVERAGE_ENABLED"):
            raise NotConfigured("NEWSCRAWL_COVERAGE_ENABLED is off")
        check = cls(
            crawler,
            settings.getfloat("NEWSCRAWL_COVERAGE_MAX_MISSED_SHARE"),
            settings.getint("NEWSCRAWL_COVERAGE_MIN_MISSED"),
            settings.getint("NEWSCRAWL_REPORT_MAX_ENTRIES", 10000),
        )
        crawler.signals.connect(check.listing_read, signal=newscrawl_signals.listing_read)
        crawler.signals.connect(check.sitemap_read, signal=newscrawl_signals.sitemap_read)
        crawler.signals.connect(check.item_seen, signal=signals.item_scraped)
        crawler.signals.connect(check.item_seen, signal=signals.item_dropped)
        crawler.signals.connect(check.spider_closed, signal=signals.spider_closed)
        return check

    # --- what the channels showed ------------------------------------------------------
    def listing_read(
        self, page: int, fetched_at: datetime, entries: list[ListingEntry], **_: Any
    ) -> None:
        self.ledger.listing_page(
            page, fetched_at, ((e.url, e.published, e.published_at) for e in entries)
        )

    def sitemap_read(self, news: bool, entries: list[SitemapEntry], **_: Any) -> None:
        self.ledger.sitemap(news, ((e.url, e.published, e.published_at) for e in entries))

    def item_seen(self, item: Any, response: Response | None, **_: Any) -> None:
        # Which URLs led to which article: an old slug in a sitemap is the article the
        # listing shows under its current address.
        if response is None or not ItemAdapter.is_item(item):
            return
        url = ItemAdapter(item).get("url")
        if url:
            self.ledger.fetched([*response.meta.get("redirect_urls", []), response.url], url)

    # --- the verdict -------------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        state = crawl_state(self.crawler)

        def resolve(url: str) -> str | None:
            known = state.lookup(url) if state is not None else None
            return known.url if known is not None else None

        coverage = self.ledger.coverage(resolve)
        if "listing" not in getattr(spider, "channels", {"listing"}):
            coverage.unchecked = "the listing was not read (-a discover without listing)"
        self._count(coverage)
        first_page = getattr(spider, "listing_url", None)
        listing_url = first_page(1) if callable(first_page) else "the section listing"
        if coverage.unchecked:
            logger.info("Listing coverage not checked: %(why)s", {"why": coverage.unchecked})
        elif coverage.missed:
            message = (
                f"the listing ({listing_url}) missed {len(coverage.missed)} of "
                f"{len(coverage.judged)} articles the news sitemap lists for the span it "
                "covered"
            )
            if self._tripped(coverage):
                logger.error(
                    "Listing coverage: %(message)s; they were crawled from the sitemap. The "
                    "listing markup may have changed. Missed: %(urls)s",
                    {"message": message, "urls": ", ".join(coverage.missed[:10])},
                )
                assert self.crawler.stats is not None
                fail_run(self.crawler.stats, message)
            else:
                logger.warning(
                    "Listing coverage: %(message)s (below the alarm threshold); crawled "
                    "from the sitemap: %(urls)s",
                    {"message": message, "urls": ", ".join(coverage.missed[:10])},
                )
        self.crawler.signals.send_catch_log(
            newscrawl_signals.report_section, name="discovery", data=self._section(coverage)
        )

    def _tripped(self, coverage: Coverage) -> bool:
        return (
            len(coverage.missed) >= self.min_missed
            and coverage.missed_share > self.max_missed_share
        )

    def _count(self, coverage: Coverage) -> None:
        stats = self.crawler.stats
        assert stats is not None
        for key, value in {
            "listing_found": coverage.listing_found,
            "sitemap_found": coverage.sitemap_found,
            "archive_found": coverage.archive_found,
            "only_listing": len(coverage.only_listing),
            "only_sitemaps": len(coverage.only_sitemaps),
            "coverage_judged": len(coverage.judged),
            "listing_missed": len(coverage.missed),
        }.items():
            stats.set_value(f"newscrawl/discovery/{key}", value)
        if coverage.unchecked:
            stats.set_value("newscrawl/discovery/coverage_unchecked", 1)

    def _section(self, coverage: Coverage) -> dict[str, Any]:
        cap = self.max_entries
        span = coverage.span
        return {
            "channels": {
                "listing": {
                    "found": coverage.listing_found,
                    "only_here": coverage.only_listing[:cap],
                },
                "sitemaps": {
                    "found": coverage.sitemap_found + coverage.archive_found,
                    "news": coverage.sitemap_found,
                    "archive": coverage.archive_found,
                    "only_here": coverage.only_sitemaps[:cap],
                },
            },
            "coverage": {
                "checked": not coverage.unchecked,
                "why_not": coverage.unchecked or None,
                "span": [span[0].isoformat(), span[1].isoformat()] if span else None,
                "judged": len(coverage.judged),
                "listing_missed": coverage.missed[:cap],
                "alarm": bool(coverage.missed) and self._tripped(coverage),
            },
        }
