"""Spider arguments (`-a name=value`), parsed and validated once, before any request.

Scrapy hands spider arguments over as strings; `CrawlArguments.parse` turns them into
typed values or raises `ArgumentError` with a message that says what was wrong and
what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from newscrawl.urls import KNOWN_SECTIONS

_SECTION = re.compile(r"^[a-z0-9-]+(?:/[a-z0-9-]+)*$")
_RELATIVE = re.compile(r"^(\d+)\s*([dhw])$")
ACCEPTED_SINCE = (
    "YYYY-MM-DD, an ISO 8601 date-time such as 2025-04-08T16:00+07:00, "
    "or a relative age such as 48h, 7d or 2w"
)


#: Discovery channels, in the order they are named in messages: the section's listing
#: pages, its news sitemap (recent articles), its archive sitemap (every article: for
#: backfills, opt-in).
CHANNELS = ("listing", "sitemap", "archive")
DEFAULT_CHANNELS = ("listing", "sitemap")


class ArgumentError(ValueError):
    """A spider argument has a value the spider cannot use."""


@dataclass(frozen=True)
class CrawlArguments:
    section: str = "world"
    since: date | None = None
    max_pages: int | None = None
    discover: tuple[str, ...] = DEFAULT_CHANNELS

    @classmethod
    def parse(cls, raw: dict[str, Any], *, today: date | None = None) -> CrawlArguments:
        unknown = sorted(set(raw) - {"section", "since", "max_pages", "discover", "_job"})
        if unknown:
            raise ArgumentError(
                f"unknown spider argument(s) {', '.join(unknown)}; "
                "accepted: section, since, max_pages, discover"
            )
        return cls(
            section=parse_section(raw.get("section", "world")),
            since=parse_since(raw.get("since"), today=today),
            max_pages=parse_max_pages(raw.get("max_pages")),
            discover=parse_discover(raw.get("discover")),
        )


def parse_section(value: Any) -> str:
    section = str(value).strip().strip("/").lower()
    if not _SECTION.match(section):
        raise ArgumentError(
            f"section {value!r} is not a section slug such as 'world' or 'business/companies'"
        )
    if section.split("/", 1)[0] not in KNOWN_SECTIONS:
        raise ArgumentError(
            f"unknown section {value!r}; known sections: {', '.join(KNOWN_SECTIONS)}"
        )
    return section


def parse_since(value: Any, *, today: date | None = None) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    relative = _RELATIVE.match(text.lower())
    if relative:
        amount, unit = int(relative[1]), relative[2]
        delta = {
            "h": timedelta(hours=amount),
            "d": timedelta(days=amount),
            "w": timedelta(weeks=amount),
        }[unit]
        now = (
            datetime.now(timezone.utc)
            if today is None
            else datetime.combine(today, datetime.min.time(), timezone.utc)
        )
        return (now - delta).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ArgumentError(f"since={text!r} is not a date; accepted: {ACCEPTED_SINCE}") from None


def parse_max_pages(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        pages = int(str(value).strip())
    except ValueError:
        raise ArgumentError(
            f"max_pages={value!r} is not a whole number; give a positive integer such as 5"
        ) from None
    if pages < 1:
        raise ArgumentError(f"max_pages={value!r} must be at least 1")
    return pages


def parse_discover(value: Any) -> tuple[str, ...]:
    """ "listing,sitemap" -> ("listing", "sitemap"); empty means the default channels."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_CHANNELS
    names = [n.strip().lower() for n in str(value).replace("+", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise ArgumentError(
            f"discover={value!r} names unknown channel(s) {', '.join(unknown)}; "
            f"accepted: a comma-separated list of {', '.join(CHANNELS)}"
        )
    return tuple(c for c in CHANNELS if c in names)
