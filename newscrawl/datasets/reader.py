"""Find run files and stream their lines, with file and line numbers.

A directory stands for the run files below it: every ``*.jsonl`` file except the
``*.failures.jsonl`` files written beside runs. Reports (``*.report.json``) and
in-progress ``*.jsonl.part`` files are not picked from directories; a ``.part`` file
named explicitly is read like any run file (its last line may be cut short).

A crash can leave the last line of a file without its newline and cut in the middle.
Such a line is reported as a warning (`Problem.severity == "warning"`) and skipped;
any other unreadable line is an error. Every problem has a `kind` (`PROBLEM_KINDS`), so
callers can say how many lines they skipped and why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

logger = logging.getLogger(__name__)

RUN_FILE_SUFFIX = ".jsonl"
#: Files beside runs that end in .jsonl but hold no article records.
NOT_RUN_FILES = (".failures.jsonl",)

Severity = Literal["error", "warning"]
#: Why a line was skipped: not JSON text (or not UTF-8), JSON but not an object, an
#: object the schema refuses, a last line cut short by a crash.
ProblemKind = Literal["not_json", "not_object", "invalid", "cut_short"]
#: Each kind in words, in the order summaries list them.
PROBLEM_KINDS: dict[ProblemKind, str] = {
    "not_json": "not JSON",
    "not_object": "not a JSON object",
    "invalid": "failing the schema",
    "cut_short": "cut short",
}


class InputError(Exception):
    """An input path cannot be used (missing, or a directory without run files)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one line of one file."""

    path: Path
    line: int
    message: str
    kind: ProblemKind

    @property
    def severity(self) -> Severity:
        # A cut-off last line is what a running or killed writer leaves: expected, not wrong.
        return "warning" if self.kind == "cut_short" else "error"

    def __str__(self) -> str:
        marker = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {marker}{self.message}"


@dataclass(frozen=True)
class SourceLine:
    """One decoded record and where it came from."""

    path: Path
    line: int
    record: dict[str, Any]


def is_run_file(path: Path) -> bool:
    name = path.name
    return name.endswith(RUN_FILE_SUFFIX) and not name.endswith(NOT_RUN_FILES)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Run files named by `paths`, each once, directories expanded in name order
    (a directory without run files adds nothing: the caller decides whether that matters)."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(
                p for p in path.rglob(f"*{RUN_FILE_SUFFIX}") if p.is_file() and is_run_file(p)
            )
        elif path.is_file():
            candidates = [path]
        else:
            raise InputError(f"{path}: no such file or directory")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def total_bytes(paths: Iterable[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def read_lines(
    paths: Iterable[Path],
    on_problem: Callable[[Problem], None],
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[SourceLine]:
    """Decoded JSON objects of every line of `paths`, in file then line order.

    Lines that are not a JSON object are passed to `on_problem` and skipped; so is a
    last line cut short by a crash (as a warning). Blank lines are skipped silently.
    `on_bytes` receives the size of each raw line read (for progress by bytes).
    """
    for path in paths:
        yield from _read_file(path, on_problem, on_bytes)


def _read_file(
    path: Path,
    on_problem: Callable[[Problem], None],
    on_bytes: Callable[[int], None] | None,
) -> Iterator[SourceLine]:
    with path.open("rb") as fh:
        pending: tuple[int, bytes] | None = None
        for number, raw in enumerate(fh, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            # Hold each line back one step: only the last one may be a cut-off write.
            if pending is not None:
                found = _decode(path, *pending, on_problem, last=False)
                if found is not None:
                    yield found
            pending = (number, raw)
        if pending is not None:
            found = _decode(path, *pending, on_problem, last=True)
            if found is not None:
                yield found


def _decode(
    path: Path, number: int, raw: bytes, on_problem: Callable[[Problem], None], *, last: bool
) -> SourceLine | None:
    if not raw.strip():
        return None
    # Only the last line can lack its newline; if it then fails to parse, the writer
    # was interrupted mid-record rather than having written something wrong.
    cut_short = last and not raw.endswith(b"\n")
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        on_problem(
            _cut_short(path, number)
            if cut_short
            else Problem(
                path, number, f"not UTF-8 text ({exc.reason} at byte {exc.start})", "not_json"
            )
        )
        return None
    except json.JSONDecodeError as exc:
        on_problem(
            _cut_short(path, number)
            if cut_short
            else Problem(path, number, f"not JSON: {exc.msg} at column {exc.colno}", "not_json")
        )
        return None
    if not isinstance(value, dict):
        on_problem(
            Problem(path, number, f"not a JSON object but {_json_type(value)}", "not_object")
        )
        return None
    return SourceLine(path, number, value)


def _cut_short(path: Path, number: int) -> Problem:
    return Problem(
        path, number, "last line is incomplete (a crashed or running write?); skipped", "cut_short"
    )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
