"""Markup variants the bundled pages do not show, read by ArticlePage directly.

Each test pins one trait of one field; variants whose whole record is worth checking
are fixture cases (fixtures/pages/, tests/test_fixtures_pages.py).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from scrapy.http import HtmlResponse

from newscrawl.pages.article import ArticlePage

URL = "http://127.0.0.1:8000/world/2025/04/08/variant-story.html"
BODY = "".join(
    f"<p>Story paragraph {i}, long enough to read as a paragraph of news.</p>" for i in range(3)
)


def _page(head: str = "", content: str = BODY, after: str = "") -> ArticlePage:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head><body>'
        '<div class="tjp-single__head"><h1 class="tjp-title--single">A variant story</h1></div>'
        f'<div class="wrap"><div class="tjp-single__content">{content}</div>{after}</div>'
        "</body></html>"
    )
    response = HtmlResponse(url=URL, body=html.encode(), encoding="utf-8")
    return ArticlePage(
        response, section="world", fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc)
    )


def _jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_paywall_after_the_container_still_marks_the_text_cut():
    item = _page(
        after='<div class="tjp-paywall"><p>Subscribe to read the full story</p></div>'
    ).to_item()
    assert item.is_truncated
    assert "Subscribe" not in item.body


def test_paywall_inside_the_container_stops_the_text():
    content = BODY + '<div class="tjp-paywall"><p>Subscribe now</p></div><p>Hidden rest.</p>'
    item = _page(content=content).to_item()
    assert item.is_truncated
    assert "Hidden rest" not in item.body
    assert item.body.count("Story paragraph") == 3


def test_a_paywall_modal_elsewhere_says_nothing_about_the_story():
    html_after_page = '<div class="modal"><div class="tjp-paywall">Log in</div></div>'
    page = _page()
    assert not page.to_item().is_truncated
    # the same modal outside the story's wrapper: still not truncated
    page = _page(head="", content=BODY, after="")
    response = page.response.replace(
        body=page.response.body.replace(b"</body>", html_after_page.encode() + b"</body>")
    )
    assert (
        not ArticlePage(response, section="world", fetched_at=page.fetched_at)
        .to_item()
        .is_truncated
    )


def test_no_date_anywhere_falls_back_to_the_url_day():
    item = _page().to_item()
    assert item.published_at == "2025-04-08T00:00:00+07:00"


def test_image_reference_without_url_falls_back_to_og_image():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "ImageObject", "@id": f"{URL}#primaryimage", "url": "/ignored.jpg"},
            {
                "@type": "NewsArticle",
                "headline": "Referenced image",
                "image": {"@id": f"{URL}#primaryimage"},
                "datePublished": "2025-04-08T16:06:36.123+07:00",
            },
        ],
    }
    head = _jsonld(graph) + '<meta property="og:image" content="https://img.jakpost.net/lead.jpg">'
    item = _page(head=head).to_item()
    assert item.image_url == "https://img.jakpost.net/lead.jpg"
    assert item.published_at == "2025-04-08T16:06:36.123+07:00"


def test_a_table_in_the_story_is_not_read_cell_by_cell():
    content = BODY + "<table><caption>Trade</caption><tr><th>Year</th><td>2024</td></tr></table>"
    item = _page(content=content).to_item()
    assert item.body.count("\n\n") == 2
    assert "Year" not in item.body


def test_the_json_ld_node_of_this_page_wins_over_a_related_story():
    related = {
        "@type": "NewsArticle",
        "headline": "A related story",
        "url": f"{URL}-related",
        "datePublished": "2024-01-01T00:00:00+07:00",
    }
    own = {
        "@type": "NewsArticle",
        "headline": "Trade &amp; security",
        "url": URL,
        "datePublished": "2025-04-08T16:06:36+07:00",
    }
    head = f'<link rel="canonical" href="{URL}">' + _jsonld(related) + _jsonld(own)
    item = _page(head=head).to_item()
    assert item.title == "Trade & security"
    assert item.published_at == "2025-04-08T16:06:36+07:00"


def test_a_hyphen_in_the_headline_is_not_the_site_suffix():
    from newscrawl.pages.fields import clean_title

    assert clean_title("China unveils new leadership line-up | The Jakarta Post") == (
        "China unveils new leadership line-up"
    )
    assert clean_title("Indonesia-Australia ties - World - The Jakarta Post") == (
        "Indonesia-Australia ties"
    )


def test_excerpts_and_the_site_blurb_are_not_standfirsts():
    excerpt = '<meta name="description" content="Indonesia dispatched four aircraft on...">'
    assert _page(head=excerpt).to_item().summary is None
    blurb = (
        '<meta name="description" content="The Jakarta Post - Indonesia\'s leading English '
        'language daily newspaper, Jakarta, Indonesia.">'
    )
    assert _page(head=blurb).to_item().summary is None


def test_a_json_ld_headline_cut_to_a_length_limit_is_read_whole():
    whole = "Malaysia and Singapore revive rail plan as costs and politics shift across the strait"
    head = _jsonld({"@type": "NewsArticle", "headline": whole[:70].rsplit(" ", 1)[0]}) + (
        f'<meta property="og:title" content="{whole} - World - The Jakarta Post">'
    )
    assert _page(head=head).to_item().title == whole
    # A headline og:title merely starts with, cut inside a word, is left as it is.
    head = _jsonld({"@type": "NewsArticle", "headline": "Malaysia and Sing"}) + (
        f'<meta property="og:title" content="{whole}">'
    )
    assert _page(head=head).to_item().title == "Malaysia and Sing"
