"""Keep the latest version of each article, on disk, and stream it back by date.

Records go into a temporary SQLite database keyed by `url` (the article's identity).
A record replaces the stored one when it ranks higher by (`version`, `modified_at`,
`crawled_at`), compared as instants; a missing timestamp ranks lowest. So memory stays
flat however many records come in: SQLite keeps its page cache small and the rest on
disk. Reading back walks an index on `published_at` (records without one come last),
optionally limited to an inclusive range of instants.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawl.datasets.instants import epoch

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime
    from types import TracebackType

    from typing_extensions import Self

logger = logging.getLogger(__name__)

#: Rows sent to SQLite per executemany call.
BATCH = 1000
# Stand-ins for a missing timestamp: lowest when ranking versions, last when ordering.
MISSING_RANK = -1e300
MISSING_PUBLISHED = 1e300

_SCHEMA = """
CREATE TABLE latest (
    url TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    modified_ts REAL NOT NULL,
    crawled_ts REAL NOT NULL,
    published_ts REAL NOT NULL,
    record TEXT NOT NULL
)
"""
# (A rowid table: records hold whole bodies, too large for a WITHOUT ROWID table's b-tree.)
# Row values compare left to right: version first, then modified_at, then crawled_at.
_UPSERT = """
INSERT INTO latest (url, version, modified_ts, crawled_ts, published_ts, record)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET
    version = excluded.version, modified_ts = excluded.modified_ts,
    crawled_ts = excluded.crawled_ts, published_ts = excluded.published_ts,
    record = excluded.record
WHERE (excluded.version, excluded.modified_ts, excluded.crawled_ts)
    > (latest.version, latest.modified_ts, latest.crawled_ts)
"""


class LatestVersions:
    """Collects records with `add()`, then yields one per URL with `records()`.

    Use as a context manager; the database lives in a temporary directory under
    `workdir` (the system temp directory by default) and is deleted on exit.
    """

    def __init__(self, workdir: Path | None = None) -> None:
        self.workdir = workdir
        self.added = 0
        self._pending: list[tuple[Any, ...]] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._db: sqlite3.Connection | None = None
        self._indexed = False

    def __enter__(self) -> Self:
        self._tmp = tempfile.TemporaryDirectory(prefix="newscrawl-merge-", dir=self.workdir)
        try:
            self._db = sqlite3.connect(Path(self._tmp.name) / "merge.sqlite3")
            # A scratch database: nothing to recover after a crash, so skip the journal.
            self._db.executescript(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;"
            )
            self._db.execute(_SCHEMA)
        except BaseException:
            # __exit__ does not run when __enter__ fails (a full disk): clean up here.
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("LatestVersions is used outside its 'with' block")
        return self._db

    def add(self, record: dict[str, Any]) -> None:
        if self._indexed:
            raise RuntimeError("records cannot be added after reading has started")
        published = epoch(record.get("published_at"))
        self._pending.append(
            (
                str(record.get("url")),
                _version(record.get("version")),
                _rank(epoch(record.get("modified_at"))),
                _rank(epoch(record.get("crawled_at"))),
                MISSING_PUBLISHED if published is None else published,
                json.dumps(record, ensure_ascii=False, separators=(",", ":")),
            )
        )
        self.added += 1
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            with self.db:
                self.db.executemany(_UPSERT, self._pending)
            self._pending.clear()

    def _finish_loading(self) -> None:
        if not self._indexed:
            self._flush()
            # Built once after loading: cheaper than keeping it up to date row by row.
            self.db.execute("CREATE INDEX by_published ON latest (published_ts, url)")
            self._indexed = True

    @property
    def distinct(self) -> int:
        self._flush()
        count: int = self.db.execute("SELECT COUNT(*) FROM latest").fetchone()[0]
        return count

    def count(self, since: datetime | None = None, until: datetime | None = None) -> int:
        self._finish_loading()
        where, params = _range(since, until)
        count: int = self.db.execute(f"SELECT COUNT(*) FROM latest {where}", params).fetchone()[0]  # noqa: S608
        return count

    def records(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        """Latest version of each article, oldest publication first (ties by URL)."""
        self._finish_loading()
        where, params = _range(since, until)
        query = f"SELECT record FROM latest {where} ORDER BY published_ts, url"  # noqa: S608
        for (text,) in self.db.execute(query, params):
            record: dict[str, Any] = json.loads(text)
            yield record


def _range(since: datetime | None, until: datetime | None) -> tuple[str, tuple[float, ...]]:
    # Only fixed SQL fragments are put together here; the bounds travel as parameters.
    clauses: list[str] = []
    params: list[float] = []
    if since is not None:
        clauses.append("published_ts >= ?")
        params.append(since.timestamp())
    if until is not None:
        clauses.append("published_ts <= ?")
        params.append(until.timestamp())
    if since is not None and until is None:
        clauses.append("published_ts < ?")  # a bounded range never includes undated records
        params.append(MISSING_PUBLISHED)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def _version(value: object) -> int:
    # Invalid records only get here when validation was switched off; rank them lowest.
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _rank(value: float | None) -> float:
    return MISSING_RANK if value is None else value
