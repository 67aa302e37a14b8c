"""Drop-cap repair and verification (newscrawl/cleaning/dropcap.py)."""

from __future__ import annotations

import pytest

from newscrawl.cleaning.dropcap import (
    OpeningEvidence,
    lost_letter_suspect,
    repair_dropcap,
)
from newscrawl.cleaning.phrases import PhraseRules

SECOND = "Second paragraph."


def _repair(blocks, copies=(), context=""):
    return repair_dropcap(
        [*blocks, SECOND], evidence=OpeningEvidence(copies=copies, context=context)
    )


@pytest.mark.parametrize(
    ("blocks", "first", "decided_by"),
    [
        (
            ["R", "ussia backs the Myanmar junta's efforts."],
            "Russia backs the Myanmar junta's efforts.",
            "markup",
        ),
        (
            ["A", "fter the vote, the parliament adjourned."],
            "After the vote, the parliament adjourned.",
            "statistics",
        ),
        (["I", "ndonesia will host the summit."], "Indonesia will host the summit.", "statistics"),
        (["A", "year ago, the junta seized power."], "A year ago, the junta seized power.",
         "statistics"),
        (["A", "t least 23 people died."], "At least 23 people died.", "shape"),
        (["A", "n international tribunal ruled."], "An international tribunal ruled.", "shape"),
        (["I", "t was late."], "It was late.", "shape"),
        (["A", "Jakarta court on Monday sentenced ..."], "A Jakarta court on Monday sentenced ...",
         "shape"),
        (["A", "id agencies warned of famine."], "Aid agencies warned of famine.", "grammar"),
        (["A", "2,100 people have been killed."], "A 2,100 people have been killed.", "shape"),
        (["I", 'was there," she said.'], 'I was there," she said.', "statistics"),
        (["A", "UN report said on Monday ..."], "A UN report said on Monday ...", "statistics"),
        (
            ["\u201cW", "e are in solidarity,\u201d Lavrov said."],
            "\u201cWe are in solidarity,\u201d Lavrov said.",
            "markup",
        ),
    ],
)  # fmt: skip
def test_lone_letter_is_merged_into_its_word(blocks, first, decided_by):
    repair = _repair(blocks)
    assert repair.merged
    assert repair.paragraphs == [first, SECOND]
    assert repair.decided_by == decided_by
    assert not repair.ambiguous


# The openings of issue 13: the page trimmed the space after the drop-cap "A".
@pytest.mark.parametrize(
    ("rest", "first"),
    [
        ("suicide bomber killed 12 people.", "A suicide bomber killed 12 people."),
        ("three-day summit opened in Bali.", "A three-day summit opened in Bali."),
    ],
)
def test_a_glued_to_a_word_that_is_no_word_comes_apart_by_statistics(rest, first):
    repair = _repair(["A", rest])
    assert repair.paragraphs == [first, SECOND]
    assert repair.decided_by == "statistics"
    assert not repair.ambiguous


@pytest.mark.parametrize(
    ("rest", "default"),
    [
        # "Abroad" and "Alone" are English too: without a copy of the opening nothing
        # tells them from "a broad" and "a lone", so the repair says it is unsure.
        ("broad coalition of parties backed the bill.", "Abroad coalition of parties"),
        ("lone gunman opened fire on Friday.", "Alone gunman opened fire"),
        ("head of state arrived.", "Ahead of state arrived."),
        ("go-ahead was given.", "A go-ahead was given."),  # "a" + compound: apart
        ("long-running dispute ended.", "A long-running dispute ended."),
    ],
)
def test_a_real_word_either_way_without_a_copy_is_ambiguous(rest, default):
    repair = _repair(["A", rest])
    assert repair.ambiguous
    assert repair.decided_by == "default"
    assert repair.paragraphs[0].startswith(default)


@pytest.mark.parametrize(
    ("rest", "copy", "first"),
    [
        (
            "broad coalition of parties backed the bill.",
            "A broad coalition of parties backed the bill on Tuesday.",
            "A broad coalition of parties backed the bill.",
        ),
        (
            "lone gunman opened fire on Friday.",
            "A lone gunman opened fire on Friday, police said.",
            "A lone gunman opened fire on Friday.",
        ),
        (
            "broad, the minister's plan won praise.",
            "Abroad, the minister\u2019s plan won praise.",  # quotes folded
            "Abroad, the minister's plan won praise.",
        ),
        (
            "suicide bomber killed 12 people.",
            "Officials said a suicide bomber killed 12 people at a checkpoint.",
            "A suicide bomber killed 12 people.",
        ),
        (
            "bout of fighting broke out.",  # statistics alone would say "About"
            "A bout of fighting broke out near the border.",
            "A bout of fighting broke out.",
        ),
    ],
)
def test_a_copy_of_the_opening_decides(rest, copy, first):
    repair = _repair(["A", rest], copies=[copy])
    assert repair.paragraphs == [first, SECOND]
    assert repair.decided_by == "copies"
    assert not repair.ambiguous


def test_a_copy_elsewhere_in_a_word_is_no_copy():
    # "ha broad coalition of" holds "a broad coalition of" but not where a word starts.
    repair = _repair(["A", "broad coalition of parties."], copies=["Aha broad coalition of"])
    assert repair.ambiguous


def test_a_joined_copy_against_the_statistics_is_split_evidence():
    # JSON-LD built from the same trimmed markup says "Asuicide": no word, so apart,
    # and the record is flagged for a reader to check.
    repair = _repair(["A", "suicide bomber killed 12."], copies=["Asuicide bomber killed 12."])
    assert repair.paragraphs[0] == "A suicide bomber killed 12."
    assert repair.ambiguous


def test_copies_that_disagree_are_split_evidence_and_the_space_wins():
    copies = ["Abroad coalition of parties backed it.", "A broad coalition of parties backed it."]
    repair = _repair(["A", "broad coalition of parties."], copies=copies)
    assert repair.paragraphs[0] == "A broad coalition of parties."
    assert repair.decided_by == "copies"
    assert repair.ambiguous


@pytest.mark.parametrize(
    ("context", "others", "first", "ambiguous"),
    [
        # The acronym the story is about recurs in its headline or later paragraphs.
        ("ASEAN ministers meet in Cambodia", [], "ASEAN foreign ministers met.", False),
        ("", ["The bloc, ASEAN's chair said, ..."], "ASEAN foreign ministers met.", False),
        # Nothing on the page names ASEAN or SEAN: the word the drop cap starts, flagged.
        ("Ministers meet in Cambodia", [], "ASEAN foreign ministers met.", True),
    ],
)
def test_an_all_capitals_word_is_decided_by_the_page_words(context, others, first, ambiguous):
    repair = repair_dropcap(
        ["A", "SEAN foreign ministers met.", *others],
        evidence=OpeningEvidence(context=context),
    )
    assert repair.paragraphs[0] == first
    assert repair.ambiguous is ambiguous
    assert repair.decided_by == ("default" if ambiguous else "page-words")


def test_the_continuation_itself_is_no_page_word():
    # "SEAN" in the block being repaired must not count as the page using "SEAN".
    repair = repair_dropcap(["A", "SEAN met. SEAN said."], evidence=OpeningEvidence())
    assert repair.ambiguous


def test_a_quoted_a_is_decided_like_a_bare_one():
    repair = _repair(
        ["\u201cA", "lone gunman,\u201d police said."],
        copies=["\u201cA lone gunman,\u201d police said on Friday."],
    )
    assert repair.paragraphs[0] == "\u201cA lone gunman,\u201d police said."
    assert not repair.ambiguous


def test_chrome_before_the_letter_is_looked_past():
    rules = PhraseRules.load()
    repair = repair_dropcap(["Advertisement", "R", "ussia backs ..."], rules.is_chrome)
    assert repair.merged
    assert repair.paragraphs == ["Advertisement", "Russia backs ..."]


@pytest.mark.parametrize(
    "blocks",
    [
        ["Russia backs the junta.", "A", "list item"],  # a letter later on is story text
        ["X", "Y", "zz"],  # two letters: nothing safe to do
        ["R", "2,100 people"],  # a letter other than A/I before a number is no word start
        ["A", "- a dash"],  # nothing a sentence goes on with
        ["R"],
        [],
    ],
)
def test_no_merge_without_a_leading_letter_and_a_continuation(blocks):
    repair = repair_dropcap(blocks)
    assert repair.paragraphs == blocks
    assert not repair.merged


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
    repair = repair_dropcap(["\u201c", "We will not allow it,\u201d he said."])
    assert repair.paragraphs == ["\u201cWe will not allow it,\u201d he said."]


@pytest.mark.parametrize(
    ("blocks", "first"),
    [
        (["2", "025 was supposed to be calmer."], "2025 was supposed to be calmer."),
        (["1", "2 people were killed."], "12 people were killed."),
        (["2", ",100 people fled."], "2,100 people fled."),
        (["1", "st Infantry Division troops ..."], "1st Infantry Division troops ..."),
    ],
)
def test_a_lone_digit_joins_its_number(blocks, first):
    repair = repair_dropcap(blocks)
    assert repair.paragraphs == [first]


def test_a_lone_digit_before_a_word_waits_for_a_copy():
    without = repair_dropcap(["2", "million people fled."])
    assert not without.merged
    with_copy = repair_dropcap(
        ["2", "million people fled."],
        evidence=OpeningEvidence(copies=["2 million people fled the floods."]),
    )
    assert with_copy.paragraphs == ["2 million people fled."]
    assert with_copy.decided_by == "copies"


def test_a_lone_digit_does_not_join_words():
    repair = repair_dropcap(["2", "Days of talks ended."])
    assert not repair.merged
    assert repair.paragraphs == ["2", "Days of talks ended."]
