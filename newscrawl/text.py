"""Pure text helpers shared by the page parsers and the cleaning pipelines."""

from __future__ import annotations

import re
import unicodedata

# Characters that render as nothing but break equality and word counts.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, every whitespace run (incl. NBSP) one space."""
    # Hot path (every block of every page, several times): ASCII text is already NFC and
    # holds no invisible character, and str.split() splits on exactly the characters
    # `\s` matches, so split/join equals the regex collapse plus strip, several times faster.
    if not text.isascii():
        # Invisibles go first: one between a letter and its accent would otherwise keep
        # NFC from composing them, and the result would change on a second pass.
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    if _single_spaced(text):
        return text
    return " ".join(text.split())


def _single_spaced(text: str) -> bool:
    """True when `" ".join(text.split()) == text`, without building the word list.

    Every character str.split() splits on except the space is non-printable (controls,
    separators), so printable text only needs its spaces checked. Most text reaching
    the cleaning steps is clean already, and this is several times cheaper than the
    split and join it saves."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


#: Typographic variants of the same quote or dash (and the ellipsis), as the CMS mixes them.
QUOTE_AND_DASH_VARIANTS: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
}
_QUOTES = str.maketrans(QUOTE_AND_DASH_VARIANTS)

_QUOTE_PAIRS = tuple((chr(code), str(value)) for code, value in _QUOTES.items())


def comparison_key(text: str) -> str:
    """The form two paragraphs are compared in: quotes, dashes, case and spacing folded."""
    if text.isascii():
        # clean_text would only collapse whitespace here, which the split below does
        # anyway; casefold is lower() on ASCII.
        text = text.lower()
        if "-" in text:
            text = text.replace("-", " - ")
        return text if _single_spaced(text) else " ".join(text.split())
    text = clean_text(text)
    if not text.isascii():  # every character _QUOTES maps is outside ASCII
        # A few C-level replaces beat str.translate, which looks up every character in a
        # dict; the result is the same because no replacement contains a mapped character.
        for char, replacement in _QUOTE_PAIRS:
            if char in text:
                text = text.replace(char, replacement)
    # Spacing every dash out and collapsing whitespace once equals the old
    # `\s*-\s*` -> " - " substitution followed by the collapse, without the regex scan.
    return " ".join(text.casefold().replace("-", " - ").split())
