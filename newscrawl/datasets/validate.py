"""Check records against the published JSON Schema (newscrawl/schema/article.schema.json).

Beyond the schema, the three timestamps must be real calendar instants (the schema's
pattern accepts a 13th month). Problems come out as `file:line: message`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator

from newscrawl.datasets.instants import parse_instant
from newscrawl.datasets.reader import Problem, read_lines

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from jsonschema.exceptions import ValidationError

    from newscrawl.datasets.progress import Progress

logger = logging.getLogger(__name__)

TIMESTAMP_FIELDS = ("published_at", "modified_at", "crawled_at")
#: Longest message kept for one problem; schema messages quote the value, which can be a whole body.
MAX_MESSAGE = 200


def load_schema() -> dict[str, Any]:
    text = (
        resources.files("newscrawl")
        .joinpath("schema/article.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


class RecordValidator:
    """Lists what is wrong with one record (an empty list when it is valid)."""

    def __init__(self, schema: dict[str, Any] | None = None) -> None:
        self._validator = Draft202012Validator(schema or load_schema())

    def problems(self, record: dict[str, Any]) -> list[str]:
        found = [
            _describe(error) for error in sorted(self._validator.iter_errors(record), key=_order)
        ]
        for name in TIMESTAMP_FIELDS:
            value = record.get(name)
            if isinstance(value, str) and parse_instant(value) is None:
                found.append(f"{name}: {_short(repr(value))} is not a real date and time")
        return found


def _order(error: ValidationError) -> tuple[str, str]:
    return ".".join(str(p) for p in error.absolute_path), error.message


def _describe(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required" and not where:
        # One error per missing key; its message starts with the key's repr.
        return "missing key " + str(error.message).removesuffix(" is a required property")
    if error.validator == "additionalProperties" and not where:
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(str(name) for name in error.instance if name not in allowed)
        return "unexpected key " + ", ".join(repr(name) for name in extra)
    message = _short(error.message)
    return f"{where}: {message}" if where else message


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


@dataclass
class ValidationSummary:
    files: int = 0
    records: int = 0
    valid: int = 0
    errors: int = 0
    warnings: int = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0


def validate_files(
    paths: Iterable[Path],
    report: Callable[[Problem], None],
    progress: Progress | None = None,
) -> ValidationSummary:
    """Check every line of `paths`; each problem goes to `report`, counts come back."""
    summary = ValidationSummary()
    validator = RecordValidator()

    def on_problem(problem: Problem) -> None:
        if problem.severity == "warning":
            summary.warnings += 1
        else:
            summary.errors += 1
        report(problem)

    files = list(paths)
    summary.files = len(files)
    on_bytes = progress.add_bytes if progress is not None else None
    for source in read_lines(files, on_problem, on_bytes):
        summary.records += 1
        if progress is not None:
            progress.add_record()
        messages = validator.problems(source.record)
        for message in messages:
            on_problem(Problem(source.path, source.line, message, "invalid"))
        if not messages:
            summary.valid += 1
    return summary
