"""End to end: gone and failing articles across runs, with the state's clock moved on.

Each test serves a small site copy under tmp_path that it changes between runs, and
runs the real `scrapy crawl` with one state file and ``NEWSCRAWL_STATE_NOW`` set to the
hour being simulated, so a week of backoff passes without waiting for it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html import escape
from typing import TYPE_CHECKING, Any

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from tests.helpers import read_jsonl, run_crawl
from tests.test_incremental_crawl import WIB, Story, article_html, story

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from newscrawl.sitecopy.server import SiteServer
    from tests.helpers import CrawlResult

#: The simulated clock starts here; articles of the first site are older than the
#: recheck window, so only what the tests add is re-checked.
T0 = datetime(2025, 4, 1, 0, 0, tzinfo=timezone.utc)
OLD = datetime(2025, 3, 10, 9, 0, tzinfo=WIB)
FAST = {"NEWSCRAWL_RETRY_BACKOFF_BASE": "0.02", "DOWNLOAD_TIMEOUT": "5"}


def iso(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat(timespec="seconds")


@dataclass
class Site:
    """A site copy whose listing (newest first) and pages the test edits between runs."""

    root: Path
    page_size: int = 4
    listed: list[tuple[Story, date]] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)

    def publish(self, *stories: Story, shown: date | None = None) -> None:
        """Put `stories` at the top of the listing (dated `shown`, else their own date)."""
        keep = [(s, d) for s, d in self.listed if s.path not in {n.path for n in stories}]
        self.listed = [(s, shown or s.published.date()) for s in stories] + keep
        self.write()

    def delete(self, *stories: Story) -> None:
        self.removed |= {s.path for s in stories}
        self.write()

    def restore(self, *stories: Story) -> None:
        self.removed -= {s.path for s in stories}
        self.write()

    def write(self) -> None:
        (self.root / "robots.txt").parent.mkdir(parents=True, exist_ok=True)
        (self.root / "robots.txt").write_text("User-agent: *\nDisallow: /search\n", "utf-8")
        listing = self.root / "world" / "latest"
        listing.mkdir(parents=True, exist_ok=True)
        for old in listing.glob("page-*.html"):
            old.unlink()
        for start in range(0, len(self.listed), self.page_size):
            chunk = self.listed[start : start + self.page_size]
            page = listing / f"page-{start // self.page_size + 1}.html"
            page.write_text(_listing_html(chunk), encoding="utf-8")
        for s, _ in self.listed:
            target = self.root / s.path.lstrip("/")
            if s.path in self.removed:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(article_html(s), encoding="utf-8")


def _listing_html(entries: list[tuple[Story, date]]) -> str:
    items = "\n".join(
        f'<div class="listNews"><div class="detailNews"><a href="{s.path}">'
        f'<h2 class="titleNews">{escape(s.slug)}</h2></a>'
        f'<span class="date">{shown:%a, %B %-d, %Y}</span></div></div>'
        for s, shown in entries
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Latest World '
        'News - The Jakarta Post</title></head><body><main><div class="tjp-latest-list">'
        f'<h1>World</h1><div class="tjp-latest-entries">\n{items}\n</div></div></main>'
        "</body></html>"
    )


@dataclass
class Runs:
    """Runs `scrapy crawl` at a simulated hour against one server and one state."""

    server: SiteServer
    work: Path

    def run(self, hours: float, **settings: str) -> CrawlResult:
        self.server.request_log.clear()
        return run_crawl(
            self.server.base_url,
            self.work,
            output=self.work / f"run-{hours:07.2f}.jsonl",
            append=True,
            settings={
                "NEWSCRAWL_STATE_PATH": str(self.work / "state" / "crawl.sqlite"),
                "NEWSCRAWL_STATE_NOW": iso(hours),
                **FAST,
                **settings,
            },
        )

    def requested(self) -> list[str]:
        return [p for p in self.server.request_log if p != "/robots.txt"]


def failures(result: CrawlResult) -> dict[str, dict[str, Any]]:
    path = result.output.with_name(result.output.stem + ".failures.jsonl")
    return {line["url"]: line for line in read_jsonl(path)}


@pytest.fixture
def copy(tmp_path: Path) -> Iterator[tuple[Site, FaultPlan, Runs]]:
    site = Site(tmp_path / "site")
    site.write()
    plan = FaultPlan({})
    work = tmp_path / "work"
    work.mkdir()
    with serve_site(site.root, faults=plan) as server:
        yield site, plan, Runs(server, work)


def test_gone_and_failing_pages_wait_their_turn_then_are_given_up(copy):
    site, plan, crawl = copy
    good = [story(n, OLD - timedelta(hours=2 + n)) for n in range(6)]
    gone = story(90, OLD)
    broken = story(91, OLD - timedelta(hours=1))
    site.publish(gone, broken, *good)  # both on listing page 1, then 2 more pages
    site.delete(gone)
    plan.faults[broken.path] = Fault.http_error(503)  # type: ignore[index]

    first = crawl.run(0)
    assert first.returncode == 0, first.stderr[-3000:]
    assert sorted(r["url"] for r in first.records) == sorted(s.url for s in good)
    failed = failures(first)
    assert set(failed) == {gone.url, broken.url}
    assert (failed[gone.url]["outcome"], failed[gone.url]["status"]) == ("gone", 404)
    assert failed[gone.url]["next_attempt_at"] is None
    assert (failed[broken.url]["outcome"], failed[broken.url]["reason"]) == ("retry", "HTTP 503")
    assert failed[broken.url]["next_attempt_at"] == iso(1)
    assert first.report["gone"] == [
        {"url": gone.url, "reason": "HTTP 404", "status": 404, "attempts": 1,
         "first_attempt_at": iso(0), "last_attempt_at": iso(0)}
    ]
    assert first.report["abandoned"] == []
    assert (first.report["articles"]["failed"], first.report["articles"]["gone"]) == (1, 1)
    assert first.report["failure_reasons"] == []

    # Ten minutes later, nothing new: listing page 1 only, and a clean exit.
    second = crawl.run(1 / 6)
    assert second.returncode == 0, second.stderr[-3000:]
    assert crawl.requested() == ["/world/latest"]
    assert failures(second) == {}
    assert second.report["articles"]["not_retried"] == 2
    assert "stopped at listing page" not in second.stderr

    # The failing page comes back at 1 h, 7 h, 31 h and 103 h (waits of 1, 6, 24 and
    # 72 hours), never before; after the last attempt it is abandoned.
    tries = plan.attempts[broken.path]
    for attempt, due in enumerate([1, 7, 31, 103], start=2):
        early = crawl.run(due - 0.25)
        assert early.returncode == 0, early.stderr[-3000:]
        assert crawl.requested() == ["/world/latest"]
        on_time = crawl.run(due + 0.01)
        assert on_time.returncode == 0, on_time.stderr[-3000:]
        assert broken.path in crawl.requested()
        assert gone.path not in crawl.requested()
        assert plan.attempts[broken.path] > tries
        tries = plan.attempts[broken.path]
        line = failures(on_time)[broken.url]
        if attempt < 5:
            assert (line["outcome"], on_time.report["abandoned"]) == ("retry", [])
        else:
            assert line["outcome"] == "abandoned"
            assert on_time.report["abandoned"] == [
                {"url": broken.url, "reason": "HTTP 503", "status": 503, "attempts": 5,
                 "first_attempt_at": iso(0), "last_attempt_at": iso(due + 0.01)}
            ]
        assert on_time.report["failure_reasons"] == []

    later = crawl.run(400)
    assert later.returncode == 0
    assert crawl.requested() == ["/world/latest"]

    # The gone article is put back and listed with a newer date: it is fetched again.
    site.restore(gone)
    site.publish(gone, shown=date(2025, 4, 20))
    back = crawl.run(450)
    assert back.returncode == 0, back.stderr[-3000:]
    assert [(r["url"], r["version"]) for r in back.records] == [(gone.url, 1)]
    assert failures(back) == {}
    settled = crawl.run(451)
    assert crawl.requested() == ["/world/latest"]
    assert settled.records == []


def test_a_gone_page_listed_again_with_the_same_date_stays_gone(copy):
    site, _, crawl = copy
    good = [story(n, OLD - timedelta(hours=2 + n)) for n in range(3)]
    gone = story(90, OLD)
    site.publish(gone, *good)
    site.delete(gone)
    assert crawl.run(0).returncode == 0
    site.publish(gone)  # moved to the top again, but with the date it always had
    again = crawl.run(2)
    assert again.returncode == 0
    assert gone.path not in crawl.requested()
    # Listed with a newer date but still missing: asked once, gone again, no alarm.
    site.publish(gone, shown=date(2025, 4, 3))
    third = crawl.run(3)
    assert third.returncode == 0, third.stderr[-3000:]
    assert gone.path in crawl.requested()
    line = failures(third)[gone.url]
    assert line["outcome"] == "gone"
    assert third.report["gone"][0]["attempts"] == 2
    assert third.report["failure_reasons"] == []


def test_a_run_that_reached_the_end_pages_shallow_one_that_failed_pages_deep(copy):
    site, plan, crawl = copy
    stories = [story(n, OLD - timedelta(hours=n)) for n in range(10)]  # 3 listing pages
    site.publish(*stories)
    plan.faults["/world/latest?page=2"] = Fault.http_error(500)  # type: ignore[index]

    broken = crawl.run(0)
    assert broken.returncode == 1  # a listing page failed: the run saw only part of it
    assert "/world/latest?page=3" not in crawl.requested()
    del plan.faults["/world/latest?page=2"]  # type: ignore[attr-defined]

    # Page 1 holds only known articles, but the last run stopped at page 2: go on.
    deep = crawl.run(1)
    assert deep.returncode == 0, deep.stderr[-3000:]
    assert "/world/latest?page=3" in crawl.requested()
    assert sorted(r["url"] for r in deep.records) == sorted(s.url for s in stories[4:])

    shallow = crawl.run(2)
    assert shallow.returncode == 0
    assert crawl.requested() == ["/world/latest"]


def test_a_feed_named_by_time_gets_its_report_and_failures_named_alike(copy):
    site, _, crawl = copy
    site.publish(*[story(n, OLD - timedelta(hours=n)) for n in range(2)])
    result = run_crawl(
        crawl.server.base_url,
        crawl.work,
        output=crawl.work / "world-%(time)s.jsonl",
        settings={"NEWSCRAWL_STATE_PATH": ""},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    names = sorted(p.name for p in crawl.work.iterdir() if p.is_file())
    (feed,) = [n for n in names if n.endswith(".jsonl") and ".failures." not in n]
    stamp = re.fullmatch(r"world-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\+00-00)\.jsonl", feed)
    assert stamp, names
    assert names == sorted([feed, f"world-{stamp[1]}.report.json",
                            f"world-{stamp[1]}.failures.jsonl"])
    assert len(read_jsonl(crawl.work / feed)) == 2


# --- a month of hourly runs ---------------------------------------------------------------
#: Hours of the month (30 days) at which the site changes; see the test below.
MONTH = 30 * 24
NEWS = {24: "one new article", 48: "a new article and a new gone one",
        100: "a new page that fails on every request, alone",
        200: "three new failing pages among two new articles",
        300: "the first gone article back, listed with a newer date"}
#: Hours a remembered failure falls due: waits of 1, 6, 24 and 72 hours after each
#: failure of the page at hour 0 (and at 100 and 200 for the later ones).
DUE = {h + offset for h in (0, 100, 200) for offset in (1, 7, 31, 103)}


def month_hours() -> list[int]:
    """Every hour with ``NEWSCRAWL_TEST_EVERY_HOUR=1``; else each hour the site changes
    or a failure falls due, the hour after each change, the hour before each due time,
    and the month's first and last hours. (In any other hour the site and the pages due
    are as in the last hour run before it.)"""
    if os.environ.get("NEWSCRAWL_TEST_EVERY_HOUR") == "1":
        return list(range(MONTH))
    quiet_after = {h + 1 for h in NEWS}
    just_before = {h - 1 for h in DUE}
    return sorted({0, MONTH - 1} | set(NEWS) | quiet_after | DUE | just_before)


def test_a_month_of_hourly_runs_fails_only_when_something_new_is_wrong(copy):
    site, plan, crawl = copy
    old = [story(n, OLD - timedelta(hours=2 + n)) for n in range(6)]
    gone_1, broken_1 = story(90, OLD), story(91, OLD - timedelta(hours=1))

    def fresh(n: int, hour: int) -> Story:
        return story(n, (T0 + timedelta(hours=hour)).astimezone(WIB))

    def break_pages(*stories: Story) -> None:
        for s in stories:
            plan.faults[s.path] = Fault.http_error(503)  # type: ignore[index]

    site.publish(gone_1, broken_1, *old)
    site.delete(gone_1)
    break_pages(broken_1)
    changes = {
        24: lambda: site.publish(fresh(100, 24)),
        48: lambda: (site.publish(fresh(101, 48), gone_2), site.delete(gone_2)),
        100: lambda: (break_pages(broken_2), site.publish(broken_2)),
        200: lambda: (break_pages(*broken_3), site.publish(*broken_3, fresh(103, 200),
                                                            fresh(104, 200))),
        300: lambda: (site.restore(gone_1), site.publish(gone_1, shown=date(2025, 4, 13))),
    }
    gone_2, broken_2 = fresh(102, 48), fresh(110, 100)
    broken_3 = [fresh(111 + i, 200) for i in range(3)]

    exits: dict[int, int] = {}
    gone_reported: dict[str, int] = {}
    abandoned_reported: dict[str, int] = {}
    exported: list[str] = []
    for hour in month_hours():
        if hour in changes:
            changes[hour]()
        result = crawl.run(hour)
        exits[hour] = result.returncode
        exported += [r["url"] for r in result.records]
        for entry in result.report["gone"]:
            gone_reported.setdefault(entry["url"], hour)
        for entry in result.report["abandoned"]:
            abandoned_reported.setdefault(entry["url"], hour)
        assert result.report["failure_reasons"] == [] or hour in (100, 200), (
            hour, result.report["failure_reasons"])

    assert {h for h, code in exits.items() if code != 0} == {100, 200}
    assert exits[100] == exits[200] == 1
    assert gone_reported == {gone_1.url: 0, gone_2.url: 48}
    assert abandoned_reported == {
        broken_1.url: 103, broken_2.url: 203, **{s.url: 303 for s in broken_3}}
    # Every article that could be fetched was exported, once.
    expected = [*old, fresh(100, 24), fresh(101, 48), fresh(103, 200), fresh(104, 200), gone_1]
    assert sorted(exported) == sorted(s.url for s in expected)
