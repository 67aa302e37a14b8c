"""Load run files into `LatestVersions`, skipping (reporting and counting) unusable lines."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from newscrawl.datasets.reader import PROBLEM_KINDS, Problem, ProblemKind, read_lines

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
    """What happened to every non-blank line read.

    ``lines == loaded + skipped_total`` and ``loaded == distinct + superseded``.
    `records` counts the lines that were JSON objects, schema-valid or not.
    """

    files: int = 0
    records: int = 0
    loaded: int = 0
    distinct: int = 0
    skipped: Counter[ProblemKind] = field(default_factory=Counter)

    @property
    def superseded(self) -> int:
        return self.loaded - self.distinct

    @property
    def invalid(self) -> int:
        return self.skipped["invalid"]

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def lines(self) -> int:
        return self.loaded + self.skipped_total

    def skipped_by_kind(self) -> str:
        """``"1 not JSON, 1 cut short"``: the kinds that occurred, in `PROBLEM_KINDS` order."""
        return ", ".join(
            f"{self.skipped[kind]:,} {words}"
            for kind, words in PROBLEM_KINDS.items()
            if self.skipped[kind]
        )


def load(
    files: list[Path],
    latest: LatestVersions,
    problems: ProblemLog,
    progress: Progress,
    validator: RecordValidator | None,
) -> LoadSummary:
    """Every record of `files` into `latest`; with a validator, invalid ones are skipped."""
    summary = LoadSummary(files=len(files))

    def skip(problem: Problem) -> None:
        summary.skipped[problem.kind] += 1
        problems.report(problem)

    for source in read_lines(files, skip, progress.add_bytes):
        summary.records += 1
        progress.add_record()
        if validator is not None:
            messages = validator.problems(source.record)
            if messages:
                skip(
                    Problem(
                        source.path,
                        source.line,
                        "; ".join(messages) + " (record skipped)",
                        "invalid",
                    )
                )
                continue
        latest.add(source.record)
        summary.loaded += 1
    summary.distinct = latest.distinct
    return summary
