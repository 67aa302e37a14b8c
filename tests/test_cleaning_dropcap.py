"""Drop-cap merge and verification (newscrawl/cleaning/dropcap.py)."""

from __future__ import annotations

import pytest

from newscrawl.cleaning.dropcap import lost_letter_suspect, merge_dropcap
from newscrawl.cleaning.phrases import PhraseRules


@pytest.mark.parametrize(
    ("blocks", "first"),
    [
        (
            ["R", "ussia backs the Myanmar junta's efforts."],
            "Russia backs the Myanmar junta's efforts.",
        ),
        (
            ["A", "SEAN foreign ministers met in Phnom Penh."],
            "ASEAN foreign ministers met in Phnom Penh.",
        ),
        (
            ["A", "fter the vote, the parliament adjourned."],
            "After the vote, the parliament adjourned.",
        ),
        (["I", "ndonesia will host the summit."], "Indonesia will host the summit."),
        (["A", "year ago, the junta seized power."], "A year ago, the junta seized power."),
        (["A", "Jakarta court on Monday sentenced ..."], "A Jakarta court on Monday sentenced ..."),
        (["A", "2,100 people have been killed."], "A 2,100 people have been killed."),
        (["I", 'was there," she said.'], 'I was there," she said.'),
        (
            ["\u201cW", "e are in solidarity,\u201d Lavrov said."],
            "\u201cWe are in solidarity,\u201d Lavrov said.",
        ),
    ],
)
def test_lone_letter_is_merged_into_its_word(blocks, first):
    merged, changed = merge_dropcap([*blocks, "Second paragraph."])
    assert changed
    assert merged == [first, "Second paragraph."]


def test_chrome_before_the_letter_is_looked_past():
    rules = PhraseRules.load()
    merged, changed = merge_dropcap(["Advertisement", "R", "ussia backs ..."], rules.is_chrome)
    assert changed
    assert merged == ["Advertisement", "Russia backs ..."]


@pytest.mark.parametrize(
    "blocks",
    [
        ["Russia backs the junta.", "A", "list item"],  # a letter later on is story text
        ["X", "Y", "zz"],  # two letters: nothing safe to do
        ["R", "2,100 people"],  # a letter other than A/I before a number is no word start
        ["R"],
        [],
    ],
)
def test_no_merge_without_a_leading_letter_and_a_continuation(blocks):
    assert merge_dropcap(blocks) == (blocks, False)


@pytest.mark.parametrize(
    ("paragraphs", "title", "suspect"),
    [
        (["ussia backs the junta."], "Russia backs junta", True),  # lower-case fragment
        (["SEAN foreign ministers met."], "ASEAN ministers meet in Cambodia", True),  # lost capital
        (["R", "2,100 people"], "", True),  # unmerged letter
        (["Russia backs the junta."], "Russia backs junta", False),
        (["ASEAN foreign ministers met."], "ASEAN ministers meet", False),
        (["A year ago the junta seized power."], "Myanmar a year on", False),
        (["Lavrov is scheduled to travel on."], "Russia backs junta", False),
    ],
)
def test_verification(paragraphs, title, suspect):
    assert lost_letter_suspect(paragraphs, title) is suspect


def test_a_lone_opening_quote_joins_its_sentence():
    merged, changed = merge_dropcap(["\u201c", "We will not allow it,\u201d he said."])
    assert changed
    assert merged == ["\u201cWe will not allow it,\u201d he said."]


def test_a_lone_digit_joins_its_number():
    merged, changed = merge_dropcap(["2", "025 was supposed to be calmer."])
    assert changed
    assert merged == ["2025 was supposed to be calmer."]


def test_a_lone_digit_does_not_join_words():
    merged, changed = merge_dropcap(["2", "Days of talks ended."])
    assert not changed
    assert merged == ["2", "Days of talks ended."]
