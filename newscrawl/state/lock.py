"""The run lock: at most one crawl per state file at a time.

An OS advisory lock (`fcntl.flock`) on ``<state file>.lock``. The kernel drops it when
the holding process ends, however it ends (SIGKILL included), so a killed run never
leaves a stale lock behind; the file itself may stay and means nothing on its own.
The holder writes its pid into the file, only for the message the next run prints.
"""

from __future__ import annotations

import fcntl
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def lock_path(state_path: Path) -> Path:
    """The lock file that goes with a state file."""
    return state_path.with_name(state_path.name + ".lock")


class LockedError(Exception):
    """Another process holds the lock; the message names it."""


class RunLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise LockedError(f"another run{who} holds {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
