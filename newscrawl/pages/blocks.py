"""Turn an HTML container into the ordered list of its text blocks.

A *block* is the text of one paragraph-like element (p, heading, list item, quote,
a div holding text directly). Inline markup inside a block is joined without a
separator, so a drop-cap letter wrapped in a <span> stays attached to its word, while
two block elements never run together the way a naive `//text()` scrape glues them.
Elements that never carry story text (figures, ads, share bars, related-article
lists, newsletter and paywall boxes, scripts) are skipped, with their subtree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from newscrawl.pages.rules import (
    ALL_FURNITURE_TOKENS,
    ALL_FURNITURE_WORDS,
    BLOCK_TAGS,
    DATA_TAGS,
    FURNITURE_NOT_PREFIXES,
    FURNITURE_PREFIX_MIN_LENGTH,
    FURNITURE_ROLES,
    LANDMARK_TAGS,
    OTHER_STORY_BOX,
    SKIPPED_TAGS,
)
from newscrawl.text import clean_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.html import HtmlElement

_WORD_SPLIT = re.compile(r"[\s_\-]+")
_FURNITURE_PREFIXES = tuple(
    sorted(
        word
        for word in ALL_FURNITURE_WORDS
        if len(word) >= FURNITURE_PREFIX_MIN_LENGTH and not word.startswith(FURNITURE_NOT_PREFIXES)
    )
)


@lru_cache(maxsize=4096)
def _furniture_marks(marks: str) -> bool:
    """Whether class and id words mark furniture (cached: class strings repeat a lot):
    the furniture words, and every word that marks a box of other stories."""
    if OTHER_STORY_BOX.search(marks):
        return True
    for token in marks.split():
        if token in ALL_FURNITURE_TOKENS:
            return True
        for word in _WORD_SPLIT.split(token):
            if word in ALL_FURNITURE_WORDS or word.startswith(_FURNITURE_PREFIXES):
                return True
    return False


def is_furniture(element: HtmlElement) -> bool:
    """True for elements whose subtree never holds story text."""
    tag = element.tag
    if not isinstance(tag, str):
        return True  # comments and processing instructions
    tag = tag.lower()
    # A <header> or <footer> is the page's banner or footer, or inside an <article> that
    # story's own head (headline, byline) and foot (tags, bio): never its text.
    if tag in SKIPPED_TAGS or tag in LANDMARK_TAGS:
        return True
    if element.get("aria-hidden") == "true" or element.get("hidden") is not None:
        return True
    role = element.get("role")
    if role and role.strip().lower() in FURNITURE_ROLES:
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return bool(marks.strip()) and _furniture_marks(marks)


def _letter_image(image: HtmlElement) -> str:
    """The letter an <img> stands for, when its alt text is one letter (a drop cap)."""
    alt = (image.get("alt") or "").strip()
    return alt if len(alt) == 1 and alt.isalnum() else ""


def text_blocks(
    root: HtmlElement,
    skip: Callable[[HtmlElement], bool] = is_furniture,
    stop: Callable[[HtmlElement], bool] | None = None,
) -> list[str]:
    """Text of each block under `root`, in document order, whitespace-normalised.

    `skip` drops an element with its subtree (its tail text is kept); `stop` ends the
    walk at the first element it accepts, e.g. a paywall after which the page shows
    no more of the story.
    """
    blocks: list[str] = []
    buffer: list[str] = []
    # Whether the last thing seen at each open level was a <br> (for double breaks).
    breaks: list[bool] = [False]
    stopped = False

    def flush() -> None:
        raw = "".join(buffer)
        text = clean_text(raw)
        buffer.clear()
        if not text:
            return
        # A drop-cap letter set apart, then a block that opens with a plain space: the
        # markup says the letter is a word of its own ("A" + " record number ..."). Without
        # that space the cleaning pipeline decides ("R" + "ussia", "A" + "SEAN").
        if raw[:1] == " " and blocks and len(blocks[-1]) == 1 and blocks[-1].isalnum():
            blocks[-1] = f"{blocks[-1]} {text}"
        else:
            blocks.append(text)

    def visit(element: HtmlElement) -> None:
        nonlocal stopped
        is_block = element.tag in BLOCK_TAGS
        if is_block:
            flush()
        if element.text:
            buffer.append(element.text)
        breaks.append(False)
        for child in element:
            if stopped:
                return
            if stop is not None and isinstance(child.tag, str) and stop(child):
                stopped = True
                flush()
                breaks.pop()
                return
            if child.tag == "br":
                # One <br> is a line break inside a paragraph; two in a row (with only
                # spaces between) are how pages without <p> separate paragraphs.
                if breaks[-1]:
                    flush()
                else:
                    buffer.append(" ")
                breaks[-1] = True
            elif child.tag == "img" and _letter_image(child):
                # A drop cap drawn as a picture of its letter: the letter is text.
                flush()
                blocks.append(_letter_image(child))
            elif child.tag not in DATA_TAGS and not skip(child):
                breaks[-1] = False
                visit(child)
            if child.tail:
                buffer.append(child.tail)
                if child.tail.strip():
                    breaks[-1] = False
        breaks.pop()
        if is_block:
            flush()

    visit(root)
    flush()
    return blocks
