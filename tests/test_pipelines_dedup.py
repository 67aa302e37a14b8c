"""newscrawl/pipelines/dedup.py"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.dedup import ParagraphDedupPipeline
from tests.test_pipelines_normalize import make_article

STANDFIRST = (
    "The Southeast Asian nation has been in chaos since the military's power grab last year, "
    "with more than 2,100 people killed in a crackdown on dissent, according to a local monitor."
)
FIRST = 'Russia backs the Myanmar junta\'s efforts to "stabilise" the crisis-wracked country.'
QUOTE = '"Next year, you will hold legislative elections," Lavrov added.'


@pytest.fixture
def crawler():
    return get_crawler(Spider)


@pytest.fixture
def pipe(crawler):
    return build_from_crawler(ParagraphDedupPipeline, crawler)


def test_standfirst_copy_stays_once_and_summary_untouched(pipe, crawler):
    repeated = STANDFIRST.replace("military's", "military\u2019s").replace(" ", "\u00a0", 2)
    item = make_article(
        summary=STANDFIRST,
        body="\n\n".join([FIRST, STANDFIRST, QUOTE, repeated, f"{STANDFIRST} (AFP)"]),
    )
    pipe.process_item(item)
    assert item.summary == STANDFIRST
    assert item.paragraphs == [FIRST, STANDFIRST, QUOTE, "(AFP)"]
    assert item.word_count == sum(len(p.split()) for p in [FIRST, STANDFIRST, QUOTE, "(AFP)"])
    stats = crawler.stats
    assert stats.get_value("newscrawl/dedup/paragraphs_removed/exact") == 1
    assert stats.get_value("newscrawl/dedup/paragraphs_trimmed") == 1
    assert stats.get_value("newscrawl/dedup/items_changed") == 1


def test_no_repeats_no_change(pipe, crawler):
    item = make_article(body="\n\n".join([FIRST, STANDFIRST, QUOTE]))
    body = item.body
    pipe.process_item(item)
    assert item.body == body
    assert crawler.stats.get_value("newscrawl/dedup/items_changed") is None


def test_containment_threshold_is_a_setting():
    crawler = get_crawler(Spider, {"NEWSCRAWL_DEDUP_MIN_CONTAINED_CHARS": 10})
    pipe = build_from_crawler(ParagraphDedupPipeline, crawler)
    item = make_article(body="He declined to comment.\n\nAsked again, he declined to comment.")
    pipe.process_item(item)
    assert item.paragraphs == ["He declined to comment.", "Asked again,"]


def test_disabled():
    with pytest.raises(NotConfigured):
        build_from_crawler(
            ParagraphDedupPipeline, get_crawler(Spider, {"NEWSCRAWL_DEDUP_ENABLED": False})
        )
