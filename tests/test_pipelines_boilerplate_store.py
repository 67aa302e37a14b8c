"""newscrawl/pipelines/learned.py + cleaning/learned.py when the SQLite store fails.

A store locked by another crawl is not corrupt: it is left in place and the run goes on
without learning (known phrases are removed per page, before this pipeline). A store
error in the middle of a run never costs an article.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from contextlib import closing

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.cleaning.learned import LearnedBoilerplate
from newscrawl.pipelines import learned
from newscrawl.pipelines.learned import LearnedBoilerplatePipeline
from tests.test_pipelines_normalize import make_article

WIDGET = "Follow our WhatsApp channel for the day's top stories."
STORY = "Jakarta police arrested two suspects on Monday over the attack, a spokesman said."


def _item(n: int):
    return make_article(
        url=f"https://www.thejakartapost.com/world/2024/07/{n:02d}/story-{n}.html",
        body="\n\n".join([f"{STORY} ({n})", WIDGET]),
    )


@pytest.fixture
def locked_store(tmp_path):
    """A store file another process holds an exclusive lock on (rollback journal)."""
    path = tmp_path / "bp.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("CREATE TABLE occurrence (paragraph INTEGER, article INTEGER)")
        other.execute("BEGIN EXCLUSIVE")
        yield path
        other.execute("ROLLBACK")


def test_locked_store_is_not_set_aside(locked_store):
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        LearnedBoilerplate(locked_store, min_articles=3, timeout=0.05)
    assert sorted(p.name for p in locked_store.parent.iterdir()) == ["bp.sqlite3"]


def test_pipeline_runs_without_learning_when_the_store_is_locked(
    locked_store, monkeypatch, caplog
):
    monkeypatch.setattr(
        learned, "LearnedBoilerplate", functools.partial(LearnedBoilerplate, timeout=0.05)
    )
    crawler = get_crawler(Spider, {
        "NEWSCRAWL_BOILERPLATE_PATH": str(locked_store),
        "NEWSCRAWL_BOILERPLATE_MIN_ARTICLES": 3,
    })
    pipe = build_from_crawler(LearnedBoilerplatePipeline, crawler)
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.learned"):
        pipe.open_spider()
    assert "learned boilerplate is off for this run" in caplog.text
    items = [_item(n) for n in range(1, 5)]
    for item in items:
        pipe.process_item(item)
    pipe.close_spider()
    for n, item in enumerate(items, start=1):
        assert item.paragraphs == [f"{STORY} ({n})", WIDGET]
    assert crawler.stats.get_value("newscrawl/boilerplate/store_unavailable") == 1
    assert crawler.stats.get_value("newscrawl/boilerplate/paragraphs_removed/learned") is None
    assert sorted(p.name for p in locked_store.parent.iterdir()) == ["bp.sqlite3"]


def test_store_error_mid_run_keeps_the_article(tmp_path, caplog):
    crawler = get_crawler(Spider, {"NEWSCRAWL_BOILERPLATE_PATH": str(tmp_path / "bp.sqlite3")})
    pipe = build_from_crawler(LearnedBoilerplatePipeline, crawler)
    pipe.open_spider()

    def failing_observe(article, fingerprints):
        raise sqlite3.OperationalError("disk I/O error")

    pipe.store.observe = failing_observe
    first, second = _item(1), _item(2)
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.learned"):
        pipe.process_item(first)
        pipe.process_item(second)
    pipe.close_spider()
    assert first.paragraphs == [f"{STORY} (1)", WIDGET]
    assert second.paragraphs == [f"{STORY} (2)", WIDGET]
    assert crawler.stats.get_value("newscrawl/boilerplate/store_errors") == 2
    # Logged once, with the URL and the reason; the rest are only counted.
    assert caplog.text.count("Boilerplate store error") == 1
    assert "story-1.html" in caplog.text
    assert "disk I/O error" in caplog.text
