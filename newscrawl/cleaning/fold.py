"""Comparison forms of text that keep a character-for-character mapping to the original.

`newscrawl.text.comparison_key` is the right form for deciding whether two paragraphs
are equal, but it may change the length of the text (an ellipsis becomes three dots,
spaces appear around dashes), so a position found in it cannot be mapped back. `fold`
folds case, quotes and dashes one character to one character, so a match found in the
folded text cuts the original text at the same offsets.
"""

from __future__ import annotations

import hashlib
import re

from newscrawl.text import QUOTE_AND_DASH_VARIANTS, clean_text, comparison_key

# Every variant the CMS uses for the same quote or dash, one character to one character:
# the comparison key's variants that keep the length, plus the spaces and the backtick
# that the key handles by other means.
_FOLD = str.maketrans(
    {
        **{k: v for k, v in QUOTE_AND_DASH_VARIANTS.items() if len(v) == 1},
        "`": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
# str.translate takes a slow per-character path on non-ASCII text, and nearly every
# paragraph holds a curly quote: one C-level scan for the few characters to change is
# several times faster on the hot path (every paragraph is folded at least once).
_FOLD_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD) + "]")
_FOLD_BY_CHAR = {chr(c): str(v) for c, v in _FOLD.items()}
_ASCII_FOLD = [(chr(c), str(v)) for c, v in _FOLD.items() if c < 128]


def _fold_char(found: re.Match[str]) -> str:
    return _FOLD_BY_CHAR[found.group()]


def fold(text: str) -> str:
    """`text` lower-cased with quotes and dashes unified; always the same length."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A handful of characters (e.g. dotted capital I) lower-case to two; keep those
        # as they are so offsets stay valid.
        lowered = "".join(c if len(low := c.lower()) != 1 else low for c in text)
    if lowered.isascii():
        for old, new in _ASCII_FOLD:
            lowered = lowered.replace(old, new)
        return lowered
    return _FOLD_CHARS.sub(_fold_char, lowered)


def fingerprint(text: str) -> int:
    """A signed 64-bit fingerprint of a paragraph's comparison form (fits SQLite INTEGER)."""
    return key_fingerprint(comparison_key(text))


def key_fingerprint(key: str) -> int:
    """`fingerprint` of the text whose `comparison_key` is `key`."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def url_fingerprint(url: str) -> int:
    """The same compact form for an article identity, stored instead of the URL itself."""
    digest = hashlib.blake2b(clean_text(url).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
