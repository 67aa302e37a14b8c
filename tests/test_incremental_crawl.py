"""End to end: hourly runs against a loopback copy of a site that keeps publishing.

Each test builds its own small site under tmp_path (`write_site`), runs the real
`scrapy crawl` more than once with one state file, and checks what each run exported
and what it asked the server for.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.server import SiteCopy, SiteServer
from tests.helpers import TEST_SETTINGS, read_jsonl, run_crawl

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from newscrawl.sitecopy.server import Reply

WIB = timezone(timedelta(hours=7))
PAGE_SIZE = 3
OLD = datetime(2025, 3, 10, 9, 0, tzinfo=WIB)


@dataclass
class Story:
    slug: str
    published: datetime
    extra: str = ""  # appended to the last paragraph: an edit on the site
    paragraphs: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/world/{self.published:%Y/%m/%d}/{self.slug}.html"

    @property
    def url(self) -> str:
        return "https://www.thejakartapost.com" + self.path


def story(n: int, published: datetime) -> Story:
    words = ["Delegates", "Ministers", "Observers", "Envoys", "Analysts", "Officials"]
    paragraphs = [
        f"{words[(n + i) % len(words)]} in story {n} met on day {n * 7 + i} of the talks, "
        f"according to report number {n * 100 + i} filed from bureau {n}-{i}."
        for i in range(4)
    ]
    return Story(f"story-{n}-talks-resume", published, paragraphs=paragraphs)


def article_html(s: Story) -> str:
    body = [*s.paragraphs]
    body[-1] = body[-1] + s.extra
    title = f"Story {s.slug} makes headlines"
    summary = f"A standfirst of {s.slug} for readers in a hurry."
    meta = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
        "datePublished": s.published.isoformat(), "dateModified": s.published.isoformat(),
        "author": [{"@type": "Person", "name": "Test Writer"}], "isAccessibleForFree": True,
        "articleSection": "World", "inLanguage": "en",
    }
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} - World - The Jakarta Post</title>
<meta name="description" content="{escape(summary)}">
<meta name="author" content="Test Writer">
<link rel="canonical" href="{s.url}">
<script type="application/ld+json">{json.dumps(meta)}</script>
</head><body><main><article class="tjp-single">
<div class="tjp-single__head"><h1 class="tjp-title tjp-title--single">{escape(title)}</h1>
<p class="tjp-single__head-lead">{escape(summary)}</p>
<div class="tjp-meta"><div class="tjp-meta__label"><span>Test Writer</span></div></div></div>
<div class="tjp-single__content">
{paragraphs}
</div></article></main></body></html>
"""


def listing_html(stories: list[Story]) -> str:
    entries = "\n".join(
        f'<div class="listNews"><div class="detailNews"><a href="{s.path}?utm_source=latest">'
        f'<h2 class="titleNews">Story {s.slug}</h2></a>'
        f'<span class="date">{s.published:%a, %B %-d, %Y}</span></div></div>'
        for s in stories
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Latest World News - The Jakarta Post</title></head><body><main>
<div class="tjp-latest-list"><h1>World</h1><div class="tjp-latest-entries">
{entries}
</div></div></main></body></html>
"""


def write_site(root: Path, stories: list[Story]) -> None:
    """The site as it is now: `stories` newest first, PAGE_SIZE to a listing page."""
    (root / "robots.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /search\n", encoding="utf-8")
    listing = root / "world" / "latest"
    listing.mkdir(parents=True, exist_ok=True)
    for old in listing.glob("page-*.html"):
        old.unlink()
    for start in range(0, len(stories), PAGE_SIZE):
        page = start // PAGE_SIZE + 1
        (listing / f"page-{page}.html").write_text(
            listing_html(stories[start:start + PAGE_SIZE]), encoding="utf-8")
    for s in stories:
        target = root / s.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(article_html(s), encoding="utf-8")


def crawl_settings(workdir: Path) -> dict[str, str]:
    return {"NEWSCRAWL_STATE_PATH": str(workdir / "state" / "crawl.sqlite")}


def run_files(workdir: Path) -> list[Path]:
    return sorted(p for p in workdir.glob("*.jsonl") if not p.name.endswith(".failures.jsonl"))


def versions(records: list[dict]) -> list[tuple[str, int]]:
    return sorted((r["url"], r["version"]) for r in records)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, SiteServer]]:
    root = tmp_path / "site"
    write_site(root, [])
    with serve_site(root) as server:
        yield root, server


def test_second_run_with_nothing_new_asks_for_listing_page_one_only(site, tmp_path):
    root, server = site
    stories = [story(n, OLD - timedelta(hours=n)) for n in range(7)]
    write_site(root, stories)
    work = tmp_path / "work"
    work.mkdir()

    first = run_crawl(server.base_url, work, output=work / "run1.jsonl",
                      settings=crawl_settings(work))
    assert first.returncode == 0, first.stderr[-2000:]
    assert versions(first.records) == sorted((s.url, 1) for s in stories)
    assert first.report["articles"]["new"] == 7

    server.request_log.clear()
    second = run_crawl(server.base_url, work, output=work / "run2.jsonl", append=True,
                       settings=crawl_settings(work))
    assert second.returncode == 0, second.stderr[-2000:]
    assert server.request_log == ["/robots.txt", "/world/latest"]
    assert second.records == []
    assert second.report["articles"] == {
        "new": 0, "updated": 0, "unchanged": 0, "skipped": 3, "failed": 0, "gone": 0,
        "abandoned": 0, "dropped": 0, "not_retried": 0, "recovered_from_killed_runs": 0,
    }
    assert second.report["ok"] is True


def test_new_articles_are_exported_on_the_next_run_and_only_they(site, tmp_path):
    root, server = site
    stories = [story(n, OLD - timedelta(hours=n)) for n in range(5)]
    write_site(root, stories)
    work = tmp_path / "work"
    work.mkdir()
    first = run_crawl(server.base_url, work, output=work / "run1.jsonl",
                      settings=crawl_settings(work))
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(first.records) == 5

    fresh = [story(n, OLD + timedelta(hours=n)) for n in (11, 10)]
    write_site(root, fresh + stories)  # the old ones slide down the listing
    server.request_log.clear()
    second = run_crawl(server.base_url, work, output=work / "run2.jsonl", append=True,
                       settings=crawl_settings(work))
    assert second.returncode == 0, second.stderr[-2000:]
    assert versions(second.records) == sorted((s.url, 1) for s in fresh)
    # Page 1 still had news; page 2 held only known articles, so paging stopped there.
    assert server.request_log[:2] == ["/robots.txt", "/world/latest"]
    assert "/world/latest?page=2" in server.request_log
    assert "/world/latest?page=3" not in server.request_log
    assert sorted(p for p in server.request_log if p.endswith(".html")) == sorted(
        s.path for s in fresh)


def test_corrected_article_is_exported_again_as_a_new_version(site, tmp_path):
    root, server = site
    now = datetime.now(WIB)
    stories = [story(n, now - timedelta(hours=2 + n)) for n in range(4)]
    write_site(root, stories)
    work = tmp_path / "work"
    work.mkdir()
    first = run_crawl(server.base_url, work, output=work / "run1.jsonl",
                      settings=crawl_settings(work))
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(first.records) == 4

    stories[2].extra = " A correction: the talks resumed on Friday, not Thursday."
    write_site(root, stories)
    second = run_crawl(server.base_url, work, output=work / "run2.jsonl", append=True,
                       settings=crawl_settings(work))
    assert second.returncode == 0, second.stderr[-2000:]
    assert versions(second.records) == [(stories[2].url, 2)]
    assert "correction" in second.records[0]["body"]
    assert second.records[0]["content_hash"] != next(
        r["content_hash"] for r in first.records if r["url"] == stories[2].url)
    # The three untouched ones were re-checked with their ETag and answered 304.
    assert second.report["articles"]["unchanged"] == 3
    assert second.report["stats"]["newscrawl/incremental/not_modified"] == 3
    assert second.report["articles"]["updated"] == 1

    third = run_crawl(server.base_url, work, output=work / "run3.jsonl", append=True,
                      settings=crawl_settings(work))
    assert third.returncode == 0, third.stderr[-2000:]
    assert third.records == []
    assert third.report["stats"]["newscrawl/incremental/not_modified"] == 4


class GatedSite(SiteCopy):
    """Serves the first `open_articles` article pages, then holds every further one
    until `gate` is set."""

    def __init__(self, root: Path, open_articles: int) -> None:
        super().__init__(root)
        self.open_articles = open_articles
        self.served = 0
        self.held = threading.Event()
        self.gate = threading.Event()
        self._lock = threading.Lock()

    def resolve(self, raw_path: str) -> Reply:
        if raw_path.endswith(".html"):
            with self._lock:
                self.served += 1
                hold = self.served > self.open_articles
            if hold:
                self.held.set()
                self.gate.wait(timeout=60)
        return super().resolve(raw_path)


@contextlib.contextmanager
def serve_gated(site: SiteCopy) -> Iterator[SiteServer]:
    server = SiteServer(site)
    thread = threading.Thread(target=server.serve_forever, name="gated-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        site.gate.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
        thread.join()


def start_crawl(base_url: str, workdir: Path, output: Path,
                settings: dict[str, str]) -> subprocess.Popen:
    """`scrapy crawl` in the background (run_crawl waits; these tests must not)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "jakartapost", "-O", str(output),
               "-s", f"JAKARTAPOST_BASE_URL={base_url}"]
    for name, value in {**TEST_SETTINGS, **settings}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
           "PYTHONWARNINGS": "error::DeprecationWarning"}
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_lines(proc: subprocess.Popen, path: Path, count: int, timeout: float) -> None:
    """Look at `path` until it holds `count` lines, waiting on the crawl between looks:
    nothing signals a line written, but the crawl ending first is an answer too."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_bytes().count(b"\n") >= count):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{path} never reached {count} lines")
        try:
            proc.wait(timeout=min(0.05, remaining))
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"the crawl ended ({proc.returncode}) before {path} had {count} lines")


def test_crawl_killed_mid_run_loses_nothing_and_duplicates_nothing(tmp_path):
    root = tmp_path / "site"
    stories = [story(n, OLD - timedelta(hours=n)) for n in range(8)]
    write_site(root, stories)
    work = tmp_path / "work"
    work.mkdir()
    settings = {**crawl_settings(work), "NEWSCRAWL_FEED_SYNC_ITEMS": "1",
                "CONCURRENT_REQUESTS": "1"}
    site = GatedSite(root, open_articles=4)
    with serve_gated(site) as server:
        proc = start_crawl(server.base_url, work, work / "run1.jsonl", settings)
        try:
            assert site.held.wait(timeout=60), "the crawl never reached the held article"
            wait_for_lines(proc, work / "run1.jsonl.part", 4, timeout=30)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert not (work / "run1.jsonl").exists()  # killed: never renamed
        site.gate.set()
        site.open_articles = 10**6

        second = run_crawl(server.base_url, work, output=work / "run2.jsonl", append=True,
                           settings=crawl_settings(work))
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.report["articles"]["recovered_from_killed_runs"] == 4
    assert not list(work.glob("*.part"))
    files = run_files(work)
    assert [f.name for f in files] == ["run1.jsonl", "run2.jsonl"]
    for f in files:
        assert f.read_bytes().endswith(b"\n")
    records = [r for f in files for r in read_jsonl(f)]
    # Every article exactly once, even before any dedup.
    assert versions(records) == sorted((s.url, 1) for s in stories)
    assert len(second.records) == 4


def test_listed_articles_that_yield_nothing_fail_the_run(site, tmp_path):
    root, server = site
    stories = [story(n, OLD - timedelta(hours=n)) for n in range(2)]
    write_site(root, stories)
    for s in stories:  # listed, but the pages are gone
        (root / s.path.lstrip("/")).unlink()
    work = tmp_path / "work"
    work.mkdir()
    result = run_crawl(server.base_url, work, settings={
        **crawl_settings(work), "NEWSCRAWL_MAX_FAILURE_RATE": "1.0"})
    assert result.returncode == 1
    reasons = result.report["failure_reasons"]
    assert "zero articles extracted from 2 article page(s) listed" in reasons
    assert result.report["ok"] is False
    # The site served no article at all, so its 404s are not taken for deleted articles:
    # they are tried again after the first wait (an hour), not given up as gone.
    failures = read_jsonl(work / "out.failures.jsonl")
    assert [f["outcome"] for f in failures] == ["retry", "retry"]
    assert result.report["gone"] == []
    write_site(root, stories)
    an_hour_later = datetime.now(timezone.utc) + timedelta(hours=1, minutes=5)
    again = run_crawl(server.base_url, work, output=work / "again.jsonl", append=True,
                      settings={**crawl_settings(work),
                                "NEWSCRAWL_STATE_NOW": an_hour_later.isoformat()})
    assert again.returncode == 0, again.stderr[-2000:]
    assert versions(again.records) == sorted((s.url, 1) for s in stories)
