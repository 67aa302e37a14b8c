"""Timestamps of records and of --since/--until bounds, as comparable instants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

#: The site's own zone (WIB, UTC+07:00). Dates and times given without an offset are
#: read in it, and articles are counted per day of it, as the site dates them.
SITE_TZ = timezone(timedelta(hours=7), "WIB")


class BoundError(ValueError):
    """A --since/--until value is neither a date nor an ISO 8601 date-time."""


def parse_instant(value: object) -> datetime | None:
    """An aware datetime from an ISO 8601 string, or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SITE_TZ)


def epoch(value: object) -> float | None:
    moment = parse_instant(value)
    return moment.timestamp() if moment is not None else None


def site_day(value: object) -> date | None:
    """The calendar day (in the site's zone) of an ISO 8601 instant."""
    moment = parse_instant(value)
    return moment.astimezone(SITE_TZ).date() if moment is not None else None


def parse_bound(text: str, *, end: bool) -> datetime:
    """--since / --until: a date (whole day, in the site's zone) or an ISO date-time.

    A bare date as an upper bound means the end of that day, so
    ``--since 2025-04-01 --until 2025-04-30`` covers all of April.
    """
    value = text.strip()
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise BoundError(f"{text!r} is not a date such as 2025-04-30") from None
        if end:
            return datetime.combine(day + timedelta(days=1), time.min, SITE_TZ) - timedelta(
                microseconds=1
            )
        return datetime.combine(day, time.min, SITE_TZ)
    moment = parse_instant(value)
    if moment is None:
        raise BoundError(
            f"{text!r} is neither a date (YYYY-MM-DD) nor an ISO 8601 date-time "
            "such as 2025-04-08T16:00+07:00"
        )
    return moment
