"""Run files that are never half-written, and that tell the crawl state what is on disk.

`DurableFileFeedStorage` replaces Scrapy's local file storage (``FEED_STORAGES`` for
the ``file`` scheme and plain paths). A feed ``<dir>/<name>.jsonl`` is written as
``<name>.jsonl.part``; every ``NEWSCRAWL_FEED_SYNC_ITEMS`` records (and when the feed
closes) the file is flushed and fsynced, and only then are those records committed to
the crawl state (`newscrawl.state.salvage.state_sink`). When the feed closes, the
finished part becomes the file (a new file), or joins the existing one through a
temporary file renamed over it, so a file only ever holds whole lines and a failed run
never leaves less than there was:

* ``-o`` (append): the run's lines are added at the end.
* ``-O`` (overwrite) with a crawl state: the file holds the whole section as of this
  run: the earlier file's records, each replaced by this run's record of the same
  ``url`` when there is one, then this run's new ones (`newscrawl.files.merge_lines`).
  Only JSON Lines can be merged, and only into a file that holds the earlier runs;
  `overwrite_refusal` makes the crawl command refuse anything else before it starts.
* ``-O`` without a state (a full crawl each time): the run's file replaces the earlier
  one when the run succeeded; after a failed run the earlier file stays as it was and
  this run's records are left beside it as ``<name>.incomplete.<ext>``.

A run killed before that leaves its ``.part`` file behind; the next run recovers it
(`newscrawl.state.salvage`). Only JSON Lines feeds are committed to the state; other
formats still get the write-then-rename treatment.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.extensions.feedexport import apply_uri_params
from w3lib.url import file_uri_to_path

from newscrawl.extensions.crawlstate import crawl_state
from newscrawl.files import fsync_folder, merge_lines, part_path
from newscrawl.runfiles import local_feed_templates, local_path
from newscrawl.runstatus import failure_reasons
from newscrawl.state.salvage import salvage_part, state_sink

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.signalmanager import SignalManager
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

    from newscrawl.state.manager import CrawlState

logger = logging.getLogger(__name__)

LINE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})


def is_line_feed(options: dict[str, Any]) -> bool:
    """A feed of readable JSON Lines (compressed ones are not)."""
    return str(options.get("format", "")) in LINE_FORMATS and "postprocessing" not in options


def overwrite_refusal(
    settings: BaseSettings, spider_name: str, section: str, state: Path | None, known: int
) -> str | None:
    """Why ``-O`` cannot do what it promises with this crawl state, or None.

    With a state that knows articles, a run exports only what is new or changed, so
    ``-O`` can hold the whole section only by merging into the file earlier runs wrote:
    a JSON Lines file that exists (`settings` are the command's, before the crawler).
    """
    if state is None or not known:
        return None
    for template, options in local_feed_templates(settings, before_crawler=True):
        if not options.get("overwrite"):
            continue
        try:
            target = local_path(
                apply_uri_params(template, {"name": spider_name, "section": section})
            )
        except KeyError:
            target = None  # named by the run (%(time)s...): a new file every time
        shown = target or template
        if not is_line_feed(options):
            return (
                f"-O {shown}: the crawl state {state} knows {known} articles from earlier "
                "runs, and only a JSON Lines file can hold them merged with this run's; "
                "use -o, or -s NEWSCRAWL_STATE_PATH= for a full crawl"
            )
        if target is None or not target.exists():
            return (
                f"-O {shown}: the crawl state {state} knows {known} articles from earlier "
                "runs, and this file, which should hold them, is not there: it would hold "
                "only new ones. Use -o for just those, or -s NEWSCRAWL_STATE_PATH= for a "
                "full crawl"
            )
    return None


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
        signal_manager: SignalManager | None = None,
        sync_every: int = 10,
    ) -> None:
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        options = feed_options or {}
        self.overwrite = bool(options.get("overwrite", False))
        # Compressed feeds do not hold readable lines; they are not committed.
        self.line_format = is_line_feed(options)
        self.state = state
        self.stats = stats
        self.signal_manager = signal_manager
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
            signal_manager=crawler.signals,
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
            salvage_part(
                self.part,
                reserved={self.path},
                sink=sink,
                stats=self.stats,
                merge=self.merges,
            )
        self._file = SyncedLineFile(self.part, self.sync_every, sink)
        return self._file  # type: ignore[return-value]

    @property
    def merges(self) -> bool:
        """``-O`` with a state: this run's records join those of the earlier runs."""
        return self.overwrite and self.line_format and self.state is not None

    def store(self, file: IO[bytes]) -> None:
        file.close()
        if not self.path.exists():
            self.part.replace(self.path)
        elif self.merges:
            merge_lines(self.path, self.part)
        elif self.overwrite:
            # A full crawl replaces the file only once the run is known to be good, which
            # the failure verdicts (given as the spider closes) say by the time it stops.
            if self.signal_manager is None:
                self.part.replace(self.path)
            else:
                self.signal_manager.connect(self._replace_if_good, signal=signals.engine_stopped)
            return
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

    def _replace_if_good(self) -> None:
        stats = self.stats
        good = stats is None or (
            not failure_reasons(stats) and stats.get_value("finish_reason") == "finished"
        )
        if good:
            self.part.replace(self.path)
        else:
            stem, dot, suffix = self.path.name.rpartition(".")
            aside = self.path.with_name(
                f"{stem}.incomplete{dot}{suffix}" if dot else f"{suffix}.incomplete"
            )
            self.part.replace(aside)
            logger.warning(
                "The run failed: %(path)s keeps the records of the last good run; this "
                "run's are in %(aside)s",
                {"path": self.path, "aside": aside},
            )
        fsync_folder(self.path.parent)
