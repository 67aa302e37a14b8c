"""Broken HTML never crashes extraction: every page becomes a record or a counted failure.

Property-based (hypothesis) over generated broken markup: unclosed and misnested
tags from both layouts, stray bytes, hostile JSON-LD, odd encodings. Plus the entity
attack: a page declaring an external entity cannot pull in a local file.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.pages.article import ArticlePage, PageParseError
from newscrawl.pages.listing import ListingPage
from newscrawl.spiders.jakartapost import JakartaPostSpider

if TYPE_CHECKING:
    from pathlib import Path

URL = "https://www.thejakartapost.com/world/2025/04/08/story.html"
NOW = datetime(2025, 4, 8, 10, tzinfo=timezone.utc)

# Markup the extractors look for, so generated pages hit the interesting branches.
OPENERS = [
    "<div class='tjp-single__content'>",
    "<div class='tjp-single__head'>",
    "<h1 class='tjp-title--single'>",
    "<div class='detailNews'>",
    "<h1 class='title-large'>",
    "<div class='tjp-opening'><h1 class='tjp-opening__char'>",
    "<p>",
    "<p class='tjp-opening__txt'>",
    "<div class='tjp-paywall'>",
    "<div class='listNews'>",
    "<h2 class='titleNews'>",
    "<aside>",
    "<span class='created'>",
    "<span class='date'>",
    "<table><tr><td>",
    "<ul><li>",
    "<a href='/world/2025/04/08/other.html'>",
    "<a href='javascript:alert(1)'>",
    "<a href='//evil.example/x'>",
    "<!--",
    "<![CDATA[",
    "<?xml version='1.0'?>",
    "<svg><foreignObject>",
    "<template>",
    "<meta property='og:title' content='",
    "<meta name='author' content=\"",
    "<link rel='canonical' href='",
    "<html lang='",
    "<title>",
]
CLOSERS = [
    "</div>",
    "</p>",
    "</h1>",
    "</a>",
    "</span>",
    "</td></tr></table>",
    "-->",
    "]]>",
    "'>",
    '">',
    "</",
]
JSON_LD = st.one_of(
    st.text(max_size=200),
    st.recursive(
        st.one_of(
            st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.sampled_from(
                    [
                        "@type",
                        "headline",
                        "author",
                        "datePublished",
                        "articleBody",
                        "@graph",
                        "isAccessibleForFree",
                        "keywords",
                        "image",
                        "name",
                        "url",
                    ]
                ),
                children,
                max_size=5,
            ),
        ),
        max_leaves=20,
    ).map(json.dumps),
    st.integers(min_value=1, max_value=400).map(lambda n: "[" * n),
)
PIECE = st.one_of(
    st.sampled_from(OPENERS),
    st.sampled_from(CLOSERS),
    st.text(max_size=80),
    JSON_LD.map(lambda j: f"<script type='application/ld+json'>{j}</script>"),
    st.sampled_from(
        [
            "Published on 2025-04-08T16:06:36+07:00",
            "Wed, April 9, 2025",
            "R",
            "&amp;",
            "&#0;",
            "&#x110000;",
            "\u200b",
            "\ufeff",
            "\x00",
            "\r\n\r\n",
            "Premium",
        ]
    ),
)
PAGE = st.tuples(
    st.lists(PIECE, max_size=60).map("".join),
    st.sampled_from(["utf-8", "windows-1252", "utf-16", None]),
    st.binary(max_size=40),
)


def _response(markup: str, encoding: str | None, junk: bytes) -> HtmlResponse:
    body = markup.encode(encoding or "utf-8", errors="replace") + junk
    headers = {"Content-Type": f"text/html; charset={encoding}" if encoding else "text/html"}
    # Tied to its request, as every response of a crawl is (the spider reads its meta).
    return HtmlResponse(URL, body=body, headers=headers, request=Request(URL))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE)
def test_article_page_returns_a_record_or_a_parse_error(
    page: tuple[str, str | None, bytes],
) -> None:
    response = _response(*page)
    reason = None
    try:
        item = ArticlePage(response, section="world", fetched_at=NOW).to_item()
    except PageParseError as exc:
        reason = exc.reason
        item = None
    if item is None:
        assert reason
    else:
        assert isinstance(item, Article)
        assert item.title
        assert item.extraction_path in {
            "current-layout",
            "legacy-layout",
            "structured-data",
            "generic-fallback",
        }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE)
def test_listing_page_returns_entries_of_the_section_only(
    page: tuple[str, str | None, bytes],
) -> None:
    response = _response(*page)
    entries = ListingPage(
        response, section="world", base_url="https://www.thejakartapost.com"
    ).entries()
    for entry in entries:
        assert entry.url.startswith("https://www.thejakartapost.com/world/")


@pytest.fixture(scope="module")
def spider() -> JakartaPostSpider:
    crawler = get_crawler(
        JakartaPostSpider, {"JAKARTAPOST_BASE_URL": "https://www.thejakartapost.com"}
    )
    crawler.spider = JakartaPostSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    return crawler.spider


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(PAGE)
def test_the_spider_yields_a_record_or_counts_a_failure(
    spider: JakartaPostSpider, page: tuple[str, str | None, bytes]
) -> None:
    stats = spider.crawler.stats
    failed_before = stats.get_value("newscrawl/article/failed", 0)
    output = list(spider.parse_article(_response(*page)))
    failed_after = stats.get_value("newscrawl/article/failed", 0)
    assert (len(output), failed_after - failed_before) in {(1, 0), (0, 1)}


# --- external entities ------------------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-FROM-DISK-91f3", encoding="utf-8")
    return path


def test_an_html_page_cannot_include_a_local_file(secret: Path) -> None:
    html = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<html><head><title>&xxe; Headline</title></head><body>"
        "<div class='tjp-single__content'><p>&xxe; Body text of the story.</p></div></body></html>"
    )
    item = ArticlePage(
        HtmlResponse(URL, body=html.encode()), section="world", fetched_at=NOW
    ).to_item()
    assert "SECRET" not in json.dumps(item.__dict__)
    assert "Body text of the story." in item.body
