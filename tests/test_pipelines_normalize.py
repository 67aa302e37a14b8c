"""newscrawl/pipelines/normalize.py"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.pipelines.normalize import TextNormalizationPipeline


def make_article(**overrides) -> Article:
    fields = {
        "url": "https://www.thejakartapost.com/world/2022/08/03/story.html",
        "section": "world",
        "title": "Title",
        "summary": None,
        "authors": [],
        "published_at": "2022-08-03T17:48:06+07:00",
        "modified_at": None,
        "tags": [],
        "image_url": None,
        "body": "",
        "word_count": 0,
        "is_premium": False,
        "is_truncated": False,
        "language": "en",
        "crawled_at": "2026-01-01T00:00:00+00:00",
        "extraction_path": "current-layout",
    }
    return Article(**{**fields, **overrides})


@pytest.fixture
def crawler():
    return get_crawler(Spider)


@pytest.fixture
def pipe(crawler):
    return build_from_crawler(TextNormalizationPipeline, crawler)


def test_fields_and_paragraphs_normalised(pipe, crawler):
    item = make_article(
        title="  Russia\u00a0backs  junta\u200b ",
        summary="Cafe\u0301 talks\ufeff",  # decomposed accent -> NFC
        authors=[" Agence France-Presse ", "\u200b"],
        tags=["Russia", " Myanmar\u00a0"],
        body="R\n\nussia  backs\u00a0the junta.\n\n\u200b\u200d\n\n\nSecond\tparagraph.",
    )
    pipe.process_item(item)
    assert item.title == "Russia backs junta"
    assert item.summary == "Caf\u00e9 talks"
    assert item.authors == ["Agence France-Presse"]
    assert item.tags == ["Russia", "Myanmar"]
    assert item.paragraphs == ["R", "ussia backs the junta.", "Second paragraph."]
    assert item.word_count == 7
    stats = crawler.stats
    assert stats.get_value("newscrawl/normalize/fields_changed") == 4
    assert stats.get_value("newscrawl/normalize/paragraphs_removed/empty") == 1
    assert stats.get_value("newscrawl/normalize/paragraphs_changed") == 2


def test_empty_summary_becomes_absent(pipe):
    item = make_article(summary=" \u200b ", body="Text.")
    pipe.process_item(item)
    assert item.summary is None


def test_clean_record_is_unchanged(pipe, crawler):
    item = make_article(title="Clean", body="One.\n\nTwo.", word_count=2)
    before = repr(item)
    pipe.process_item(item)
    assert repr(item) == before
    assert crawler.stats.get_value("newscrawl/normalize/fields_changed") is None


def test_disabled():
    with pytest.raises(NotConfigured):
        build_from_crawler(
            TextNormalizationPipeline, get_crawler(Spider, {"NEWSCRAWL_NORMALIZE_ENABLED": False})
        )


def test_invisible_between_letter_and_accent_still_composes(pipe):
    # Found by the idempotence property: removing the zero-width space after NFC left
    # "e" + combining acute uncomposed, so a second pass changed the text again.
    item = make_article(title="Cafe\u200b\u0301 talks", body="Cafe\u200b\u0301 talks")
    pipe.process_item(item)
    assert item.title == "Caf\u00e9 talks"
    assert item.body == "Caf\u00e9 talks"
