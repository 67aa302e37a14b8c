"""Write records as JSON Lines, CSV or Parquet, one column per exported field.

Columns are `newscrawl.items.EXPORT_FIELDS`, in that order, in every format.

* ``jsonl``: one JSON object per line, UTF-8, same keys and values as the run files.
* ``csv``: UTF-8, a header row, RFC 4180 quoting (bodies keep their newlines inside
  quotes). List fields (`authors`, `tags`, `quality_flags`) are joined with ``"; "``
  (an empty list is an empty cell); booleans are ``true``/``false``; null is an empty
  cell. An item that itself contains ``"; "`` cannot be split back; a warning says so.
* ``parquet`` (needs pyarrow: ``pip install 'newscrawl[parquet]'``): timestamps are
  ``timestamp[us, tz=UTC]`` (the same instants; the +07:00 offset is not kept), lists
  are ``list<string>``, counts ``int64``, flags ``bool``. Row groups of `PARQUET_BATCH`.

Files are written under a temporary name beside the target and renamed into place
when complete, so a failed export never leaves a half-written table behind.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, Any, Protocol

from newscrawl.datasets.instants import parse_instant
from newscrawl.items import EXPORT_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import IO

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "parquet")
SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
LIST_SEPARATOR = "; "
LIST_FIELDS = ("authors", "tags", "quality_flags")
TIMESTAMP_FIELDS = ("published_at", "modified_at", "crawled_at")
INT_FIELDS = ("word_count", "version")
BOOL_FIELDS = ("is_premium", "is_truncated")
#: Records per Parquet row group: bounds what is held in memory while writing.
PARQUET_BATCH = 4096
PARQUET_EXTRA_HINT = (
    "Parquet output needs pyarrow: pip install 'newscrawl[parquet]' (or pip install pyarrow)"
)


class MissingExtraError(RuntimeError):
    """An optional dependency needed for the chosen format is not installed."""


class Writer(Protocol):
    count: int

    def write(self, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def format_for(path: Path) -> str | None:
    """The format a file name implies, or None when its suffix says nothing."""
    return SUFFIXES.get(path.suffix.lower())


def ordered(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name) for name in EXPORT_FIELDS}


class JsonLinesWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(ordered(record), ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        self.stream.flush()


class CsvWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0
        self._csv = csv.writer(stream, lineterminator="\r\n")
        self._csv.writerow(EXPORT_FIELDS)
        self._warned_separator = False

    def write(self, record: dict[str, Any]) -> None:
        url = record.get("url")
        self._csv.writerow([self._cell(name, record.get(name), url) for name in EXPORT_FIELDS])
        self.count += 1

    def _cell(self, name: str, value: Any, url: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            items = [str(item) for item in value]
            if not self._warned_separator and any(LIST_SEPARATOR in item for item in items):
                self._warned_separator = True
                logger.warning(
                    "%(url)s: a %(field)s item contains %(sep)r, the CSV list separator; "
                    "that cell cannot be split back exactly (further cases not reported)",
                    {"url": url, "field": name, "sep": LIST_SEPARATOR},
                )
            return LIST_SEPARATOR.join(items)
        return str(value)

    def close(self) -> None:
        self.stream.flush()


def parquet_schema() -> Any:
    pa = _pyarrow()
    types = {
        **{name: pa.list_(pa.string()) for name in LIST_FIELDS},
        **{name: pa.timestamp("us", tz="UTC") for name in TIMESTAMP_FIELDS},
        **{name: pa.int64() for name in INT_FIELDS},
        **{name: pa.bool_() for name in BOOL_FIELDS},
    }
    return pa.schema([(name, types.get(name, pa.string())) for name in EXPORT_FIELDS])


class ParquetWriter:
    def __init__(self, path: Path) -> None:
        pq = _pyarrow("parquet")
        self._pa = _pyarrow()
        self.schema = parquet_schema()
        self._writer = pq.ParquetWriter(str(path), self.schema)
        self._columns: dict[str, list[Any]] = {name: [] for name in EXPORT_FIELDS}
        self._pending = 0
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        for name, column in self._columns.items():
            value = record.get(name)
            if name in TIMESTAMP_FIELDS:
                value = parse_instant(value)
            column.append(value)
        self._pending += 1
        self.count += 1
        if self._pending >= PARQUET_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(self._pa.Table.from_pydict(self._columns, schema=self.schema))
            for column in self._columns.values():
                column.clear()
            self._pending = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _pyarrow(module: str = "") -> Any:
    """pyarrow (or one of its modules), imported only when Parquet is asked for."""
    name = f"pyarrow.{module}" if module else "pyarrow"
    try:
        return __import__(name, fromlist=["_"])
    except ImportError as exc:
        raise MissingExtraError(PARQUET_EXTRA_HINT) from exc


def check_format_available(fmt: str) -> None:
    """Raise `MissingExtraError` early, before any work, when `fmt` cannot be written."""
    if fmt == "parquet":
        _pyarrow("parquet")


@contextlib.contextmanager
def open_writer(fmt: str, target: Path | None) -> Iterator[Writer]:
    """A writer for `fmt` into `target` (None: standard output, not for Parquet).

    The file appears at `target` only if the block ends without an exception.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if target is None:
        if fmt == "parquet":
            raise ValueError("Parquet cannot be written to standard output; give -o FILE")
        writer: Writer = JsonLinesWriter(sys.stdout) if fmt == "jsonl" else CsvWriter(sys.stdout)
        yield writer
        writer.close()
        return
    check_format_available(fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        if fmt == "parquet":
            writer = ParquetWriter(partial)
            try:
                yield writer
            finally:
                writer.close()
        else:
            with partial.open("w", encoding="utf-8", newline="") as stream:
                writer = JsonLinesWriter(stream) if fmt == "jsonl" else CsvWriter(stream)
                yield writer
                writer.close()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
