"""--since/--until bounds and record timestamps as instants (site time is UTC+07:00)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from newscrawl.datasets.instants import BoundError, parse_bound, parse_instant, site_day

WIB = timezone(timedelta(hours=7))


def test_date_bounds_cover_whole_days_in_site_time():
    assert parse_bound("2024-05-01", end=False) == datetime(2024, 4, 30, 17, 0, tzinfo=timezone.utc)
    assert parse_bound("2024-05-31", end=True) == datetime(
        2024, 5, 31, 16, 59, 59, 999999, tzinfo=timezone.utc
    )


def test_date_time_bounds_keep_their_offset_or_default_to_site_time():
    assert parse_bound("2024-05-01T10:00:00Z", end=False) == datetime(
        2024, 5, 1, 10, tzinfo=timezone.utc
    )
    assert parse_bound("2024-05-01T10:00", end=True) == datetime(2024, 5, 1, 3, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["2024-13-01", "yesterday", "01/05/2024", ""])
def test_unreadable_bounds_are_rejected(text):
    with pytest.raises(BoundError):
        parse_bound(text, end=False)


def test_instants_and_site_days():
    assert parse_instant("2024-05-01T20:30:00Z") == datetime(2024, 5, 2, 3, 30, tzinfo=WIB)
    assert parse_instant(None) is None
    assert parse_instant("2024-02-30T10:00:00+07:00") is None
    assert site_day("2024-05-01T20:30:00Z") == date(2024, 5, 2)
    assert site_day("2024-05-01T20:30:00+07:00") == date(2024, 5, 1)
