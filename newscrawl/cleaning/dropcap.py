"""Restoring the drop-cap letter that the page renders apart from its word.

The site sets a story's first letter in an element of its own (`h1.tjp-opening__char`
on current pages, a separate element before the first paragraph on 2016-2022 pages), so
the raw body starts with a one-letter block: "R" then "ussia backs ...". The block
boundary also loses the space, so "A" then "year ago ..." (the article "A") and "A" then
"fter the vote ..." (the word "After") arrive in the same shape; the rule below settles
that case with a short word list and the case of the next block's first word.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# An opening quote may sit in the drop-cap element with the letter, or alone when the
# story opens with a quotation ("\u201c" then "We will not allow ..."). A story opening
# with a number sets its first digit apart the same way ("2" then "025 was ...").
_LONE_LETTER = re.compile(r"[\"'\u201c\u2018]?[^\W_]|[\"'\u201c\u2018]")
_FIRST_WORD = re.compile(r"[^\W\d_]+")

#: Words that follow the single-letter words "A" / "I" at the start of a story and do not
#: make a word with the letter glued on ("A year ago", "I was"). Any other lower-case
#: continuation is taken as the rest of the word ("A"+"fter", "I"+"n"), which is what the
#: drop cap is nearly always for. Words like "round" or "long" are left out on purpose:
#: "Around" and "Along" are the likelier openings.
_A_WORDS = """
    year week month day decade few number new former senior top key total group series
    spate string wave court man woman boy girl child family major massive powerful strong
    deadly small large big huge second third fourth fifth lot majority local government
    military bill plan report survey study recent joint fresh team private public high
    veteran prominent leading growing rare proposed draft coalition delegation magnitude
    fire bomb car bus truck ship plane train boat police soldier journalist student teacher
    doctor lawyer judge minister president leader member spokesperson statement video photo
    half quarter handful dozen host row range rise surge spike drop fall deal ban call
    campaign crowd crisis conflict cabinet ceasefire tsunami typhoon storm flood quake
    earthquake landslide volcano heatwave protest strike rally vote referendum war peace
    trade summit meeting visit trip spokesman spokeswoman source senator lawmaker diplomat
    envoy survivor witness resident villager farmer fisherman worker migrant refugee
"""
_I_WORDS = """
    am was have had think will would do did can cannot could feel want know believe hope
    never just really still also
"""
STANDALONE_AFTER = {"A": frozenset(_A_WORDS.split()), "I": frozenset(_I_WORDS.split())}


def is_lone_letter(block: str) -> bool:
    return _LONE_LETTER.fullmatch(block) is not None


def _join(letter: str, rest: str) -> str | None:
    """The restored paragraph, or None when `rest` cannot continue the letter."""
    first = rest[0]
    bare = letter[-1]
    if bare.isdigit():
        return letter + rest if first.isdigit() else None
    if bare.upper() in STANDALONE_AFTER:
        word = _FIRST_WORD.match(rest)
        if word is None:
            # "A" then "2,100 people ...": the article, followed by a number or quote.
            # Anything else (a lone "." or dash) continues no sentence: leave it be.
            return f"{letter} {rest}" if first.isdigit() or first in "\"'\u201c\u2018" else None
        text = word.group()
        if text.islower():
            separate = text in STANDALONE_AFTER[bare.upper()]
            return f"{letter} {rest}" if separate else letter + rest
        if len(text) > 1 and text[1:].islower():
            # "A" then "Jakarta court ...": a capitalised word stands on its own.
            return f"{letter} {rest}"
        return letter + rest  # "A" then "SEAN foreign ministers": one capital word
    if first.isalpha():
        return letter + rest
    return None


def merge_dropcap(
    paragraphs: Sequence[str], is_chrome: Callable[[str], bool] | None = None
) -> tuple[list[str], bool]:
    """Glue a leading one-letter block onto the block it starts.

    Only the first block that is not chrome (per `is_chrome`) is considered, and only
    once: a letter anywhere else is story text (a list item "A", an answer "I"). Chrome
    and repeats of the letter between it and its continuation (an ad label, the letter
    rendered twice) are looked past, so the repair gives the same result whether or not
    the later pipelines have removed them yet, which keeps the chain idempotent. Returns
    the paragraphs and whether a letter was merged.
    """
    result = list(paragraphs)
    chrome = is_chrome or (lambda _: False)
    index = 0
    while index < len(result) and chrome(result[index]):
        index += 1
    if index >= len(result) or not is_lone_letter(result[index]):
        return result, False
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
        return result, False
    rest = result[following].lstrip()
    if not rest or is_lone_letter(rest):
        return result, False
    joined = _join(letter, rest)
    if joined is None:
        return result, False
    del result[following]
    result[index] = joined
    return result, True


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
    word_match = _FIRST_WORD.match(first.lstrip("\"'\u201c\u2018"))
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
