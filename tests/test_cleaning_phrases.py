"""Known-phrase boilerplate rules (newscrawl/cleaning/phrases.py + data file)."""

from __future__ import annotations

import re

import pytest

from newscrawl.cleaning.phrases import PhraseMatch, PhraseRules

STORY = (
    "His visit comes after the junta sparked renewed international outrage last week when it "
    "announced it had executed four prisoners."
)


@pytest.fixture(scope="module")
def rules() -> PhraseRules:
    return PhraseRules.load()


@pytest.mark.parametrize(
    "paragraph",
    [
        "Can't find what you're looking for?",
        "View all search results",
        "Share your experiences, suggestions, and any issues you've encountered on The Jakarta "
        "Post. We're here to listen.",
        "Thank you for sharing your thoughts. We appreciate your feedback.",
        "Quickly share this news with your network—keep everyone informed with just a single "
        "click!",
        "Share the best of The Jakarta Post with friends, family, or colleagues. As a subscriber, "
        "you can gift 3 to 5 articles each month that anyone can read—no subscription needed!",
        "Get the best experience—faster access, exclusive features, and a seamless way to stay "
        "updated.",
        "Sign up for our newsletter and get the week's top stories in your inbox.",
        "Advertisement",
    ],
)
def test_each_known_widget_text_is_removed(rules, paragraph):
    assert rules.match(paragraph) == PhraseMatch("", "phrase")


@pytest.mark.parametrize(
    "variant",
    [
        "CAN'T FIND WHAT YOU'RE LOOKING FOR?",  # case
        "Can\u2019t find what you\u2019re looking for?",  # curly apostrophes
        "Can't  find what you're\u00a0looking for",  # spacing, NBSP, no question mark
        "Quickly share this news with your network - keep everyone informed with just a "
        "single click!",  # dash spelled differently
    ],
)
def test_phrases_match_after_normalisation(rules, variant):
    assert rules.match(variant).removed


def test_search_box_glued_twice_is_removed_whole(rules):
    glued = "View all search resultsCan't find what you're looking for?"
    assert rules.match(glued) == PhraseMatch("", "phrase")


def test_chrome_glued_before_story_is_cut_off(rules):
    glued = "View all search resultsThe Southeast Asian nation has been in chaos since the coup."
    assert rules.match(glued) == PhraseMatch(
        "The Southeast Asian nation has been in chaos since the coup.", "phrase"
    )


def test_chrome_glued_after_story_is_cut_off(rules):
    glued = (
        STORY + "Share your experiences, suggestions, and any issues you've encountered on "
        "The Jakarta Post. We're here to listen."
    )
    assert rules.match(glued) == PhraseMatch(STORY, "phrase")


def test_short_phrase_is_never_cut_from_story_text(rules):
    # "Advertisement" is chrome on its own, but here it is the sentence's last word.
    sentence = "The regulator banned the advertisement"
    assert rules.match(sentence) == PhraseMatch(sentence, None)


def test_phrase_inside_a_sentence_is_left_alone(rules):
    sentence = "Readers were told to view all search results before voting, the commission said."
    assert rules.match(sentence) == PhraseMatch(sentence, None)


@pytest.mark.parametrize(
    "line",
    [
        "Read also: ASEAN bars Myanmar junta from top meeting again",
        "READ ALSO: Lavrov to visit Cambodia",
        "Baca juga: Jokowi calls for calm",
        "Photo: Reuters",
    ],
)
def test_link_and_photo_lines_are_removed(rules, line):
    assert rules.match(line) == PhraseMatch("", "prefix")


@pytest.mark.parametrize(
    "credit", ["(AFP/John Doe)", "(JP/Seto Wardhana)", "(Antara/Aditya Pradana Putra)", "(AFP/Str)"]
)
def test_photo_credit_lines_are_removed(rules, credit):
    assert rules.match(credit) == PhraseMatch("", "credit")


def test_a_caption_that_lost_its_figure_goes_with_its_credit(rules):
    caption = (
        "Lavrov meets junta chief Min Aung Hlaing in Naypyidaw. "
        "(AFP/Myanmar Military Information Team)"
    )
    assert rules.match(caption) == PhraseMatch("", "credit")


def test_a_credit_glued_to_a_long_story_paragraph_is_cut_off(rules):
    story = " ".join(["The ministers met for three hours and agreed on a joint statement."] * 5)
    assert rules.match(f"{story} (AFP/John Doe)") == PhraseMatch(story, "credit")


@pytest.mark.parametrize("credit", ["(AFP)", "(Reuters)", "(AFP/Reuters)", "(asw)"])
def test_wire_credits_are_story_text(rules, credit):
    assert rules.match(credit) == PhraseMatch(credit, None)
    assert rules.match(f"Talks continue on Friday. {credit}").rule is None
    assert rules.is_protected(credit)


def test_browser_warning_line_is_removed(rules):
    assert rules.match("You are using an outdated browser. Please upgrade.").rule == "line"


def test_rules_file_format():
    rules = PhraseRules.parse(
        "# a comment\n\nSubscribe to the Daily Brief now\nprefix: Sponsored:\n"
        "credit: \\(Pool\\)\nline: (?i:nothing to see)\nkeep: \\(xyz\\)\n"
    )
    assert rules.phrases == ["Subscribe to the Daily Brief now"]
    assert rules.match("Sponsored: a resort in Bali").rule == "prefix"
    assert rules.match("(Pool)").rule == "credit"
    assert rules.match("NOTHING TO SEE").rule == "line"
    assert rules.is_protected("(xyz)")
    assert rules.match("# a comment").rule is None


def test_broken_regex_fails_at_load():
    with pytest.raises(re.error, match="missing"):
        PhraseRules.parse("line: (unclosed\n")


def test_chrome_between_two_run_together_blocks_leaves_both_blocks(rules):
    glued = (
        "Lavrov will travel on to Cambodia.Quickly share this news with your network—keep "
        "everyone informed with just a single click!His visit comes after the executions."
    )
    assert rules.match(glued) == PhraseMatch(
        "Lavrov will travel on to Cambodia.\n\nHis visit comes after the executions.", "phrase"
    )
