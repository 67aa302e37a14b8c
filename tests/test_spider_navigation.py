"""How the spider walks the listing: where it starts, where it stops, what it skips."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from tests.helpers import run_crawl

if TYPE_CHECKING:
    from pathlib import Path

SITE = "https://www.thejakartapost.com"
# Two listing pages, newest first, one article a day.
PAGE_1 = ["2025/04/10/ten", "2025/04/09/nine"]
PAGE_2 = ["2025/04/08/eight", "2025/04/07/seven"]
SETTINGS = {"NEWSCRAWL_STATE_PATH": "", "NEWSCRAWL_BOILERPLATE_PATH": ""}


def _article(slug: str) -> str:
    day = slug.rsplit("/", 1)[0].replace("/", "-")
    name = slug.rsplit("/", 1)[1]
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": f"Story {name}",
            "datePublished": f"{day}T09:00:00+07:00",
            "author": [{"@type": "Person", "name": "Staff Writer"}],
        }
    )
    body = "".join(
        f"<p>Paragraph {i} of the {name} story, with enough words to be a real paragraph.</p>"
        for i in range(1, 4)
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {name}</title>'
        f'<link rel="canonical" href="{SITE}/world/{slug}.html">'
        f'<script type="application/ld+json">{ld}</script></head><body>'
        f'<div class="tjp-single__head"><h1 class="tjp-title--single">Story {name}</h1></div>'
        f'<div class="tjp-single__content">{body}</div></body></html>'
    )


def _listing(slugs: list[str]) -> str:
    entries = "".join(
        f'<div class="listNews"><a href="/world/{s}.html"><h2 class="titleNews">{s}</h2></a>'
        f'<span class="date">{s[:10]}</span></div>'
        for s in slugs
    )
    return (
        f"<!DOCTYPE html><html><body><main><div class='latest'>{entries}</div></main></body></html>"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "world" / "latest").mkdir(parents=True)
    for slug in PAGE_1 + PAGE_2:
        page = root / "world" / f"{slug}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(_article(slug), encoding="utf-8")
    (root / "world" / "latest" / "page-1.html").write_text(_listing(PAGE_1), encoding="utf-8")
    (root / "world" / "latest" / "page-2.html").write_text(_listing(PAGE_2), encoding="utf-8")
    return root


def _slugs(records: list[dict]) -> list[str]:
    return sorted(r["url"].removeprefix(f"{SITE}/world/").removesuffix(".html") for r in records)


def test_walks_every_page_until_an_empty_one(site, tmp_path):
    with serve_site(site) as server:
        result = run_crawl(server.base_url, tmp_path, settings=SETTINGS)
        requested = list(server.request_log)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _slugs(result.records) == sorted(PAGE_1 + PAGE_2)
    listings = [p for p in requested if "/latest" in p]
    assert listings == ["/world/latest", "/world/latest?page=2", "/world/latest?page=3"]


def test_max_pages_stops_pagination(site, tmp_path):
    with serve_site(site) as server:
        result = run_crawl(server.base_url, tmp_path, "max_pages=1", settings=SETTINGS)
        requested = list(server.request_log)
    assert result.returncode == 0
    assert _slugs(result.records) == sorted(PAGE_1)
    assert [p for p in requested if "/latest" in p] == ["/world/latest"]


def test_since_skips_older_articles_and_stops_paging(site, tmp_path):
    with serve_site(site) as server:
        result = run_crawl(server.base_url, tmp_path, "since=2025-04-08", settings=SETTINGS)
        requested = list(server.request_log)
    assert result.returncode == 0
    assert _slugs(result.records) == sorted([*PAGE_1, "2025/04/08/eight"])
    assert "/world/2025/04/07/seven.html" not in requested
    assert "/world/latest?page=3" not in requested


def test_first_page_is_also_found_as_page_1(site, tmp_path):
    # A copy that only knows the ?page=N spelling: the bare /world/latest answers 404
    # (the plan counts both spellings under one path, so: the first request only).
    plan = FaultPlan({"/world/latest": Fault.http_error(404, times=1)})
    with serve_site(site, faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings=SETTINGS)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _slugs(result.records) == sorted(PAGE_1 + PAGE_2)


def test_404_past_the_last_page_ends_the_section_without_failing(site, tmp_path):
    plan = FaultPlan({"/world/latest?page=3": Fault.http_error(404)})
    with serve_site(site, faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings=SETTINGS)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _slugs(result.records) == sorted(PAGE_1 + PAGE_2)
    assert result.report["failure_reasons"] == []


def test_unreachable_first_listing_fails_the_run(site, tmp_path):
    plan = FaultPlan(
        {"/world/latest": Fault.http_error(404), "/world/latest?page=1": Fault.http_error(404)}
    )
    with serve_site(site, faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings=SETTINGS)
    assert result.returncode == 1
    assert result.records == []
    assert any("listing page 1" in reason for reason in result.report["failure_reasons"])


def test_a_first_page_listing_nothing_fails_the_run(tmp_path):
    # A redesigned listing the parser cannot read looks like an empty section: say so.
    root = tmp_path / "site"
    (root / "world" / "latest").mkdir(parents=True)
    (root / "world" / "latest" / "page-1.html").write_text(
        "<html><body><main><p>Nothing we recognise.</p></main></body></html>", encoding="utf-8"
    )
    with serve_site(root) as server:
        result = run_crawl(server.base_url, tmp_path, settings=SETTINGS)
    assert result.returncode == 1
    assert any("lists no article" in reason for reason in result.report["failure_reasons"])


def test_articles_robots_txt_forbids_are_listed_but_do_not_fail_the_run(site, tmp_path):
    # One article in four is off limits: far past the failure rate, yet nobody's fault.
    (site / "robots.txt").write_text(
        "User-agent: *\nDisallow: /world/2025/04/07/\n", encoding="utf-8"
    )
    with serve_site(site) as server:
        result = run_crawl(server.base_url, tmp_path, settings=SETTINGS)
        requested = list(server.request_log)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _slugs(result.records) == sorted([*PAGE_1, "2025/04/08/eight"])
    assert "/world/2025/04/07/seven.html" not in requested
    failures = [
        json.loads(line)
        for line in result.output.with_suffix(".failures.jsonl").read_text().splitlines()
    ]
    assert [(f["stage"], "robots.txt" in f["reason"]) for f in failures] == [("article", True)]
