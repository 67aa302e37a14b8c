"""newscrawl.datasets.merge: the latest version of each article, streamed by publication."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from newscrawl.datasets.merge import LatestVersions


def rec(url: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "url": f"https://www.thejakartapost.com/world/{url}.html",
        "published_at": "2024-05-01T10:00:00+07:00",
        "modified_at": None,
        "crawled_at": "2024-05-01T05:00:00+00:00",
        "version": 1,
        "title": url,
    }
    return {**base, **fields}


def merged(*records: dict[str, object], **bounds: datetime) -> list[dict[str, object]]:
    with LatestVersions() as latest:
        for record in records:
            latest.add(record)
        return list(latest.records(**bounds))


def test_highest_version_wins_in_any_order():
    old = rec("a", version=1, title="first", crawled_at="2024-05-09T00:00:00+00:00")
    new = rec("a", version=2, title="corrected", crawled_at="2024-05-02T00:00:00+00:00")

    assert [r["title"] for r in merged(old, new)] == ["corrected"]
    assert [r["title"] for r in merged(new, old)] == ["corrected"]


def test_same_version_later_modified_at_wins_compared_as_instants():
    # 10:00 at +07:00 is 03:00 UTC, earlier than 04:00Z although it sorts later as text.
    wib = rec("a", modified_at="2024-05-01T10:00:00+07:00", title="03:00Z")
    utc = rec("a", modified_at="2024-05-01T04:00:00Z", title="04:00Z")
    missing = rec("a", modified_at=None, title="none", crawled_at="2024-05-30T00:00:00Z")

    assert [r["title"] for r in merged(utc, wib, missing)] == ["04:00Z"]
    assert [r["title"] for r in merged(missing, wib)] == ["03:00Z"]


def test_same_version_and_modified_at_later_crawl_wins():
    early = rec("a", crawled_at="2024-05-01T05:00:00+00:00", title="early")
    late = rec("a", crawled_at="2024-05-01T13:00:00+07:00", title="late")  # 06:00 UTC

    assert [r["title"] for r in merged(late, early)] == ["late"]
    assert [r["title"] for r in merged(early, late)] == ["late"]


def test_records_come_out_by_published_instant_then_url_undated_last():
    records = [
        rec("undated", published_at=None),
        rec("c", published_at="2024-05-02T20:00:00Z"),  # 05-03 03:00 at +07:00
        rec("b", published_at="2024-05-03T01:00:00+07:00"),  # 05-02 18:00 UTC
        rec("a", published_at="2024-05-02T18:00:00Z"),  # same instant as b
        rec("z", published_at="2024-04-30T23:00:00+07:00"),
    ]

    assert [r["title"] for r in merged(*records)] == ["z", "a", "b", "c", "undated"]


def test_range_is_inclusive_and_leaves_out_undated_records():
    records = [
        rec("before", published_at="2024-05-01T06:59:59+07:00"),
        rec("start", published_at="2024-05-01T07:00:00+07:00"),
        rec("end", published_at="2024-05-02T00:00:00Z"),
        rec("after", published_at="2024-05-02T00:00:01Z"),
        rec("undated", published_at=None),
    ]
    since = datetime(2024, 5, 1, 0, 0, tzinfo=timezone.utc)
    until = datetime(2024, 5, 2, 0, 0, tzinfo=timezone.utc)

    assert [r["title"] for r in merged(*records, since=since, until=until)] == ["start", "end"]
    assert [r["title"] for r in merged(*records, since=since)] == ["start", "end", "after"]
    assert [r["title"] for r in merged(*records, until=until)] == ["before", "start", "end"]


def test_counts_and_scratch_database_removed(tmp_path):
    with LatestVersions(tmp_path) as latest:
        for n in range(2500):  # more than one batch
            latest.add(rec(f"a{n % 1000}", version=1 + n // 1000))
        assert latest.added == 2500
        assert latest.distinct == 1000
        assert latest.count() == 1000
        # a0..a499 reach version 3 (n up to 2499), a500..a999 only version 2.
        assert Counter(r["version"] for r in latest.records()) == {3: 500, 2: 500}
        assert any(tmp_path.iterdir())
    assert list(tmp_path.iterdir()) == []
