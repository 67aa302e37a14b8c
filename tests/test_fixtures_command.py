"""`python -m newscrawl.fixtures rerun`: a page dropped in a folder becomes a case; a
deliberate change shows as a diff of the expected item and is stored on request."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from newscrawl.fixtures import ARTICLE_PAGE, LISTING_PAGE, Case, main

if TYPE_CHECKING:
    from pathlib import Path

URL = "https://www.thejakartapost.com/world/2026/05/04/timor-leste-joins-talks.html"
PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Timor-Leste joins talks - World - The Jakarta Post</title>
<link rel="canonical" href="{URL}">
<meta property="article:published_time" content="2026-05-04T09:00:00+07:00">
</head><body><div class="tjp-single__head"><h1 class="tjp-title--single">Timor-Leste joins
talks</h1></div><div class="tjp-single__content"><p>Dili sent its foreign minister to the
talks on Monday, officials said.</p></div></body></html>"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "pages"


@pytest.fixture
def dropped(root: Path) -> Path:
    folder = root / ARTICLE_PAGE / "timor-leste-joins-talks"
    folder.mkdir(parents=True)
    (folder / "saved-from-browser.html").write_text(PAGE, encoding="utf-8")
    return folder


def test_a_dropped_page_becomes_a_case(root, dropped, capsys):
    assert main(["rerun", str(dropped), "--root", str(root), "--frozen-time",
                 "2026-05-04T03:00:00+00:00"]) == 0  # fmt: skip
    shown = capsys.readouterr().out
    assert '+  "title": "Timor-Leste joins talks",' in shown
    assert shown.endswith("1 of 1 case(s) changed\n")
    assert not (dropped / "saved-from-browser.html").exists()
    case = Case(dropped)
    assert (dropped / "inputs" / "HttpResponse-body.html").read_text(encoding="utf-8") == PAGE
    assert case.info["url"] == URL  # from the page's canonical link
    assert case.params == {"section": "world"}
    record = case.expected()
    assert record["crawled_at"] == "2026-05-04T03:00:00+00:00"
    assert record["body"] == (
        "Dili sent its foreign minister to the talks on Monday, officials said."
    )


def test_a_deliberate_change_is_shown_then_stored(root, dropped, capsys):
    main(["rerun", "timor-leste-joins-talks", "--root", str(root)])
    body = dropped / "inputs" / "HttpResponse-body.html"
    body.write_text(PAGE.replace("on Monday", "on Tuesday"), encoding="utf-8")
    before = (dropped / "output.json").read_text(encoding="utf-8")
    capsys.readouterr()

    assert main(["rerun", "timor-leste-joins-talks", "--root", str(root), "--check"]) == 1
    diff = capsys.readouterr().out
    assert '-  "body": "Dili sent its foreign minister to the talks on Monday' in diff
    assert '+  "body": "Dili sent its foreign minister to the talks on Tuesday' in diff
    assert (dropped / "output.json").read_text(encoding="utf-8") == before  # --check writes nothing

    assert main(["rerun", "timor-leste-joins-talks", "--root", str(root)]) == 0
    assert "on Tuesday" in json.loads((dropped / "output.json").read_text())["body"]
    capsys.readouterr()
    assert main(["rerun", "--all", "--root", str(root), "--check"]) == 0
    assert capsys.readouterr().out == "0 of 1 case(s) differ\n"


def test_what_cannot_be_run_is_said(root, capsys):
    assert main(["rerun", "no-such-case", "--root", str(root)]) == 2
    assert "no case named 'no-such-case'" in capsys.readouterr().err
    folder = root / ARTICLE_PAGE / "no-canonical"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    assert main(["rerun", str(folder), "--root", str(root)]) == 2
    assert "give --url" in capsys.readouterr().err


def test_the_module_runs_as_a_command(root, dropped, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.fixtures", "rerun", "--all", "--root", str(root)],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    # The dropped page is no case yet (no meta.json): --all finds none, and says how to.
    assert done.returncode == 2, done.stderr
    assert "name a new case's folder" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.fixtures", "rerun", str(dropped)],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (dropped / "output.json").is_file()


def test_a_listing_page_is_a_case_too(root, capsys):
    folder = root / LISTING_PAGE / "two-entries-and-a-sidebar"
    folder.mkdir(parents=True)
    entry = (
        '<div class="listNews"><a href="/world/2026/05/0{n}/story-{n}.html">'
        '<h2 class="titleNews">Story {n}</h2></a><span class="date">May {n}, 2026</span></div>'
    )
    (folder / "page.html").write_text(
        "<html><body><main>" + entry.format(n=1) + entry.format(n=2) + "</main>"
        '<aside><div class="listNews"><a href="/world/2026/01/01/popular.html">Popular</a>'
        "</div></aside></body></html>",
        encoding="utf-8",
    )
    url = "https://www.thejakartapost.com/world/latest"
    assert main(["rerun", str(folder), "--root", str(root), "--url", url]) == 0
    assert Case(folder).expected() == [
        {"url": f"https://www.thejakartapost.com/world/2026/05/0{n}/story-{n}.html",
         "title": f"Story {n}", "published": f"2026-05-0{n}", "published_at": None,
         "teaser": None}
        for n in (1, 2)
    ]  # fmt: skip
