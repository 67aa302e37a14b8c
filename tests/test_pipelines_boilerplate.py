"""newscrawl/pipelines/boilerplate.py (known phrases) and pipelines/learned.py (learned chrome)"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.boilerplate import BoilerplatePipeline
from newscrawl.pipelines.learned import LearnedBoilerplatePipeline
from tests.test_pipelines_normalize import make_article

STORY = [
    'Russia backs the Myanmar junta\'s efforts to "stabilise" the crisis-wracked country.',
    "Russia is a major ally and arms supplier of the isolated junta.",
    "His visit comes after the junta sparked renewed international outrage last week.",
]
WIDGET = "Follow our WhatsApp channel for the day's top stories."
SHARED_QUOTE = '"ASEAN must speak with one voice," the minister said.'
LONG_BACKGROUND = (
    "Myanmar has been in turmoil since the military ousted the elected government of Aung San "
    "Suu Kyi in February 2021, sparking mass protests that the junta met with lethal force, and "
    "a conflict that the United Nations says has displaced more than two million people."
)


def pipeline(tmp_path, **settings):
    crawler = get_crawler(
        Spider,
        {
            "NEWSCRAWL_BOILERPLATE_PATH": str(tmp_path / "bp.sqlite3"),
            "NEWSCRAWL_BOILERPLATE_MIN_ARTICLES": 3,
            **settings,
        },
    )
    pipe = Both(
        build_from_crawler(BoilerplatePipeline, crawler),
        build_from_crawler(LearnedBoilerplatePipeline, crawler),
    )
    pipe.learned.open_spider()
    return pipe, crawler.stats


class Both:
    """Both halves in crawl order: known phrases (per page), then learned chrome."""

    def __init__(self, phrases, learned):
        self.phrases, self.learned = phrases, learned

    def process_item(self, item):
        return self.learned.process_item(self.phrases.process_item(item))

    def close_spider(self):
        self.learned.close_spider()


def own(n: int) -> list[str]:
    """Paragraphs only story `n` has (each story's text is its own)."""
    return [f"{p[:-1]}, officials said on day {n}." for p in STORY]


def story(n: int, *extra: str):
    url = f"https://www.thejakartapost.com/world/2024/05/{n:02d}/story-{n}.html"
    return make_article(url=url, body="\n\n".join([f"Story {n} opens here.", *extra, *own(n)]))


def test_known_chrome_removed_and_counted(tmp_path):
    pipe, stats = pipeline(tmp_path)
    item = story(
        1,
        "View all search resultsCan't find what you're looking for?",
        "Read also: ASEAN bars Myanmar junta from top meeting again",
        "(AFP/John Doe)",
        STORY[0] + "Quickly share this news with your network—keep everyone informed with just "
        "a single click!",
    )
    pipe.process_item(item)
    pipe.close_spider()
    assert item.paragraphs == ["Story 1 opens here.", STORY[0], *own(1)]
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/phrase") == 1
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/prefix") == 1
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/credit") == 1
    assert stats.get_value("newscrawl/boilerplate/paragraphs_trimmed/phrase") == 1
    assert stats.get_value("newscrawl/boilerplate/items_changed") == 1


def test_learned_chrome_removed_from_the_threshold_on(tmp_path):
    pipe, stats = pipeline(tmp_path)
    results = []
    for n in range(1, 6):
        item = story(n, WIDGET)
        pipe.process_item(item)
        results.append(WIDGET in item.paragraphs)
    pipe.close_spider()
    assert results == [True, True, False, False, False]
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/learned") == 3


def test_learning_carries_over_to_the_next_run(tmp_path):
    pipe, _ = pipeline(tmp_path)
    for n in range(1, 4):
        pipe.process_item(story(n, WIDGET))
    pipe.close_spider()
    pipe, stats = pipeline(tmp_path)
    item = story(10, WIDGET)
    pipe.process_item(item)
    pipe.close_spider()
    assert WIDGET not in item.paragraphs
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/learned") == 1


def test_learned_rule_spares_shared_quotes_long_paragraphs_and_wire_credits(tmp_path):
    pipe, stats = pipeline(tmp_path)
    # Two stories share a quote; every story repeats a long background paragraph and "(AFP)".
    items = [story(n, SHARED_QUOTE, LONG_BACKGROUND, "(AFP)") for n in (1, 2)]
    items += [story(n, LONG_BACKGROUND, "(AFP)") for n in range(3, 8)]
    for item in items:
        pipe.process_item(item)
    pipe.close_spider()
    for n, item in enumerate(items, start=1):
        shared = [SHARED_QUOTE] if n <= 2 else []
        assert item.paragraphs == [
            f"Story {n} opens here.",
            *shared,
            LONG_BACKGROUND,
            "(AFP)",
            *own(n),
        ]
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/learned") is None


def test_reprocessing_the_same_article_does_not_teach_anything(tmp_path):
    pipe, stats = pipeline(tmp_path)
    for _ in range(5):
        item = story(1, WIDGET)
        pipe.process_item(item)
        assert WIDGET in item.paragraphs
    pipe.close_spider()
    assert stats.get_value("newscrawl/boilerplate/paragraphs_removed/learned") is None


def test_learning_can_be_turned_off(tmp_path):
    pipe, _ = pipeline(tmp_path, NEWSCRAWL_BOILERPLATE_PATH="")
    for n in range(1, 6):
        item = story(n, WIDGET)
        pipe.process_item(item)
        assert WIDGET in item.paragraphs
    pipe.close_spider()
    assert not (tmp_path / "bp.sqlite3").exists()


def test_phrase_file_is_a_setting(tmp_path):
    phrases = tmp_path / "phrases.txt"
    phrases.write_text("Story 1 opens here.\n", encoding="utf-8")
    pipe, _ = pipeline(tmp_path, NEWSCRAWL_BOILERPLATE_PHRASES=str(phrases))
    item = story(1, "Advertisement")
    pipe.process_item(item)
    pipe.close_spider()
    assert item.paragraphs == ["Advertisement", *own(1)]


@pytest.mark.parametrize("cls", [BoilerplatePipeline, LearnedBoilerplatePipeline])
def test_disabled(cls):
    with pytest.raises(NotConfigured):
        build_from_crawler(cls, get_crawler(Spider, {"NEWSCRAWL_BOILERPLATE_ENABLED": False}))


def test_threshold_below_the_floor_is_raised(tmp_path, caplog):
    pipe, _ = pipeline(tmp_path, NEWSCRAWL_BOILERPLATE_MIN_ARTICLES=1)
    results = []
    for n in range(1, 4):
        item = story(n, SHARED_QUOTE)
        pipe.process_item(item)
        results.append(SHARED_QUOTE in item.paragraphs)
    pipe.close_spider()
    # A paragraph two stories share is never chrome, whatever the setting says.
    assert results == [True, True, False]
    assert "NEWSCRAWL_BOILERPLATE_MIN_ARTICLES=1" in caplog.text
