"""How `scrapy crawl jakartapost` talks: one-line refusals, a quiet log that ends with a
summary whose numbers add up, plain retry lines, and output files never lost.

Every case runs the real command in a subprocess and asserts on its exact stderr lines
(timestamps removed), its exit status and the files it leaves behind.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from newscrawl.state.lock import RunLock, lock_path
from tests.helpers import SITE, read_jsonl, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.sitecopy.server import SiteServer
    from tests.helpers import CrawlResult

QUIET = {"TELNETCONSOLE_ENABLED": "False", "NEWSCRAWL_ARCHIVE_ENABLED": "False"}
FAST = {"NEWSCRAWL_RETRY_BACKOFF_BASE": "0.01", "RETRY_TIMES": "2", "DOWNLOAD_TIMEOUT": "5"}
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def scrapy_crawl(cwd: Path, *argv: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl <argv>` as typed, with `settings` as -s options; waits for it."""
    command = [sys.executable, "-m", "scrapy", "crawl", *argv]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        "PYTHONWARNINGS": "error::DeprecationWarning",
    }
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def lines(stderr: str) -> list[str]:
    """The log without timestamps, and with the run's duration left out."""
    return [
        re.sub(r" in \d+ s, ", " in N s, ", _STAMP.sub("", line)) for line in stderr.splitlines()
    ]


def files_in(folder: Path) -> list[str]:
    """The files below `folder`, but SQLite's own -wal/-shm companions of the state."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    )


# --- refusals: one line, before anything else -------------------------------------------


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["jakartapost", "-a", "max_pages=0"], "max_pages='0' must be at least 1"),
        (["jakartapost", "-a", "section=sport-betting"], None),
        (["jakartapost", "-a", "max_pages"], "Invalid -a value, use -a NAME=VALUE"),
        (["jakartapost", "-s", "NEWSCRAWL_STATE_NOW=soon"], None),
        (
            ["jakartapost", "-s", "JAKARTAPOST_BASE_URL=ftp://example.org"],
            "JAKARTAPOST_BASE_URL='ftp://example.org' is not an http(s) site root "
            "such as https://www.thejakartapost.com",
        ),
        (
            ["jakartapost", "-o", "a.jsonl", "-O", "b.jsonl"],
            "Please use only one of -o/--output and -O/--overwrite-output",
        ),
        (["jakartapost", "--bogus"], "unknown option --bogus; see 'scrapy crawl -h'"),
        (["jakartapost", "world"], "give exactly one spider name, e.g. 'scrapy crawl jakartapost'"),
        ([], "give exactly one spider name, e.g. 'scrapy crawl jakartapost'"),
        (["jakartapots"], "no spider named 'jakartapots' (this project has: jakartapost)"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, argv: list[str], line: str | None):
    done = scrapy_crawl(tmp_path, *argv)
    assert (done.returncode, done.stdout) == (2, "")
    (only,) = done.stderr.splitlines()
    if line is None:  # the words are the argument parser's own, tested with it
        assert only.startswith("newscrawl: ")
        assert "\n" not in only
    else:
        assert only == f"newscrawl: {line}"
    assert files_in(tmp_path) == []  # nothing written, not even a state folder


def test_an_output_path_under_a_file_is_refused_before_any_work(tmp_path: Path):
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    done = scrapy_crawl(tmp_path, "jakartapost", "-O", "plain/world.jsonl")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "newscrawl: cannot write output file plain/world.jsonl: plain is a file, not a folder"
    ]
    assert files_in(tmp_path) == ["plain"]


def test_a_held_lock_is_one_line_and_exit_75(tmp_path: Path, fixture_site: SiteServer):
    state = tmp_path / "state.sqlite"
    before = len(fixture_site.request_log)
    with RunLock(lock_path(state)):
        done = scrapy_crawl(
            tmp_path, "jakartapost", "-O", "world.jsonl",
            JAKARTAPOST_BASE_URL=fixture_site.base_url, NEWSCRAWL_STATE_PATH=str(state),
        )
    assert done.returncode == 75
    assert done.stderr.splitlines() == [
        f"newscrawl: another run (pid {os.getpid()}) holds {state}.lock; not starting (exit 75)"
    ]
    assert files_in(tmp_path) == ["state.sqlite.lock"]
    assert len(fixture_site.request_log) == before


def test_a_spoiled_state_file_is_one_line_and_exit_1(tmp_path: Path):
    state = tmp_path / "state.sqlite"
    state.write_bytes(b"not a database at all\n" * 100)
    done = scrapy_crawl(tmp_path, "jakartapost", NEWSCRAWL_STATE_PATH=str(state))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"newscrawl: crawl state {state} is unreadable (file is not a database); "
        "move it aside to re-crawl from scratch"
    ]


# --- a site that is not there --------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refusing_site_gives_a_line_per_retry_and_a_clear_end(tmp_path: Path, closed_port):
    base = f"http://127.0.0.1:{closed_port}"
    done = scrapy_crawl(
        tmp_path, "jakartapost", "-a", "discover=listing", "-O", "out.jsonl",
        JAKARTAPOST_BASE_URL=base, NEWSCRAWL_STATE_PATH=str(tmp_path / "state.sqlite"),
        **QUIET, **FAST,
    )
    refused = "DownloadConnectionRefusedError: Connection was refused by other side: 111: " \
        "Connection refused."
    assert done.returncode == 1
    assert lines(done.stderr) == [
        f"[newscrawl.extensions.crawlstate] INFO: Crawl state {tmp_path / 'state.sqlite'}: "
        "0 article(s) known",
        f"[jakartapost] INFO: Crawling section world from {base} through listing "
        "(since=None, max_pages=None)",
        f"[scrapy.downloadermiddlewares.robotstxt] WARNING: robots.txt of 127.0.0.1:{closed_port}"
        " could not be fetched (connection refused): crawling as if it allowed everything",
        "[newscrawl.middlewares.retry] INFO: listing page 1: connection refused, retry 1 of 2 "
        "in 0.01 s",
        "[newscrawl.middlewares.retry] INFO: listing page 1: connection refused, retry 2 of 2 "
        "in 0.02 s",
        f"[jakartapost] WARNING: Could not use listing page {base}/world/latest: {refused}",
        "[newscrawl.extensions.coverage] INFO: Listing coverage not checked: the listing "
        "showed no article",
        "[newscrawl.extensions.runreport] INFO: Done (finished) in N s, 4 request(s): articles "
        "0 new, 0 updated, 0 unchanged, 0 failed, 0 gone, 0 abandoned, 0 dropped",
        "[newscrawl.extensions.runreport] INFO: Written: run file out.jsonl, report "
        "out.report.json, failures out.failures.jsonl",
        f"[newscrawl.commands.crawl] ERROR: Run failed: listing page 1 failed: {refused}",
    ]
    assert files_in(tmp_path) == [
        "data/boilerplate.sqlite3", "out.failures.jsonl", "out.jsonl", "out.report.json",
        "state.sqlite", "state.sqlite.lock",
    ]


@pytest.mark.parametrize("level", ["INFO", "WARNING", "ERROR"])
def test_no_traceback_for_a_refused_connection_above_debug(tmp_path: Path, closed_port, level):
    done = scrapy_crawl(
        tmp_path, "jakartapost", "-L", level, "-O", "out.jsonl",
        JAKARTAPOST_BASE_URL=f"http://127.0.0.1:{closed_port}", **QUIET, **FAST,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert lines(done.stderr)[-1].startswith(
        "[newscrawl.commands.crawl] ERROR: Run failed: listing page 1 failed: "
    )


def test_debug_shows_scrapys_dump_and_the_tracebacks(tmp_path: Path, closed_port):
    done = scrapy_crawl(
        tmp_path, "jakartapost", "-L", "DEBUG", "-O", "out.jsonl",
        JAKARTAPOST_BASE_URL=f"http://127.0.0.1:{closed_port}", **QUIET, **FAST,
    )
    assert done.returncode == 1
    for dumped in ("Scrapy 2.", "Overridden settings", "Enabled extensions",
                   "Dumping Scrapy stats", "Traceback (most recent call last)"):
        assert dumped in done.stderr


# --- a normal run: quiet, with a summary that adds up --------------------------------------


def _summary(result: CrawlResult) -> dict[str, int]:
    (done,) = [line for line in lines(result.stderr) if "runreport] INFO: Done" in line]
    counts = done.split(": articles ", 1)[1]
    return {name: int(n) for n, name in (part.split(" ") for part in counts.split(", "))}


def test_a_run_logs_its_start_each_listing_page_and_a_summary(tmp_path, fixture_site):
    result = run_crawl(
        fixture_site.base_url, tmp_path, "discover=listing",
        settings={**QUIET, "NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    logged = lines(result.stderr)
    pages = [line for line in logged if line.startswith("[newscrawl.middlewares.incremental]")]
    assert [re.sub(r"\d+ article", "N article", p) for p in pages] == [
        f"[newscrawl.middlewares.incremental] INFO: Listing page {n}: N article(s) to fetch, "
        "0 known"
        for n in (1, 2, 3)
    ]
    fetched = sum(int(re.search(r": (\d+) article", p)[1]) for p in pages)  # type: ignore[index]
    assert [line for line in logged if line not in pages] == [
        f"[newscrawl.extensions.crawlstate] INFO: Crawl state {tmp_path / 'state.sqlite'}: "
        "0 article(s) known",
        f"[jakartapost] INFO: Crawling section world from {fixture_site.base_url} through "
        "listing (since=None, max_pages=None)",
        "[jakartapost] INFO: Listing page 4 lists no article: end of the section",
        "[newscrawl.extensions.coverage] INFO: Listing coverage not checked: no news sitemap "
        "was read",
        f"[newscrawl.extensions.runreport] INFO: Done (finished) in N s, "
        f"{result.report['requests']} request(s): articles 16 new, 0 updated, 0 unchanged, "
        "0 failed, 0 gone, 0 abandoned, 0 dropped",
        f"[newscrawl.extensions.runreport] INFO: Written: run file {result.output}, report "
        f"{tmp_path / 'out.report.json'}, failures {tmp_path / 'out.failures.jsonl'}",
    ]
    # 16 articles, one of them listed again under its old slug (fetched once: redirected).
    assert fetched == result.report["stats"]["newscrawl/incremental/requested"] == 16


def _adds_up(result: CrawlResult) -> None:
    report, stats = result.report, result.report["stats"]
    articles = report["articles"]
    outcomes = ("new", "updated", "unchanged", "failed", "gone", "abandoned", "dropped")
    assert sum(articles[k] for k in outcomes) == stats.get("newscrawl/incremental/requested", 0)
    assert stats.get("newscrawl/incremental/articles_seen", 0) == (
        stats.get("newscrawl/incremental/requested", 0)
        + stats.get("newscrawl/incremental/skipped", 0)
        + sum(v for k, v in stats.items() if k.startswith("newscrawl/incremental/not_retried/"))
    )
    exported = len(result.records)
    assert sum(report["extraction_paths"].values()) == report["articles_exported"] == exported
    assert articles["new"] + articles["updated"] == exported
    assert _summary(result) == {k: articles[k] for k in outcomes}


def test_counts_add_up_with_faults_drops_and_a_second_run(tmp_path: Path):
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    world = "/world/2022/08/03/russia-backs-myanmar-juntas-efforts-to-stabilise-country-lavrov.html"
    plan = FaultPlan({
        "/world/2025/06/14/asean-cannot-keep-looking-away.html": Fault.http_error(404),
        "/world/2024/07/19/un-agency-warns-of-record-heat-across-asia.html":
            Fault.http_error(503),
        "/world/2025/10/05/envoys-urge-restraint-as-mekong-dam-dispute-deepens.html":
            Fault.page(b"<html><head></head><body><p>Nothing to read.</p></body></html>"),
        # Another article's page under this address: one of the two copies is dropped.
        "/world/2025/09/02/g20-finance-chiefs-split-over-debt-relief.html":
            Fault.page((SITE / world.lstrip("/")).read_bytes()),
    })
    work = tmp_path / "work"
    work.mkdir()
    state = {"NEWSCRAWL_STATE_PATH": str(work / "state.sqlite"), **QUIET, **FAST}
    with serve_site(root, faults=plan) as server:
        first = run_crawl(server.base_url, work, output=work / "run1.jsonl", settings=state)
        assert first.returncode == 0, first.stderr[-3000:]
        articles = first.report["articles"]
        assert (articles["gone"], articles["failed"], articles["dropped"]) == (1, 2, 1)
        _adds_up(first)
        # Everything known is re-checked (the window reaches back years): 304s this time.
        second = run_crawl(server.base_url, work, output=work / "run2.jsonl", append=True,
                           settings={**state, "NEWSCRAWL_RECHECK_HOURS": str(24 * 365 * 30)})
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.report["articles"]["unchanged"] >= articles["new"]
    assert second.report["articles"]["not_retried"] == 3  # gone, and two not due yet
    _adds_up(second)


# --- -O and -o never lose a file -----------------------------------------------------------


def test_o_with_a_state_merges_and_a_failed_run_truncates_nothing(tmp_path: Path):
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    work = tmp_path / "work"
    work.mkdir()
    world = work / "world.jsonl"
    settings = {"NEWSCRAWL_STATE_PATH": str(work / "state.sqlite"), **QUIET, **FAST,
                "NEWSCRAWL_RECHECK_HOURS": str(24 * 365 * 30)}
    plan = FaultPlan({})
    with serve_site(root, faults=plan) as server:
        first = run_crawl(server.base_url, work, output=world, settings=settings)
        assert first.returncode == 0, first.stderr[-3000:]
        whole = world.read_bytes()
        assert len(read_jsonl(world)) == 16

        # The site is down: the run fails, and world.jsonl is as it was.
        plan.faults["/world/latest"] = Fault.http_error(500)  # type: ignore[index]
        plan.faults["/world/news/sitemap.xml"] = Fault.http_error(500)  # type: ignore[index]
        down = run_crawl(server.base_url, work, output=world, settings=settings)
        assert down.returncode == 1
        assert world.read_bytes() == whole
        plan.faults.clear()  # type: ignore[attr-defined]

        # One article corrected: world.jsonl still holds every article once, that one
        # at version 2.
        article = root / "world/2025/04/08/us-tariffs-rattle-southeast-asian-exporters.html"
        page = article.read_text(encoding="utf-8")
        first_paragraph = re.search(r"<p>([^<]{40,})</p>", page)
        assert first_paragraph is not None
        article.write_text(
            page.replace(first_paragraph[1], first_paragraph[1] + " A correction was added."),
            encoding="utf-8",
        )
        again = run_crawl(server.base_url, work, output=world, settings=settings)
    assert again.returncode == 0, again.stderr[-3000:]
    records = read_jsonl(world)
    assert len(records) == 16
    assert len({r["url"] for r in records}) == 16
    versions = sorted(r["version"] for r in records)
    assert versions == [1] * 15 + [2]
    assert [r["url"] for r in again.records if r["version"] == 2] == [
        "https://www.thejakartapost.com/world/2025/04/08/us-tariffs-rattle-southeast-asian-exporters.html"
    ]
    assert not list(work.glob("*.part"))
    assert not list(work.glob("*.tmp"))


def test_o_without_a_state_keeps_the_last_good_file_after_a_failed_run(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    world = work / "world.jsonl"
    settings = {"NEWSCRAWL_STATE_PATH": "", **QUIET, **FAST}
    plan = FaultPlan({})
    with serve_site(SITE, faults=plan) as server:
        first = run_crawl(server.base_url, work, "discover=listing", output=world,
                          settings=settings)
        assert first.returncode == 0, first.stderr[-3000:]
        whole = world.read_bytes()
        plan.faults["/world/latest?page=2"] = Fault.reset()  # type: ignore[index]
        failed = run_crawl(server.base_url, work, "discover=listing", output=world,
                           settings=settings)
    assert failed.returncode == 1
    assert world.read_bytes() == whole
    partial = read_jsonl(work / "world.incomplete.jsonl")
    assert 0 < len(partial) < len(read_jsonl(world))
    assert (
        f"[newscrawl.feeds] WARNING: The run failed: {world} keeps the records of the last "
        f"good run; this run's are in {work / 'world.incomplete.jsonl'}"
    ) in lines(failed.stderr)


def test_o_refuses_a_file_that_would_hold_only_new_articles(tmp_path: Path, fixture_site):
    state = tmp_path / "state.sqlite"
    settings = {"NEWSCRAWL_STATE_PATH": str(state), **QUIET}
    first = run_crawl(fixture_site.base_url, tmp_path, output=tmp_path / "world.jsonl",
                      settings=settings)
    assert first.returncode == 0, first.stderr[-3000:]
    before = sorted(files_in(tmp_path))
    requests = len(fixture_site.request_log)
    for target, why in [
        ("new.jsonl", "and this file, which should hold them, is not there: it would hold only "
                      "new ones. Use -o for just those, or -s NEWSCRAWL_STATE_PATH= for a full "
                      "crawl"),
        ("world.csv", "and only a JSON Lines file can hold them merged with this run's; use -o, "
                      "or -s NEWSCRAWL_STATE_PATH= for a full crawl"),
    ]:
        done = scrapy_crawl(tmp_path, "jakartapost", "-O", target,
                            JAKARTAPOST_BASE_URL=fixture_site.base_url, **settings)
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            f"newscrawl: -O {target}: the crawl state {state} knows 16 articles from earlier "
            f"runs, {why}"
        ]
    assert sorted(files_in(tmp_path)) == before
    assert len(fixture_site.request_log) == requests


def test_o_appends_and_a_failed_run_keeps_what_was_there(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "all.jsonl"
    settings = {"NEWSCRAWL_STATE_PATH": str(work / "state.sqlite"), **QUIET, **FAST}
    plan = FaultPlan({})
    with serve_site(SITE, faults=plan) as server:
        first = run_crawl(server.base_url, work, output=out, settings=settings, append=True)
        assert first.returncode == 0, first.stderr[-3000:]
        whole = out.read_bytes()
        plan.faults["/world/latest"] = Fault.http_error(500)  # type: ignore[index]
        failed = run_crawl(server.base_url, work, output=out, settings=settings, append=True)
    assert failed.returncode == 1
    assert out.read_bytes() == whole
