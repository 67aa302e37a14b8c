"""newscrawl.datasets.progress: lines on a schedule, silent with --quiet."""

from __future__ import annotations

import io

from newscrawl.datasets import progress as progress_module
from newscrawl.datasets.progress import Progress


def test_reports_percentage_of_bytes_once_a_second_and_a_final_line(monkeypatch):
    clock = iter([0.0, 0.5, 1.5, 1.6])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    stream = io.StringIO()
    progress = Progress("reading", stream, total=4 * 1024 * 1024)

    for _ in range(3 * 256):  # the clock is read every 256 records: at 0.5, 1.5, 1.6 s
        progress.add_bytes(1024)
        progress.add_record()
    progress.done("2 files")

    assert stream.getvalue().splitlines() == [
        "newscrawl: reading: 512 records, 12% of 4.0 MB",
        "newscrawl: reading: 768 records, done (2 files)",
    ]


def test_record_totals_and_quiet():
    stream = io.StringIO()
    quiet = Progress("writing", None, total=10, unit="records")
    quiet.add_record()
    quiet.done()
    assert quiet.records == 1

    loud = Progress("writing", stream, total=10, unit="records")
    loud.records = 5
    assert loud._line() == "writing: 5 records, 50% of 10 records"
