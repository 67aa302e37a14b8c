"""The crawl state file: one SQLite database, no Scrapy.

One row per article, keyed by the path of its canonical URL (`state_key`), so the same
article served from www, a mirror or a loopback copy is one row. A row holds the last
version exported, its content hash, published and modified times, the HTTP validators
of the response it came from (ETag, Last-Modified) and when it was first and last seen.
Old slugs that redirect to the article are kept as aliases of the row.

Pages that could not be used are remembered too (`FailedPage`, one row per page key):
gone (404/410), failing (retried later, with backoff) or abandoned, with first and last
attempt and the number of runs that tried them. (Sitemaps are kept beside the state
by `newscrawl.middlewares.sitemapcache`.)

A row is written only from records that are durably in a run file (see
`newscrawl.feeds`), never ahead of them: a killed run therefore never leaves an
article marked seen that is in no file.

`StateError` is raised, with a one-line reason, for a file that is not a state
database (corrupt, another format, written by a newer newscrawl).
"""

from __future__ import annotations

import sqlite3
from dataclasses import astuple, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newscrawl.urls import strip_tracking

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

#: 2 added the failed_pages table; a version 1 file is upgraded in place.
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    modified_at TEXT,
    etag TEXT,
    last_modified TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    key TEXT PRIMARY KEY,
    article_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_pages (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER,
    first_attempt TEXT NOT NULL,
    last_attempt TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt TEXT,
    listed_at TEXT
);
"""

# A record only ever moves a row forward: replaying an older run file (salvage of a
# killed run's leftovers, say) must not roll back a newer version.
_UPSERT = """
INSERT INTO articles (key, url, version, content_hash, published_at, modified_at,
                      etag, last_modified, first_seen, last_seen)
VALUES (:key, :url, :version, :content_hash, :published_at, :modified_at,
        :etag, :last_modified, :now, :now)
ON CONFLICT(key) DO UPDATE SET
    url = excluded.url,
    version = excluded.version,
    content_hash = excluded.content_hash,
    published_at = excluded.published_at,
    modified_at = excluded.modified_at,
    etag = COALESCE(excluded.etag, articles.etag),
    last_modified = COALESCE(excluded.last_modified, articles.last_modified),
    last_seen = excluded.last_seen
WHERE excluded.version >= articles.version
"""


class StateError(Exception):
    """The state file cannot be used; the message says which file and why."""


def state_key(url: str) -> str:
    """Host-independent identity of an article URL: its path, tracking removed."""
    path = urlsplit(strip_tracking(url)).path or "/"
    return path.rstrip("/") or "/"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ArticleState:
    key: str
    url: str
    version: int
    content_hash: str
    published_at: str | None
    modified_at: str | None
    etag: str | None
    last_modified: str | None
    first_seen: str
    last_seen: str


@dataclass(frozen=True)
class FailedPage:
    """A page that could not be used, as the state remembers it.

    `outcome` is ``gone`` (404/410), ``retry`` (failing; requested again from
    `next_attempt` on) or ``abandoned`` (failed its last attempt). `attempts` counts the
    runs that requested it, not the requests of one run. `listed_at` is the date the
    listing (or sitemap) showed for it at its last attempt, if it showed one.
    """

    key: str
    url: str
    outcome: str
    reason: str
    status: int | None
    first_attempt: str
    last_attempt: str
    attempts: int
    next_attempt: str | None = None
    listed_at: str | None = None


@dataclass(frozen=True)
class Committed:
    """One exported record, as read back from a run file."""

    url: str
    version: int
    content_hash: str
    published_at: str | None = None
    modified_at: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def key(self) -> str:
        return state_key(self.url)


class StateStore:
    """The state file at `path`, created (with its folder) when missing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise StateError(f"crawl state {path} cannot be opened: {exc}") from None
        try:
            self._prepare()
        except sqlite3.Error as exc:
            self._db.close()
            raise StateError(f"crawl state {path} is unreadable ({exc})") from None

    @classmethod
    def check(cls, path: Path) -> int:
        """Raise `StateError` if `path` exists and is not a usable state file; else return
        how many articles it knows (0 for a file not there yet).

        Opened read-only, so checking never creates or changes the file.
        """
        if not path.exists():
            return 0
        if not path.is_file():
            raise StateError(f"crawl state {path} is not a file")
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise StateError(f"crawl state {path} cannot be opened: {exc}") from None
        try:
            if not _check_schema(db, path):
                return 0
            return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        except sqlite3.Error as exc:
            raise StateError(f"crawl state {path} is unreadable ({exc})") from None
        finally:
            db.close()

    def _prepare(self) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk when it returns, like the run file lines it follows.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=5000")
        _check_schema(db, self.path)
        db.executescript(_SCHEMA)
        # Every table a version 1 file lacks was just created: it is a version 2 file now.
        db.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def close(self) -> None:
        self._db.close()

    # --- articles ---------------------------------------------------------------------
    def get(self, key: str) -> ArticleState | None:
        row = self._db.execute(
            "SELECT key, url, version, content_hash, published_at, modified_at, etag,"
            " last_modified, first_seen, last_seen FROM articles WHERE key = ?"
            " UNION ALL SELECT a.key, a.url, a.version, a.content_hash, a.published_at,"
            " a.modified_at, a.etag, a.last_modified, a.first_seen, a.last_seen"
            " FROM aliases JOIN articles a ON a.key = aliases.article_key"
            " WHERE aliases.key = ? LIMIT 1",
            (key, key),
        ).fetchone()
        return ArticleState(*row) if row else None

    def commit(self, records: Iterable[Committed], now: str | None = None) -> int:
        """Record exported versions in one transaction; returns how many were given."""
        stamp = now or utcnow()
        rows = [
            {
                "key": r.key,
                "url": r.url,
                "version": r.version,
                "content_hash": r.content_hash,
                "published_at": r.published_at,
                "modified_at": r.modified_at,
                "etag": r.etag,
                "last_modified": r.last_modified,
                "now": stamp,
            }
            for r in records
        ]
        if not rows:
            return 0
        with self._transaction():
            self._db.executemany(_UPSERT, rows)
        return len(rows)

    def add_aliases(self, article_key: str, aliases: Iterable[str]) -> None:
        rows = [(alias, article_key) for alias in set(aliases) if alias != article_key]
        if rows:
            with self._transaction():
                self._db.executemany(
                    "INSERT OR REPLACE INTO aliases (key, article_key) VALUES (?, ?)", rows
                )

    def seen_unchanged(
        self,
        key: str,
        etag: str | None = None,
        last_modified: str | None = None,
        now: str | None = None,
    ) -> None:
        """The article was fetched again and is as recorded: refresh last_seen/validators."""
        with self._transaction():
            self._db.execute(
                "UPDATE articles SET last_seen = ?, etag = COALESCE(?, etag),"
                " last_modified = COALESCE(?, last_modified) WHERE key = ?",
                (now or utcnow(), etag, last_modified, key),
            )

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    # --- pages that could not be used --------------------------------------------------
    def get_failed(self, key: str) -> FailedPage | None:
        row = self._db.execute(
            "SELECT key, url, outcome, reason, status, first_attempt, last_attempt, attempts,"
            " next_attempt, listed_at FROM failed_pages WHERE key = ?",
            (key,),
        ).fetchone()
        return FailedPage(*row) if row else None

    def put_failed(self, pages: Iterable[FailedPage]) -> None:
        rows = [astuple(page) for page in pages]
        if rows:
            with self._transaction():
                self._db.executemany(
                    "INSERT OR REPLACE INTO failed_pages (key, url, outcome, reason, status,"
                    " first_attempt, last_attempt, attempts, next_attempt, listed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )

    def due_failed(self, now: str) -> list[FailedPage]:
        """Failing pages whose next attempt is at or before `now` (ISO 8601, UTC)."""
        rows = self._db.execute(
            "SELECT key, url, outcome, reason, status, first_attempt, last_attempt, attempts,"
            " next_attempt, listed_at FROM failed_pages"
            " WHERE outcome = 'retry' AND next_attempt <= ? ORDER BY next_attempt",
            (now,),
        )
        return [FailedPage(*row) for row in rows]

    def forget_failed(self, keys: Iterable[str]) -> None:
        rows = [(key,) for key in set(keys)]
        if rows:
            with self._transaction():
                self._db.executemany("DELETE FROM failed_pages WHERE key = ?", rows)

    def count_failed(self) -> dict[str, int]:
        """Remembered failed pages per outcome."""
        rows = self._db.execute("SELECT outcome, COUNT(*) FROM failed_pages GROUP BY outcome")
        return {str(outcome): int(count) for outcome, count in rows}

    # --- run metadata -----------------------------------------------------------------
    def get_meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, name: str, value: str) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value)
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _check_schema(db: sqlite3.Connection, path: Path) -> bool:
    """Raise `StateError` for a database that is no state file; False for an empty one."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return False  # a new, empty database
    if "meta" not in tables or "articles" not in tables:
        raise StateError(f"crawl state {path} is an SQLite file but not a newscrawl state")
    row = db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else 0
    if version > SCHEMA_VERSION:
        raise StateError(
            f"crawl state {path} has schema version {version}, newer than this newscrawl "
            f"understands ({SCHEMA_VERSION})"
        )
    return True
