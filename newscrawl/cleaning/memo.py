"""One article's paragraphs and the text forms derived from them, computed once per item.

Each cleaning pipeline needs the body as paragraphs, and several need the same forms of
the same paragraph (the clean text, the comparison key, the folded text, the word
count). Each pipeline must also work on its own, so none can rely on another having
prepared anything; instead the item carries this memo (`Article.memo()`) and whoever
asks first pays.

Every cached value is a pure function of the string it is looked up by, so a hit is
right whichever pipelines ran before and whatever they did to the body. The split
paragraphs are trusted only while `body` is the very string they were split from.
"""

from __future__ import annotations

from newscrawl.cleaning.fold import fold
from newscrawl.text import clean_text, comparison_key


class TextMemo:
    __slots__ = ("_clean", "_folds", "_keys", "_words", "body", "paragraphs")

    def __init__(self) -> None:
        #: The body string `paragraphs` was split from (None: nothing split yet).
        self.body: str | None = None
        self.paragraphs: list[str] = []
        self._clean: dict[str, str] = {}
        self._folds: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._words: dict[str, int] = {}

    def clean(self, text: str) -> str:
        """`clean_text(text)`."""
        cleaned = self._clean.get(text)
        if cleaned is None:
            cleaned = self._clean[text] = clean_text(text)
            # Clean text is its words joined by single spaces: counting the spaces
            # gives the word count without splitting the paragraph again.
            self._words[cleaned] = cleaned.count(" ") + 1 if cleaned else 0
        return cleaned

    def key(self, text: str) -> str:
        """`comparison_key(text)`."""
        key = self._keys.get(text)
        if key is None:
            key = self._keys[text] = comparison_key(text)
        return key

    def fold(self, text: str) -> str:
        """`fold(text)`."""
        folded = self._folds.get(text)
        if folded is None:
            folded = self._folds[text] = fold(text)
        return folded

    def words(self, text: str) -> int:
        """`len(text.split())`."""
        count = self._words.get(text)
        if count is None:
            count = self._words[text] = len(text.split())
        return count
