"""Summaries of a set of articles: per day, per author, per tag, word counts, premium share.

Memory grows with the number of distinct days, authors, tags and word counts, never
with the number of articles. Word-count percentiles are exact (nearest rank), computed
from a count of each distinct word count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newscrawl.datasets.instants import epoch, site_day

#: Word-count histogram buckets: (label, lowest, highest inclusive or None).
WORD_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-249", 1, 249),
    ("250-499", 250, 499),
    ("500-999", 500, 999),
    ("1000-1999", 1000, 1999),
    ("2000+", 2000, None),
)
PERCENTILES = (25, 50, 75, 90)


@dataclass
class DatasetStats:
    articles: int = 0
    premium: int = 0
    truncated: int = 0
    undated: int = 0
    no_byline: int = 0
    untagged: int = 0
    first_published: str | None = None
    last_published: str | None = None
    per_day: Counter[str] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    word_counts: Counter[int] = field(default_factory=Counter)
    _first: float | None = None
    _last: float | None = None

    def add(self, record: dict[str, Any]) -> None:
        self.articles += 1
        self.premium += record.get("is_premium") is True
        self.truncated += record.get("is_truncated") is True
        published = record.get("published_at")
        day = site_day(published)
        moment = epoch(published)
        if day is None or moment is None:
            self.undated += 1
        else:
            self.per_day[day.isoformat()] += 1
            if self._first is None or moment < self._first:
                self._first, self.first_published = moment, str(published)
            if self._last is None or moment > self._last:
                self._last, self.last_published = moment, str(published)
        authors = _strings(record.get("authors"))
        self.authors.update(authors)
        self.no_byline += not authors
        tags = _strings(record.get("tags"))
        self.tags.update(tags)
        self.untagged += not tags
        words = record.get("word_count")
        if isinstance(words, int) and not isinstance(words, bool):
            self.word_counts[words] += 1

    def word_count_summary(self) -> dict[str, Any]:
        total = sum(self.word_counts.values())
        if not total:
            return {"articles": 0}
        values = sorted(self.word_counts)
        summary: dict[str, Any] = {
            "articles": total,
            "min": values[0],
            "max": values[-1],
            "mean": round(sum(v * n for v, n in self.word_counts.items()) / total, 1),
        }
        for p in PERCENTILES:
            summary[f"p{p}"] = self._nearest_rank(p, total, values)
        summary["histogram"] = {
            label: sum(
                n for v, n in self.word_counts.items() if low <= v and (high is None or v <= high)
            )
            for label, low, high in WORD_BUCKETS
        }
        return summary

    def _nearest_rank(self, percent: int, total: int, values: list[int]) -> int:
        rank = max(1, -(-percent * total // 100))  # ceil(percent/100 * total)
        seen = 0
        for value in values:
            seen += self.word_counts[value]
            if seen >= rank:
                return value
        return values[-1]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """Plain data for --json; `top` limits authors and tags (None: all)."""
        return {
            "articles": self.articles,
            "date_range": {"first": self.first_published, "last": self.last_published},
            "premium": self.premium,
            "premium_share": round(self.premium / self.articles, 4) if self.articles else None,
            "truncated": self.truncated,
            "undated": self.undated,
            "per_day": dict(sorted(self.per_day.items())),
            "authors": dict(_top(self.authors, top)),
            "no_byline": self.no_byline,
            "distinct_authors": len(self.authors),
            "tags": dict(_top(self.tags, top)),
            "untagged": self.untagged,
            "distinct_tags": len(self.tags),
            "word_count": self.word_count_summary(),
        }


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    # An author listed twice on one byline still wrote one article.
    return list(dict.fromkeys(item for item in value if isinstance(item, str) and item))


def _top(counter: Counter[str], top: int | None) -> list[tuple[str, int]]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked if top is None else ranked[:top]


def render(data: dict[str, Any], *, extra: dict[str, Any] | None = None) -> str:
    """The `to_dict()` summary as plain-text tables for a terminal."""
    lines: list[str] = []
    articles = data["articles"]
    if extra:
        lines += _table("Input", [(k, str(v)) for k, v in extra.items()])
    share = data["premium_share"]
    lines += _table(
        "Articles",
        [
            ("articles", f"{articles:,}"),
            ("first published", data["date_range"]["first"] or "-"),
            ("last published", data["date_range"]["last"] or "-"),
            ("premium", f"{data['premium']:,} ({share:.1%})" if share is not None else "0"),
            ("truncated by paywall", f"{data['truncated']:,}"),
            ("without a date", f"{data['undated']:,}"),
        ],
    )
    if not articles:
        return "\n".join(lines)
    lines += _table(
        "Articles per day (site time, UTC+07:00)", list(data["per_day"].items()), bars=True
    )
    lines += _table(
        f"Authors (top {len(data['authors'])} of {data['distinct_authors']}; "
        f"{data['no_byline']} without byline)",
        list(data["authors"].items()),
    )
    lines += _table(
        f"Tags (top {len(data['tags'])} of {data['distinct_tags']}; {data['untagged']} untagged)",
        list(data["tags"].items()),
    )
    words = data["word_count"]
    if words.get("articles"):
        lines += _table(
            "Word count",
            [
                (name, str(words[name]))
                for name in ("min", *(f"p{p}" for p in PERCENTILES), "max", "mean")
            ],
        )
        lines += _table("Word count histogram", list(words["histogram"].items()), bars=True)
    return "\n".join(lines)


BAR_WIDTH = 30


def _table(title: str, rows: list[tuple[str, Any]], *, bars: bool = False) -> list[str]:
    out = [title, "-" * len(title)]
    if not rows:
        return [*out, "(none)", ""]
    width = max(len(str(k)) for k, _ in rows)
    values = [str(v) if not isinstance(v, int) else f"{v:,}" for _, v in rows]
    value_width = max(len(v) for v in values)
    peak = max((v for _, v in rows if isinstance(v, int)), default=0)
    # Numbers line up on the right; a column holding text (dates) reads better on the left.
    align = ">" if all(isinstance(v, int) for _, v in rows) else "<"
    for (key, raw), value in zip(rows, values, strict=True):
        line = f"{key!s:<{width}}  {value:{align}{value_width}}"
        if bars and isinstance(raw, int) and peak:
            line += "  " + "#" * max(1 if raw else 0, round(BAR_WIDTH * raw / peak))
        out.append(line.rstrip())
    return [*out, ""]
