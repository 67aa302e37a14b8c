"""Run files that are never half-written, and that tell the crawl state what is on disk.

`DurableFileFeedStorage` replaces Scrapy's local file storage (``FEED_STORAGES`` for
the ``file`` scheme and plain paths). A feed ``<dir>/<name>.jsonl`` is written as
``<name>.jsonl.part``; every ``NEWSCRAWL_FEED_SYNC_ITEMS`` records (and when the feed
closes) the file is flushed and fsynced, and only then are those records committed to
the crawl state (`newscrawl.state`). When the feed closes the part file is renamed to
its final name (``-O``/overwrite), or appended to an existing file (``-o``/append)
through a temporary copy, so the final file only ever holds whole lines.

A run killed before that leaves its ``.part`` file behind. `salvage_folder` (called when
the next run opens its state) cuts a partial last line, commits the complete lines to
the state and renames the file to its final name, or to
``<name>.recovered-<UTC time>.jsonl`` when that name is taken. Nothing written by a
killed run is lost, and nothing the state counts as seen is missing from the files.

Only JSON Lines feeds are committed to the state; other formats still get the
write-then-rename treatment.

Stats: ``newscrawl/feeds/synced_lines``, ``newscrawl/feeds/unreadable_lines``,
``newscrawl/feeds/salvaged_files``, ``newscrawl/feeds/salvaged_lines``.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from w3lib.url import file_uri_to_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
#: Leftovers of these names are JSON Lines and can be salvaged line by line.
LINE_SUFFIXES = (".jsonl", ".jl", ".ndjson")
LINE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})


def part_path(path: Path) -> Path:
    return path.with_name(path.name + PART_SUFFIX)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        logger.debug(
            "fsync of folder %(folder)s failed: %(error)s", {"folder": folder, "error": exc}
        )
    finally:
        os.close(fd)


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

    Settings: ``NEWSCRAWL_FEED_SYNC_ITEMS`` (default 10): records between two fsyncs.
    A smaller number re-fetches fewer articles after a kill, a larger one syncs less.
    """

    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
        sync_every: int = 10,
    ) -> None:
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        options = feed_options or {}
        self.overwrite = bool(options.get("overwrite", False))
        # Compressed feeds do not hold readable lines; they are not committed.
        self.line_format = (
            str(options.get("format", "")) in LINE_FORMATS and "postprocessing" not in options
        )
        self.crawler = crawler
        self.sync_every = sync_every
        self._file: SyncedLineFile | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        return cls(
            uri,
            feed_options=feed_options,
            crawler=crawler,
            sync_every=crawler.settings.getint("NEWSCRAWL_FEED_SYNC_ITEMS", 10),
        )

    @property
    def part(self) -> Path:
        return part_path(self.path)

    def open(self, spider: Spider) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sink = self._state_sink() if self.line_format else None
        if self.part.exists():
            # Left by a killed run under the very same name: keep its lines first.
            salvage_part(self.part, reserved={self.path}, sink=sink, stats=self._stats())
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

    def _stats(self) -> Any:
        return self.crawler.stats if self.crawler is not None else None

    def _state_sink(self) -> Callable[[list[bytes]], None] | None:
        if self.crawler is None:
            return None
        # Imported here: the state pipeline imports this module.
        from newscrawl.pipelines.state import state_sink

        return state_sink(self.crawler)


def salvage_part(
    part: Path,
    *,
    reserved: set[Path],
    sink: Callable[[list[bytes]], None] | None,
    stats: Any = None,
) -> Path | None:
    """Turn a killed run's ``.part`` file into a finished run file; returns its path.

    The partial last line (the write the kill interrupted) is cut; the complete lines
    go to `sink` (the state) before the rename, so a kill during salvage only means
    salvaging again. `reserved` are final names this run is about to write.
    """
    data = part.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep == 0:
        part.unlink()
        logger.info("Removed %(part)s: it held no complete record", {"part": part})
        return None
    if keep < len(data):
        with part.open("r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
    lines = [line for line in data[:keep].split(b"\n") if line.strip()]
    if sink is not None:
        sink(lines)
    final = part.with_name(part.name[: -len(PART_SUFFIX)])
    if final.exists() or final in reserved:
        moment = datetime.fromtimestamp(part.stat().st_mtime, timezone.utc)
        stem, _, suffix = final.name.rpartition(".")
        final = final.with_name(f"{stem}.recovered-{moment:%Y%m%dT%H%M%SZ}.{suffix}")
    part.replace(final)
    fsync_folder(final.parent)
    logger.warning(
        "Recovered %(lines)d record(s) of an interrupted run from %(part)s into %(final)s",
        {"lines": len(lines), "part": part, "final": final},
    )
    if stats is not None:
        stats.inc_value("newscrawl/feeds/salvaged_files")
        stats.inc_value("newscrawl/feeds/salvaged_lines", len(lines))
    return final


def salvage_folder(
    folder: Path,
    *,
    reserved: set[Path],
    sink: Callable[[list[bytes]], None] | None,
    stats: Any = None,
) -> list[Path]:
    """Salvage every JSON Lines ``.part`` file in `folder` (see `salvage_part`)."""
    if not folder.is_dir():
        return []
    found = sorted(
        p
        for p in folder.iterdir()
        if p.name.endswith(PART_SUFFIX) and p.name[: -len(PART_SUFFIX)].endswith(LINE_SUFFIXES)
    )
    salvaged = []
    for part in found:
        try:
            final = salvage_part(part, reserved=reserved, sink=sink, stats=stats)
        except OSError as exc:
            logger.error("Could not salvage %(part)s: %(error)s", {"part": part, "error": exc})
            continue
        if final is not None:
            salvaged.append(final)
    return salvaged
