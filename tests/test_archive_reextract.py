"""The crawl's WARC archive and `newscrawl reextract` (newscrawl/archive/, extensions/archive.py).

A crawl of the bundled site copy archives every article page it fetched; re-extracting
that archive, in this process, on two worker processes or on a Dask cluster, gives the
crawl's records again, field for field except `crawled_at`. Foreign WARC files in the
shape of Common Crawl's CC-NEWS give exactly the section's articles.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from io import BytesIO
from typing import TYPE_CHECKING, Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from tests.helpers import REPO, SITE, TEST_SETTINGS, read_jsonl, run_crawl
from tests.test_crawl_site import EXPECTED_RECORDS

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.sitecopy.server import SiteServer
    from tests.helpers import CrawlResult

WWW = "https://www.thejakartapost.com"


def reextract(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`newscrawl reextract ...` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "reextract", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"},
    )


def without_capture_time(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: {k: v for k, v in r.items() if k != "crawled_at"} for r in records}


def archive_files(workdir: Path) -> list[Path]:
    return sorted((workdir / "data" / "archive").rglob("*.warc.gz*"))


@pytest.fixture(scope="module")
def crawled(fixture_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    result = run_crawl(fixture_site.base_url, tmp_path_factory.mktemp("archive-crawl"))
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# --- the crawl's archive ---------------------------------------------------------------


def test_crawl_archives_every_article_page_it_fetched(crawled: CrawlResult) -> None:
    workdir = crawled.output.parent
    files = archive_files(workdir)
    assert [p.name.endswith(".warc.gz") for p in files] == [True]
    # The run report names the archive, relative to where the crawl ran.
    assert [str(workdir / p) for p in crawled.report["archive_files"]] == [str(files[0])]
    kinds: dict[str, list[str]] = {}
    with files[0].open("rb") as fh:
        for record in ArchiveIterator(fh):
            kinds.setdefault(record.rec_type, []).append(
                record.rec_headers.get_header("WARC-Target-URI") or ""
            )
    assert len(kinds["warcinfo"]) == 1
    # One response per article page fetched (each article once per run, whichever spelling
    # the listing used), each with its request; no listing page, no sitemap, no robots.txt.
    assert len(kinds["response"]) == len(EXPECTED_RECORDS)
    assert sorted(kinds["request"]) == sorted(kinds["response"])
    assert not [u for u in kinds["response"] if "/latest" in u or "robots" in u or "sitemap" in u]
    assert crawled.report["stats"]["newscrawl/archive/records"] == len(kinds["response"])


def test_reextract_gives_the_crawls_records(crawled: CrawlResult) -> None:
    workdir = crawled.output.parent
    done = reextract("data/archive", "-o", "again.jsonl", "--workers", "1", cwd=workdir)
    assert done.returncode == 0, done.stderr[-3000:]
    again = read_jsonl(workdir / "again.jsonl")
    assert without_capture_time(again) == without_capture_time(crawled.records)
    # crawled_at is the archive's capture time, to the second of the crawl's own clock.
    crawl_times = {r["url"]: r["crawled_at"] for r in crawled.records}
    for record in again:
        assert abs(_epoch(record["crawled_at"]) - _epoch(crawl_times[record["url"]])) <= 1
    assert "16 records written" in done.stderr
    assert "dropped none" in done.stderr  # each article was archived once


def _epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp).timestamp()


def test_one_worker_two_workers_and_a_dask_cluster_give_identical_output(
    crawled: CrawlResult,
) -> None:
    distributed = pytest.importorskip("distributed")
    workdir = crawled.output.parent
    one = reextract("data/archive", "-o", "one.jsonl", "--workers", "1", cwd=workdir)
    two = reextract("data/archive", "-o", "two.jsonl", "--workers", "2", cwd=workdir)
    assert one.returncode == 0, one.stderr[-3000:]
    assert two.returncode == 0, two.stderr[-3000:]
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = reextract(
            "data/archive", "-o", "parts", "--scheduler", cluster.scheduler_address, cwd=workdir
        )
    assert on_dask.returncode == 0, on_dask.stderr[-3000:]
    first = (workdir / "one.jsonl").read_bytes()
    assert first
    assert (workdir / "two.jsonl").read_bytes() == first
    parts = sorted((workdir / "parts").glob("*.jsonl"))
    assert b"".join(p.read_bytes() for p in parts) == first
    # The part files are a dataset `newscrawl export` reads.
    export = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "export", "parts", "-o", "exported.jsonl"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert export.returncode == 0, export.stderr
    exported = read_jsonl(workdir / "exported.jsonl")
    assert sorted(r["url"] for r in exported) == sorted(EXPECTED_RECORDS)


# --- foreign archives ------------------------------------------------------------------


def _fixture_page(url: str) -> bytes:
    return (SITE / url.removeprefix(WWW + "/")).read_bytes()


class _CcNews:
    """A WARC file written the way Common Crawl's CC-NEWS files are: request, response
    and metadata records of many sites, one gzip member per record."""

    def __init__(self) -> None:
        self.buffer = BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=True, warc_version="1.0")
        info = self.writer.create_warcinfo_record(
            "CC-NEWS-20250408000000-00001.warc.gz",
            {"software": "StormCrawler", "isPartOf": "CC-NEWS", "operator": "Common Crawl"},
        )
        self.writer.write_record(info)

    def capture(
        self,
        url: str,
        body: bytes,
        *,
        status: str = "200 OK",
        content_type: str = "text/html; charset=utf-8",
        extra: dict[str, str] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {url.split('/', 3)[-1]} HTTP/1.1",
                [("User-Agent", "CCBot/2.0")],
                is_http_request=True,
            ),
        )
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(
                status, [("Content-Type", content_type), *(headers or [])], protocol="HTTP/1.1"
            ),
            warc_headers_dict=extra or {},
        )
        metadata = self.writer.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(b"fetchTimeMs: 120\r\n"),
            length=18,
            warc_content_type="application/warc-fields",
        )
        for record in (request, response, metadata):
            self.writer.write_record(record)

    def save(self, path: Path) -> Path:
        path.write_bytes(self.buffer.getvalue())
        return path


def test_cc_news_style_warc_gives_exactly_the_sections_articles(tmp_path: Path) -> None:
    urls = sorted(EXPECTED_RECORDS)
    warc = _CcNews()
    warc.capture("https://www.straitstimes.com/world/2025/04/08/asean-talks.html", b"<html/>")
    warc.capture("https://example.org/world/2025/04/08/not-the-jakarta-post.html", b"<html/>")
    first = urls[0]
    # A capture cut by the crawler, then a 404, before the good capture of the same page:
    # neither may stand in for the article (the duplicate check keeps the first copy).
    body = _fixture_page(first)
    warc.capture(first, body[: len(body) // 3], extra={"WARC-Truncated": "length"})
    warc.capture(first, b"<html><body>Not found</body></html>", status="404 Not Found")
    # A non-HTML resource at an article-like address.
    warc.capture(
        f"{WWW}/world/2025/04/08/chart-data.html", b'{"x": 1}', content_type="application/json"
    )
    # Another section and sponsored content of the same site.
    warc.capture(f"{WWW}/business/2025/04/08/rupiah-slides.html", _fixture_page(urls[1]))
    warc.capture(f"{WWW}/adv/2025/04/08/bali-resort.html", _fixture_page(urls[2]))
    for n, url in enumerate(urls):
        path = url.removeprefix(WWW)
        # The site's articles under every host it serves them from, with tracking.
        host = (
            "https://www.thejakartapost.com",
            "https://newgelora.thejakartapost.com",
            "http://thejakartapost.com",
        )[n % 3]
        page = _fixture_page(url)
        if n % 4 == 1:
            warc.capture(
                f"{host}{path}?utm_source=rss",
                gzip.compress(page),
                headers=[("Content-Encoding", "gzip")],
            )
        else:
            warc.capture(f"{host}{path}", page)
    warc.save(tmp_path / "CC-NEWS-20250408000000-00001.warc.gz")

    done = reextract(
        "CC-NEWS-20250408000000-00001.warc.gz",
        "-o",
        "backfill.jsonl",
        "--workers",
        "2",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = read_jsonl(tmp_path / "backfill.jsonl")
    assert sorted(r["url"] for r in records) == urls
    for record in records:
        expected = EXPECTED_RECORDS[record["url"]]
        for field, value in expected.items():
            assert record[field] == value, (record["url"], field)
        assert record["version"] == 1
        assert record["crawled_at"].endswith("+00:00")
    for skipped in (
        "1 truncated",
        "1 not_html",
        "1 status/404",
        "2 other_site",
        "2 not_a_section_article",
    ):
        assert skipped in done.stderr, skipped


def test_no_archive_found_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = reextract("empty", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert "no WARC files found" in done.stderr


def test_missing_input_is_one_line_and_exit_1(tmp_path: Path) -> None:
    done = reextract("nowhere.warc.gz", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert "nowhere.warc.gz" in done.stderr
    assert "Traceback" not in done.stderr


# --- a killed crawl -----------------------------------------------------------------------


def test_a_crawl_killed_with_sigkill_leaves_an_archive_reextract_reads(tmp_path: Path) -> None:
    # Listing page 2 never answers: the crawl archives page 1's articles, then waits.
    plan = FaultPlan({"/world/latest?page=2": Fault.stall()})
    with serve_site(SITE, faults=plan) as server:
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "jakartapost",
            "-O",
            "out.jsonl",
            "-s",
            f"JAKARTAPOST_BASE_URL={server.base_url}",
            "-s",
            "NEWSCRAWL_ARCHIVE_SYNC_RECORDS=1",
            "-s",
            "DOWNLOAD_TIMEOUT=100",
        ]
        for name, value in TEST_SETTINGS.items():
            if name != "DOWNLOAD_TIMEOUT":
                command += ["-s", f"{name}={value}"]
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
        crawl = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            open_files = _wait_for_archived_records(tmp_path, plan, minimum=3)
        finally:
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=30)
    assert [p.name.endswith(".warc.gz.open") for p in open_files] == [True]

    done = reextract(str(open_files[0]), "-o", "rescued.jsonl", "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    rescued = read_jsonl(tmp_path / "rescued.jsonl")
    assert len(rescued) >= 3
    for record in rescued:
        for field, value in EXPECTED_RECORDS[record["url"]].items():
            assert record[field] == value, (record["url"], field)

    # The next crawl finishes the killed run's archive before it starts its own.
    with serve_site(SITE) as server:
        again = run_crawl(server.base_url, tmp_path, output=tmp_path / "second.jsonl")
    assert again.returncode == 0, again.stderr[-3000:]
    names = [p.name for p in archive_files(tmp_path)]
    assert not [n for n in names if n.endswith(".open")]
    assert open_files[0].name.removesuffix(".open") in names
    assert again.report["stats"]["newscrawl/archive/salvaged_files"] == 1


def _wait_for_archived_records(workdir: Path, plan: FaultPlan, minimum: int) -> list[Path]:
    """Poll (with a deadline) until the crawl is stuck on listing page 2 and its open
    archive holds `minimum` whole responses."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = archive_files(workdir)
        asked = plan.attempts["/world/latest?page=2"] > 0
        if asked and files and _responses(files[0]) >= minimum:
            return files
        time.sleep(0.05)
    pytest.fail("the crawl archived nothing within a minute")


def _responses(path: Path) -> int:
    count = 0
    try:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                count += record.rec_type == "response"
    except Exception:
        return count
    return count


def test_reextract_reads_the_repository_readme_example(crawled: CrawlResult) -> None:
    # README's rebuild example, as written: the default archive folder into a parts folder.
    workdir = crawled.output.parent
    done = reextract("data/archive/jakartapost/world", "-o", "rebuilt", cwd=workdir)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted((workdir / "rebuilt").glob("*.jsonl"))
    assert (REPO / "README.md").read_text(encoding="utf-8").count("newscrawl reextract") >= 2
