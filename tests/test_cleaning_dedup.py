"""Within-article paragraph dedup (newscrawl/cleaning/dedup.py)."""

from __future__ import annotations

import pytest

from newscrawl.cleaning.dedup import dedup_paragraphs

LEAD = (
    "The Southeast Asian nation has been in chaos since the military's power grab last year, "
    "with more than 2,100 people killed in a crackdown on dissent, according to a local monitor."
)
QUOTE = (
    '"We are in solidarity with the efforts aimed at stabilising the situation in the country," '
    "Sergei Lavrov said."
)
OTHER = "Russia is a major ally and arms supplier of the isolated junta."


@pytest.mark.parametrize(
    "variant",
    [
        LEAD,
        LEAD.replace(" ", "  "),  # whitespace
        LEAD.replace(" ", "\u00a0", 3),  # non-breaking spaces
        LEAD.replace("military's", "military\u2019s"),  # curly apostrophe
        LEAD.replace("chaos", "cha\u200bos"),  # zero-width space
        LEAD.upper(),  # case
        QUOTE.replace('"', "\u201c", 1).replace(',"', ",\u201d"),  # curly quotes (for QUOTE)
    ],
)
def test_near_identical_repeat_is_removed(variant):
    original = QUOTE if variant.startswith("\u201c") else LEAD
    result = dedup_paragraphs([original, OTHER, variant])
    assert result.paragraphs == [original, OTHER]
    assert result.removed_exact == 1
    assert result.changes == [(2, "exact")]


def test_dash_variants_are_the_same_paragraph():
    a = "The junta - which seized power in 2021 - says it will hold elections."
    b = "The junta\u2014which seized power in 2021\u2014says it will hold elections."
    assert dedup_paragraphs([a, b]).paragraphs == [a]


def test_first_occurrence_stays_where_it_was():
    result = dedup_paragraphs([OTHER, LEAD, QUOTE, LEAD, OTHER])
    assert result.paragraphs == [OTHER, LEAD, QUOTE]


def test_repeat_with_trailing_credit_keeps_only_the_new_part():
    result = dedup_paragraphs([LEAD, OTHER, f"{LEAD} Photo supplied by the ministry."])
    assert result.paragraphs == [LEAD, OTHER, "Photo supplied by the ministry."]
    assert result.trimmed == 1


def test_two_blocks_run_together_lose_the_repeated_half():
    result = dedup_paragraphs([LEAD, QUOTE, LEAD + QUOTE])
    assert result.paragraphs == [LEAD, QUOTE]
    assert result.removed_contained == 1


def test_paragraph_inside_an_earlier_one_is_removed():
    result = dedup_paragraphs([f"{LEAD} {QUOTE}", OTHER, LEAD])
    assert result.paragraphs == [f"{LEAD} {QUOTE}", OTHER]
    assert result.changes == [(2, "contained")]


def test_short_sentence_inside_another_is_coincidence_not_repeat():
    short = "He declined to comment."
    longer = "Asked about the executions, he declined to comment. The junta has not responded."
    assert dedup_paragraphs([longer, short]).paragraphs == [longer, short]
    assert dedup_paragraphs([short, longer]).paragraphs == [short, longer]


def test_unique_paragraphs_are_untouched():
    paragraphs = [LEAD, QUOTE, OTHER]
    result = dedup_paragraphs(paragraphs)
    assert result.paragraphs == paragraphs
    assert result.changes == []
