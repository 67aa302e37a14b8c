"""The run lock and the state check of `scrapy crawl`, end to end."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from newscrawl.runstatus import ExitCode
from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.server import SiteCopy
from newscrawl.state.lock import LockedError, RunLock
from tests.helpers import run_crawl
from tests.test_incremental_crawl import (
    OLD,
    crawl_settings,
    serve_gated,
    start_crawl,
    story,
    write_site,
)

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

    from newscrawl.sitecopy.server import Reply


class HeldListing(SiteCopy):
    """Holds the first listing request until `gate` is set, and says when it arrived."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.held = threading.Event()
        self.gate = threading.Event()

    def resolve(self, raw_path: str) -> Reply:
        if raw_path.startswith("/world/latest"):
            self.held.set()
            self.gate.wait(timeout=60)
        return super().resolve(raw_path)


def first_to_end(procs: list[subprocess.Popen], timeout: float) -> bool:
    """Wait until one of `procs` has ended (False if none did within `timeout`)."""
    ended = threading.Event()

    def watch(proc: subprocess.Popen) -> None:
        proc.wait()
        ended.set()

    for proc in procs:
        threading.Thread(target=watch, args=(proc,), daemon=True).start()
    return ended.wait(timeout)


def test_two_runs_started_together_one_crawls_one_exits_75(tmp_path):
    root = tmp_path / "site"
    stories = [story(n, OLD - timedelta(hours=n)) for n in range(3)]
    write_site(root, stories)
    work = tmp_path / "work"
    work.mkdir()
    site = HeldListing(root)
    with serve_gated(site) as server:
        outputs = [work / "a.jsonl", work / "b.jsonl"]
        procs = [start_crawl(server.base_url, work, out, crawl_settings(work)) for out in outputs]
        try:
            assert site.held.wait(timeout=60), "no run reached the listing"
            assert first_to_end(procs, timeout=60), "neither run ended"
            loser = next(i for i, p in enumerate(procs) if p.poll() is not None)
            winner = 1 - loser
            assert procs[winner].poll() is None  # still held at the listing: it overlapped
        finally:
            site.gate.set()
            results = [p.communicate(timeout=60) for p in procs]
    assert procs[loser].returncode == ExitCode.LOCKED == 75
    assert procs[winner].returncode == 0, results[winner][1][-2000:]
    # One line that says why, and nothing else (whether the loser was stopped before
    # the crawl was set up, or by the state's own lock when both got that far).
    (message,) = results[loser][1].splitlines()
    assert message.startswith("newscrawl: another run (pid ")
    assert message.endswith("crawl.sqlite.lock; not starting (exit 75)")
    # The refused run wrote nothing and asked for nothing; the winner crawled it all.
    assert not outputs[loser].exists()
    assert not outputs[loser].with_name(outputs[loser].stem + ".report.json").exists()
    assert server.request_log.count("/world/latest") == 1
    assert outputs[winner].read_bytes().count(b"\n") == 3


def test_a_lock_left_by_a_dead_run_does_not_block(tmp_path):
    root = tmp_path / "site"
    write_site(root, [story(1, OLD)])
    work = tmp_path / "work"
    lock = work / "state" / "crawl.sqlite.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("4242\n", encoding="utf-8")  # the file outlives a killed holder
    with serve_site(root) as server:
        result = run_crawl(server.base_url, work, settings=crawl_settings(work))
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.records) == 1


def test_run_lock_is_exclusive_and_released(tmp_path):
    path = tmp_path / "x.lock"
    with RunLock(path), pytest.raises(LockedError, match=r"^another run \(pid \d+\) holds "):
        RunLock(path).acquire()
    with RunLock(path):
        pass  # free again once released


def test_corrupt_state_is_a_one_line_error_and_left_alone(tmp_path):
    root = tmp_path / "site"
    write_site(root, [story(1, OLD)])
    work = tmp_path / "work"
    state = work / "state" / "crawl.sqlite"
    state.parent.mkdir(parents=True)
    garbage = b"definitely not an SQLite database\n" * 64
    state.write_bytes(garbage)
    with serve_site(root) as server:
        result = run_crawl(server.base_url, work, settings=crawl_settings(work))
        assert server.request_log == []
    assert result.returncode == ExitCode.FAILED
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"newscrawl: crawl state {state} is unreadable")
    assert "move it aside" in line
    assert state.read_bytes() == garbage
    assert not result.output.exists()
