"""Boilerplate removal, part one: known site chrome out of the body.

Known phrases are kept as data in ``newscrawl/data/boilerplate_phrases.txt``: the search
box, feedback widget, share / gift / app prompts, newsletter and subscription prompts,
"Read also" lines, photo credits. They are matched after normalisation, and also when
glued to the start or end of story text (then only the chrome is cut off). This needs
no other article, so it runs with the per-page cleaning (``NEWSCRAWL_CLEANING_PIPELINES``,
see `newscrawl.extraction`); part two, chrome learned across articles, is
`newscrawl.pipelines.learned`.

Settings:

* ``NEWSCRAWL_BOILERPLATE_ENABLED`` (default True): both parts.
* ``NEWSCRAWL_BOILERPLATE_PHRASES`` (default ""): a phrase file to use instead of the
  packaged one (same format).

Stats: ``newscrawl/boilerplate/paragraphs_removed/<rule>`` (rule: phrase, prefix, credit,
line), ``newscrawl/boilerplate/paragraphs_trimmed/<rule>``,
``newscrawl/boilerplate/paragraphs_split`` (chrome cut from the middle of a paragraph
leaves two), ``newscrawl/boilerplate/items_changed``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newscrawl.cleaning.phrases import PhraseRules
from newscrawl.items import Article, split_paragraphs

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class BoilerplatePipeline:
    def __init__(self, crawler: Crawler, rules: PhraseRules) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.rules = rules

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_BOILERPLATE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_BOILERPLATE_ENABLED is off")
        return cls(crawler, PhraseRules.load(settings.get("NEWSCRAWL_BOILERPLATE_PHRASES") or None))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        before = item.paragraphs
        memo = item.memo()
        kept: list[str] = []
        for paragraph in before:
            match = self.rules.match(paragraph, memo)
            if match.rule is None:
                kept.append(paragraph)
                continue
            if match.removed:
                count_change(self.stats, item, "paragraphs_removed", match.rule, paragraph)
            else:
                count_change(self.stats, item, "paragraphs_trimmed", match.rule, paragraph)
                # Chrome cut from between two run-together blocks leaves both blocks.
                pieces = split_paragraphs(match.text)
                if len(pieces) > 1:
                    self.stats.inc_value("newscrawl/boilerplate/paragraphs_split", len(pieces) - 1)
                kept.extend(pieces)
        if kept != before:
            item.paragraphs = kept
            self.stats.inc_value("newscrawl/boilerplate/items_changed")
        return item


def count_change(
    stats: StatsCollector, item: Article, what: str, rule: str, paragraph: str
) -> None:
    """Count (and at DEBUG, log) one paragraph removed or trimmed by boilerplate `rule`."""
    stats.inc_value(f"newscrawl/boilerplate/{what}/{rule}")
    if not logger.isEnabledFor(logging.DEBUG):
        return  # several per article: skip building the record's arguments
    logger.debug(
        "Boilerplate (%(rule)s, %(what)s) in %(url)s: %(text)r",
        {"rule": rule, "what": what, "url": item.url, "text": paragraph[:80]},
    )
