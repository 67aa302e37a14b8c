"""Pure text helpers shared by the page parsers and the cleaning pipelines."""

from __future__ import annotations

import re
import unicodedata

# Characters that render as nothing but break equality and word counts.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, every whitespace run (incl. NBSP) one space."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u2026": "...",
    }
)


def comparison_key(text: str) -> str:
    """The form two paragraphs are compared in: quotes, dashes, case and spacing folded."""
    text = clean_text(text).translate(_QUOTES).casefold()
    text = re.sub(r"\s*-\s*", " - ", text)
    return _WHITESPACE.sub(" ", text).strip()
