"""A killed run's run file, recovered, and durable lines told to the crawl state.

A feed is written as ``<name>.jsonl.part`` and renamed when the run ends
(`newscrawl.feeds`). A run killed before that leaves the ``.part`` file behind.
`salvage_folder` (called when the next run opens its state) cuts a partial last line,
commits the complete lines to the state and renames the file to its final name, or to
``<name>.recovered-<UTC time>.jsonl`` when that name is taken. Nothing written by a
killed run is lost, and nothing the state counts as seen is missing from the files.

`state_sink` is the one way durable lines reach the state, for the feeds as they are
fsynced and for salvaged files alike.

Stats: ``newscrawl/feeds/synced_lines``, ``newscrawl/feeds/unreadable_lines``,
``newscrawl/feeds/salvaged_files``, ``newscrawl/feeds/salvaged_lines``,
``newscrawl/state/committed``.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from newscrawl.files import PART_SUFFIX, fsync_folder, merge_lines

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from scrapy.statscollectors import StatsCollector

    from newscrawl.state.manager import CrawlState

logger = logging.getLogger(__name__)

#: Leftovers of these names are JSON Lines and can be salvaged line by line.
LINE_SUFFIXES = (".jsonl", ".jl", ".ndjson")


def salvage_part(
    part: Path,
    *,
    reserved: set[Path],
    sink: Callable[[list[bytes]], None] | None,
    stats: StatsCollector | None = None,
    merge: bool = False,
) -> Path | None:
    """Turn a killed run's ``.part`` file into a finished run file; returns its path.

    The partial last line (the write the kill interrupted) is cut; the complete lines
    go to `sink` (the state) before the rename, so a kill during salvage only means
    salvaging again. `reserved` are final names this run is about to write. With
    `merge` (an ``-O`` file with a state) the lines join the existing final file.
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
    if merge and final.exists():
        merge_lines(final, part)
    else:
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
    stats: StatsCollector | None = None,
    merged: frozenset[Path] = frozenset(),
) -> list[Path]:
    """Salvage every JSON Lines ``.part`` file in `folder` (see `salvage_part`); those of
    the files in `merged` join them."""
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
            final = salvage_part(
                part,
                reserved=reserved,
                sink=sink,
                stats=stats,
                merge=part.with_name(part.name[: -len(PART_SUFFIX)]) in merged,
            )
        except OSError as exc:
            logger.error("Could not salvage %(part)s: %(error)s", {"part": part, "error": exc})
            continue
        if final is not None:
            salvaged.append(final)
    return salvaged


def state_sink(state: CrawlState, stats: StatsCollector) -> Callable[[list[bytes]], None]:
    """A callback committing JSON lines that are durably on disk to `state`."""
    warned = False

    def commit(lines: list[bytes]) -> None:
        nonlocal warned
        stats.inc_value("newscrawl/feeds/synced_lines", len(lines))
        committed, problems = state.commit_lines(lines)
        stats.inc_value("newscrawl/state/committed", committed)
        if problems:
            stats.inc_value("newscrawl/feeds/unreadable_lines", len(problems))
            if not warned:
                warned = True
                logger.warning(
                    "%(count)d exported line(s) could not be recorded in the crawl state "
                    "(first: %(reason)s); later ones are only counted",
                    {"count": len(problems), "reason": problems[0]},
                )

    return commit
