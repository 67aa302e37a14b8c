"""newscrawl.datasets.stats: counts worked out by hand on four articles."""

from __future__ import annotations

from newscrawl.datasets.stats import DatasetStats, render


def article(published: str | None, words: int, authors: list[str], tags: list[str], premium: bool):
    return {
        "published_at": published,
        "word_count": words,
        "authors": authors,
        "tags": tags,
        "is_premium": premium,
        "is_truncated": premium,
    }


ARTICLES = [
    article("2024-05-01T09:00:00+07:00", 300, ["AFP"], ["Asia", "trade"], False),
    # 20:00 UTC on the 1st is 03:00 on the 2nd in Jakarta.
    article("2024-05-01T20:00:00Z", 100, ["Alice Lee", "AFP"], ["Asia"], True),
    article("2024-05-02T12:00:00+07:00", 2400, [], [], False),
    article(None, 200, ["AFP", "AFP"], ["trade"], False),
]


def summary() -> dict:
    stats = DatasetStats()
    for record in ARTICLES:
        stats.add(record)
    return stats.to_dict()


def test_counts():
    data = summary()

    assert data["articles"] == 4
    assert data["per_day"] == {"2024-05-01": 1, "2024-05-02": 2}
    assert data["undated"] == 1
    assert data["date_range"] == {
        "first": "2024-05-01T09:00:00+07:00",
        "last": "2024-05-02T12:00:00+07:00",
    }
    assert data["authors"] == {"AFP": 3, "Alice Lee": 1}
    assert data["no_byline"] == 1
    assert data["tags"] == {"Asia": 2, "trade": 2}
    assert data["untagged"] == 1
    assert data["premium"] == 1
    assert data["premium_share"] == 0.25
    assert data["truncated"] == 1


def test_word_count_distribution_nearest_rank():
    words = summary()["word_count"]

    # sorted: 100, 200, 300, 2400 -> ranks ceil(p/100 * 4)
    assert {k: words[k] for k in ("min", "p25", "p50", "p75", "p90", "max")} == {
        "min": 100, "p25": 100, "p50": 200, "p75": 300, "p90": 2400, "max": 2400,
    }  # fmt: skip
    assert words["mean"] == 750.0
    assert words["histogram"] == {
        "1-249": 2, "250-499": 1, "500-999": 0, "1000-1999": 0, "2000+": 1,
    }  # fmt: skip


def test_top_limits_authors_and_tags():
    stats = DatasetStats()
    for record in ARTICLES:
        stats.add(record)

    assert stats.to_dict(top=1)["authors"] == {"AFP": 3}
    assert stats.to_dict(top=1)["distinct_authors"] == 2


def test_table_rendering():
    text = render(summary())

    lines = text.splitlines()
    assert "Articles per day (site time, UTC+07:00)" in lines
    assert "2024-05-02  2  ##############################" in lines
    assert "premium               1 (25.0%)" in lines
    assert any(line.startswith("AFP") and line.rstrip().endswith("3") for line in lines)


def test_empty():
    data = DatasetStats().to_dict()
    assert data["articles"] == 0
    assert data["premium_share"] is None
    assert "articles              0" in render(data)
