"""newscrawl/pipelines/validation.py"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.items import content_hash
from newscrawl.pipelines.validation import InvalidArticle, ValidationPipeline
from tests.test_pipelines_normalize import make_article

BODY = "Russia backs the Myanmar junta.\n\nLavrov is scheduled to travel on to Cambodia."


@pytest.fixture
def crawler():
    return get_crawler(Spider)


@pytest.fixture
def pipe(crawler):
    return build_from_crawler(ValidationPipeline, crawler)


def test_valid_record_gets_count_and_hash(pipe, crawler):
    item = make_article(body=BODY, word_count=99, raw_body_chars=len(BODY) + 20)
    pipe.process_item(item)
    assert item.word_count == 13
    assert item.content_hash == content_hash(item)
    assert len(item.content_hash) == 64
    assert item.quality_flags == []
    assert crawler.stats.get_value("newscrawl/validation/passed") == 1


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"url": ""}, "url"),
        ({"title": "  "}, "title"),
        ({"published_at": None}, "published_at"),
        ({"body": ""}, "body"),
        ({"published_at": None, "body": ""}, "published_at, body"),
    ],
)
def test_incomplete_record_is_dropped_naming_the_fields(pipe, crawler, overrides, missing):
    item = make_article(**{"body": BODY, **overrides})
    with pytest.raises(InvalidArticle, match=f"^missing required field\\(s\\): {missing}$"):
        pipe.process_item(item)
    assert crawler.stats.get_value("newscrawl/validation/dropped") == 1
    for name in missing.split(", "):
        assert crawler.stats.get_value(f"newscrawl/validation/dropped/{name}") == 1


def test_gutted_body_is_flagged(pipe, crawler, caplog):
    item = make_article(body="Short remains.", raw_body_chars=400)
    pipe.process_item(item)
    assert item.quality_flags == ["body_shrunk"]
    assert crawler.stats.get_value("newscrawl/validation/flagged/body_shrunk") == 1
    assert item.url in caplog.text


def test_ratio_is_a_setting():
    crawler = get_crawler(Spider, {"NEWSCRAWL_VALIDATION_MIN_BODY_RATIO": 0.01})
    pipe = build_from_crawler(ValidationPipeline, crawler)
    item = make_article(body="Short remains.", raw_body_chars=400)
    pipe.process_item(item)
    assert item.quality_flags == []


def test_unknown_required_field_is_a_configuration_error():
    with pytest.raises(ValueError, match="headline"):
        build_from_crawler(
            ValidationPipeline, get_crawler(Spider, {"NEWSCRAWL_VALIDATION_REQUIRED": ["headline"]})
        )


def test_disabled():
    with pytest.raises(NotConfigured):
        build_from_crawler(
            ValidationPipeline, get_crawler(Spider, {"NEWSCRAWL_VALIDATION_ENABLED": False})
        )
