"""The crawl state of one run: one object owning the lock, the state file and what the
run keeps in memory beside it. No Scrapy here; `newscrawl.extensions.crawlstate`
creates it once per crawl and hands it to the thin Scrapy adapters (the incremental
spider middleware, the state pipeline, the feed storage).

What it decides:

* before an article request (`decide`): fetch it (new), re-check it (known, recent),
  skip it (known and settled), or, for a page that failed in an earlier run, wait for
  its next attempt, try it again (its time came, or a listing shows it again with a
  newer date), or leave it (gone, abandoned); see `newscrawl.state.failed`;
* after the run (`settle`): what each page that failed this run becomes, remembered for
  the next runs, and which remembered failures were cured;
* listing progress, article versions and durable commits, through its `StateTracker`;

Time comes from `clock` (the ``NEWSCRAWL_STATE_NOW`` setting fixes it), so a test can
run next week's crawl without waiting for it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from newscrawl.state import failed as rules
from newscrawl.state.lock import RunLock, lock_path
from newscrawl.state.store import StateError, StateStore, state_key
from newscrawl.state.tracker import PENDING_CAP, StateTracker

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime, timedelta
    from pathlib import Path

    from newscrawl.state.store import ArticleState, FailedPage
    from newscrawl.state.tracker import Outcome

logger = logging.getLogger(__name__)


class Plan(str, Enum):
    """What to do with one listed article."""

    FETCH = "new"
    RECHECK = "recheck"
    KNOWN = "known"
    RETRY = "due"  # failed before, its next attempt has come
    REAPPEARED = "reappeared"  # failed before, listed again with a newer date
    WAITING = "waiting"  # failed before, its next attempt has not come yet
    GONE = "gone"
    ABANDONED = "abandoned"

    @property
    def fetches(self) -> bool:
        return self in (Plan.FETCH, Plan.RECHECK, Plan.RETRY, Plan.REAPPEARED)


@dataclass(frozen=True)
class Decision:
    plan: Plan
    article: ArticleState | None = None
    failed: FailedPage | None = None


@dataclass(frozen=True)
class PageOutcome:
    """How a page that failed this run ended (see `newscrawl.state.failed`).

    `known_bad`: the state already knew it as failing or gone when it was requested, so
    it is no news and does not count against the run. `page` is what is remembered.
    """

    url: str
    outcome: str
    known_bad: bool
    page: FailedPage


@dataclass(frozen=True)
class _Failure:
    url: str
    reason: str
    status: int | None


class CrawlState:
    """Everything a run knows from earlier runs, and what it leaves for the next ones."""

    def __init__(
        self,
        store: StateStore,
        *,
        recheck_window: timedelta,
        backoff: Sequence[timedelta],
        clock: Callable[[], datetime],
        lock: RunLock | None = None,
    ) -> None:
        self.store = store
        self.backoff = tuple(backoff)
        self.clock = clock
        self.lock = lock
        self.tracker = StateTracker(store, recheck_window=recheck_window, clock=clock)
        # Per run, bounded: what each request let through was listed with (for the row
        # written if it fails), pages the state knew as bad when requested, those of them
        # that came back, and this run's failures.
        self._listed: OrderedDict[str, str | None] = OrderedDict()
        self._known_bad: set[str] = set()
        self._cured: set[str] = set()
        self._failures: dict[str, _Failure] = {}
        self._settled: dict[str, PageOutcome] | None = None

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        recheck_window: timedelta,
        backoff: Sequence[timedelta],
        clock: Callable[[], datetime],
    ) -> CrawlState:
        """Take the run lock, then open the state file (`LockedError`, `StateError`)."""
        lock = RunLock(lock_path(path))
        lock.acquire()
        try:
            StateStore.check(path)
            store = StateStore(path)
        except (StateError, OSError):
            lock.release()
            raise
        return cls(store, recheck_window=recheck_window, backoff=backoff, clock=clock, lock=lock)

    @staticmethod
    def probe(path: Path) -> int:
        """Raise what `open` would (`LockedError`, `StateError`) without keeping anything,
        else return how many articles the state knows: lets the crawl command refuse in
        one line before the crawl is set up."""
        with RunLock(lock_path(path)):
            return StateStore.check(path)

    def close(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()

    @property
    def path(self) -> Path:
        return self.store.path

    def known_articles(self) -> int:
        return self.store.count()

    def remembered_failures(self) -> dict[str, int]:
        return self.store.count_failed()

    # --- before a request -------------------------------------------------------------
    def lookup(self, url: str) -> ArticleState | None:
        """The exported article `url` stands for (an old slug finds its article)."""
        return self.tracker.lookup(url)

    def decide(self, url: str, listed_at: str | None = None) -> Decision:
        """What to do with an article listed at `url` (`listed_at`: the date a listing or
        sitemap shows for it, ISO 8601, when it shows one). A decision to fetch is
        remembered for the run: the page's outcome depends on it."""
        decision = self.plan(url, listed_at)
        if decision.plan.fetches:
            key = state_key(url)
            if decision.failed is not None:
                self._known_bad.add(key)
            _put(self._listed, key, listed_at)
        return decision

    def plan(self, url: str, listed_at: str | None = None) -> Decision:
        """`decide` without remembering anything."""
        failed = self.store.get_failed(state_key(url))
        article = self.tracker.lookup(url)
        if failed is not None:
            return Decision(self._plan_for_failed(failed, listed_at), article, failed)
        if article is None:
            return Decision(Plan.FETCH)
        if self.tracker.is_recent(article):
            return Decision(Plan.RECHECK, article)
        return Decision(Plan.KNOWN, article)

    def due(self) -> list[FailedPage]:
        """Failing pages whose next attempt has come, wherever (if at all) they are listed
        now: the spider asks for them at the start, so each is tried on time."""
        return self.store.due_failed(rules.iso(self.clock()))

    def settled(self, url: str, listed_at: str | None = None) -> bool:
        """Nothing to fetch for this article now (known and settled, or known to fail and
        not due): what stops paging at a listing page of such articles."""
        return not self.plan(url, listed_at).plan.fetches

    def _plan_for_failed(self, failed: FailedPage, listed_at: str | None) -> Plan:
        if rules.is_due(failed, self.clock()):
            return Plan.RETRY
        if rules.listed_again(failed, listed_at):
            return Plan.REAPPEARED
        if failed.outcome == rules.RETRY:
            return Plan.WAITING
        return Plan.ABANDONED if failed.outcome == rules.ABANDONED else Plan.GONE

    # --- after a response -------------------------------------------------------------
    def note_response(
        self,
        article_url: str,
        fetched_urls: Iterable[str],
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """An article page gave a record (`fetched_urls`: the redirect chain)."""
        fetched = list(fetched_urls)
        self.tracker.note_response(article_url, fetched, etag, last_modified)
        for url in [article_url, *fetched]:
            self._succeeded(state_key(url))

    def not_modified(self, url: str) -> None:
        self.tracker.not_modified(url)
        self._succeeded(state_key(url))

    def _succeeded(self, key: str) -> None:
        self._listed.pop(key, None)
        self._failures.pop(key, None)
        if key in self._known_bad:
            self._cured.add(key)

    def page_failed(self, url: str, stage: str, reason: str, status: int | None) -> None:
        """An article page (or its record) could not be used this run."""
        if rules.plain_outcome(stage, reason, status, site_served=True) == rules.FORBIDDEN:
            return  # never requested: nothing to wait for
        if stage != "article":
            return  # listing pages: the resume page covers them
        key = state_key(url)
        self._failures[key] = _Failure(url, reason, status)
        self._cured.discard(key)

    # --- after the run ----------------------------------------------------------------
    def settle(self, *, site_served: bool) -> dict[str, PageOutcome]:
        """Remember this run's failed pages and forget the cured ones; once per run.

        `site_served`: the run got at least one usable article page (see
        `newscrawl.state.failed`). Returns the outcome per failed URL; later calls
        return the same.
        """
        if self._settled is not None:
            return self._settled
        now = self.clock()
        outcomes: dict[str, PageOutcome] = {}
        for key, failure in self._failures.items():
            page = rules.next_failed_page(
                self.store.get_failed(key),
                key=key,
                url=failure.url,
                reason=failure.reason,
                status=failure.status,
                listed_at=self._listed.get(key),
                now=now,
                site_served=site_served,
                backoff=self.backoff,
            )
            outcomes[failure.url] = PageOutcome(
                failure.url, page.outcome, key in self._known_bad, page
            )
        self.store.put_failed(outcome.page for outcome in outcomes.values())
        self.store.forget_failed(self._cured - self._failures.keys())
        self._settled = outcomes
        return outcomes

    # --- in the pipeline and the feeds ------------------------------------------------
    def assign_version(self, url: str, content_hash: str) -> tuple[Outcome, int]:
        return self.tracker.assign_version(url, content_hash)

    def commit_lines(self, lines: Iterable[bytes]) -> tuple[int, list[str]]:
        return self.tracker.commit_lines(lines)

    # --- listing progress -------------------------------------------------------------
    def resume_page(self, section: str) -> int:
        return self.tracker.resume_page(section)

    def reached_listing_page(self, section: str, page: int) -> None:
        self.tracker.reached_listing_page(section, page)

    def discovery_complete(self, section: str) -> None:
        self.tracker.discovery_complete(section)

    def listing_completed(self, section: str) -> bool:
        return self.tracker.listing_completed(section)


def _put(cache: OrderedDict[str, Any], key: str, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > PENDING_CAP:
        cache.popitem(last=False)
