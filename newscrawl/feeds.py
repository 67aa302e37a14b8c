"""Run files that are never half-written, and that tell the crawl state what is on disk.

`DurableFileFeedStorage` replaces Scrapy's local file storage (``FEED_STORAGES`` for
the ``file`` scheme and plain paths). A feed ``<dir>/<name>.jsonl`` is written as
``<name>.jsonl.part``; every ``NEWSCRAWL_FEED_SYNC_ITEMS`` records (and when the feed
closes) the file is flushed and fsynced, and only then are those records committed to
the crawl state (`newscrawl.state.salvage.state_sink`). When the feed closes the part
file is renamed to its final name (``-O``/overwrite), or appended to an existing file
(``-o``/append) through a temporary copy, so the final file only ever holds whole lines.

A run killed before that leaves its ``.part`` file behind; the next run recovers it
(`newscrawl.state.salvage`). Only JSON Lines feeds are committed to the state; other
formats still get the write-then-rename treatment.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from w3lib.url import file_uri_to_path

from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.files import fsync_folder, part_path
from newscrawl.state.salvage import salvage_part, state_sink

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

    from newscrawl.state.manager import CrawlState

LINE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})


class SyncedLineFile:
    """A binary file that fsyncs every `sync_every` complete lines, then hands those
    lines to `on_durable`; the bytes it is given are written unchanged."""

    def __init__(
        self, path: Path, sync_every: int, on_durable: Callable[[list[bytes]], None] | None
    ) -> None:
        self.path = path
        self.sync_every = max(1, sync_every)
        self.on_durable = on_durable
        self._fh: IO[bytes] = path.open("wb")
        self._tail = b""
        self._pending: list[bytes] = []

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def write(self, data: bytes) -> int:
        written = self._fh.write(data)
        if self.on_durable is not None:
            *complete, self._tail = (self._tail + bytes(data)).split(b"\n")
            self._pending.extend(line for line in complete if line.strip())
            if len(self._pending) >= self.sync_every:
                self.sync()
        return written

    def flush(self) -> None:
        self._fh.flush()

    def sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        lines, self._pending = self._pending, []
        if lines and self.on_durable is not None:
            self.on_durable(lines)

    def close(self) -> None:
        if self._fh.closed:
            return
        self.sync()
        self._fh.close()


class DurableFileFeedStorage:
    """Local feed storage: write to ``.part``, fsync in batches, rename on close.

    Handed the run's `CrawlState` (None without one). Settings:
    ``NEWSCRAWL_FEED_SYNC_ITEMS`` (default 10): records between two fsyncs. A smaller
    number re-fetches fewer articles after a kill, a larger one syncs less.
    """

    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        state: CrawlState | None = None,
        stats: StatsCollector | None = None,
        sync_every: int = 10,
    ) -> None:
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        options = feed_options or {}
        self.overwrite = bool(options.get("overwrite", False))
        # Compressed feeds do not hold readable lines; they are not committed.
        self.line_format = (
            str(options.get("format", "")) in LINE_FORMATS and "postprocessing" not in options
        )
        self.state = state
        self.stats = stats
        self.sync_every = sync_every
        self._file: SyncedLineFile | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        # Scrapy's feed exporter also builds a storage while the extensions are being set
        # up, only to check the URI: that one gets no state, and writes nothing.
        return cls(
            uri,
            feed_options=feed_options,
            state=crawl_state(crawler),
            stats=crawler.stats,
            sync_every=crawler.settings.getint("NEWSCRAWL_FEED_SYNC_ITEMS", 10),
        )

    @property
    def part(self) -> Path:
        return part_path(self.path)

    def open(self, spider: Spider) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sink = None
        if self.line_format and self.state is not None and self.stats is not None:
            sink = state_sink(self.state, self.stats)
        if self.part.exists():
            # Left by a killed run under the very same name: keep its lines first.
            salvage_part(self.part, reserved={self.path}, sink=sink, stats=self.stats)
        self._file = SyncedLineFile(self.part, self.sync_every, sink)
        return self._file  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        file.close()
        if self.overwrite or not self.path.exists():
            self.part.replace(self.path)
        else:
            # Append mode: build the combined file beside it, then swap it in whole.
            combined = self.path.with_name(self.path.name + ".tmp")
            with combined.open("wb") as out:
                for source in (self.path, self.part):
                    with source.open("rb") as src:
                        shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            combined.replace(self.path)
            self.part.unlink()
        fsync_folder(self.path.parent)
