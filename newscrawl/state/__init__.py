"""Crawl state: what earlier runs exported, kept in one SQLite file between runs.

`store.StateStore` is plain Python (no Scrapy); `tracker.StateTracker` adds what one
run keeps in memory on top of it. The Scrapy side is `newscrawl.pipelines.state`,
`newscrawl.middlewares.incremental` and `newscrawl.feeds`.
"""

from __future__ import annotations

from newscrawl.state.store import ArticleState, StateError, StateStore, state_key

__all__ = ["ArticleState", "StateError", "StateStore", "state_key"]
