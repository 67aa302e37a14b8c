"""Learned boilerplate: short paragraphs that recur across many distinct articles.

A widget's text is the same on every page; a story's paragraph is not. The store keeps,
on disk in SQLite, which articles each short paragraph fingerprint was seen in, so the
count is of *distinct* articles (recrawling or re-cleaning an article never inflates it)
and survives between runs. Memory holds only a bounded cache of fingerprints already
known to be boilerplate.

A paragraph is learned boilerplate only when it is short (`max_chars`) and recurs in at
least `min_articles` distinct articles: a quote two stories share, or a long background
paragraph every wire story repeats, stays.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

#: Distinct articles a paragraph must appear in before it is treated as chrome. A story
#: cycle can have three or four pieces quoting the same statement, and templated copy
#: (a ministry's stock "did not respond to requests for comment") recurs across many
#: more; every page carries a widget, so chrome passes twenty-five within the first
#: twenty-five articles of a run, and the counts carry over to the next run.
DEFAULT_MIN_ARTICLES = 25
#: The lowest threshold a crawl may configure: a paragraph two stories share is a quote
#: or a follow-up's background, never evidence of chrome.
MIN_ARTICLES_FLOOR = 3
#: Longest paragraph (characters) the learned rule may remove. Widget texts are one or two
#: sentences; a recurring paragraph longer than this is background that wire stories
#: repeat on purpose, which is news, not chrome.
DEFAULT_MAX_CHARS = 200
#: Fingerprints known to be boilerplate kept in memory; the counts stay on disk.
DEFAULT_CACHE_SIZE = 10_000
#: Articles recorded between commits: one fsync per article would dominate the cost.
#: Seconds to wait for another process's lock on the store (two crawls sharing it).
DEFAULT_TIMEOUT = 30.0
COMMIT_EVERY = 100

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS occurrence ("
    " paragraph INTEGER NOT NULL, article INTEGER NOT NULL,"
    " PRIMARY KEY (paragraph, article)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS paragraph_count ("
    " paragraph INTEGER PRIMARY KEY, articles INTEGER NOT NULL)",
    # The count follows the occurrences inside SQLite, so an article's paragraphs are
    # recorded with one executemany: a row INSERT OR IGNORE skips (an article seen
    # before) never fires the trigger, which is what keeps the count one per article.
    "CREATE TRIGGER IF NOT EXISTS occurrence_counted AFTER INSERT ON occurrence BEGIN"
    " INSERT INTO paragraph_count (paragraph, articles) VALUES (NEW.paragraph, 1)"
    " ON CONFLICT(paragraph) DO UPDATE SET articles = articles + 1; END",
)
# SQLite's default limit on host parameters in one statement is 999 on old builds.
_BATCH = 500


class LearnedBoilerplate:
    """Distinct-article counts per paragraph fingerprint, persisted in SQLite."""

    def __init__(
        self,
        path: str | Path,
        min_articles: int = DEFAULT_MIN_ARTICLES,
        cache_size: int = DEFAULT_CACHE_SIZE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.min_articles = min_articles
        self.cache_size = cache_size
        self._known: OrderedDict[int, None] = OrderedDict()
        self._pending = 0
        self.reset_reason: str | None = None
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.OperationalError:
            # Locked by another crawl, or not openable: the file may be perfectly good, so
            # it is not set aside; the caller decides how to run without it.
            raise
        except sqlite3.DatabaseError as exc:
            # A torn or foreign file must not stop the crawl: set it aside (for a human to
            # look at) and learn again from scratch.
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            self.path.replace(aside)
            self.reset_reason = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "Boilerplate store %(path)s unreadable (%(reason)s); "
                "moved to %(aside)s, starting empty",
                {"path": self.path, "reason": self.reset_reason, "aside": aside},
            )
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.timeout)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                db.execute(statement)
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _remember(self, fingerprint: int) -> None:
        self._known[fingerprint] = None
        self._known.move_to_end(fingerprint)
        while len(self._known) > self.cache_size:
            self._known.popitem(last=False)

    def counts(self, fingerprints: Iterable[int]) -> dict[int, int]:
        wanted = list(dict.fromkeys(fingerprints))
        found: dict[int, int] = {}
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT paragraph, articles FROM paragraph_count WHERE paragraph IN ({marks})",  # noqa: S608 - only "?" marks
                chunk,
            )
            found.update(rows)
        return found

    def observe(self, article: int, fingerprints: Iterable[int]) -> set[int]:
        """Record that `article` holds these paragraphs; return those that are boilerplate
        (now seen in at least `min_articles` distinct articles, this one included)."""
        unique = set(fingerprints)
        boilerplate = {f for f in unique if f in self._known}
        for f in boilerplate:
            self._known.move_to_end(f)
        # Fingerprints already known to be chrome need no more counting.
        unknown = unique - boilerplate
        self._db.executemany(
            "INSERT OR IGNORE INTO occurrence (paragraph, article) VALUES (?, ?)",
            [(fingerprint, article) for fingerprint in unknown],
        )
        for fingerprint, articles in self.counts(unknown).items():
            if articles >= self.min_articles:
                boilerplate.add(fingerprint)
                self._remember(fingerprint)
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self.commit()
        return boilerplate

    @property
    def cached(self) -> int:
        return len(self._known)

    def commit(self) -> None:
        self._db.commit()
        self._pending = 0

    def close(self) -> None:
        self.commit()
        self._db.close()
