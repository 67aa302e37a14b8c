"""The benchmark site generator: deterministic, in the site's shape, readable by our pages.

Only the generator is tested here; the benchmarks themselves never run in the suite.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import lxml.html
from scrapy.http import HtmlResponse

from benchmarks import sitegen
from newscrawl.pages.article import ArticlePage
from newscrawl.pages.listing import ListingPage

if TYPE_CHECKING:
    from pathlib import Path

N_ARTICLES = 25  # one full listing page, one partial, then the empty one
BASE = "http://127.0.0.1:8000"


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def _response(root: Path, relative: str, url: str) -> HtmlResponse:
    body = (root / relative).read_bytes()
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"})


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    sitegen.generate_site(tmp_path / "a", N_ARTICLES)
    sitegen.generate_site(tmp_path / "b", N_ARTICLES)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_article_does_not_depend_on_site_size() -> None:
    assert sitegen.article_html(3) == sitegen.article_html(3)
    assert sitegen.article_html(3, seed=8) != sitegen.article_html(3)


def test_listing_pages_end_with_an_empty_one(tmp_path: Path) -> None:
    summary = sitegen.generate_site(tmp_path, N_ARTICLES)
    assert summary.listing_pages == 3
    seen: list[str] = []
    for page in (1, 2, 3):
        response = _response(tmp_path, f"world/latest/page-{page}.html",
                             f"{BASE}/world/latest?page={page}")
        seen += [e.url for e in ListingPage(response, section="world", base_url=BASE).entries()]
    expected = [f"{BASE}{sitegen.article_meta(i).path}" for i in range(N_ARTICLES)]
    assert seen == expected  # newest first, sidebars and sponsored entries left out
    assert not (tmp_path / "world/latest/page-4.html").exists()


def test_article_pages_have_the_real_weight_and_shape(tmp_path: Path) -> None:
    sitegen.generate_site(tmp_path, N_ARTICLES)
    for index in range(N_ARTICLES):
        path, _ = sitegen.article_html(index)
        body = (tmp_path / path.lstrip("/")).read_bytes()
        assert sitegen.MIN_ARTICLE_BYTES <= len(body) <= sitegen.MAX_ARTICLE_BYTES
        tree = lxml.html.fromstring(body)
        content = tree.cssselect("div.tjp-single__content")[0]
        assert content.cssselect("div.tjp-opening > h1.tjp-opening__char")
        stories = [p for p in content.findall("p")
                   if not p.get("class") and not p.text_content().startswith("Read also")]
        if content.cssselect("div.tjp-paywall"):
            assert len(stories) >= 2  # the paywall cuts a premium story short
        else:  # 8-25 paragraphs (the first in the drop cap), maybe the standfirst again
            assert 8 <= len(stories) + 1 <= 26
        assert tree.cssselect('script[type="application/ld+json"]')
        assert tree.cssselect("div.tjp-single__content-ads")


def test_article_pages_are_read_by_the_article_page_object(tmp_path: Path) -> None:
    sitegen.generate_site(tmp_path, N_ARTICLES)
    meta = sitegen.article_meta(4)
    response = _response(tmp_path, meta.path.lstrip("/"), f"{BASE}{meta.path}")
    item = ArticlePage(response, section="world",
                       fetched_at=datetime(2026, 5, 2, tzinfo=timezone.utc)).to_item()
    assert item.title == meta.title
    assert item.url == f"{sitegen.SITE}{meta.path}"
    assert item.published_at == meta.published.isoformat()
    assert item.extraction_path == "current-layout"
    assert len(item.body) > 500
