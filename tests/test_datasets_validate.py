"""`newscrawl validate` and newscrawl.datasets.validate: every kind of bad line is caught."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from newscrawl.cli import main
from newscrawl.datasets.validate import RecordValidator

if TYPE_CHECKING:
    from pathlib import Path

VALID = {
    "url": "https://www.thejakartapost.com/world/2024/05/01/a.html",
    "section": "world",
    "title": "A headline",
    "summary": None,
    "authors": ["AFP"],
    "published_at": "2024-05-01T10:00:00+07:00",
    "modified_at": None,
    "tags": ["Asia"],
    "image_url": None,
    "body": "One paragraph.\n\nAnother one.",
    "word_count": 4,
    "is_premium": False,
    "is_truncated": False,
    "language": "en",
    "crawled_at": "2024-05-01T05:00:00+00:00",
    "extraction_path": "current-layout",
    "version": 1,
    "content_hash": "abc",
    "quality_flags": [],
}


def changed(**fields: object) -> dict[str, object]:
    return {**VALID, **fields}


def without(name: str) -> dict[str, object]:
    return {k: v for k, v in VALID.items() if k != name}


def test_valid_record_has_no_problems():
    assert RecordValidator().problems(VALID) == []


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (without("title"), ["missing key 'title'"]),
        (changed(extra="x"), ["unexpected key 'extra'"]),
        (changed(word_count="4"), ["word_count: '4' is not of type 'integer'"]),
        (changed(word_count=0), ["word_count: 0 is less than the minimum of 1"]),
        (changed(published_at=None), ["published_at: None is not of type 'string'"]),
        (
            changed(url="www.example.com/a"),
            ["url: 'www.example.com/a' does not match '^https?://'"],
        ),
        (changed(authors=["AFP", ""]), ["authors.1: '' should be non-empty"]),
        (changed(is_premium="no"), ["is_premium: 'no' is not of type 'boolean'"]),
        (changed(body=""), ["body: '' should be non-empty"]),
        (
            changed(published_at="2024-02-30T10:00:00+07:00"),
            ["published_at: '2024-02-30T10:00:00+07:00' is not a real date and time"],
        ),
    ],
    ids=[
        "missing",
        "extra",
        "type",
        "minimum",
        "null",
        "pattern",
        "item",
        "bool",
        "empty",
        "impossible-date",
    ],
)
def test_each_kind_of_bad_record_is_named(record, expected):
    assert RecordValidator().problems(record) == expected


def test_bad_date_shape_and_enum():
    problems = RecordValidator().problems(
        changed(modified_at="2024-05-01", extraction_path="guess")
    )
    assert len(problems) == 2
    assert problems[0].startswith("extraction_path: 'guess' is not one of [")
    assert problems[1].startswith("modified_at: '2024-05-01' does not match ")


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_cli_reports_file_line_problem_and_fails(tmp_path, capsys):
    run = _write(
        tmp_path / "run.jsonl",
        json.dumps(VALID) + "\n",
        json.dumps(without("title")) + "\n",
        "not json\n",
        "42\n",
        json.dumps(changed(version=0)) + "\n",
        json.dumps(VALID)[:40],
    )

    status = main(["validate", str(run)])

    out = capsys.readouterr()
    assert status == 1
    assert out.out.splitlines() == [
        f"{run}:2: missing key 'title'",
        f"{run}:3: not JSON: Expecting value at column 1",
        f"{run}:4: not a JSON object but a number",
        f"{run}:5: version: 0 is less than the minimum of 1",
        f"{run}:6: warning: last line is incomplete (a crashed or running write?); skipped",
    ]
    assert out.err.splitlines()[-1] == (
        "newscrawl: INVALID: 1 file, 3 records, 1 valid, 4 errors, 1 warning"
    )


def test_cli_partial_last_line_is_only_a_warning_unless_strict(tmp_path, capsys):
    run = _write(tmp_path / "run.jsonl.part", json.dumps(VALID) + "\n", json.dumps(VALID)[:-5])

    assert main(["validate", str(run)]) == 0
    assert capsys.readouterr().out.startswith(f"{run}:2: warning: ")
    assert main(["validate", "--strict", str(run)]) == 1


def test_cli_directory_of_valid_runs(tmp_path, capsys):
    (tmp_path / "world").mkdir()
    _write(tmp_path / "world" / "a.jsonl", json.dumps(VALID) + "\n")
    _write(tmp_path / "world" / "a.failures.jsonl", '{"url": "x", "reason": "HTTP 500"}\n')

    assert main(["validate", "-q", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", "")


def test_cli_no_run_files_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"newscrawl: error: validate: no run files (*.jsonl) in {tmp_path}\n"
    )
