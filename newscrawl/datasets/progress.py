"""Progress lines on stderr for long work, at most one a second."""

from __future__ import annotations

import time
from typing import Literal, TextIO

#: Seconds between two progress lines.
INTERVAL = 1.0
#: Records between two looks at the clock.
CHECK_EVERY = 256


class Progress:
    """Counts records and reports them, with a percentage when the total is known.

    The total is in `unit`: bytes of input (reading, fed by `add_bytes`) or records
    (writing). `stream=None` makes it silent (``--quiet``). `done()` always writes a
    final line, so short work prints one line and long work one more per second.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None,
        total: int = 0,
        unit: Literal["bytes", "records"] = "bytes",
    ) -> None:
        self.label = label
        self.stream = stream
        self.total = total
        self.unit = unit
        self.records = 0
        self.bytes = 0
        self._last = time.monotonic()

    def add_bytes(self, count: int) -> None:
        self.bytes += count

    def add_record(self) -> None:
        self.records += 1
        if self.stream is not None and self.records % CHECK_EVERY == 0:
            now = time.monotonic()
            if now - self._last >= INTERVAL:
                self._last = now
                self._write(self._line())

    def done(self, note: str = "") -> None:
        if self.stream is not None:
            self._write(
                f"{self.label}: {self.records:,} records, done" + (f" ({note})" if note else "")
            )

    def _line(self) -> str:
        line = f"{self.label}: {self.records:,} records"
        if self.total:
            done = self.bytes if self.unit == "bytes" else self.records
            total = _size(self.total) if self.unit == "bytes" else f"{self.total:,} records"
            line += f", {min(100, 100 * done // self.total)}% of {total}"
        return line

    def _write(self, line: str) -> None:
        assert self.stream is not None
        self.stream.write(f"newscrawl: {line}\n")
        self.stream.flush()


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
