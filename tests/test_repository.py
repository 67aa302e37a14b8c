"""What the repository holds: nothing that names one machine's folders, no build output,
and links that stay inside the checkout. (A clone anywhere must work the same.)"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.helpers import REPO

# A path rooted in a folder of the machine the file was written on: the work and temp
# folders, home folders (also as "~/"). Not inside a URL or a longer path: the character
# before must not be part of a host or path name.
MACHINE_PATH = re.compile(
    rb"(?<![\w.:/~-])(?:/(?:work|tmp|home|root|Users|private/var|var/folders)/|~/)"
)
# Made by installing, building, testing or linting: never source.
BUILD_OUTPUT = re.compile(
    r"(?:^|/)(?:[^/]+\.egg-info|build|dist|__pycache__|\.pytest_cache|\.ruff_cache|"
    r"\.mypy_cache|\.hypothesis|\.venv[^/]*|\.scrapy)(?:/|$)|\.py[co]$|\.whl$"
)


def _tracked() -> list[str]:
    # Files git tracks, and new ones it would (not ignored): what the next commit can hold.
    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    )  # fmt: skip
    return sorted({name for name in done.stdout.decode().split("\0") if name})


TRACKED = _tracked()


def test_the_listing_sees_the_repository():
    assert {"README.md", "pyproject.toml", "tests/test_repository.py"} <= set(TRACKED)


def test_no_file_names_a_folder_of_one_machine():
    found = []
    for name in TRACKED:
        path = REPO / name
        # This file spells the patterns out (its examples are written in pieces).
        if path.is_symlink() or not path.is_file() or name == "tests/test_repository.py":
            continue
        data = path.read_bytes()
        match = MACHINE_PATH.search(data)
        if match:
            line = data.count(b"\n", 0, match.start()) + 1
            found.append(f"{name}:{line}")
    assert found == []


def test_no_build_output_is_tracked():
    assert [name for name in TRACKED if BUILD_OUTPUT.search(name)] == []


def test_links_are_relative_and_stay_in_the_repository():
    links = [name for name in TRACKED if (REPO / name).is_symlink()]
    for name in links:
        target = (REPO / name).readlink()
        assert not target.is_absolute(), (name, target)
        resolved = (REPO / name).resolve()
        assert resolved.is_relative_to(REPO.resolve()), (name, target)
        assert resolved.is_file(), (name, target)


@pytest.mark.parametrize(
    ("text", "machine"),
    [
        # Spelled in pieces, so this file does not name such a path itself.
        (b"see `/" + b"work/shared/site/notes.md`", True),
        (b'open("/' + b'tmp/out.jsonl")', True),
        (b"cd ~/projects", True),
        (b"/" + b"home/user/x", True),
        (b'href="https://example.org/tmp/x"', False),
        (b"the listing at /world/latest", False),
        (b"data/bench/results.json", False),
    ],
)
def test_what_counts_as_a_machine_path(text, machine):
    assert (MACHINE_PATH.search(text) is not None) is machine


@pytest.mark.parametrize(
    ("name", "built"),
    [
        ("newscrawl.egg-info/PKG-INFO", True),
        ("newscrawl/__pycache__/items.cpython-311.pyc", True),
        ("dist/newscrawl-0.1.0-py3-none-any.whl", True),
        ("newscrawl/pages/build_rules.py", False),
        ("fixtures/site/world/latest/page-1.html", False),
    ],
)
def test_what_counts_as_build_output(name, built):
    assert (BUILD_OUTPUT.search(name) is not None) is built
