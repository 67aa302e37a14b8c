"""Discovery coverage: what each channel found, and which articles the listing missed.

Pure bookkeeping, no Scrapy (the `newscrawl.extensions.coverage.CoverageCheck`
extension feeds it and acts on the verdict). Articles are compared by `article_key`,
so the same article reached through a mirror, with or without ".html", or under an old
slug (once a fetch or the crawl state has told which article the slug names) is one.

The listing is the section's list, newest first: the pages a run read show every
article published after the last entries they reached, up to the moment page 1 was
fetched. A news-sitemap article published strictly inside that span that the listing
did not show was *missed* by the listing. Dates that give only a day count as the
whole day, and an article is judged only when its whole day lies in the span, so a
listing or a sitemap that gives no time of day never produces a false miss at the
span's edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from newscrawl.pages.fields import SITE_TZ
from newscrawl.urls import article_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

#: How many of the last entries of the deepest listing page mark where the listing
#: stopped: their median, so one story out of order at the bottom of a page (an old
#: one pinned there, or one dated wrongly) cannot move the span's start.
SPAN_TAIL = 3


def interval(day: date | None, instant: datetime | None) -> tuple[datetime, datetime] | None:
    """When something shown with `day` (and `instant`, if a time was given) happened, as
    the earliest and latest moments it can mean."""
    if instant is not None:
        return instant, instant
    if day is None:
        return None
    start = datetime.combine(day, time(), SITE_TZ)
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


@dataclass
class Sighting:
    """An article as one channel showed it."""

    url: str
    when: tuple[datetime, datetime] | None


@dataclass
class Coverage:
    """The comparison of the channels at the end of a run."""

    listing_found: int
    sitemap_found: int
    archive_found: int
    only_listing: list[str]
    only_sitemaps: list[str]
    #: News-sitemap articles inside the span the listing covered, and those it missed.
    judged: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    span: tuple[datetime, datetime] | None = None
    #: Why the listing could not be judged (empty when it was).
    unchecked: str = ""

    @property
    def missed_share(self) -> float:
        return len(self.missed) / len(self.judged) if self.judged else 0.0


class CoverageLedger:
    def __init__(self) -> None:
        self.listing: dict[str, Sighting] = {}
        self.news: dict[str, Sighting] = {}
        self.archive: dict[str, Sighting] = {}
        self.aliases: dict[str, str] = {}
        self.first_page_fetched_at: datetime | None = None
        self.news_sitemaps = 0
        self._deepest_page = 0
        self._tail: list[tuple[datetime, datetime]] = []

    # --- what the channels showed ------------------------------------------------------
    def listing_page(
        self,
        page: int,
        fetched_at: datetime,
        entries: Iterable[tuple[str, date | None, datetime | None]],
    ) -> None:
        """Listing page `page`, fetched at `fetched_at`, showed `entries` (url, day,
        instant) in this order."""
        shown = [Sighting(url, interval(day, instant)) for url, day, instant in entries]
        for sighting in shown:
            self.listing.setdefault(article_key(sighting.url), sighting)
        if page == 1:
            self.first_page_fetched_at = fetched_at
        dated = [s.when for s in shown if s.when is not None]
        if page >= self._deepest_page and dated:
            self._deepest_page = page
            self._tail = dated[-SPAN_TAIL:]

    def sitemap(
        self, news: bool, entries: Iterable[tuple[str, date | None, datetime | None]]
    ) -> None:
        """A sitemap of the section (a news sitemap when `news`) named `entries`."""
        target = self.news if news else self.archive
        if news:
            self.news_sitemaps += 1
        for url, day, instant in entries:
            target.setdefault(article_key(url), Sighting(url, interval(day, instant)))

    def fetched(self, fetched_urls: Iterable[str], article_url: str) -> None:
        """Fetching `fetched_urls` (a listed link, its redirects) gave the article
        `article_url`: all of them name one article."""
        canonical = article_key(article_url)
        for url in fetched_urls:
            key = article_key(url)
            if key != canonical:
                self.aliases[key] = canonical

    # --- the verdict -------------------------------------------------------------------
    def span(self) -> tuple[datetime, datetime] | None:
        """From the last entries the listing reached to the moment page 1 was fetched."""
        if self.first_page_fetched_at is None or not self._tail:
            return None
        ends = sorted(latest for _, latest in self._tail)
        return ends[len(ends) // 2], self.first_page_fetched_at

    def coverage(self, resolve: Callable[[str], str | None] | None = None) -> Coverage:
        """Compare the channels; `resolve` names the article an unresolved URL stands for
        (the crawl state's aliases), or None."""

        def key_of(sighting: Sighting) -> str:
            key = article_key(sighting.url)
            if key in self.aliases:
                return self.aliases[key]
            named = resolve(sighting.url) if resolve is not None else None
            return article_key(named) if named else key

        listing = {key_of(s): s for s in self.listing.values()}
        sitemaps = {key_of(s): s for s in (*self.news.values(), *self.archive.values())}
        news = {key_of(s): s for s in self.news.values()}
        result = Coverage(
            listing_found=len(listing),
            sitemap_found=len({key_of(s) for s in self.news.values()}),
            archive_found=len({key_of(s) for s in self.archive.values()}),
            only_listing=sorted(s.url for k, s in listing.items() if k not in sitemaps),
            only_sitemaps=sorted(s.url for k, s in sitemaps.items() if k not in listing),
        )
        span = self.span()
        if not self.listing:
            result.unchecked = "the listing showed no article"
        elif not self.news_sitemaps:
            result.unchecked = "no news sitemap was read"
        elif span is None:
            result.unchecked = "the listing pages showed no dates"
        if result.unchecked:
            return result
        assert span is not None
        result.span = span
        start, end = span
        for key, sighting in news.items():
            if sighting.when is None:
                continue
            earliest, latest = sighting.when
            if earliest > start and latest <= end:
                result.judged.append(sighting.url)
                if key not in listing:
                    result.missed.append(sighting.url)
        result.judged.sort()
        result.missed.sort()
        return result
