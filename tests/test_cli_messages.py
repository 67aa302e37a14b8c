"""How `newscrawl` talks: usage errors, unusable paths and skipped lines, as a user sees them.

Every case runs `python -m newscrawl` in a subprocess and checks the exact stderr lines,
the exit status and the files left behind. That nothing was read is shown by stderr
holding only the error line: the inputs used here hold a line that would be reported
if the command had read them.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from newscrawl.cli import main
from newscrawl.datasets.writers import JsonLinesWriter
from tests.helpers import read_jsonl, run_newscrawl
from tests.test_datasets_validate import VALID, changed

# Executes the command that follows with CAP_DAC_OVERRIDE dropped from the bounding set
# (prctl PR_CAPBSET_DROP = 24, capability 1), so that even root obeys file permissions
# after the exec; anyone else runs it unchanged.
OBEYING_PERMISSIONS = [
    sys.executable,
    "-c",
    "import ctypes, os, sys\n"
    "if os.geteuid() == 0 and ctypes.CDLL(None, use_errno=True).prctl(24, 1, 0, 0, 0):\n"
    "    sys.exit('cannot drop CAP_DAC_OVERRIDE')\n"
    "os.execv(sys.argv[1], sys.argv[1:])",
]
# Executes the command that follows with files limited to this many bytes: a full disk.
DISK_FULL_AT = 2048
WITH_A_FULL_DISK = [
    sys.executable,
    "-c",
    "import os, resource, sys\n"
    f"resource.setrlimit(resource.RLIMIT_FSIZE, ({DISK_FULL_AT}, {DISK_FULL_AT}))\n"
    "os.execv(sys.argv[1], sys.argv[1:])",
]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path below `root` with its content (None for a folder)."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def refused(done, line: str) -> None:
    assert (done.returncode, done.stdout, done.stderr) == (2, "", line + "\n")


# --- no command, --version, usage errors -------------------------------------------------


def test_no_command_lists_the_commands(tmp_path):
    done = run_newscrawl(tmp_path)

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "usage: newscrawl COMMAND [ARGUMENTS]",
        "",
        "commands:",
        "  export     merge run files into one table, latest version of each article",
        "  validate   check run files against the published JSON Schema",
        "  stats      articles per day, author and tag, word counts, premium share",
        "  demo       crawl the bundled offline copy of the site and show what came out",
        "  serve      serve the bundled offline copy of the site on 127.0.0.1 until Ctrl-C",
        "  reextract  rebuild records from WARC archives (ours or CC-NEWS), no network",
        "",
        "'newscrawl COMMAND --help' describes a command; 'newscrawl --version' prints the version.",
    ]
    assert tree(tmp_path) == {}


def test_version_from_the_installed_entry_point(tmp_path):
    # The console script pip installed beside this Python ([project.scripts]).
    script = Path(sys.executable).with_name("newscrawl")
    found = str(script) if script.exists() else shutil.which("newscrawl")
    assert found, "the newscrawl console script is not installed"
    done = subprocess.run(
        [found, "--version"], cwd=tmp_path, capture_output=True, text=True, check=False
    )

    assert (done.returncode, done.stderr) == (0, "")
    # The version the package was installed as (pyproject.toml), not one the code states.
    assert done.stdout == (
        f"newscrawl {metadata.version('newscrawl')} (Scrapy {metadata.version('scrapy')}, "
        f"Python {platform.python_version()})\n"
    )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["bogus"],
            "newscrawl: error: unknown command 'bogus'; the commands are export, validate, "
            "stats, demo, serve, reextract; see 'newscrawl --help'",
        ),
        (["--bogus"], "newscrawl: error: unrecognized arguments: --bogus; see 'newscrawl --help'"),
        (
            ["export"],
            "newscrawl: error: export: the following arguments are required: -o/--output; "
            "see 'newscrawl export --help'",
        ),
        (
            ["export", "-o", "t.csv", "--bogus"],
            "newscrawl: error: export: unrecognized arguments: --bogus; "
            "see 'newscrawl export --help'",
        ),
        (
            ["export", "-o", "t.txt"],
            "newscrawl: error: export: cannot tell the format from 't.txt'; add --format "
            "{jsonl,csv,parquet}; see 'newscrawl export --help'",
        ),
        (
            ["export", "-o", "-", "--format", "parquet"],
            "newscrawl: error: export: Parquet cannot go to standard output; give -o "
            "FILE.parquet; see 'newscrawl export --help'",
        ),
        (
            ["export", "-o", "t.csv", "--since", "2024-06-01", "--until", "2024-05-01"],
            "newscrawl: error: export: --since 2024-06-01 is after --until 2024-05-01; "
            "see 'newscrawl export --help'",
        ),
        (
            ["stats", "--top", "x"],
            "newscrawl: error: stats: argument --top: invalid int value: 'x'; "
            "see 'newscrawl stats --help'",
        ),
        (
            ["validate"],
            "newscrawl: error: validate: the following arguments are required: FILE_OR_DIR; "
            "see 'newscrawl validate --help'",
        ),
        (
            ["serve", "--port", "70000"],
            "newscrawl: error: serve: argument --port: 70000 is not a port number (0 to 65535); "
            "see 'newscrawl serve --help'",
        ),
        (
            ["demo", "-o", "world.csv"],
            "newscrawl: error: demo: -o world.csv: the demo writes JSON Lines; give a file name "
            "ending in .jsonl; see 'newscrawl demo --help'",
        ),
        (
            ["demo", "--site", "nowhere"],
            "newscrawl: error: demo: no site copy at nowhere (it ships with the newscrawl "
            "source tree, not with an installed wheel); pass --site DIR; "
            "see 'newscrawl demo --help'",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path, argv, line):
    done = run_newscrawl(tmp_path, *argv)

    refused(done, line)
    assert tree(tmp_path) == {}


# --- paths checked before any work ---------------------------------------------------------


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A folder with a run file (one good record, then a line any reader reports), a
    file, two folders and an empty folder."""
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "run.jsonl").write_text(json.dumps(VALID) + "\nnot json\n", encoding="utf-8")
    (tmp_path / "afile").write_text("a file\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.jsonl").mkdir()
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["export", "runs", "-o", "afile/x.csv"],
            "newscrawl: error: export: cannot write output afile/x.csv: afile is a file, "
            "not a folder",
        ),
        (
            ["export", "runs", "-o", "afile/deeper/x.csv"],
            "newscrawl: error: export: cannot write output afile/deeper/x.csv: afile is a file, "
            "not a folder",
        ),
        (
            ["export", "runs", "-o", "folder", "--format", "csv"],
            "newscrawl: error: export: output folder is a folder; name a file in it, "
            "e.g. folder/world.csv",
        ),
        (
            ["export", "runs", "-o", "folder.jsonl"],
            "newscrawl: error: export: output folder.jsonl is a folder; name a file in it, "
            "e.g. folder.jsonl/world.jsonl",
        ),
        (
            ["export", "runs", "-o", "t.csv", "--work-dir", "nowhere"],
            "newscrawl: error: export: --work-dir nowhere does not exist",
        ),
        (
            ["export", "runs", "-o", "t.csv", "--work-dir", "afile"],
            "newscrawl: error: export: --work-dir afile is a file, not a folder",
        ),
        (
            ["export", "runs", "nope.jsonl", "-o", "t.csv"],
            "newscrawl: error: export: input nope.jsonl does not exist",
        ),
        (
            ["export", "-o", "t.csv"],
            "newscrawl: error: export: no run files named, and the default folder "
            "data/jakartapost does not exist; name run files or folders holding them",
        ),
        (
            ["export", "empty", "-o", "t.csv"],
            "newscrawl: error: export: no run files (*.jsonl) in empty",
        ),
        (
            ["stats", "runs", "nope"],
            "newscrawl: error: stats: input nope does not exist",
        ),
        (
            ["validate", "empty"],
            "newscrawl: error: validate: no run files (*.jsonl) in empty",
        ),
        (
            ["demo", "-o", "afile/x.jsonl"],
            "newscrawl: error: demo: cannot write output afile/x.jsonl: afile is a file, "
            "not a folder",
        ),
        (
            ["demo", "-o", "folder.jsonl"],
            "newscrawl: error: demo: output folder.jsonl is a folder; name a file in it, "
            "e.g. folder.jsonl/world.jsonl",
        ),
    ],
)
def test_unusable_paths_are_refused_before_reading(workspace, argv, line):
    before = tree(workspace)

    done = run_newscrawl(workspace, *argv)

    refused(done, line)
    assert tree(workspace) == before


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["export", "runs", "-o", "ro/x.csv"],
            "newscrawl: error: export: cannot write output ro/x.csv: folder ro is not writable",
        ),
        (
            ["export", "runs", "-o", "ro/new/x.csv"],
            "newscrawl: error: export: cannot write output ro/new/x.csv: folder ro is not writable",
        ),
        (
            ["export", "runs", "-o", "kept.csv"],
            "newscrawl: error: export: output kept.csv exists and is read-only",
        ),
        (
            ["export", "runs", "-o", "t.csv", "--work-dir", "ro"],
            "newscrawl: error: export: --work-dir ro is not writable",
        ),
        (
            ["demo", "-o", "ro/world.jsonl"],
            "newscrawl: error: demo: cannot write output ro/world.jsonl: folder ro is not writable",
        ),
    ],
)
def test_read_only_outputs_are_refused_before_reading(workspace, argv, line):
    (workspace / "ro").mkdir(mode=0o555)
    (workspace / "kept.csv").write_text("url\n", encoding="utf-8")
    (workspace / "kept.csv").chmod(0o444)
    before = tree(workspace)

    done = run_newscrawl(workspace, *argv, wrapper=OBEYING_PERMISSIONS)

    if done.stderr == "cannot drop CAP_DAC_OVERRIDE\n":
        pytest.skip("running as root without the right to give up root's file access")
    refused(done, line)
    assert tree(workspace) == before


def test_a_full_disk_while_merging_is_one_line_and_leaves_nothing(workspace):
    (workspace / "work").mkdir()
    before = tree(workspace)

    done = run_newscrawl(
        workspace, "export", "-q", "runs", "-o", "t.jsonl", "--work-dir", "work",
        wrapper=WITH_A_FULL_DISK,
    )  # fmt: skip

    assert (done.returncode, done.stdout) == (1, "")
    # The database fails as it is set up, before any line is read; SQLite words the cause.
    [line] = done.stderr.splitlines()
    assert line.startswith("newscrawl: error: export: the temporary merge database failed (")
    assert line.endswith("); --work-dir DIR puts it on another disk")
    assert tree(workspace) == before


def test_a_failed_write_names_the_output_and_keeps_the_old_file(workspace, monkeypatch, capsys):
    (workspace / "t.jsonl").write_text("the previous export\n", encoding="utf-8")
    before = tree(workspace)

    def no_space(self, record):
        raise OSError(errno.ENOSPC, "No space left on device", ".t.jsonl.123.tmp")

    monkeypatch.setattr(JsonLinesWriter, "write", no_space)

    assert main(["export", "-q", "runs", "-o", "t.jsonl"]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "runs/run.jsonl:2: not JSON: Expecting value at column 1",
        "newscrawl: error: export: could not write t.jsonl (No space left on device); "
        "nothing was written to it",
    ]
    assert tree(workspace) == before


def test_a_closed_pipe_stops_quietly(workspace):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first byte (`| head -0`)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "newscrawl", "export", "-q", "runs", "-o", "-"],
            cwd=workspace,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)

    assert done.returncode == 141
    assert done.stderr == "runs/run.jsonl:2: not JSON: Expecting value at column 1\n"


# --- every skipped line counted -------------------------------------------------------------


def test_export_counts_every_skipped_line_by_kind(tmp_path):
    old = changed(url=VALID["url"], version=1)
    new = changed(url=VALID["url"], version=2, title="A corrected headline")
    other = changed(url=VALID["url"].replace("/a.html", "/b.html"), title="Another story")
    (tmp_path / "runs").mkdir()
    run = tmp_path / "runs" / "run.jsonl"
    run.write_bytes(
        b"\n".join(
            [
                json.dumps(old).encode(),  # 1
                b"not json",  # 2
                b'{"title": "caf\xe9"}',  # 3: Latin-1, not UTF-8
                b"[1, 2]",  # 4
                b"",  # 5: blank lines are not counted
                json.dumps(new).encode(),  # 6
                json.dumps(changed(word_count=-1, version=3)).encode(),  # 7
                json.dumps(other).encode(),  # 8
                json.dumps(other).encode()[:30],  # 9: cut short by a crash
            ]
        )
    )

    done = run_newscrawl(tmp_path, "export", "runs", "-o", "out.jsonl")

    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr.splitlines() == [
        "runs/run.jsonl:2: not JSON: Expecting value at column 1",
        "runs/run.jsonl:3: not UTF-8 text (invalid continuation byte at byte 14)",
        "runs/run.jsonl:4: not a JSON object but an array",
        "runs/run.jsonl:7: word_count: -1 is less than the minimum of 1 (record skipped)",
        "runs/run.jsonl:9: warning: last line is incomplete (a crashed or running write?); skipped",
        "newscrawl: reading: 4 records, done (1 file)",
        "newscrawl: writing: 2 records, done (jsonl)",
        # 8 lines - 5 skipped - 1 older version - 0 outside the range = 2 exported
        "newscrawl: exported 2 articles to out.jsonl: 8 lines read from 1 file, 5 skipped "
        "(2 not JSON, 1 not a JSON object, 1 failing the schema, 1 cut short), "
        "1 older version dropped, 0 outside --since/--until",
    ]
    assert read_jsonl(tmp_path / "out.jsonl") == [new, other]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "runs"]

    done = run_newscrawl(tmp_path, "stats", "-q", "--json", "runs")

    counts = json.loads(done.stdout)["input"]
    assert counts["lines_read"] == 8
    assert counts["records_read"] == 4
    assert counts["lines_skipped"] == {
        "not_json": 2,
        "not_object": 1,
        "invalid": 1,
        "cut_short": 1,
    }
