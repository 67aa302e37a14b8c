"""What one run keeps beside the state file: decisions taken before records are durable.

The state file only learns about a record once it is durably in a run file. Between
the pipeline deciding a record's version and that moment, the run keeps two small
in-memory maps, both emptied as records are committed and both capped, so memory stays
bounded however long the crawl:

* versions given out but not yet committed (an article reached twice in one run gets
  one version, not two);
* the HTTP validators (ETag, Last-Modified) of the response each pending record came
  from: stored with the record, never ahead of it, or a later run could be told
  "304 Not Modified" for a version that never reached any file.

Listing progress ("resume page") is per section: while a run is paginating it
records the deepest listing page reached; only a run that ends cleanly clears it. A
run after a killed or failed one does not stop at pages of known articles before it
has gone past that depth, so articles listed beyond the point where the previous run
stopped are still found.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from datetime import datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any

from newscrawl.state.store import Committed, state_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import timedelta

    from newscrawl.state.store import ArticleState, StateStore

logger = logging.getLogger(__name__)

#: Pending entries kept at most; past it the oldest are forgotten (cost: a later run
#: may fetch such an article once more, never a lost article).
PENDING_CAP = 10_000


class Outcome(str, Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class StateTracker:
    def __init__(
        self,
        store: StateStore,
        *,
        recheck_window: timedelta,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.recheck_window = recheck_window
        self.clock = clock or _system_clock
        self._versions: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._validators: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()

    # --- before a request -------------------------------------------------------------
    def lookup(self, url: str) -> ArticleState | None:
        return self.store.get(state_key(url))

    def is_recent(self, article: ArticleState, now: datetime | None = None) -> bool:
        """Published (or corrected) within the recheck window: worth fetching again."""
        cutoff = (now or self.clock()) - self.recheck_window
        moments = [_parse(article.published_at), _parse(article.modified_at)]
        if moments == [None, None]:
            moments = [_parse(article.first_seen)]
        return any(m is not None and m >= cutoff for m in moments)

    # --- after a response -------------------------------------------------------------
    def note_response(
        self,
        article_url: str,
        fetched_urls: Iterable[str],
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        key = state_key(article_url)
        # Harmless ahead of commit: an alias means nothing until its article row exists.
        self.store.add_aliases(key, (state_key(u) for u in fetched_urls))
        if etag or last_modified:
            _put(self._validators, key, (etag, last_modified))

    def not_modified(self, url: str) -> None:
        article = self.lookup(url)
        if article is not None:
            self.store.seen_unchanged(article.key, now=self._stamp())

    # --- in the pipeline --------------------------------------------------------------
    def assign_version(self, url: str, content_hash: str) -> tuple[Outcome, int]:
        key = state_key(url)
        pending = self._versions.get(key)
        if pending is not None:
            previous_version, previous_hash = pending
            from_store = False
        else:
            article = self.store.get(key)
            if article is None:
                _put(self._versions, key, (1, content_hash))
                return Outcome.NEW, 1
            previous_version, previous_hash = article.version, article.content_hash
            key, from_store = article.key, True
        if previous_hash == content_hash:
            if from_store:
                # The file already holds this content, so these validators describe it.
                etag, last_modified = self._validators.pop(key, (None, None))
                self.store.seen_unchanged(key, etag, last_modified, now=self._stamp())
            return Outcome.UNCHANGED, previous_version
        version = previous_version + 1
        _put(self._versions, key, (version, content_hash))
        return Outcome.UPDATED, version

    # --- once records are durable -----------------------------------------------------
    def commit_lines(self, lines: Iterable[bytes]) -> tuple[int, list[str]]:
        """Commit JSON Lines records that are on disk; returns (committed, problems)."""
        records: list[Committed] = []
        problems: list[str] = []
        for line in lines:
            record, problem = parse_record(line)
            if record is None:
                problems.append(problem)
                continue
            etag, last_modified = self._validators.pop(record.key, (None, None))
            records.append(
                Committed(
                    record.url,
                    record.version,
                    record.content_hash,
                    record.published_at,
                    record.modified_at,
                    etag,
                    last_modified,
                )
            )
            pending = self._versions.get(record.key)
            if pending is not None and pending[0] <= record.version:
                del self._versions[record.key]
        return self.store.commit(records, now=self._stamp()), problems

    def _stamp(self) -> str:
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    # --- listing progress -------------------------------------------------------------
    def resume_page(self, section: str) -> int:
        value = self.store.get_meta(f"resume_page:{section}")
        return int(value) if value and value.isdigit() else 0

    def reached_listing_page(self, section: str, page: int) -> None:
        if page > self.resume_page(section):
            self.store.set_meta(f"resume_page:{section}", str(page))

    def discovery_complete(self, section: str) -> None:
        self.store.set_meta(f"resume_page:{section}", "0")
        self.store.set_meta(f"listing_complete:{section}", "1")

    def listing_completed(self, section: str) -> bool:
        """Whether some run has read the section's listing to its end (or down to pages
        of articles an earlier complete reading had found): only then does a page of
        known articles mean that everything below it is known too."""
        return self.store.get_meta(f"listing_complete:{section}") == "1"


def parse_record(line: bytes) -> tuple[Committed | None, str]:
    """The state-relevant fields of one exported JSON line, or None and why not."""
    try:
        data: Any = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, f"not JSON: {exc}"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    url, version, digest = data.get("url"), data.get("version", 1), data.get("content_hash")
    if not isinstance(url, str) or not isinstance(digest, str) or not digest:
        return None, "no url or content_hash field"
    if not isinstance(version, int):
        return None, f"version {version!r} is not a whole number"
    return Committed(
        url,
        version,
        digest,
        _str_or_none(data.get("published_at")),
        _str_or_none(data.get("modified_at")),
    ), ""


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _put(cache: OrderedDict[str, Any], key: str, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > PENDING_CAP:
        cache.popitem(last=False)
