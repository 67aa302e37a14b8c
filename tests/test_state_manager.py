"""The crawl state's decisions and memory of failed pages, without Scrapy."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from newscrawl.state.failed import is_failure_drop, listed_again, plain_outcome
from newscrawl.state.lock import LockedError
from newscrawl.state.manager import CrawlState, Plan
from newscrawl.state.store import SCHEMA_VERSION, Committed, FailedPage, StateStore

T0 = datetime(2025, 4, 1, tzinfo=timezone.utc)
BACKOFF = [timedelta(hours=h) for h in (1, 6, 24, 72)]
A = "https://www.thejakartapost.com/world/2025/03/10/a.html"
B = "https://www.thejakartapost.com/world/2025/03/10/b.html"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def open_state(tmp_path, clock: Clock) -> CrawlState:
    return CrawlState.open(
        tmp_path / "state.sqlite", recheck_window=timedelta(hours=48), backoff=BACKOFF,
        clock=clock)


def run(tmp_path, clock: Clock, hours: float, failures=(), served=True, listed_at=None):
    """One run at T0 + `hours`: decide on A and B, fail those in `failures`, settle."""
    clock.now = T0 + timedelta(hours=hours)
    state = open_state(tmp_path, clock)
    try:
        plans = {url: state.decide(url, listed_at).plan for url in (A, B)}
        for url, status in failures:
            if plans[url].fetches:
                state.page_failed(url, "article", f"HTTP {status}", status)
        return plans, state.settle(site_served=served)
    finally:
        state.close()


def test_a_failing_page_waits_1_6_24_72_hours_then_is_abandoned(tmp_path, clock):
    plans, outcomes = run(tmp_path, clock, 0, [(A, 503)])
    assert plans[A] is Plan.FETCH
    assert (outcomes[A].outcome, outcomes[A].known_bad) == ("retry", False)
    assert outcomes[A].page.next_attempt == "2025-04-01T01:00:00+00:00"
    seen = []
    for hours in (0.5, 1, 6.5, 7, 30.5, 31, 102.5, 103, 500):
        plans, outcomes = run(tmp_path, clock, hours, [(A, 503)])
        seen.append((hours, plans[A].value, outcomes[A].outcome if A in outcomes else None))
    assert seen == [
        (0.5, "waiting", None), (1, "due", "retry"), (6.5, "waiting", None), (7, "due", "retry"),
        (30.5, "waiting", None), (31, "due", "retry"), (102.5, "waiting", None),
        (103, "due", "abandoned"), (500, "abandoned", None),
    ]


def test_a_page_failing_again_is_known_bad_and_one_that_comes_back_is_forgotten(tmp_path, clock):
    run(tmp_path, clock, 0, [(A, 503)])
    _, outcomes = run(tmp_path, clock, 1, [(A, 500)])
    assert (outcomes[A].known_bad, outcomes[A].page.attempts) == (True, 2)
    assert outcomes[A].page.first_attempt == "2025-04-01T00:00:00+00:00"
    clock.now = T0 + timedelta(hours=7)
    state = open_state(tmp_path, clock)
    assert [page.url for page in state.due()] == [A]
    assert state.decide(A).plan is Plan.RETRY
    state.note_response(A, [A], None, None)
    assert state.settle(site_served=True) == {}
    state.close()
    assert StateStore(tmp_path / "state.sqlite").get_failed("/world/2025/03/10/a.html") is None


def test_a_404_is_gone_only_when_the_site_served_something(tmp_path, clock):
    _, outcomes = run(tmp_path, clock, 0, [(A, 404), (B, 410)], served=False)
    assert {url: o.outcome for url, o in outcomes.items()} == {A: "retry", B: "retry"}
    _, outcomes = run(tmp_path, clock, 1, [(A, 404)], served=True)
    assert outcomes[A].outcome == "gone"
    # Once gone, a 404 again confirms it, even in a run that got nothing else.
    _, outcomes = run(tmp_path, clock, 2, [(A, 404)], served=False, listed_at="2025-04-02")
    assert outcomes[A].outcome == "gone"


def test_a_gone_page_is_tried_again_only_when_listed_with_a_newer_date(tmp_path, clock):
    run(tmp_path, clock, 0, [(A, 404)], listed_at="2025-03-10")
    for listed_at, plan in [(None, Plan.GONE), ("2025-03-10", Plan.GONE),
                            ("2025-03-09T12:00:00+07:00", Plan.GONE),
                            ("2025-03-11", Plan.REAPPEARED)]:
        plans, _ = run(tmp_path, clock, 5, listed_at=listed_at)
        assert plans[A] is plan, listed_at


def test_listed_again_without_a_date_at_the_failure_compares_with_the_last_attempt():
    page = FailedPage("/a", A, "gone", "HTTP 404", 404, "2025-04-01T00:00:00+00:00",
                      "2025-04-01T10:00:00+00:00", 1)
    assert not listed_again(page, "2025-04-01")  # that day began before the attempt
    assert listed_again(page, "2025-04-02")
    assert not listed_again(page, "not a date")


def test_known_articles_are_skipped_or_rechecked_by_age(tmp_path, clock):
    state = open_state(tmp_path, clock)
    state.store.commit([Committed(A, 1, "h", published_at="2025-03-31T20:00:00+07:00"),
                        Committed(B, 1, "h", published_at="2025-03-01T08:00:00+07:00")])
    assert [state.decide(url).plan for url in (A, B)] == [Plan.RECHECK, Plan.KNOWN]
    assert state.settled(B)
    assert not state.settled(A)
    state.close()


def test_outcomes_that_need_no_state():
    assert plain_outcome("article", "HTTP 404", 404, site_served=True) == "gone"
    assert plain_outcome("article", "HTTP 404", 404, site_served=False) == "failed"
    assert plain_outcome("article", "IgnoreRequest: Forbidden by robots.txt", None, True) == \
        "forbidden"
    assert plain_outcome("listing", "HTTP 404", 404, site_served=True) == "failed"

    class Expected(Exception):
        log_level = "DEBUG"

    assert not is_failure_drop(Expected())
    assert is_failure_drop(ValueError())


def test_the_lock_is_the_states_own(tmp_path, clock):
    state = open_state(tmp_path, clock)
    with pytest.raises(LockedError):
        CrawlState.probe(tmp_path / "state.sqlite")
    with pytest.raises(LockedError):
        open_state(tmp_path, clock)
    state.close()
    CrawlState.probe(tmp_path / "state.sqlite")


def test_a_version_1_state_file_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE articles (key TEXT PRIMARY KEY, url TEXT NOT NULL, version INTEGER"
            " NOT NULL, content_hash TEXT NOT NULL, published_at TEXT, modified_at TEXT,"
            " etag TEXT, last_modified TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);"
            "CREATE TABLE aliases (key TEXT PRIMARY KEY, article_key TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema_version', '1');"
            f"INSERT INTO articles VALUES ('/a', '{A}', 3, 'h', NULL, NULL, NULL, NULL, 'x', 'y');"
        )
    db.close()
    StateStore.check(path)
    store = StateStore(path)
    assert store.get("/a").version == 3
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert store.count_failed() == {}
    store.close()
