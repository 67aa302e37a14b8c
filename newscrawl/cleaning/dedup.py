"""Repeated paragraphs within one article.

Two paragraphs are the same when their `comparison_key` is (whitespace, non-breaking
spaces, zero-width characters, quote and dash variants and case all folded); the first
occurrence stays. Containment is decided on purpose, not left to chance:

* a later paragraph wholly inside an earlier kept one is a repeat and goes;
* a later paragraph that holds an earlier kept one plus something else (the lead repeated
  with a caption credit, two blocks run together) loses the repeated part and keeps the
  rest, so no text that occurs only once is lost.

Containment only counts for paragraphs of `min_contained_chars` or more: a short
sentence ("He declined to comment.") can occur inside a longer one by coincidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newscrawl.cleaning.memo import TextMemo
from newscrawl.text import clean_text

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Shortest paragraph whose occurrence inside another counts as a repeat. Shared with
#: trafilatura's MIN_DUPLICATE_LENGTH reasoning: below one long clause, a match inside
#: another paragraph is as likely a coincidence (a quote, a stock phrase) as a repeat.
MIN_CONTAINED_CHARS = 50
#: Paragraphs compared pairwise for containment; past this the O(n^2) scan stops (no
#: real article comes close; a broken page with thousands of blocks must not stall).
CONTAINMENT_SCAN_CAP = 400


@dataclass
class DedupResult:
    paragraphs: list[str]
    removed_exact: int = 0
    removed_contained: int = 0
    trimmed: int = 0
    #: (index in the input, rule) of every paragraph removed or trimmed, for logging.
    changes: list[tuple[int, str]] = field(default_factory=list)


def _without(text: str, folded_text: str, folded_part: str) -> str | None:
    """`text` with the first occurrence of `folded_part` (matched folded) cut out."""
    start = folded_text.find(folded_part)
    if start < 0:
        return None
    before, after = text[:start].strip(), text[start + len(folded_part) :].strip()
    return clean_text(f"{before} {after}")


def dedup_paragraphs(
    paragraphs: Sequence[str],
    min_contained_chars: int = MIN_CONTAINED_CHARS,
    memo: TextMemo | None = None,
) -> DedupResult:
    """Repeats removed; `memo` (the item's, when given) holds forms other steps computed."""
    if memo is None:
        memo = TextMemo()
    result = DedupResult([])
    seen: set[str] = set()
    kept_folded: list[str] = []  # folded forms of kept paragraphs long enough to matter
    # The same forms joined by a line break, which no cleaned text holds: a folded text
    # occurs inside one of them exactly when it occurs in the joined string, so
    # containment in any kept paragraph is one C-level search instead of a Python loop.
    kept_joined = ""
    check_containment = len(paragraphs) <= CONTAINMENT_SCAN_CAP
    for index, paragraph in enumerate(paragraphs):
        text = memo.clean(paragraph)
        rule: str | None = None
        while text:
            key = memo.key(text)
            if key in seen:
                rule = "exact" if rule is None else rule
                text = ""
                break
            if not check_containment:
                break
            folded = memo.fold(text)
            if len(text) >= min_contained_chars and folded in kept_joined:
                rule = "contained" if rule is None else rule
                text = ""
                break
            size = len(folded)
            inner = None
            for kept in kept_folded:
                if len(kept) < size and kept in folded:
                    inner = kept
                    break
            if inner is None:
                break
            remainder = _without(text, folded, inner)
            if remainder is None:  # pragma: no cover - `inner in folded` guarantees a hit
                break
            rule = "trimmed"
            text = remainder
        if not text:
            if rule == "exact":
                result.removed_exact += 1
            else:
                result.removed_contained += 1
            result.changes.append((index, rule or "exact"))
            continue
        if rule == "trimmed":
            result.trimmed += 1
            result.changes.append((index, "trimmed"))
        seen.add(memo.key(text))
        if len(text) >= min_contained_chars:
            folded = memo.fold(text)
            kept_folded.append(folded)
            kept_joined = f"{kept_joined}\n{folded}" if kept_joined else folded
        result.paragraphs.append(paragraph if rule is None else text)
    return result
