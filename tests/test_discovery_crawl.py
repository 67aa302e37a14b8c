"""Discovery end to end: listing pages and sitemaps, checked against each other.

Every case crawls a copy of the bundled site (tests/discovery_sites.py) through the real
`scrapy crawl` and asserts on the exported records, the run report's discovery section,
the failures file, the exit status and the requests the site received. The copies hold
the 16 articles of fixtures/expected; what changes is how the listing shows them, or
which sitemaps exist.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.server import Reply, SiteCopy, SiteServer
from tests import discovery_sites as sites
from tests.helpers import SITE, bundled_site_records, read_jsonl, run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.helpers import CrawlResult

WWW = "https://www.thejakartapost.com"
ALL = sorted(bundled_site_records())
NEWS_SITEMAP = sorted(
    f"{WWW}/world/{path}"
    for path in (
        "2026/03/03/cambodia-thailand-agree-to-reopen-border-crossings.html",
        "2026/03/02/new-zealand-pledges-pacific-climate-fund-at-suva-forum.html",
        "2026/02/11/japan-and-australia-to-expand-joint-naval-patrols.html",
        "2026/01/15/what-a-brics-seat-means-for-indonesias-foreign-policy.html",
        "2025/11/20/philippines-vietnam-coast-guards-hold-first-joint-drill.html",
    )
)
# The newest two world stories of listing page 1 (the second through a mirror host).
NEWEST_TWO = [
    "/world/2026/03/03/cambodia-thailand-agree-to-reopen-border-crossings.html",
    "/world/2026/03/02/new-zealand-pledges-pacific-climate-fund-at-suva-forum.html",
]
GONE = "/world/2023/05/09/asean-envoy-quits-myanmar-mediation-role.html"
SIDEBAR_ONLY = (
    "/world/2025/03/30/thai-building-collapse-probe.html",
    "/world/2026/02/27/inside-the-race-for-the-un-top-job.html",
)


def crawl(
    root: Path, workdir: Path, *args: str, runs: int = 1
) -> list[tuple[CrawlResult, list[str]]]:
    """`runs` crawls of the site copy at `root` with the same arguments."""
    return crawl_each(root, workdir, *([args] * runs))


def crawl_each(
    root: Path, workdir: Path, *runs: tuple[str, ...]
) -> list[tuple[CrawlResult, list[str]]]:
    """One crawl per argument tuple of the site copy at `root` (one server, so one crawl
    state), each with the paths it requested (query strings kept for listing pages)."""
    workdir.mkdir(parents=True, exist_ok=True)
    done = []
    with serve_site(root) as server:
        for run, args in enumerate(runs, start=1):
            before = len(server.request_log)
            output = workdir / f"run-{run}.jsonl"
            result = run_crawl(server.base_url, workdir, *args, output=output, append=run > 1)
            requested = [
                path if "latest" in path else path.split("?")[0]
                for path in server.request_log[before:]
            ]
            done.append((result, requested))
    return done


def crawl_once(root: Path, workdir: Path, *args: str) -> tuple[CrawlResult, list[str]]:
    return crawl(root, workdir, *args)[0]


def urls(result: CrawlResult) -> list[str]:
    return sorted(record["url"] for record in result.records)


def discovery(result: CrawlResult) -> dict:
    return result.report["discovery"]


def failures(result: CrawlResult) -> list[dict]:
    return read_jsonl(result.output.with_name(result.output.stem + ".failures.jsonl"))


def stat(result: CrawlResult, key: str) -> int:
    return int(result.report["stats"].get(f"newscrawl/discovery/{key}", 0))


def test_bundled_site_listing_and_news_sitemap_agree(tmp_path: Path) -> None:
    result, requested = crawl_once(SITE, tmp_path / "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert urls(result) == ALL
    assert len(result.records) == len(ALL)  # each article once
    report = discovery(result)
    assert report["channels"]["listing"]["found"] == 16
    assert report["channels"]["sitemaps"]["news"] == 5
    assert report["channels"]["sitemaps"]["only_here"] == []
    assert report["coverage"]["checked"] is True
    assert report["coverage"]["judged"] == 5
    assert report["coverage"]["listing_missed"] == []
    # robots.txt names the index; the index names four sitemaps: the section's news
    # sitemap is read, the archive one is for backfills, two belong to other sections.
    assert {"/robots.txt", "/sitemap.xml", "/world/news/sitemap.xml"} <= set(requested)
    for unread in (
        "/world/web/sitemap.xml",
        "/business/news/sitemap.xml",
        "/indonesia/news/sitemap.xml",
    ):
        assert unread not in requested
    assert stat(result, "sitemaps_other_section") == 2
    assert stat(result, "sitemaps_archive_not_read") == 1
    for path in SIDEBAR_ONLY:
        assert path not in requested


def test_a_rerun_with_nothing_new_makes_four_requests(tmp_path: Path) -> None:
    (first, _), (second, requested) = crawl(SITE, tmp_path / "run", runs=2)
    assert first.returncode == 0
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.records == []
    # robots.txt, listing page 1 (all known: no page 2), and the two sitemaps, asked
    # conditionally (304) and still read from the kept copy.
    assert sorted(requested) == sorted(
        ["/robots.txt", "/world/latest", "/sitemap.xml", "/world/news/sitemap.xml"]
    )
    stats = second.report["stats"]
    assert stats["httpcache/revalidate"] == 2
    assert discovery(second)["channels"]["sitemaps"]["news"] == 5
    # Page 1 alone covers the two newest news-sitemap stories (the others are older
    # than where page 1 ends); both are on it.
    assert discovery(second)["coverage"]["judged"] == 2
    assert discovery(second)["coverage"]["listing_missed"] == []


def test_archive_sitemap_backfill_is_opt_in(tmp_path: Path) -> None:
    result, requested = crawl_once(SITE, tmp_path / "run", "discover=listing,sitemap,archive")
    assert "/world/web/sitemap.xml" in requested
    # The archive names an old slug (redirected to an article the listing shows) and a
    # page that is gone: every article still once, the gone page in the failures file.
    assert urls(result) == ALL
    assert len(result.records) == 16
    gone = [f for f in failures(result) if f["url"].endswith(GONE)]
    assert len(gone) == 1
    assert gone[0]["status"] == 404
    assert result.returncode == 0  # 1 failed of 17 tried: below the failure rate
    assert discovery(result)["channels"]["sitemaps"]["archive"] == 14


@pytest.mark.parametrize(
    "build",
    [
        sites.build_headline_block,
        sites.build_wrapper_with_entry_class,
        sites.build_mixed_entries,
        sites.build_renamed_classes,
    ],
    ids=["headline-block", "wrapper-with-entry-class", "li-article-div", "renamed-classes"],
)
def test_listing_markup_variants_export_every_article_once(
    build: Callable[[Path], Path], tmp_path: Path
) -> None:
    root = build(tmp_path / "site")
    result, requested = crawl_once(root, tmp_path / "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert urls(result) == ALL
    assert len(result.records) == 16
    report = discovery(result)
    assert report["channels"]["listing"]["found"] == 16
    assert report["coverage"]["listing_missed"] == []
    assert stat(result, "listing_missed") == 0
    # Sidebars, sponsored entries and other sections stay out, whatever the markup.
    for path in SIDEBAR_ONLY:
        assert path not in requested
    assert not any(path.startswith(("/adv/", "/indonesia/", "/business/")) for path in requested)


def test_listing_that_misses_its_newest_stories_fails_the_run_but_loses_nothing(
    tmp_path: Path,
) -> None:
    root = sites.build_script_headlines(tmp_path / "site")
    result, _ = crawl_once(root, tmp_path / "run")
    assert result.returncode == 1
    assert urls(result) == ALL  # the two were crawled from the news sitemap
    assert len(result.records) == 16
    coverage = discovery(result)["coverage"]
    missed = sorted(url.split("/", 3)[3] for url in coverage["listing_missed"])
    assert missed == sorted(path.lstrip("/") for path in NEWEST_TWO)
    assert coverage["judged"] == 5
    assert coverage["alarm"] is True
    assert stat(result, "listing_missed") == 2
    reasons = result.report["failure_reasons"]
    assert any("/world/latest" in r and "missed 2 of 5" in r for r in reasons), reasons
    channels = discovery(result)["channels"]
    assert channels["listing"]["found"] == 14
    assert sorted(u.split("/", 3)[3] for u in channels["sitemaps"]["only_here"]) == missed


def test_unreadable_listing_still_exports_what_the_sitemaps_name(tmp_path: Path) -> None:
    root = sites.build_unreadable_listing(tmp_path / "site")
    news_only, _ = crawl_once(root, tmp_path / "news")
    assert news_only.returncode == 1
    assert urls(news_only) == NEWS_SITEMAP
    assert any("listing page 1" in r for r in news_only.report["failure_reasons"])
    assert discovery(news_only)["coverage"]["checked"] is False

    backfill, _ = crawl_once(root, tmp_path / "archive", "discover=listing,sitemap,archive")
    assert backfill.returncode == 1
    # Every article the two sitemaps name, once; the legacy /news/ pages are named by
    # neither, and the gone page is a failure.
    named = sorted(u for u in ALL if "/news/" not in u)
    assert urls(backfill) == named
    assert len(backfill.records) == len(named)
    assert [f["url"] for f in failures(backfill) if f["stage"] == "article"] == [WWW + GONE]


def test_no_sitemap_at_all_is_not_an_error(tmp_path: Path) -> None:
    root = sites.build_without_sitemaps(tmp_path / "site")
    (result, requested), (rerun, requested_again) = crawl(root, tmp_path / "run", runs=2)
    assert result.returncode == 0, result.stderr[-3000:]
    assert urls(result) == ALL
    assert "/world/news/sitemap.xml" in requested  # the site's usual address, tried
    assert stat(result, "sitemaps_missing") == 1
    assert failures(result) == []
    coverage = discovery(result)["coverage"]
    assert coverage["checked"] is False
    assert coverage["why_not"] == "no news sitemap was read"
    # The missing sitemap is remembered: the rerun asks robots.txt and page 1 only.
    assert rerun.returncode == 0
    assert sorted(requested_again) == ["/robots.txt", "/world/latest"]


def test_gzipped_news_sitemap_is_read(tmp_path: Path) -> None:
    root = sites.build_gzipped_news_sitemap(tmp_path / "site")
    result, requested = crawl_once(root, tmp_path / "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/world/news/sitemap.xml.gz" in requested
    assert urls(result) == ALL
    assert discovery(result)["channels"]["sitemaps"]["news"] == 5
    assert discovery(result)["coverage"]["judged"] == 5


def test_sitemap_entities_are_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-7d1f", encoding="utf-8")
    root = sites.build_entity_sitemap(tmp_path / "site", secret)
    result, _ = crawl_once(root, tmp_path / "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert urls(result) == ALL
    assert discovery(result)["channels"]["sitemaps"]["news"] == 5
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "run").rglob("*.json*"))
    assert "TOPSECRET" not in written + result.stderr + result.stdout


def test_since_applies_to_sitemap_entries_too(tmp_path: Path) -> None:
    result, _ = crawl_once(SITE, tmp_path / "run", "since=2026-01-01")
    assert result.returncode == 0, result.stderr[-3000:]
    assert urls(result) == [u for u in NEWS_SITEMAP if "/2026/" in u]


class PageTwoAfterTheSitemap(SiteCopy):
    """Holds listing page 2 until the crawl state holds every article on it (fetched from
    the news sitemap), so the run reads page 2 as a page of articles it already has."""

    def __init__(self, root: Path, workdir: Path) -> None:
        super().__init__(root)
        self.workdir = workdir
        self.keys = sites.page_two_world_paths()

    def _committed(self) -> bool:
        for state in (self.workdir / "data" / "state").glob("*.sqlite"):
            with contextlib.closing(sqlite3.connect(state)) as db:
                marks = ",".join("?" * len(self.keys))
                (count,) = db.execute(
                    f"SELECT COUNT(*) FROM articles WHERE key IN ({marks})",
                    self.keys,
                ).fetchone()
                return bool(count == len(self.keys))
        return False

    def resolve(self, raw_path: str) -> Reply:
        if raw_path.endswith("/latest?page=2"):
            deadline = time.monotonic() + 60
            while not self._committed() and time.monotonic() < deadline:
                threading.Event().wait(0.05)  # poll the state file with a deadline
        return super().resolve(raw_path)


def test_articles_fetched_from_the_sitemap_do_not_stop_the_listing_early(tmp_path: Path) -> None:
    root = sites.build_sitemap_of_page_two(tmp_path / "site")
    workdir = tmp_path / "run"
    workdir.mkdir()
    site = PageTwoAfterTheSitemap(root, workdir)
    server = SiteServer(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # Every record synced at once, so the state knows page 2's articles before page 2.
        result = run_crawl(server.base_url, workdir, settings={"NEWSCRAWL_FEED_SYNC_ITEMS": "1"})
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert site._committed()  # page 2 was read after its articles were in the state
    assert result.returncode == 0, result.stderr[-3000:]
    # Page 3's articles are in no sitemap: only paging past page 2 finds them.
    assert urls(result) == ALL


@pytest.mark.parametrize(
    "first",
    ["discover=sitemap", "max_pages=1", "since=2026-01-01"],
    ids=["sitemap-only", "max-pages", "since"],
)
def test_known_articles_from_a_partial_run_do_not_stop_the_next_listing(
    first: str, tmp_path: Path
) -> None:
    # The first run knows page 1's articles without having read the listing to its end;
    # the next run must page on past them, or pages 2 and 3 are never crawled.
    (partial, _), (full, requested), (third, again) = crawl_each(
        SITE, tmp_path / "run", (first,), (), ()
    )
    assert partial.returncode == 0, partial.stderr[-3000:]
    assert full.returncode == 0, full.stderr[-3000:]
    assert {"/world/latest?page=2", "/world/latest?page=3"} <= set(requested)
    assert sorted(urls(partial) + urls(full)) == ALL
    # Now that a run has read the listing to its end, the next stops at page 1 again.
    assert third.returncode == 0
    assert third.records == []
    assert [path for path in again if "latest" in path] == ["/world/latest"]
