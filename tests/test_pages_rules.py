"""The page-reading rules (newscrawl/pages/rules.py) are one table for every reader.

Each entry of a table is tried on every reader it concerns, so a word added to the table
is held to the same rule on listing and article pages without a test of its own; each
test also reads the same page with a neutral class, to show it can fail.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from scrapy.http import HtmlResponse

from newscrawl.pages import rules
from newscrawl.pages.article import ArticlePage
from newscrawl.pages.listing import ListingPage

SITE = "https://www.thejakartapost.com"
ARTICLE_URL = f"{SITE}/world/2026/05/04/rules-story.html"
STORY = "".join(
    f"<p>Story paragraph {i}, long enough to read as a paragraph of the news story.</p>"
    for i in range(3)
)
NEUTRAL = "box"


def _example(fragment: str) -> str:
    """A class word the regex fragment matches: "most-?viewed" -> "most-viewed"."""
    return fragment.replace(r"\w*", "").replace(r"\w+", "box").replace("?", "")


def _article(body: str, head: str = "") -> ArticlePage:
    html = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}"
        "<title>Rules story - World - The Jakarta Post</title></head><body>"
        f"{body}</body></html>"
    )
    response = HtmlResponse(ARTICLE_URL, body=html.encode(), encoding="utf-8")
    return ArticlePage(
        response, section="world", fetched_at=datetime(2026, 5, 4, tzinfo=timezone.utc)
    )


def _listed(box_open: str, box_close: str) -> list[str]:
    entry = (
        '<div class="listNews"><a href="/world/2026/05/0{n}/{slug}.html"><h2>{slug}</h2></a></div>'
    )
    html = (
        "<html><body><main>"
        + entry.format(n=1, slug="main-one")
        + entry.format(n=2, slug="main-two")
        + f"</main>{box_open}{entry.format(n=3, slug='boxed')}{box_close}</body></html>"
    )
    response = HtmlResponse(f"{SITE}/world/latest", body=html.encode(), encoding="utf-8")
    return [
        e.url.rsplit("/", 1)[-1]
        for e in ListingPage(response, section="world", base_url=SITE).entries()
    ]


# Boxes of other stories, menus and ads: never this story, on any page.
NOT_THIS_STORY = rules.BOX_WORDS + rules.NAV_WORDS + rules.AD_WORDS
BOX_WORDS = [_example(f) for f in NOT_THIS_STORY]


def test_the_examples_are_words_of_the_table():
    for fragment, word in zip(NOT_THIS_STORY, BOX_WORDS, strict=True):
        assert re.fullmatch(fragment, word), (fragment, word)


@pytest.mark.parametrize("word", [*BOX_WORDS, NEUTRAL])
def test_a_box_of_other_stories_is_one_rule_for_listing_and_article(word):
    boxed = word != NEUTRAL
    box = f'<div class="tjp-{word}">', "</div>"
    # The listing does not count the box's entries as its own ...
    assert ("boxed.html" in _listed(*box)) is not boxed
    # ... the article does not take the box's byline for its own ...
    page = _article(f'{box[0]}<span class="author">Other Writer</span>{box[1]}'
                    f'<div class="tjp-single__content">{STORY}</div>')  # fmt: skip
    assert (page.to_item().authors == []) is boxed
    # ... and inside the story container, the box is no story text.
    page = _article(f'<div class="tjp-single__content">{STORY}{box[0]}<p>Boxed teaser of '
                    f'another story.</p>{box[1]}</div>')  # fmt: skip
    assert ("Boxed teaser" in page.to_item().body) is not boxed


@pytest.mark.parametrize("tag", [*sorted(rules.OTHER_CONTENT_TAGS | rules.FOOTER_TAGS), "div"])
def test_sidebars_menus_and_the_page_footer_are_one_rule_for_listing_and_article(tag):
    boxed = tag != "div"
    assert ("boxed.html" in _listed(f"<{tag}>", f"</{tag}>")) is not boxed
    page = _article(f'<{tag}><span class="author">Other Writer</span></{tag}>'
                    f'<div class="tjp-single__content">{STORY}</div>')  # fmt: skip
    assert (page.to_item().authors == []) is boxed


def test_the_pages_header_is_chrome_to_a_listing_but_may_be_the_storys_head():
    assert "boxed.html" not in _listed("<header>", "</header>")
    # Templates without <article> put headline, byline and date in a <header>.
    page = _article('<header class="art-hd"><h1 class="title-large">Rules story</h1>'
                    '<span class="author">Rina Suryani</span></header>'
                    f'<div class="detailNews">{STORY}</div>')  # fmt: skip
    assert page.to_item().authors == ["Rina Suryani"]


def test_a_story_footer_inside_its_article_is_the_storys_own():
    footer = '<footer><span class="author">Rina Suryani</span></footer>'
    page = _article(f'<article><div class="tjp-single__content">{STORY}</div>{footer}</article>')
    assert page.to_item().authors == ["Rina Suryani"]


# --- paywalls: the same marks on every extraction path ------------------------------
PAYWALL_MARKS = [
    *(f'class="{_example(w)}"' for w in (*rules.PAYWALL_WORDS, *rules.TJP_PAYWALL_TOKENS)),
    'class="article-paywall is-active"',
    'id="paywall"',
]
ARTICLE_BODY = " ".join(f"Sentence {i} of the story as JSON-LD carries it." for i in range(6))
JSONLD = (
    '<script type="application/ld+json">'
    + json.dumps({"@type": "NewsArticle", "headline": "Rules story", "articleBody": ARTICLE_BODY})
    + "</script>"
)


def _markup_path(mark: str, where: str = "inside") -> ArticlePage:
    wall = f"<div {mark}><p>Subscribe to read the full story</p></div>"
    if where == "inside":
        return _article(f'<div class="tjp-single__content">{STORY}{wall}<p>Hidden rest.</p></div>')
    return _article(
        f'<div class="tjp-single__content">{STORY}</div><div class="modal">{wall}</div>'
    )


def _structured_path(mark: str, where: str = "inside") -> ArticlePage:
    wall = f"<div {mark}><p>Subscribe to read the full story</p></div>"
    if where == "inside":
        return _article(f"<main><h1>Rules story</h1>{wall}</main>", head=JSONLD)
    return _article(
        f'<main><h1>Rules story</h1></main><div class="modal">{wall}</div>', head=JSONLD
    )


@pytest.mark.parametrize("mark", PAYWALL_MARKS)
def test_a_paywall_mark_cuts_the_text_on_both_extraction_paths(mark):
    markup, structured = _markup_path(mark).to_item(), _structured_path(mark).to_item()
    assert (markup.extraction_path, structured.extraction_path) == (
        "current-layout",
        "structured-data",
    )
    assert markup.is_truncated
    assert structured.is_truncated
    assert markup.is_premium
    assert structured.is_premium
    assert "Hidden rest" not in markup.body


@pytest.mark.parametrize("mark", PAYWALL_MARKS)
def test_a_paywall_in_a_modal_says_nothing_on_both_extraction_paths(mark):
    assert not _markup_path(mark, "modal").to_item().is_truncated
    assert not _structured_path(mark, "modal").to_item().is_truncated


def test_without_a_paywall_mark_neither_path_is_truncated():
    assert not _markup_path('class="subscribe-box"').to_item().is_truncated
    assert not _structured_path('class="subscribe-box"').to_item().is_truncated


def test_the_json_ld_path_looks_in_an_empty_story_container_first():
    # All of the story behind the wall: the container shows none of it, JSON-LD has it.
    page = _article(
        '<div class="tjp-single__content"><div class="paywall">Subscribe</div></div>',
        head=JSONLD,
    )
    item = page.to_item()
    assert (item.extraction_path, item.is_truncated) == ("structured-data", True)
