"""Restoring the drop-cap letter that the page renders apart from its word.

The site sets a story's first letter in an element of its own (`h1.tjp-opening__char`
on current pages, a separate element before the first paragraph on 2016-2022 pages), so
the raw body starts with a one-letter block: "R" then "ussia backs ...". The block
boundary also loses the space, so "A" then "year ago ..." (the article "A") and "A" then
"fter the vote ..." (the word "After") arrive in the same shape.

Most letters are no word on their own and simply join the block after them. "A" and "I"
are words, and there the join is decided from evidence, strongest first:

1. the page's other copies of the opening (the start of JSON-LD `articleBody`, the
   descriptions, the listing's teaser): one that writes "A broad coalition" with the
   space settles it, since trimming can lose a space but never add one;
2. the shape of the next word: one letter ("A" + "t least") continues the word; a
   capitalised word ("A" + "Jakarta court") stands apart; a lower-case word starting
   with a vowel cannot follow the article "A" (English writes "an"), so "A" + "id" is
   "Aid";
3. word statistics (the `wordfreq` package's English list): "asuicide" is no word and
   "suicide" is, so "A suicide bomber"; "after" is a word and "fter" is not;
4. for an all-capitals word ("A" + "SEAN"), the page's other words: an acronym or name
   the story is about recurs in its headline, standfirst and later paragraphs.

Where the evidence is split, or all of it is silent ("Abroad"/"a broad", "Alone"/"a
lone", "Ahead"/"a head" are all English), the repair says so (`ambiguous`) and the
pipeline flags the record instead of guessing silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wordfreq import zipf_frequency

from newscrawl.text import comparison_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# An opening quote may sit in the drop-cap element with the letter, or alone when the
# story opens with a quotation ("\u201c" then "We will not allow ..."). A story opening
# with a number sets its first digit apart the same way ("2" then "025 was ...").
_LONE_LETTER = re.compile(r"[\"'\u201c\u2018]?[^\W_]|[\"'\u201c\u2018]")
_QUOTES = "\"'\u201c\u2018"
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W_]+")
_TRAILING_PUNCTUATION = re.compile(r"[\W_]+$")

#: Letters that are English words by themselves.
WORD_LETTERS = frozenset({"A", "I"})
#: The word list the statistics come from: wordfreq's "small" English list holds the
#: words seen at least once per million words of its sources, so a fragment such as
#: "fter" or a glued pair such as "ayear" scores 0 while rare real words are still in.
WORDLIST = "small"
#: How much more frequent (in Zipf units, log10 of occurrences per billion words) one
#: reading's word must be than the other's for statistics to decide alone: 1.5 is about
#: thirty times. "about" (6.4) beats "bout" (4.1) and "Asia" (4.7) beats "sia" (3.1),
#: while "alone" (5.2) against "lone" (3.9) and "around" against "round" stay open.
CLEAR_MARGIN = 1.5
#: Vowel-initial words that still take "a": they are said with a consonant sound.
_A_BEFORE_VOWEL = ("one", "once", "eu", "uni", "use", "usu", "ut")
#: After a digit: the rest of a number ("2" + ",100"), or an ordinal ("1" + "st").
_NUMBER_GOES_ON = re.compile(r"[\d,.:/%]|(?:st|nd|rd|th)\b")
#: How many words of the continuation are compared with the page's copies.
COPY_MATCH_WORDS = 3

JOINED, APART = "joined", "apart"


@dataclass(frozen=True)
class OpeningEvidence:
    """What else the page says about its opening: its other copies of the first words
    (`copies`), and its headline and standfirst (`context`). The story's own later
    paragraphs are added by `repair_dropcap`."""

    copies: Sequence[str] = ()
    context: str = ""


@dataclass(frozen=True)
class DropCapRepair:
    """The paragraphs after the repair; whether a letter was merged; what decided how
    (`decided_by`: markup, copies, shape, grammar, statistics, page-words or default);
    and whether the evidence was split or silent, so a reader should check the start."""

    paragraphs: list[str]
    merged: bool = False
    decided_by: str | None = None
    ambiguous: bool = False


def is_lone_letter(block: str) -> bool:
    return _LONE_LETTER.fullmatch(block) is not None


def _zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "en", wordlist=WORDLIST)


def _readings_in_copies(letter: str, rest: str, copies: Sequence[str]) -> set[str]:
    """Which readings ("A broad coalition" / "Abroad coalition") the copies write."""
    # The first words, without the punctuation after the last one: a copy cut short
    # ("A lone gunman ...") or going on differently still matches.
    opening = _TRAILING_PUNCTUATION.sub("", " ".join(rest.split()[:COPY_MATCH_WORDS]))
    if not opening:
        return set()
    wanted = {
        JOINED: comparison_key(letter + opening),
        APART: comparison_key(f"{letter} {opening}"),
    }
    found = set()
    for copy in copies:
        text = comparison_key(copy)
        for reading, phrase in wanted.items():
            start = text.find(phrase)
            while start >= 0:
                # Only where a word starts: "a broad" inside "ha broad" is no copy of it.
                if start == 0 or not text[start - 1].isalnum():
                    found.add(reading)
                    break
                start = text.find(phrase, start + 1)
    return found


def _from_shape(bare: str, word: str) -> tuple[str, str] | None:
    """The reading the next word's shape forces, with what forced it."""
    if len(word) == 1:
        return JOINED, "shape"  # "A" + "t least", "I" + "n 2019", "A" + "I researchers"
    if word[0].isupper() and word[1:].islower():
        return APART, "shape"  # "A" + "Jakarta court"
    lowered = word.lower()
    if (
        bare == "A"
        and word.islower()
        and lowered[0] in "aeio"
        and not lowered.startswith(_A_BEFORE_VOWEL)
    ):
        return JOINED, "grammar"  # "A" + "id" is "Aid": the article would be "An"
    return None


def _from_statistics(bare: str, word: str) -> str | None:
    joined, apart = _zipf(bare + word), _zipf(word)
    if joined == apart == 0:
        return None
    if joined - apart >= CLEAR_MARGIN:
        return JOINED
    if apart - joined >= CLEAR_MARGIN:
        return APART
    return None


def _from_page_words(bare: str, word: str, page_text: str) -> str | None:
    """For an all-capitals word: which of "ASEAN" and "SEAN" the page's other text uses."""
    if not word.isupper():
        return None
    used = set(_WORD.findall(page_text))
    joined, apart = bare + word in used, word in used
    if joined != apart:
        return JOINED if joined else APART
    return None


def _decide(
    letter: str, rest: str, evidence: OpeningEvidence, page_text: str
) -> tuple[str, str, bool] | None:
    """(reading, what decided it, whether the evidence was split or silent) for a word
    letter ("A", "I", possibly after a quote) followed by `rest`; None to leave it be."""
    bare = letter[-1]
    match = _FIRST_WORD.match(rest)
    if match is None:
        # "A" then "2,100 people ...": the article, followed by a number or quote.
        # Anything else (a lone "." or dash) continues no sentence: leave it be.
        if rest[0].isdigit() or rest[0] in _QUOTES:
            return APART, "shape", False
        return None
    word = match.group()
    copies = _readings_in_copies(letter, rest, evidence.copies)
    reading: str | None
    shape = _from_shape(bare, word)
    if shape is not None:
        reading, decided_by = shape
    else:
        reading, decided_by = _from_statistics(bare, word), "statistics"
        if reading is None:
            reading, decided_by = _from_page_words(bare, word, page_text), "page-words"
    if APART in copies:
        # A copy with the space is the text itself: trimming loses spaces, never adds one.
        # One copy joining the words as well is the page's split evidence.
        return APART, "copies", JOINED in copies
    if JOINED in copies:
        if reading == APART:
            # The joined copy may be built from the same trimmed markup; the next word
            # says otherwise ("Asuicide" is no word). Take that, and say it was split.
            return APART, decided_by, True
        return JOINED, "copies", False
    if reading is not None:
        return reading, decided_by, False
    # Nothing decides. "a" + a hyphenated compound is how English writes "a long-running
    # dispute", while "along-", "across-", "ago-" begin no compound: apart then, else the
    # word the drop cap starts; flagged either way.
    compound = rest[match.end() : match.end() + 1] == "-"
    return (APART if compound else JOINED), "default", True


def _join(
    letter: str, rest: str, evidence: OpeningEvidence, page_text: str
) -> tuple[str, str, bool] | None:
    """(restored paragraph, what decided, ambiguous), or None to leave the blocks be."""
    bare = letter[-1]
    if not bare.isalnum():  # a lone opening quote: the quotation follows
        return letter + rest, "markup", False
    if bare.isdigit():
        if _NUMBER_GOES_ON.match(rest):
            return letter + rest, "markup", False
        if APART in _readings_in_copies(letter, rest, evidence.copies):
            return f"{letter} {rest}", "copies", False
        return None  # "2" then "Days of talks": no telling; the suspect check flags it
    if bare.upper() in WORD_LETTERS:
        decision = _decide(letter, rest, evidence, page_text)
        if decision is None:
            return None
        reading, decided_by, ambiguous = decision
        joined = letter + rest if reading == JOINED else f"{letter} {rest}"
        return joined, decided_by, ambiguous
    if rest[0].isalpha():
        return letter + rest, "markup", False
    return None


def repair_dropcap(
    paragraphs: Sequence[str],
    is_chrome: Callable[[str], bool] | None = None,
    evidence: OpeningEvidence | None = None,
) -> DropCapRepair:
    """Glue a leading one-letter block onto the block it starts.

    Only the first block that is not chrome (per `is_chrome`) is considered, and only
    once: a letter anywhere else is story text (a list item "A", an answer "I"). Chrome
    and repeats of the letter between it and its continuation (an ad label, the letter
    rendered twice) are looked past, so the repair gives the same result whether or not
    the later pipelines have removed them yet, which keeps the chain idempotent.
    """
    result = list(paragraphs)
    chrome = is_chrome or (lambda _: False)
    index = 0
    while index < len(result) and chrome(result[index]):
        index += 1
    if index >= len(result) or not is_lone_letter(result[index]):
        return DropCapRepair(result)
    # The drop cap is a story's first letter, a capital however the markup writes it
    # (some pages lower-case it and let CSS set it upright).
    letter = result[index]
    if letter.isalpha() and letter.islower():
        letter = letter.upper()
    following = index + 1
    while following < len(result) and (
        result[following].strip().casefold() == letter.casefold() or chrome(result[following])
    ):
        following += 1
    if following >= len(result):
        return DropCapRepair(result)
    rest = result[following].lstrip()
    if not rest or is_lone_letter(rest):
        return DropCapRepair(result)
    evidence = evidence or OpeningEvidence()
    others = [p for i, p in enumerate(result) if i not in (index, following)]
    page_text = " ".join([evidence.context, *evidence.copies, *others])
    repaired = _join(letter, rest, evidence, page_text)
    if repaired is None:
        return DropCapRepair(result)
    joined, decided_by, ambiguous = repaired
    del result[following]
    result[index] = joined
    return DropCapRepair(result, merged=True, decided_by=decided_by, ambiguous=ambiguous)


def lost_letter_suspect(
    paragraphs: Sequence[str],
    title: str = "",
    summary: str = "",
    is_chrome: Callable[[str], bool] | None = None,
) -> bool:
    """Whether the story still seems to start with a fragment of its first word.

    A lower-case start says so, but a lost capital ("SEAN foreign ministers" for "ASEAN")
    does not start in lower case; those are caught when the title or standfirst has a word
    that is one letter plus the body's first word.
    """
    first = next((p for p in paragraphs if not (is_chrome and is_chrome(p))), None)
    if first is None:
        return False
    if is_lone_letter(first):
        return True
    word_match = _FIRST_WORD.match(first.lstrip(_QUOTES))
    if word_match is None:
        return False
    word = word_match.group()
    if word[0].islower():
        return True
    if len(word) < 2:
        return False
    word = word.casefold()
    context = {w.casefold() for w in _FIRST_WORD.findall(f"{title} {summary}")}
    if word in context:
        return False
    return any(len(w) == len(word) + 1 and w.endswith(word) for w in context)
