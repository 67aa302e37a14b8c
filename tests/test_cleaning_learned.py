"""Learned boilerplate store (newscrawl/cleaning/learned.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from newscrawl.cleaning.fold import fingerprint, url_fingerprint
from newscrawl.cleaning.learned import LearnedBoilerplate

WIDGET = fingerprint("Follow us on our new WhatsApp channel for breaking news.")
QUOTE = fingerprint('"We will not bow to pressure," the minister said.')


def article(n: int) -> int:
    return url_fingerprint(f"https://www.thejakartapost.com/world/2024/01/{n:02d}/story-{n}.html")


def test_boilerplate_once_seen_in_enough_distinct_articles(tmp_path):
    store = LearnedBoilerplate(tmp_path / "b.sqlite3", min_articles=3)
    assert store.observe(article(1), [WIDGET, QUOTE]) == set()
    assert store.observe(article(2), [WIDGET, QUOTE]) == set()
    assert store.observe(article(3), [WIDGET]) == {WIDGET}
    assert store.observe(article(4), [WIDGET, QUOTE]) == {WIDGET, QUOTE}
    store.close()


def test_the_same_article_never_counts_twice(tmp_path):
    store = LearnedBoilerplate(tmp_path / "b.sqlite3", min_articles=2)
    for _ in range(5):
        assert store.observe(article(1), [WIDGET, WIDGET]) == set()
    assert store.counts([WIDGET]) == {WIDGET: 1}
    store.close()


def test_counts_persist_across_runs(tmp_path):
    path = tmp_path / "b.sqlite3"
    first = LearnedBoilerplate(path, min_articles=3)
    first.observe(article(1), [WIDGET])
    first.observe(article(2), [WIDGET])
    first.close()
    second = LearnedBoilerplate(path, min_articles=3)
    # The first article of the new run already benefits.
    assert second.observe(article(3), [WIDGET]) == {WIDGET}
    second.close()


def test_memory_cache_is_bounded(tmp_path):
    store = LearnedBoilerplate(tmp_path / "b.sqlite3", min_articles=1, cache_size=5)
    for n in range(20):
        store.observe(article(n), [fingerprint(f"widget text number {n}")])
    assert store.cached == 5
    # Evicted fingerprints are still answered correctly from disk.
    assert store.observe(article(99), [fingerprint("widget text number 0")]) == {
        fingerprint("widget text number 0")
    }
    store.close()


def test_unreadable_store_is_set_aside_and_restarted(tmp_path):
    path = tmp_path / "b.sqlite3"
    path.write_bytes(b"this is not a database, just junk bytes" * 100)
    store = LearnedBoilerplate(path, min_articles=1)
    assert store.reset_reason is not None
    assert store.observe(article(1), [WIDGET]) == {WIDGET}
    store.close()
    assert [p.name.startswith("b.sqlite3.corrupt-") for p in tmp_path.iterdir()].count(True) == 1
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT articles FROM paragraph_count").fetchall() == [(1,)]
