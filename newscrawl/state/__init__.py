"""Crawl state: what earlier runs exported or failed, kept in one SQLite file between runs.

`store.StateStore` is the file (plain Python, no Scrapy); `tracker.StateTracker` adds
what one run keeps in memory on top of it; `failed` says what a failed page becomes;
`manager.CrawlState` owns all of it, with the run lock, for one run. The Scrapy side
is `newscrawl.extensions.crawlstate` (the owner's lifecycle), which hands the state
to `newscrawl.pipelines.state`, `newscrawl.middlewares.incremental` and
`newscrawl.feeds`.
"""

from __future__ import annotations

from newscrawl.state.store import ArticleState, StateError, StateStore, state_key

__all__ = ["ArticleState", "StateError", "StateStore", "state_key"]
