"""Known site chrome (newscrawl/data/boilerplate_phrases.txt) matched against paragraphs.

The rules are data; this module only parses them and applies them in one pass per
paragraph: a dictionary lookup for whole-paragraph phrases, `str.startswith` /
`str.endswith` on a folded copy for phrases glued to story text (indexed by their first
and last characters, so the cost does not grow with the list), and one precompiled
regex per rule kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from newscrawl.cleaning.fold import fold
from newscrawl.items import PARAGRAPH_SEPARATOR
from newscrawl.text import clean_text, comparison_key

if TYPE_CHECKING:
    from collections.abc import Iterable

    from newscrawl.cleaning.memo import TextMemo

#: A phrase is cut off story text only when it has at least this many words: "Subscribe
#: now" or "Advertisement" can end a real sentence ("... banned the advertisement"), a
#: sentence-long widget text cannot.
MIN_GLUED_WORDS = 3
#: Glued phrases are indexed by this many leading/trailing folded characters.
_INDEX_CHARS = 6
# Characters that end a sentence (or a quotation closing it): chrome glued after one of
# these starts a new block, not the sentence's last word.
#: Longest text before a photo credit still taken for a leaked caption (captions run a
#: sentence or two; a longer paragraph ending in a credit is story text glued to one).
MAX_CAPTION_CHARS = 300
_SENTENCE_END = frozenset(".!?\"')]:;\u201d\u2019")
# Characters a story block can open with besides a capital or a digit.
_BLOCK_OPENERS = frozenset("\"'(\u201c\u2018")
_KINDS = ("prefix", "credit", "line", "keep")


# Trailing punctuation varies between the desktop and mobile copies of a widget.
_KEY_TRAIL = " .!?:;,"


def _whole_key(text: str) -> str:
    return comparison_key(text).rstrip(_KEY_TRAIL)


@dataclass(frozen=True)
class PhraseMatch:
    """What the rules did to a paragraph: `text` is what remains ("" when removed) and
    `rule` the rule that removed or trimmed it (None when untouched). When chrome sat
    between two story blocks run together, `text` holds both, separated by
    `PARAGRAPH_SEPARATOR`: they were two paragraphs before the markup lost the break."""

    text: str
    rule: str | None

    @property
    def removed(self) -> bool:
        return self.rule is not None and not self.text


def _compile(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


class PhraseRules:
    """Chrome phrases, link-line prefixes, credits and line patterns, ready to match."""

    def __init__(
        self,
        phrases: Iterable[str] = (),
        prefixes: Iterable[str] = (),
        credits: Iterable[str] = (),
        lines: Iterable[str] = (),
        keep: Iterable[str] = (),
    ) -> None:
        self.phrases = [clean_text(p) for p in phrases if clean_text(p)]
        self._whole = {_whole_key(p) for p in self.phrases}
        # Story paragraphs are mostly longer than any widget text: past this length the
        # comparison key (the costly part) is not worth computing. Twice the longest
        # phrase leaves room for spacing the normalisation pipeline would collapse.
        self._whole_max_chars = 2 * max((len(p) for p in self.phrases), default=0) + 16
        self._prefixes = tuple(fold(clean_text(p)) for p in prefixes if clean_text(p))
        self._credit = _compile(list(credits))
        self._line = _compile(list(lines))
        self._keep = _compile(list(keep))
        self._heads: dict[str, list[str]] = {}
        self._tails: dict[str, list[str]] = {}
        for phrase in self.phrases:
            if len(phrase.split()) < MIN_GLUED_WORDS:
                continue
            folded = fold(phrase)
            self._heads.setdefault(folded[:_INDEX_CHARS], []).append(folded)
            self._tails.setdefault(folded[-_INDEX_CHARS:], []).append(folded)
        # Chrome between two blocks run together ("...in decades.Share your experiences
        # ...listen.His visit ..."): one alternation, longest first, searched only in the
        # folded text of paragraphs no other rule touched.
        inner = sorted({f for heads in self._heads.values() for f in heads}, key=len, reverse=True)
        self._inner = re.compile("|".join(map(re.escape, inner))) if inner else None
        self._inner_phrases = tuple(inner)

    @classmethod
    def parse(cls, text: str) -> PhraseRules:
        found: dict[str, list[str]] = {kind: [] for kind in ("phrase", *_KINDS)}
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, sep, rest = line.partition(":")
            if sep and kind in _KINDS:
                found[kind].append(rest.strip())
            else:
                found["phrase"].append(line)
        for pattern in found["credit"] + found["line"] + found["keep"]:
            re.compile(pattern)  # a broken rule fails here, naming itself, not mid-crawl
        return cls(found["phrase"], found["prefix"], found["credit"], found["line"], found["keep"])

    @classmethod
    def load(cls, path: str | Path | None = None) -> PhraseRules:
        """The packaged list, or the file at `path` when given."""
        if path:
            return cls.parse(Path(path).read_text(encoding="utf-8"))
        packaged = resources.files("newscrawl").joinpath("data/boilerplate_phrases.txt")
        return cls.parse(packaged.read_text(encoding="utf-8"))

    # --- matching ---------------------------------------------------------------------
    def is_protected(self, paragraph: str) -> bool:
        """True for text the learned rules must leave alone (wire credits, initials)."""
        return self._keep is not None and self._keep.fullmatch(paragraph.strip()) is not None

    def _whole_rule(self, text: str, folded: str, memo: TextMemo | None) -> str | None:
        if len(text) <= self._whole_max_chars:
            key = memo.key(text) if memo is not None else comparison_key(text)
            if key.rstrip(_KEY_TRAIL) in self._whole:
                return "phrase"
        if self._prefixes and folded.startswith(self._prefixes):
            return "prefix"
        if self._line is not None and self._line.fullmatch(text):
            return "line"
        if self._credit is not None and self._credit.fullmatch(text):
            return "credit"
        return None

    def _cut_head(self, text: str, folded: str) -> str | None:
        for phrase in self._heads.get(folded[:_INDEX_CHARS], ()):
            if not folded.startswith(phrase):
                continue
            rest = text[len(phrase) :].lstrip()
            # "...search resultsThe Southeast Asian..." is two blocks run together; a
            # lower-case continuation means the phrase is the start of a real sentence.
            if not rest or phrase[-1] in ".!?" or not rest[0].islower():
                return rest
        return None

    def _cut_tail(self, text: str, folded: str) -> str | None:
        for phrase in self._tails.get(folded[-_INDEX_CHARS:], ()):
            if not folded.endswith(phrase):
                continue
            head = text[: len(text) - len(phrase)]
            stripped = head.rstrip()
            if (
                not stripped
                or stripped[-1] in _SENTENCE_END
                or (stripped == head and stripped[-1].islower() and text[len(head)].isupper())
            ):
                return stripped
        return None

    def _cut_credit(self, text: str) -> str | None:
        """`text` without the photo credit it ends with; "" when what precedes the credit
        is a caption that lost its <figure> (short: a story paragraph never ends with a
        photographer's credit, a caption always does)."""
        if self._credit is None or not text.endswith(")"):
            return None
        start = text.rfind("(")
        if start > 0 and self._credit.fullmatch(text, start):
            before = text[:start].rstrip()
            return "" if len(before) <= MAX_CAPTION_CHARS else before
        return None

    def _split_inner(self, text: str, folded: str) -> tuple[str, str] | None:
        """Story text on either side of chrome glued in the middle of a paragraph.

        Both seams must look like block boundaries (a sentence end, or a lower-case
        letter run into a capital, before the chrome; a capital, digit or opening quote
        after it), so a widget's words inside a real sentence are left alone."""
        if self._inner is None:
            return None
        # Nearly every paragraph holds none of the phrases: a few substring tests in C
        # settle that far faster than the alternation, which tries every phrase at
        # every position.
        if not any(map(folded.__contains__, self._inner_phrases)):
            return None
        for found in self._inner.finditer(folded):
            start, end = found.span()
            before, after = text[:start].rstrip(), text[end:].lstrip()
            if not before or not after:
                continue  # at an edge: _cut_head/_cut_tail decided already
            glued = len(before) == start
            opens = before[-1] in _SENTENCE_END or (
                glued and before[-1].islower() and text[start].isupper()
            )
            if opens and (after[0].isupper() or after[0].isdigit() or after[0] in _BLOCK_OPENERS):
                return before, after
        return None

    def match(self, paragraph: str, memo: TextMemo | None = None) -> PhraseMatch:
        """Apply every rule to one (normalised) paragraph.

        `memo` (the item's) lends the folded text and comparison key when another step
        has computed them already."""
        text = paragraph.strip()
        rule: str | None = None
        while text:
            folded = memo.fold(text) if memo is not None else fold(text)
            whole = self._whole_rule(text, folded, memo)
            if whole is not None:
                # Chrome glued to chrome counts as the rule that removed the last piece.
                return PhraseMatch("", whole if rule is None else rule)
            cut = self._cut_head(text, folded)
            if cut is None:
                cut = self._cut_tail(text, folded)
                if cut is None:
                    cut = self._cut_credit(text)
                    if cut is None:
                        break
                    rule = rule or "credit"
            rule = rule or "phrase"
            text = cut
        if not text:
            return PhraseMatch("", rule or "phrase")
        # `folded` is still the fold of `text`: the loop only leaves through `break`.
        halves = self._split_inner(text, folded)
        if halves is not None:
            pieces = [self.match(half, memo).text for half in halves]
            return PhraseMatch(PARAGRAPH_SEPARATOR.join(p for p in pieces if p), rule or "phrase")
        if rule is None:
            return PhraseMatch(paragraph, None)
        return PhraseMatch(text, rule)

    def is_chrome(self, paragraph: str, memo: TextMemo | None = None) -> bool:
        """True when the rules would remove the paragraph entirely."""
        return self.match(paragraph, memo).removed
