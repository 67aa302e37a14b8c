"""newscrawl/pipelines/dropcap.py"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.dropcap import DropCapPipeline
from tests.test_pipelines_normalize import make_article


@pytest.fixture
def crawler():
    return get_crawler(Spider)


@pytest.fixture
def pipe(crawler):
    return build_from_crawler(DropCapPipeline, crawler)


def test_letter_merged_and_word_count_refreshed(pipe, crawler):
    item = make_article(
        title="Russia backs Myanmar junta's efforts to 'stabilise' country: Lavrov",
        body="R\n\nussia backs the Myanmar junta.\n\nSecond paragraph.",
    )
    pipe.process_item(item)
    assert item.paragraphs == ["Russia backs the Myanmar junta.", "Second paragraph."]
    assert item.word_count == 7
    assert item.quality_flags == []
    assert crawler.stats.get_value("newscrawl/dropcap/merged") == 1
    assert crawler.stats.get_value("newscrawl/dropcap/suspect") is None


def test_old_layout_capital_word(pipe):
    item = make_article(title="ASEAN ministers meet", body="A\n\nSEAN foreign ministers met.")
    pipe.process_item(item)
    assert item.paragraphs == ["ASEAN foreign ministers met."]
    assert item.quality_flags == []


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Russia backs junta", "ussia backs the junta.\n\nMore."),  # letter lost upstream
        ("ASEAN ministers meet", "SEAN foreign ministers met.\n\nMore."),  # capital lost upstream
    ],
)
def test_lost_letter_is_flagged_not_guessed(pipe, crawler, title, body):
    item = make_article(title=title, body=body)
    pipe.process_item(item)
    assert item.body == body
    assert item.quality_flags == ["dropcap_suspect"]
    assert crawler.stats.get_value("newscrawl/dropcap/suspect") == 1


def test_disabled():
    with pytest.raises(NotConfigured):
        build_from_crawler(
            DropCapPipeline, get_crawler(Spider, {"NEWSCRAWL_DROPCAP_ENABLED": False})
        )


def test_the_pages_copy_of_the_opening_decides_and_is_counted(pipe, crawler):
    item = make_article(
        title="Coalition backs reform bill",
        body="A\n\nbroad coalition of parties backed the bill.",
        opening_copies=["A broad coalition of parties backed the bill on Tuesday."],
    )
    pipe.process_item(item)
    assert item.paragraphs == ["A broad coalition of parties backed the bill."]
    assert item.quality_flags == []
    assert crawler.stats.get_value("newscrawl/dropcap/decided_by/copies") == 1
    assert crawler.stats.get_value("newscrawl/dropcap/ambiguous") is None


def test_no_evidence_either_way_is_flagged_not_passed_silently(pipe, crawler):
    item = make_article(
        title="Coalition backs reform bill", body="A\n\nbroad coalition of parties backed the bill."
    )
    pipe.process_item(item)
    assert item.quality_flags == ["dropcap_ambiguous"]
    assert crawler.stats.get_value("newscrawl/dropcap/ambiguous") == 1
    assert crawler.stats.get_value("newscrawl/dropcap/merged") == 1


def test_the_headline_names_the_acronym(pipe, crawler):
    item = make_article(title="ASEAN ministers meet", body="A\n\nSEAN foreign ministers met.")
    pipe.process_item(item)
    assert crawler.stats.get_value("newscrawl/dropcap/decided_by/page-words") == 1
