"""The state file and the per-run tracker, without Scrapy."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from newscrawl.state.store import Committed, StateError, StateStore, state_key
from newscrawl.state.tracker import Outcome, StateTracker

URL = "https://www.thejakartapost.com/world/2025/03/10/talks-resume.html"


@pytest.fixture
def store(tmp_path):
    s = StateStore(tmp_path / "state" / "crawl.sqlite")
    yield s
    s.close()


def test_key_ignores_host_tracking_and_trailing_slash():
    assert state_key(URL) == "/world/2025/03/10/talks-resume.html"
    assert state_key("http://127.0.0.1:8080/world/2025/03/10/talks-resume.html?utm_source=x") == \
        "/world/2025/03/10/talks-resume.html"
    assert state_key("https://newgelora.thejakartapost.com/world/a/") == "/world/a"


def test_commit_never_moves_a_version_back(store):
    store.commit([Committed(URL, 2, "h2")])
    store.commit([Committed(URL, 1, "h1")])  # an older run file replayed
    found = store.get(state_key(URL))
    assert (found.version, found.content_hash) == (2, "h2")
    store.commit([Committed(URL, 3, "h3", published_at="2025-03-10T09:00:00+07:00")])
    found = store.get(state_key(URL))
    assert (found.version, found.content_hash, found.published_at) == \
        (3, "h3", "2025-03-10T09:00:00+07:00")
    assert found.first_seen <= found.last_seen


def test_alias_finds_the_article_only_once_it_exists(store):
    store.add_aliases(state_key(URL), ["/news/2025/03/10/old-slug.html"])
    assert store.get("/news/2025/03/10/old-slug.html") is None
    store.commit([Committed(URL, 1, "h")])
    assert store.get("/news/2025/03/10/old-slug.html").url == URL


def test_check_refuses_garbage_foreign_and_newer_files(tmp_path):
    missing = tmp_path / "none.sqlite"
    StateStore.check(missing)  # a fresh path: a full crawl
    assert not missing.exists()

    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"x" * 4096)
    with pytest.raises(StateError, match="is unreadable"):
        StateStore.check(garbage)

    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(StateError, match="not a newscrawl state"):
        StateStore.check(foreign)

    newer = tmp_path / "newer.sqlite"
    StateStore(newer).set_meta("schema_version", "99")
    with pytest.raises(StateError, match="schema version 99"):
        StateStore.check(newer)


def tracker_for(store, hours=48):
    return StateTracker(store, recheck_window=timedelta(hours=hours))


def test_versions_new_unchanged_updated_and_pending(store):
    tracker = tracker_for(store)
    assert tracker.assign_version(URL, "a") == (Outcome.NEW, 1)
    # Reached again before its line is on disk: the same version, not a second one.
    assert tracker.assign_version(URL, "a") == (Outcome.UNCHANGED, 1)
    assert store.get(state_key(URL)) is None  # nothing is seen before it is durable
    committed, problems = tracker.commit_lines(
        [b'{"url": "%s", "version": 1, "content_hash": "a"}' % URL.encode()])
    assert (committed, problems) == (1, [])
    assert tracker.assign_version(URL, "a") == (Outcome.UNCHANGED, 1)
    assert tracker.assign_version(URL, "b") == (Outcome.UPDATED, 2)


def test_validators_are_stored_with_the_record_not_before(store):
    tracker = tracker_for(store)
    tracker.note_response(URL, [URL], '"etag-1"', None)
    assert store.get(state_key(URL)) is None
    tracker.commit_lines([b'{"url": "%s", "version": 1, "content_hash": "a"}' % URL.encode()])
    assert store.get(state_key(URL)).etag == '"etag-1"'


def test_unreadable_lines_are_reported_not_committed(store):
    committed, problems = tracker_for(store).commit_lines([b"{not json", b'{"url": "x"}'])
    assert committed == 0
    assert len(problems) == 2


def test_recent_means_published_or_modified_within_the_window(store):
    tracker = tracker_for(store, hours=48)
    now = datetime(2025, 3, 12, 12, 0, tzinfo=timezone.utc)
    store.commit([Committed(URL, 1, "a", published_at="2025-03-10T09:00:00+07:00")])
    assert tracker.is_recent(store.get(state_key(URL)), now) is False
    store.commit([Committed(URL, 2, "b", published_at="2025-03-10T09:00:00+07:00",
                            modified_at="2025-03-11T09:00:00+07:00")])
    assert tracker.is_recent(store.get(state_key(URL)), now) is True


def test_resume_page_grows_until_discovery_completes(store):
    tracker = tracker_for(store)
    assert tracker.resume_page("world") == 0
    tracker.reached_listing_page("world", 3)
    tracker.reached_listing_page("world", 2)
    assert tracker.resume_page("world") == 3
    assert tracker.resume_page("business") == 0
    tracker.discovery_complete("world")
    assert tracker.resume_page("world") == 0
