"""Text normalisation: every string field and every body paragraph in one canonical form.

Unicode NFC, invisible characters (zero-width spaces and joiners, soft hyphens, BOMs)
removed, every whitespace run (non-breaking spaces included) one space. Later pipelines
compare text, so they all see the same form.

Settings: ``NEWSCRAWL_NORMALIZE_ENABLED`` (default True).

Stats: ``newscrawl/normalize/fields_changed``, ``newscrawl/normalize/paragraphs_changed``,
``newscrawl/normalize/paragraphs_removed/empty`` (a paragraph of invisible characters only),
``newscrawl/normalize/paragraphs_in`` (raw paragraphs: the start of the paragraph ledger).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newscrawl.items import Article
from newscrawl.text import clean_text

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Single-string fields; body is handled paragraph by paragraph, lists element by element.
_TEXT_FIELDS = (
    "url",
    "section",
    "title",
    "summary",
    "published_at",
    "modified_at",
    "image_url",
    "language",
    "crawled_at",
    "extraction_path",
)
_LIST_FIELDS = ("authors", "tags")


class TextNormalizationPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_NORMALIZE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_NORMALIZE_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        changed = 0
        for name in _TEXT_FIELDS:
            value = getattr(item, name)
            if isinstance(value, str):
                cleaned = clean_text(value)
                if cleaned != value:
                    # An empty optional field is absent, not "".
                    setattr(item, name, cleaned if cleaned or name != "summary" else None)
                    changed += 1
        for name in _LIST_FIELDS:
            values = getattr(item, name)
            cleaned_list = [c for c in (clean_text(v) for v in values) if c]
            if cleaned_list != values:
                setattr(item, name, cleaned_list)
                changed += 1
        if changed:
            self.stats.inc_value("newscrawl/normalize/fields_changed", changed)
        self._normalize_body(item)
        return item

    def _normalize_body(self, item: Article) -> None:
        raw = item.paragraphs
        # The opening entry of the paragraph ledger (README, "Cleaning pipelines").
        self.stats.inc_value("newscrawl/normalize/paragraphs_in", len(raw))
        # Through the memo: dedup cleans every paragraph again, and most are already
        # clean, so it finds them here.
        clean = item.memo().clean
        paragraphs = [clean(p) for p in raw]
        modified = sum(1 for before, after in zip(raw, paragraphs, strict=True) if before != after)
        emptied = paragraphs.count("")
        if emptied:
            self.stats.inc_value("newscrawl/normalize/paragraphs_removed/empty", emptied)
            logger.debug(
                "Removed %(n)d paragraph(s) of invisible characters from %(url)s",
                {"n": emptied, "url": item.url},
                extra={"spider": self.crawler.spider},
            )
        if modified - emptied > 0:
            self.stats.inc_value("newscrawl/normalize/paragraphs_changed", modified - emptied)
        # Always rewritten: this also settles stray separators ("\n\n\n") in the raw body.
        item.paragraphs = paragraphs
