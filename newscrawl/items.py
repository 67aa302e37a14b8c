"""The records newscrawl exports.

`Article` is the analysts' contract: its fields, in this order, are the keys of every
JSON Lines record. `newscrawl/schema/article.schema.json` publishes the same contract
as JSON Schema; `tests/test_schema.py` keeps the two in step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

from newscrawl.cleaning.memo import TextMemo

#: Paragraphs inside `Article.body` are separated by exactly this string.
PARAGRAPH_SEPARATOR = "\n\n"

#: Which extractor produced the body (and whether the page's markup was recognised).
EXTRACTION_PATHS = ("current-layout", "legacy-layout", "structured-data", "generic-fallback")


@dataclass
class Article:
    """One news article, cleaned.

    Dates are ISO 8601 strings with their UTC offset (the site publishes in +07:00).
    `body` holds the story's paragraphs, subheadings and list items in reading
    order, separated by one blank line.
    """

    url: str
    section: str
    title: str
    summary: str | None
    authors: list[str]
    published_at: str | None
    modified_at: str | None
    tags: list[str]
    image_url: str | None
    body: str
    word_count: int
    is_premium: bool
    is_truncated: bool
    language: str
    crawled_at: str
    extraction_path: str
    version: int = 1
    content_hash: str = ""
    quality_flags: list[str] = field(default_factory=list)
    # Internal (never exported, see EXPORT_FIELDS): characters of the body as extracted,
    # before any cleaning, so validation can tell when cleaning gutted a record.
    raw_body_chars: int = field(default=0, metadata={"internal": True})
    # Internal: the page's other copies of the story's opening (the start of JSON-LD
    # `articleBody`, the descriptions, the listing's teaser), the evidence the drop-cap
    # repair weighs when the page lost the space after the first letter.
    opening_copies: list[str] = field(default_factory=list, metadata={"internal": True})

    @property
    def paragraphs(self) -> list[str]:
        return list(self._split())  # a copy: callers edit their list, not the memo's

    @paragraphs.setter
    def paragraphs(self, paragraphs: list[str]) -> None:
        memo = self.memo()
        kept = [p for p in paragraphs if p.strip()]
        body = PARAGRAPH_SEPARATOR.join(kept)
        self.body = body
        # The separator is whitespace, so no word spans two paragraphs: the sum equals
        # count_words(body), and unchanged paragraphs are not counted again.
        self.word_count = sum(memo.words(p) for p in kept)
        # Splitting the body again gives back `kept` unless a paragraph holds a line
        # break of its own, which one count over the body rules out.
        memo.paragraphs = kept if body.count("\n") == 2 * len(kept) - 2 else split_paragraphs(body)
        memo.body = body

    def body_words(self) -> int:
        """`count_words(self.body)`, from the memoised paragraphs."""
        words = self.memo().words
        return sum(words(p) for p in self._split())

    def _split(self) -> list[str]:
        memo = self.memo()
        if memo.body is not self.body:
            memo.paragraphs = split_paragraphs(self.body)
            memo.body = self.body
        return memo.paragraphs

    def memo(self) -> TextMemo:
        """This item's `TextMemo`, shared by the cleaning pipelines.

        Kept in the instance dict rather than as a dataclass field: fields are what
        exporters, `ItemAdapter` and `asdict` see, and a cache must never reach a feed.
        """
        memo: TextMemo | None = self.__dict__.get("_memo")
        if memo is None:
            memo = self.__dict__["_memo"] = TextMemo()
        return memo

    def __getstate__(self) -> dict[str, object]:
        # The memo is this process's cache: a record sent to another process (from an
        # extraction worker) travels without it, and the receiver rebuilds what it asks.
        state = dict(self.__dict__)
        state.pop("_memo", None)
        return state

    def flag(self, name: str) -> None:
        if name not in self.quality_flags:
            self.quality_flags.append(name)


#: The exported keys, in order (FEED_EXPORT_FIELDS); internal fields are left out.
EXPORT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Article) if not f.metadata.get("internal")
)


def split_paragraphs(body: str) -> list[str]:
    return [p for p in body.split(PARAGRAPH_SEPARATOR) if p.strip()]


def join_paragraphs(paragraphs: list[str]) -> str:
    return PARAGRAPH_SEPARATOR.join(p for p in paragraphs if p.strip())


def count_words(text: str) -> int:
    return len(text.split())


def content_hash(article: Article) -> str:
    """SHA-256 over what a reader sees: a correction to any of it changes the hash."""
    digest = hashlib.sha256()
    for part in (article.title, article.summary or "", article.body):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()
