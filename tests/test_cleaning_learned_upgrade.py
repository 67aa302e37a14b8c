"""newscrawl/cleaning/learned.py: counts kept by SQLite itself, old store files included."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from newscrawl.cleaning.learned import LearnedBoilerplate

WIDGET, QUOTE = 1111, 2222


def _articles(path, paragraph):
    with closing(sqlite3.connect(path)) as db:
        row = db.execute(
            "SELECT articles FROM paragraph_count WHERE paragraph = ?", (paragraph,)
        ).fetchone()
    return row[0] if row else 0


def test_one_count_per_article_however_often_it_is_recorded(tmp_path):
    path = tmp_path / "b.sqlite3"
    store = LearnedBoilerplate(path, min_articles=3)
    store.observe(1, [WIDGET, WIDGET, QUOTE])
    store.observe(1, [WIDGET])
    store.observe(2, [WIDGET])
    store.close()
    assert _articles(path, WIDGET) == 2
    assert _articles(path, QUOTE) == 1


def test_store_written_before_the_count_trigger_keeps_counting(tmp_path):
    path = tmp_path / "b.sqlite3"
    # The tables as the first release wrote them, with two articles already counted.
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TABLE occurrence (paragraph INTEGER NOT NULL, article INTEGER NOT NULL,"
            " PRIMARY KEY (paragraph, article)) WITHOUT ROWID"
        )
        db.execute(
            "CREATE TABLE paragraph_count"
            " (paragraph INTEGER PRIMARY KEY, articles INTEGER NOT NULL)"
        )
        db.executemany("INSERT INTO occurrence VALUES (?, ?)", [(WIDGET, 1), (WIDGET, 2)])
        db.execute("INSERT INTO paragraph_count VALUES (?, 2)", (WIDGET,))
        db.commit()
    store = LearnedBoilerplate(path, min_articles=3)
    assert store.observe(2, [WIDGET]) == set()  # article 2 was counted already
    assert store.observe(3, [WIDGET]) == {WIDGET}
    store.close()
    assert _articles(path, WIDGET) == 3
