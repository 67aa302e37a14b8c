"""What a failed page means, and when it is worth asking for again. No Scrapy, no clock.

A page that could not be used after its retries ends one of these ways (`outcome`):

* ``gone``: the article page answered 404 or 410 while the same run fetched other
  articles fine. It is not requested again unless a listing or sitemap shows it again
  with a newer date. When nothing at all came back from the site in that run, a 404
  says more about the site than about the article, so it is treated as ``retry``
  (unless the page was gone already).
* ``retry``: anything else; requested again after a wait that grows with every failed
  run (the backoff schedule, e.g. 1 h, 6 h, 24 h, 72 h).
* ``abandoned``: it failed the run after the last wait too; given up like a gone page.
* ``forbidden``: robots.txt forbids it (nothing was requested, nothing is remembered).
* ``failed``: a listing page, or any page when the run keeps no state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from newscrawl.datasets.instants import parse_instant
from newscrawl.state.store import FailedPage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.http import Response

GONE = "gone"
RETRY = "retry"
ABANDONED = "abandoned"
FORBIDDEN = "forbidden"
FAILED = "failed"

#: Statuses that say the page itself is no more (not a server in trouble).
GONE_STATUSES = frozenset({404, 410})
#: How Scrapy's robots.txt middleware words the request it refused.
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def is_failure_drop(exception: BaseException) -> bool:
    """A pipeline drop that means the page was unusable (logged at WARNING or above),
    as opposed to an expected one (a duplicate, an unchanged article) logged below."""
    level = getattr(exception, "log_level", None)
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
    return not (isinstance(level, int) and level < logging.WARNING)


@dataclass(frozen=True)
class DropFailure:
    """A record a pipeline dropped as unusable, as a failed article page."""

    url: str
    reason: str
    status: int | None


def failure_from_drop(
    item: Any, response: Response | None, exception: BaseException
) -> DropFailure | None:
    """The failed page an ``item_dropped`` signal stands for, or None for an expected
    drop (see `is_failure_drop`)."""
    if not is_failure_drop(exception):
        return None
    url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
    return DropFailure(
        str(url or (response.url if response is not None else "")),
        f"dropped: {exception}",
        response.status if response is not None else None,
    )


def plain_outcome(stage: str, reason: str, status: int | None, site_served: bool) -> str:
    """The outcome of a failure as far as this run alone can tell (no memory of others).

    `site_served`: the run got at least one usable article page from the site.
    """
    if stage != "article":
        return FAILED
    if ROBOTS_FORBIDDEN in reason:
        return FORBIDDEN
    if status in GONE_STATUSES and site_served:
        return GONE
    return FAILED


def next_failed_page(
    previous: FailedPage | None,
    *,
    key: str,
    url: str,
    reason: str,
    status: int | None,
    listed_at: str | None,
    now: datetime,
    site_served: bool,
    backoff: Sequence[timedelta],
) -> FailedPage:
    """The row to remember for an article page that failed this run (after `previous`)."""
    attempts = previous.attempts + 1 if previous is not None else 1
    stamp = iso(now)
    first = previous.first_attempt if previous is not None else stamp
    listed = listed_at or (previous.listed_at if previous is not None else None)
    # A page already gone answering 404 again confirms it, whatever else the run got.
    confirmed = previous is not None and previous.outcome == GONE
    if plain_outcome("article", reason, status, site_served or confirmed) == GONE:
        return FailedPage(key, url, GONE, reason, status, first, stamp, attempts, None, listed)
    if attempts > len(backoff):
        return FailedPage(key, url, ABANDONED, reason, status, first, stamp, attempts, None, listed)
    due = iso(now + backoff[attempts - 1])
    return FailedPage(key, url, RETRY, reason, status, first, stamp, attempts, due, listed)


def is_due(page: FailedPage, now: datetime) -> bool:
    """A failing page whose wait is over."""
    due = parse_instant(page.next_attempt)
    return page.outcome == RETRY and (due is None or due <= now)


def listed_again(page: FailedPage, listed_at: str | None) -> bool:
    """The page is listed with a date later than the one it had when it failed (or, when
    it had none, later than its last attempt): it may have been put back."""
    shown = parse_instant(listed_at)
    if shown is None:
        return False
    before = parse_instant(page.listed_at) or parse_instant(page.last_attempt)
    return before is None or shown > before
