"""newscrawl.cli.parse_args: options, derived values and the combinations it refuses."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newscrawl.cli import DEFAULT_INPUT, main, parse_args


def test_parse_args_does_not_read_sys_argv(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["newscrawl", "stats", "--bogus"])

    args = parse_args(["validate", "a.jsonl"])

    assert args.command == "validate"
    assert args.inputs == [Path("a.jsonl")]


def test_export_defaults_and_derived_values():
    args = parse_args(["export", "-o", "out.csv", "--since", "2024-05-01", "--until", "2024-05-31"])

    assert args.format == "csv"
    assert args.inputs == [DEFAULT_INPUT]
    assert args.validate is True
    assert args.since_at == datetime(2024, 4, 30, 17, tzinfo=timezone.utc)
    assert args.until_at == datetime(2024, 5, 31, 16, 59, 59, 999999, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("argv", "fmt"),
    [
        (["export", "-o", "t.parquet"], "parquet"),
        (["export", "-o", "t.jsonl"], "jsonl"),
        (["export", "-o", "-"], "jsonl"),
        (["export", "-o", "-", "--format", "csv"], "csv"),
        (["export", "-o", "table", "--format", "csv"], "csv"),
    ],
)
def test_export_format(argv, fmt):
    assert parse_args(argv).format == fmt


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "-o", "t.csv", "--format", "parquet"], "does not match the output name"),
        (["export", "-o", "table.txt"], "cannot tell the format"),
        (["export", "-o", "-", "--format", "parquet"], "Parquet cannot go to standard output"),
        (["export", "-o", "t.csv", "--since", "2024-06-01", "--until", "2024-05-01"], "is after"),
        (["export", "-o", "t.csv", "--since", "last week"], "neither a date"),
        (["stats", "--top", "-1"], "--top must be"),
        (["export", "runs"], "-o/--output"),
        (["validate"], "FILE_OR_DIR"),
        (["demo", "--site", "no/such/dir"], "no site copy at no/such/dir"),
    ],
)
def test_refused_combinations_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as raised:
        parse_args(argv)

    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def test_main_returns_usage_status_instead_of_raising(capsys):
    assert main(["export", "-o", "t.txt"]) == 2
    assert capsys.readouterr().err == (
        "newscrawl: error: export: cannot tell the format from 't.txt'; "
        "add --format {jsonl,csv,parquet}; see 'newscrawl export --help'\n"
    )


def test_parquet_without_pyarrow_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)

    assert main(["export", "-o", "t.parquet", "x"]) == 2
    assert "pip install 'newscrawl[parquet]'" in capsys.readouterr().err


def test_demo_defaults_to_bundled_site():
    args = parse_args(["demo"])

    assert args.site == Path(__file__).resolve().parents[1] / "fixtures" / "site"
    assert args.output == Path("data/demo/world.jsonl")
    assert args.verbose is False
