"""Files written whole: the ``.part`` name a file has until it is complete, and the
folder fsync that makes its final rename durable. Used by the run files
(`newscrawl.feeds`, `newscrawl.state.salvage`) and the WARC archive alike."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
