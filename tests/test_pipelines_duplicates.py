"""newscrawl/pipelines/duplicates.py"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.duplicates import DuplicateArticle, DuplicateArticlesPipeline
from tests.test_pipelines_normalize import make_article

URL = "https://www.thejakartapost.com/world/2022/08/03/russia-backs-myanmar.html"


@pytest.fixture
def crawler():
    return get_crawler(Spider, {"JAKARTAPOST_BASE_URL": "http://127.0.0.1:8080"})


@pytest.fixture
def pipe(crawler):
    pipe = build_from_crawler(DuplicateArticlesPipeline, crawler)
    pipe.open_spider()
    return pipe


@pytest.mark.parametrize(
    "second",
    [
        URL,  # slid from listing page 1 to page 2
        URL + "?utm_source=latest&utm_medium=list",  # tracking
        "https://newgelora.thejakartapost.com/world/2022/08/03/russia-backs-myanmar.html",  # mirror
        "http://127.0.0.1:8080/world/2022/08/03/russia-backs-myanmar.html",  # the configured base
    ],
)
def test_second_copy_is_dropped_quietly(pipe, crawler, second):
    pipe.process_item(make_article(url=URL))
    with pytest.raises(DuplicateArticle) as raised:
        pipe.process_item(make_article(url=second))
    assert raised.value.log_level == "DEBUG"
    assert crawler.stats.get_value("newscrawl/duplicates/dropped") == 1


def test_different_articles_and_other_hosts_pass(pipe, crawler):
    pipe.process_item(make_article(url=URL))
    pipe.process_item(make_article(url=URL.replace("russia-backs", "russia-warns")))
    pipe.process_item(
        make_article(url="https://example.org/world/2022/08/03/russia-backs-myanmar.html")
    )
    assert crawler.stats.get_value("newscrawl/duplicates/dropped") is None


def test_state_is_per_run(crawler):
    # Two runs' pipelines open side by side: neither knows what the other saw ...
    first = build_from_crawler(DuplicateArticlesPipeline, crawler)
    second = build_from_crawler(DuplicateArticlesPipeline, crawler)
    first.open_spider()
    second.open_spider()
    assert first.process_item(make_article(url=URL)).url == URL
    assert second.process_item(make_article(url=URL)).url == URL
    # ... while each drops a second copy within its own run,
    for pipeline in (first, second):
        with pytest.raises(DuplicateArticle):
            pipeline.process_item(make_article(url=URL))
    # and a pipeline opened for a new run starts empty.
    first.open_spider()
    assert first.process_item(make_article(url=URL)).url == URL
    assert crawler.stats.get_value("newscrawl/duplicates/dropped") == 2


def test_disabled():
    with pytest.raises(NotConfigured):
        build_from_crawler(
            DuplicateArticlesPipeline, get_crawler(Spider, {"NEWSCRAWL_DUPLICATES_ENABLED": False})
        )
