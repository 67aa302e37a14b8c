"""Drop-cap repair: the story's first letter glued back onto its word, then checked.

The page object leaves the drop-cap letter as a block of its own ("R", then "ussia backs
..."), and hands over the page's other copies of the opening (`Article.opening_copies`).
This pipeline merges the letter, weighing that evidence where the letter is a word of its
own ("A suicide bomber" or "Abroad"; see `newscrawl.cleaning.dropcap` for the rule), and
then verifies the result. A record where the evidence was split or silent gets the
quality flag ``dropcap_ambiguous``; one that still seems to start with a fragment of a
word gets ``dropcap_suspect``; neither passes silently.

Settings: ``NEWSCRAWL_DROPCAP_ENABLED`` (default True).

Stats: ``newscrawl/dropcap/merged``, ``newscrawl/dropcap/decided_by/<evidence>``,
``newscrawl/dropcap/ambiguous``, ``newscrawl/dropcap/suspect``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from newscrawl.cleaning.dropcap import OpeningEvidence, lost_letter_suspect, repair_dropcap
from newscrawl.cleaning.phrases import PhraseRules
from newscrawl.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)

SUSPECT_FLAG = "dropcap_suspect"
AMBIGUOUS_FLAG = "dropcap_ambiguous"


class DropCapPipeline:
    def __init__(self, crawler: Crawler, rules: PhraseRules) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        # Known chrome (a "Read also" line, a share prompt) may precede the letter inside
        # the container; it is looked past, not merged with.
        self.rules = rules

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_DROPCAP_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_DROPCAP_ENABLED is off")
        return cls(crawler, PhraseRules.load(settings.get("NEWSCRAWL_BOILERPLATE_PHRASES") or None))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        memo = item.memo()

        def is_chrome(paragraph: str) -> bool:
            return self.rules.is_chrome(paragraph, memo)

        title, summary = item.title or "", item.summary or ""
        paragraphs = item.paragraphs
        evidence = OpeningEvidence(copies=item.opening_copies, context=f"{title} {summary}")
        repair = repair_dropcap(paragraphs, is_chrome, evidence)
        paragraphs = repair.paragraphs
        if repair.merged:
            item.paragraphs = paragraphs
            self.stats.inc_value("newscrawl/dropcap/merged")
            self.stats.inc_value(f"newscrawl/dropcap/decided_by/{repair.decided_by}")
        if repair.ambiguous:
            item.flag(AMBIGUOUS_FLAG)
            self.stats.inc_value("newscrawl/dropcap/ambiguous")
            logger.info(
                "No clear evidence where the first word ends: %(url)s (%(start)r)",
                {"url": item.url, "start": paragraphs[0][:40]},
                extra={"spider": self.crawler.spider},
            )
        if lost_letter_suspect(paragraphs, title, summary, is_chrome):
            item.flag(SUSPECT_FLAG)
            self.stats.inc_value("newscrawl/dropcap/suspect")
            logger.info(
                "Story may start with a broken first word: %(url)s (%(start)r)",
                {"url": item.url, "start": (paragraphs[0] if paragraphs else "")[:40]},
                extra={"spider": self.crawler.spider},
            )
        return item
