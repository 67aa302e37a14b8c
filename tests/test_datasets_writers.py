"""newscrawl.datasets.writers: each format reads back to the same records."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newscrawl.datasets.writers import (
    MissingExtraError,
    check_format_available,
    format_for,
    open_writer,
)
from newscrawl.items import EXPORT_FIELDS

RECORDS = [
    {
        "url": "https://www.thejakartapost.com/world/2024/05/01/a.html",
        "section": "world",
        "title": 'Talks, "frank" and long',
        "summary": None,
        "authors": ["Alice Lee", "AFP"],
        "published_at": "2024-05-01T10:00:00+07:00",
        "modified_at": "2024-05-01T04:30:00Z",
        "tags": ["Asia", "trade, tariffs"],
        "image_url": None,
        "body": 'First paragraph.\n\nSecond, with a comma; and "quotes".',
        "word_count": 8,
        "is_premium": True,
        "is_truncated": False,
        "language": "en",
        "crawled_at": "2024-05-01T05:00:00+00:00",
        "extraction_path": "current-layout",
        "version": 2,
        "content_hash": "abc",
        "quality_flags": [],
        "extra_key": "not exported",
    },
    {
        "url": "https://www.thejakartapost.com/world/2024/05/02/b.html",
        "section": "world",
        "title": "Ünïcode — fine",
        "summary": "A standfirst.",
        "authors": [],
        "published_at": "2024-05-02T08:00:00+07:00",
        "modified_at": None,
        "tags": [],
        "image_url": "https://img.jakpost.net/b.jpg",
        "body": "Only one.",
        "word_count": 2,
        "is_premium": False,
        "is_truncated": True,
        "language": "en",
        "crawled_at": "2024-05-02T02:00:00+00:00",
        "extraction_path": "legacy-layout",
        "version": 1,
        "content_hash": "def",
        "quality_flags": ["body_shrunk"],
    },
]


def write(tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    with open_writer(fmt, target) as writer:
        for record in RECORDS:
            writer.write(record)
    assert writer.count == 2
    return target


def test_format_from_suffix(tmp_path):
    assert format_for(tmp_path / "a.CSV") == "csv"
    assert format_for(tmp_path / "a.parquet") == "parquet"
    assert format_for(tmp_path / "a.jsonl") == "jsonl"
    assert format_for(tmp_path / "a.txt") is None


def test_jsonl_round_trip_in_field_order(tmp_path):
    target = write(tmp_path, "jsonl")

    back = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]

    assert [list(r) for r in back] == [list(EXPORT_FIELDS)] * 2
    assert back[0] == {k: v for k, v in RECORDS[0].items() if k != "extra_key"}
    assert back[1] == RECORDS[1]


def test_csv_flattens_as_documented(tmp_path):
    target = write(tmp_path, "csv")

    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))

    assert rows[0] == list(EXPORT_FIELDS)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["authors"] == "Alice Lee; AFP"
    assert first["tags"] == "Asia; trade, tariffs"
    assert first["summary"] == ""
    assert first["is_premium"] == "true"
    assert first["is_truncated"] == "false"
    assert first["quality_flags"] == ""
    assert first["body"] == 'First paragraph.\n\nSecond, with a comma; and "quotes".'
    assert first["version"] == "2"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["title"] == "Ünïcode — fine"
    assert second["authors"] == ""
    assert second["quality_flags"] == "body_shrunk"


def test_parquet_keeps_types(tmp_path):
    target = write(tmp_path, "parquet")

    table = pq.read_table(target)

    assert table.column_names == list(EXPORT_FIELDS)
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("word_count").type == pa.int64()
    assert table.schema.field("is_premium").type == pa.bool_()
    rows = table.to_pylist()
    utc = timezone.utc
    assert rows[0]["published_at"] == datetime(2024, 5, 1, 3, 0, tzinfo=utc)
    assert rows[0]["modified_at"] == datetime(2024, 5, 1, 4, 30, tzinfo=utc)
    assert rows[1]["modified_at"] is None
    assert rows[0]["authors"] == ["Alice Lee", "AFP"]
    assert rows[1]["tags"] == []
    assert rows[1]["quality_flags"] == ["body_shrunk"]
    assert rows[0]["summary"] is None
    assert rows[1]["is_truncated"] is True
    assert rows[0]["body"] == RECORDS[0]["body"]
    # The instant survives even though the +07:00 offset is not stored.
    wib = timezone(timedelta(hours=7))
    assert rows[1]["published_at"].astimezone(wib) == datetime(2024, 5, 2, 8, 0, tzinfo=wib)


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.csv"

    def interrupted() -> None:
        with open_writer("csv", target) as writer:
            writer.write(RECORDS[0])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        interrupted()
    assert list(tmp_path.iterdir()) == []


def test_missing_pyarrow_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)

    with pytest.raises(MissingExtraError, match=r"pip install 'newscrawl\[parquet\]'"):
        check_format_available("parquet")


def test_parquet_cannot_go_to_stdout():
    with pytest.raises(ValueError, match="standard output"), open_writer("parquet", None):
        pass
