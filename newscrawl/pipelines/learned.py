"""Boilerplate removal, part two: chrome learned across articles.

A short paragraph that recurs in many distinct articles is a widget, not a story
(`newscrawl.cleaning.learned` keeps the counts in SQLite across runs). This needs a
view across articles, so it is an item pipeline of the process that writes the
output, after the per-page cleaning (`newscrawl.extraction`) has removed the known
phrases and repeated paragraphs. Part one, the known phrases, is
`newscrawl.pipelines.boilerplate`.

Settings:

* ``NEWSCRAWL_BOILERPLATE_ENABLED`` (default True): both parts.
* ``NEWSCRAWL_BOILERPLATE_PHRASES``: its ``keep:`` lines protect wire credits.
* ``NEWSCRAWL_BOILERPLATE_PATH`` (default "data/boilerplate.sqlite3"): the learned
  counts; empty turns learning off.
* ``NEWSCRAWL_BOILERPLATE_MIN_ARTICLES`` (default 25), ``NEWSCRAWL_BOILERPLATE_MAX_CHARS``
  (default 200), ``NEWSCRAWL_BOILERPLATE_CACHE_SIZE`` (default 10000).

Stats: ``newscrawl/boilerplate/paragraphs_removed/learned``,
``newscrawl/boilerplate/store_reset``,
``newscrawl/boilerplate/store_unavailable`` (learning off for the run: the store could not
be opened), ``newscrawl/boilerplate/store_errors`` (records cleaned without learning).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newscrawl.cleaning.fold import key_fingerprint, url_fingerprint
from newscrawl.cleaning.learned import (
    DEFAULT_CACHE_SIZE,
    DEFAULT_MAX_CHARS,
    DEFAULT_MIN_ARTICLES,
    MIN_ARTICLES_FLOOR,
    LearnedBoilerplate,
)
from newscrawl.cleaning.phrases import PhraseRules
from newscrawl.items import Article
from newscrawl.pipelines.boilerplate import count_change

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class LearnedBoilerplatePipeline:
    def __init__(
        self,
        crawler: Crawler,
        rules: PhraseRules,
        store_path: str,
        min_articles: int = DEFAULT_MIN_ARTICLES,
        max_chars: int = DEFAULT_MAX_CHARS,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        # Only for its protected lines: a wire credit is never learned as chrome.
        self.rules = rules
        self.store_path = store_path
        self.min_articles = min_articles
        self.max_chars = max_chars
        self.cache_size = cache_size
        self.store: LearnedBoilerplate | None = None
        self._store_error_logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_BOILERPLATE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_BOILERPLATE_ENABLED is off")
        min_articles = settings.getint("NEWSCRAWL_BOILERPLATE_MIN_ARTICLES", DEFAULT_MIN_ARTICLES)
        if min_articles < MIN_ARTICLES_FLOOR:
            logger.warning(
                "NEWSCRAWL_BOILERPLATE_MIN_ARTICLES=%(given)d would treat text shared by a "
                "couple of stories as chrome; using %(floor)d",
                {"given": min_articles, "floor": MIN_ARTICLES_FLOOR},
            )
            min_articles = MIN_ARTICLES_FLOOR
        return cls(
            crawler,
            PhraseRules.load(settings.get("NEWSCRAWL_BOILERPLATE_PHRASES") or None),
            settings.get("NEWSCRAWL_BOILERPLATE_PATH", "data/boilerplate.sqlite3") or "",
            min_articles,
            settings.getint("NEWSCRAWL_BOILERPLATE_MAX_CHARS", DEFAULT_MAX_CHARS),
            settings.getint("NEWSCRAWL_BOILERPLATE_CACHE_SIZE", DEFAULT_CACHE_SIZE),
        )

    def open_spider(self) -> None:
        if not self.store_path:
            logger.info("NEWSCRAWL_BOILERPLATE_PATH is empty: learned boilerplate is off")
            return
        try:
            self.store = LearnedBoilerplate(self.store_path, self.min_articles, self.cache_size)
        except (sqlite3.OperationalError, OSError) as exc:
            # Known phrases still apply; only this run's learning is lost.
            self.stats.inc_value("newscrawl/boilerplate/store_unavailable")
            logger.warning(
                "Boilerplate store %(path)s unavailable (%(reason)s): learned boilerplate "
                "is off for this run",
                {"path": self.store_path, "reason": f"{type(exc).__name__}: {exc}"},
                extra={"spider": self.crawler.spider},
            )
            return
        if self.store.reset_reason:
            self.stats.inc_value("newscrawl/boilerplate/store_reset")

    def close_spider(self) -> None:
        if self.store is not None:
            try:
                self.store.close()
            except sqlite3.Error as exc:
                self._store_failed(exc, self.store_path)
            self.store = None

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article) or self.store is None or not item.url:
            return item
        before = item.paragraphs
        kept = self._remove_learned(item, before)
        if kept != before:
            item.paragraphs = kept
        return item

    def _remove_learned(self, item: Article, paragraphs: list[str]) -> list[str]:
        assert self.store is not None
        # Only short, unprotected paragraphs are ever candidates, so only they are
        # counted: the store grows with the chrome, not with the archive.
        key = item.memo().key  # dedup compares the same paragraphs by the same key
        candidates = {
            index: key_fingerprint(key(p))
            for index, p in enumerate(paragraphs)
            if len(p) <= self.max_chars and not self.rules.is_protected(p)
        }
        if not candidates:
            return paragraphs
        try:
            chrome = self.store.observe(url_fingerprint(item.url), candidates.values())
        except sqlite3.Error as exc:
            # A store hiccup (disk full, a lock held too long) must not cost the article:
            # it goes on with its known-phrase cleaning only.
            self._store_failed(exc, item.url)
            return paragraphs
        if not chrome:
            return paragraphs
        kept = []
        for index, paragraph in enumerate(paragraphs):
            if candidates.get(index) in chrome:
                count_change(self.stats, item, "paragraphs_removed", "learned", paragraph)
            else:
                kept.append(paragraph)
        return kept

    def _store_failed(self, exc: sqlite3.Error, url: str) -> None:
        self.stats.inc_value("newscrawl/boilerplate/store_errors")
        if self._store_error_logged:
            return
        self._store_error_logged = True
        logger.warning(
            "Boilerplate store error at %(url)s (%(reason)s); learned boilerplate skipped "
            "for the records it affects (counted in newscrawl/boilerplate/store_errors, "
            "no more of these messages)",
            {"url": url, "reason": f"{type(exc).__name__}: {exc}"},
            extra={"spider": self.crawler.spider},
        )
