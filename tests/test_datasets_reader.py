"""newscrawl.datasets.reader: which files are run files, and reading lines with their numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from newscrawl.datasets.reader import InputError, Problem, discover, read_lines

if TYPE_CHECKING:
    from pathlib import Path


def _touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_directory_yields_only_run_files(tmp_path):
    run_a = _touch(tmp_path / "world" / "20240501T000000Z.jsonl")
    run_b = _touch(tmp_path / "world" / "nested" / "20240502T000000Z.jsonl")
    _touch(tmp_path / "world" / "20240501T000000Z.report.json", "{}")
    _touch(tmp_path / "world" / "20240501T000000Z.failures.jsonl")
    _touch(tmp_path / "world" / "20240503T000000Z.jsonl.part")
    _touch(tmp_path / "world" / "notes.txt")

    assert discover([tmp_path / "world"]) == [run_a, run_b]


def test_explicit_part_file_is_read_and_duplicates_are_dropped(tmp_path):
    run = _touch(tmp_path / "20240501T000000Z.jsonl")
    part = _touch(tmp_path / "20240503T000000Z.jsonl.part")

    assert discover([part, tmp_path, run]) == [part, run]


def test_missing_input_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "absent.jsonl"])


def _read(path: Path) -> tuple[list[tuple[int, dict]], list[Problem]]:
    problems: list[Problem] = []
    records = [(line.line, line.record) for line in read_lines([path], problems.append)]
    return records, problems


def test_bad_lines_are_reported_with_their_line_numbers(tmp_path):
    path = _touch(
        tmp_path / "run.jsonl",
        '{"url": "https://a/1"}\n'
        "\n"
        "[1, 2]\n"
        '{"url": "https://a/2",\n'
        '{"url": "https://a/3"}\n'
        '{"url": "https://a/4", "ti',
    )

    records, problems = _read(path)

    assert records == [(1, {"url": "https://a/1"}), (5, {"url": "https://a/3"})]
    assert [(p.line, p.kind, p.severity) for p in problems] == [
        (3, "not_object", "error"),
        (4, "not_json", "error"),
        (6, "cut_short", "warning"),
    ]
    assert str(problems[0]) == f"{path}:3: not a JSON object but an array"
    assert str(problems[1]).startswith(f"{path}:4: not JSON: ")
    assert str(problems[2]).startswith(f"{path}:6: warning: last line is incomplete")


def test_complete_last_line_without_newline_is_a_record(tmp_path):
    path = _touch(tmp_path / "run.jsonl", '{"url": "https://a/1"}\n{"url": "https://a/2"}')

    records, problems = _read(path)

    assert [number for number, _ in records] == [1, 2]
    assert problems == []


def test_line_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_bytes(b'{"url": "https://a/1"}\n{"title": "caf\xe9"}\n{"url": "https://a/2"}\n')

    records, problems = _read(path)

    assert [number for number, _ in records] == [1, 3]
    assert len(problems) == 1
    assert problems[0].line == 2
    assert (problems[0].kind, problems[0].severity) == ("not_json", "error")
    assert "not UTF-8" in problems[0].message


def test_bytes_are_counted_for_progress(tmp_path):
    text = '{"url": "https://a/1"}\n{"url": "https://a/2"}\n'
    path = _touch(tmp_path / "run.jsonl", text)
    seen: list[int] = []

    list(read_lines([path], lambda problem: None, seen.append))

    assert sum(seen) == len(text.encode("utf-8"))
