"""Files written whole: the ``.part`` name a file has until it is complete, the folder
fsync that makes its final rename durable, and the merge of a run's JSON Lines into an
earlier file (``-O``). Used by the run files (`newscrawl.feeds`,
`newscrawl.state.salvage`) and the WARC archive alike."""

from __future__ import annotations

import json
import logging
import os
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"


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


def merge_lines(target: Path, newer: Path) -> int:
    """Fold the JSON Lines records of `newer` into `target`, whole or not at all.

    A record of `newer` replaces every record of `target` with the same ``url``; the
    others are kept in their order, `newer`'s follow. The result is written beside
    `target`, fsynced and renamed over it; `newer` is removed. Returns the records kept
    from `target`. Memory holds the URLs of `newer` only.
    """
    replaced = {url for url in map(_record_url, _lines(newer)) if url is not None}
    combined = target.with_name(target.name + ".tmp")
    kept = 0
    with combined.open("wb") as out:
        for line in _lines(target):
            if _record_url(line) not in replaced:
                out.write(line + b"\n")
                kept += 1
        with newer.open("rb") as src:
            shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())
    combined.replace(target)
    newer.unlink()
    fsync_folder(target.parent)
    return kept


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        for raw in fh:
            line = raw.rstrip(b"\r\n")
            if line.strip():
                yield line


#: How newscrawl's exporter starts a record (``url`` is its first field).
_URL_FIRST = b'{"url": "'


def _record_url(line: bytes) -> str | None:
    if line.startswith(_URL_FIRST):
        end = line.find(b'"', len(_URL_FIRST))
        if end > 0 and b"\\" not in line[len(_URL_FIRST) : end]:
            return line[len(_URL_FIRST) : end].decode("utf-8", "replace")
    try:
        record = json.loads(line)
    except ValueError:
        return None
    url = record.get("url") if isinstance(record, dict) else None
    return url if isinstance(url, str) else None
