"""CoverageLedger: which news-sitemap articles the listing pages should have shown."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from newscrawl.coverage import CoverageLedger, interval

WIB = timezone(timedelta(hours=7))
FETCHED = datetime(2026, 3, 4, 12, 0, tzinfo=WIB)


def at(day: int, hour: int | None = None) -> tuple[date, datetime | None]:
    moment = None if hour is None else datetime(2026, 3, day, hour, tzinfo=WIB)
    return date(2026, 3, day), moment


def url(name: str) -> str:
    return f"http://127.0.0.1:8000/world/2026/03/01/{name}.html"


def ledger_with_listing(*shown: tuple[str, tuple[date, datetime | None]]) -> CoverageLedger:
    ledger = CoverageLedger()
    ledger.listing_page(1, FETCHED, [(url(name), day, moment) for name, (day, moment) in shown])
    return ledger


def test_day_only_dates_are_whole_days() -> None:
    start, end = interval(date(2026, 3, 3), None)  # type: ignore[misc]
    assert start == datetime(2026, 3, 3, tzinfo=WIB)
    assert end == datetime(2026, 3, 3, 23, 59, 59, 999999, tzinfo=WIB)
    assert interval(None, None) is None


def test_sitemap_articles_inside_the_span_the_listing_missed() -> None:
    ledger = ledger_with_listing(
        ("a", at(4, 9)), ("b", at(3, 18)), ("c", at(3, 10)), ("d", at(2, 8))
    )
    ledger.sitemap(
        True,
        [
            (url("a"), *at(4, 9)),
            (url("new"), *at(4, 10)),  # newer than the list's top: a headline card, say
            (url("between"), *at(3, 12)),
            (url("old"), *at(1, 9)),  # older than where the listing stopped: not judged
            (url("late"), date(2026, 3, 4), datetime(2026, 3, 4, 13, tzinfo=WIB)),  # after page 1
        ],
    )
    coverage = ledger.coverage()
    # The span starts at the median end of the last three entries (c: 3 March 10:00).
    assert coverage.span == (datetime(2026, 3, 3, 10, tzinfo=WIB), FETCHED)
    assert coverage.judged == sorted([url("a"), url("new"), url("between")])
    assert coverage.missed == sorted([url("new"), url("between")])
    assert coverage.only_sitemaps == sorted([url("new"), url("between"), url("old"), url("late")])
    assert coverage.only_listing == sorted([url("b"), url("c"), url("d")])
    assert coverage.missed_share == 2 / 3


def test_a_day_only_article_on_the_span_edge_is_not_judged() -> None:
    ledger = CoverageLedger()
    later = datetime(2026, 3, 6, 8, 0, tzinfo=WIB)
    shown = [(url("a"), *at(5)), (url("b"), *at(3)), (url("c"), *at(3))]
    ledger.listing_page(1, later, shown)
    ledger.sitemap(
        True, [(url("edge"), *at(3)), (url("inside"), *at(4)), (url("fetch-day"), *at(6))]
    )
    coverage = ledger.coverage()
    # The listing stopped somewhere on 3 March: an article of that day may sit on page 2;
    # one dated only with the day page 1 was fetched may have come after it.
    assert coverage.judged == [url("inside")]
    assert coverage.missed == [url("inside")]


def test_an_out_of_order_story_at_the_bottom_does_not_move_the_span() -> None:
    ledger = ledger_with_listing(
        ("a", at(4, 9)), ("b", at(3, 18)), ("pinned", (date(2025, 1, 1), None))
    )
    ledger.sitemap(True, [(url("x"), *at(3, 20))])
    coverage = ledger.coverage()
    assert coverage.span is not None
    assert coverage.span[0] == datetime(2026, 3, 3, 18, tzinfo=WIB)
    assert coverage.missed == [url("x")]


def test_old_slugs_and_spellings_are_one_article() -> None:
    ledger = ledger_with_listing(("current", at(4, 9)), ("b", at(3, 1)), ("c", at(2, 1)))
    ledger.sitemap(
        True,
        [
            (url("old-slug"), *at(4, 9)),
            ("https://www.thejakartapost.com/world/2026/03/01/current", *at(4, 9)),
            (url("known-alias"), *at(3, 9)),
        ],
    )
    ledger.fetched([url("old-slug"), url("current")], url("current"))

    def resolve(link: str) -> str | None:
        return url("b") if link == url("known-alias") else None  # the crawl state's alias

    coverage = ledger.coverage(resolve)
    assert coverage.missed == []
    assert coverage.only_sitemaps == []


def test_why_the_listing_was_not_judged() -> None:
    assert CoverageLedger().coverage().unchecked == "the listing showed no article"
    no_news = ledger_with_listing(("a", at(4, 9)))
    no_news.sitemap(False, [(url("a"), *at(4, 9))])
    assert no_news.coverage().unchecked == "no news sitemap was read"
    undated = CoverageLedger()
    undated.listing_page(1, FETCHED, [(url("a"), None, None)])
    undated.sitemap(True, [(url("a"), *at(4, 9))])
    assert undated.coverage().unchecked == "the listing pages showed no dates"
