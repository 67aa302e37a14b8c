"""Validation: the last word on whether a cleaned record is exported.

Recomputes ``word_count`` and ``content_hash`` from the final text, drops a record that
lacks a required field (``InvalidArticle``, logged by Scrapy at WARNING with the item;
the run report lists its URL and reason) and flags ``body_shrunk`` when cleaning removed
most of what the page's article container held, so a gutted record is visible rather
than quietly emitted.

Settings:

* ``NEWSCRAWL_VALIDATION_ENABLED`` (default True)
* ``NEWSCRAWL_VALIDATION_REQUIRED`` (default url, title, published_at, body)
* ``NEWSCRAWL_VALIDATION_MIN_BODY_RATIO`` (default 0.5): the cleaned body must keep at
  least this share of the raw body's characters, else the record is flagged.

Stats: ``newscrawl/validation/dropped``, ``newscrawl/validation/dropped/<field>``,
``newscrawl/validation/flagged/body_shrunk``, ``newscrawl/validation/passed``,
``newscrawl/validation/paragraphs_dropped``, ``newscrawl/validation/paragraphs_out``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.items import Article, content_hash

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)

DEFAULT_REQUIRED = ("url", "title", "published_at", "body")
#: A page whose container was half chrome exists (a short wire brief under the widgets);
#: below half, cleaning took more than it left, which a reader should check.
DEFAULT_MIN_BODY_RATIO = 0.5
SHRUNK_FLAG = "body_shrunk"


class InvalidArticle(DropItem):
    """A record missing a field the dataset promises; the message names the field(s)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"missing required field(s): {', '.join(missing)}")
        self.missing = missing


class ValidationPipeline:
    def __init__(
        self,
        crawler: Crawler,
        required: tuple[str, ...] = DEFAULT_REQUIRED,
        min_body_ratio: float = DEFAULT_MIN_BODY_RATIO,
    ) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.required = required
        self.min_body_ratio = min_body_ratio

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_VALIDATION_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_VALIDATION_ENABLED is off")
        required = tuple(settings.getlist("NEWSCRAWL_VALIDATION_REQUIRED", list(DEFAULT_REQUIRED)))
        unknown = [name for name in required if name not in Article.__dataclass_fields__]
        if unknown:
            names = ", ".join(unknown)
            raise ValueError(f"NEWSCRAWL_VALIDATION_REQUIRED names unknown field(s): {names}")
        return cls(
            crawler,
            required,
            settings.getfloat("NEWSCRAWL_VALIDATION_MIN_BODY_RATIO", DEFAULT_MIN_BODY_RATIO),
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        item.word_count = item.body_words()
        item.content_hash = content_hash(item)
        missing = [name for name in self.required if not _present(getattr(item, name))]
        if missing:
            self.stats.inc_value("newscrawl/validation/dropped")
            self.stats.inc_value("newscrawl/validation/paragraphs_dropped", len(item.paragraphs))
            for name in missing:
                self.stats.inc_value(f"newscrawl/validation/dropped/{name}")
            raise InvalidArticle(missing)
        if item.raw_body_chars and len(item.body) < self.min_body_ratio * item.raw_body_chars:
            item.flag(SHRUNK_FLAG)
            self.stats.inc_value(f"newscrawl/validation/flagged/{SHRUNK_FLAG}")
            logger.warning(
                "Cleaning left %(kept)d of %(raw)d body characters of %(url)s: flagged %(flag)s",
                {
                    "kept": len(item.body),
                    "raw": item.raw_body_chars,
                    "url": item.url,
                    "flag": SHRUNK_FLAG,
                },
                extra={"spider": self.crawler.spider},
            )
        self.stats.inc_value("newscrawl/validation/passed")
        self.stats.inc_value("newscrawl/validation/paragraphs_out", len(item.paragraphs))
        return item


def _present(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None
