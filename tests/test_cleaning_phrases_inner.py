"""Chrome glued between two story blocks (newscrawl/cleaning/phrases.py, `_split_inner`).

When an inline widget sits inside a paragraph, or two blocks and the widget between
them lose their breaks, the chrome ends up in the middle of one paragraph. It is cut
out and the text on either side comes back as the two paragraphs it was.
"""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.cleaning.phrases import PhraseMatch, PhraseRules
from newscrawl.pipelines.boilerplate import BoilerplatePipeline
from tests.test_pipelines_normalize import make_article

ALLY = (
    "Russia is a major ally and arms supplier of the isolated junta, and has been accused by "
    "rights groups of arming the military."
)
VISIT = "His visit comes after the junta sparked renewed international outrage last week."
FEEDBACK = (
    "Share your experiences, suggestions, and any issues you've encountered on The Jakarta "
    "Post. We're here to listen."
)
SHARE = (
    "Quickly share this news with your network\u2014keep everyone informed with just a single "
    "click!"
)


@pytest.fixture(scope="module")
def rules() -> PhraseRules:
    return PhraseRules.load()


@pytest.mark.parametrize("seam", ["", " "])
def test_widget_between_two_blocks_is_cut_and_the_blocks_kept_apart(rules, seam):
    glued = f"{ALLY}{seam}{FEEDBACK}{seam}{VISIT}"
    assert rules.match(glued) == PhraseMatch(f"{ALLY}\n\n{VISIT}", "phrase")


def test_several_widgets_inside_one_paragraph(rules):
    glued = f"{ALLY}{SHARE}{VISIT}{FEEDBACK}\u201cWe are in solidarity,\u201d Lavrov said."
    assert rules.match(glued) == PhraseMatch(
        f"{ALLY}\n\n{VISIT}\n\n\u201cWe are in solidarity,\u201d Lavrov said.", "phrase"
    )


@pytest.mark.parametrize(
    "sentence",
    [
        # The widget's words inside a sentence: no block boundary on either side.
        "Readers can download the Jakarta Post app from the stores, the company said.",
        "He told them: download The Jakarta Post app now.",
        "Officials said they would view all search results before ruling on the case.",
    ],
)
def test_widget_words_inside_a_sentence_are_story_text(rules, sentence):
    assert rules.match(sentence) == PhraseMatch(sentence, None)


def test_pipeline_returns_both_blocks_as_paragraphs(tmp_path):
    crawler = get_crawler(Spider, {"NEWSCRAWL_BOILERPLATE_PATH": ""})
    pipe = build_from_crawler(BoilerplatePipeline, crawler)
    item = make_article(body=f"Lavrov arrived on Wednesday.\n\n{ALLY}{FEEDBACK}{VISIT}")
    pipe.process_item(item)
    assert item.paragraphs == ["Lavrov arrived on Wednesday.", ALLY, VISIT]
    assert item.word_count == len(item.body.split())
    assert crawler.stats.get_value("newscrawl/boilerplate/paragraphs_trimmed/phrase") == 1
