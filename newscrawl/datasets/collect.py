"""Load run files into `LatestVersions`, skipping (and reporting) unusable lines."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from newscrawl.datasets.reader import Problem, read_lines

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.datasets.merge import LatestVersions
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.validate import RecordValidator

logger = logging.getLogger(__name__)

#: Problems printed one by one before only counting the rest.
SHOWN_PROBLEMS = 20


class ProblemLog:
    """Prints the first `limit` problems to `stream` and counts all of them."""

    def __init__(self, stream: TextIO | None, limit: int = SHOWN_PROBLEMS) -> None:
        self.stream = stream
        self.limit = limit
        self.errors = 0
        self.warnings = 0

    def report(self, problem: Problem) -> None:
        if problem.severity == "warning":
            self.warnings += 1
        else:
            self.errors += 1
        shown = self.errors + self.warnings
        if self.stream is None:
            return
        if shown <= self.limit:
            self.stream.write(f"{problem}\n")
        elif shown == self.limit + 1:
            self.stream.write(
                "newscrawl: further problems are only counted; run 'newscrawl validate' for all\n"
            )


@dataclass
class LoadSummary:
    files: int = 0
    records: int = 0
    loaded: int = 0
    invalid: int = 0
    distinct: int = 0

    @property
    def superseded(self) -> int:
        return self.loaded - self.distinct


def load(
    files: list[Path],
    latest: LatestVersions,
    problems: ProblemLog,
    progress: Progress,
    validator: RecordValidator | None,
) -> LoadSummary:
    """Every record of `files` into `latest`; with a validator, invalid ones are skipped."""
    summary = LoadSummary(files=len(files))
    for source in read_lines(files, problems.report, progress.add_bytes):
        summary.records += 1
        progress.add_record()
        if validator is not None:
            messages = validator.problems(source.record)
            if messages:
                summary.invalid += 1
                problems.report(
                    Problem(source.path, source.line, "; ".join(messages) + " (record skipped)")
                )
                continue
        latest.add(source.record)
        summary.loaded += 1
    summary.distinct = latest.distinct
    return summary
