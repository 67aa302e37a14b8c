"""How a run says it failed, so `scrapy crawl` can exit non-zero.

Components call `fail_run(stats, reason)`; the `crawl` command (newscrawl.commands.crawl)
reads `failure_reasons(stats)` when the crawl ends and turns them into the exit status.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

FAILURE_REASONS_KEY = "newscrawl/run_failure_reasons"


class ExitCode(IntEnum):
    """Exit statuses of `scrapy crawl jakartapost` (documented in README)."""

    OK = 0
    FAILED = 1  # the run ran but failed: see the run report's failure reasons
    USAGE = 2  # bad spider argument or setting; nothing was requested
    LOCKED = 75  # another run holds the lock (EX_TEMPFAIL: cron may simply try later)


def fail_run(stats: StatsCollector, reason: str) -> None:
    reasons = list(stats.get_value(FAILURE_REASONS_KEY) or [])
    if reason not in reasons:
        reasons.append(reason)
    stats.set_value(FAILURE_REASONS_KEY, reasons)


def failure_reasons(stats: StatsCollector) -> list[str]:
    return list(stats.get_value(FAILURE_REASONS_KEY) or [])


def usable_articles(stats: StatsCollector) -> int:
    """Article pages this run got something usable from: exported, or known unchanged
    (the same content again, or 304 Not Modified)."""
    return sum(
        int(stats.get_value(key, 0) or 0)
        for key in (
            "item_scraped_count",
            "newscrawl/state/unchanged",
            "newscrawl/incremental/not_modified",
        )
    )
