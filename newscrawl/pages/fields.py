"""Pure functions that turn the site's raw strings into field values."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from newscrawl.text import clean_text

#: The site publishes in Western Indonesia Time; naive times on its pages are in it.
SITE_TZ = timezone(timedelta(hours=7), "WIB")

# --- titles -----------------------------------------------------------------------------
# A separator is a pipe, or a dash with spaces around it: the hyphen in "line-up" or
# "Indonesia-Australia" belongs to the headline.
_SEPARATOR = r"(?:\s+[-\u2013\u2014]\s+|\s*\|\s*)"
_TITLE_SUFFIX = re.compile(
    _SEPARATOR + r"(?:(?:(?!" + _SEPARATOR + r").){1,40}" + _SEPARATOR + r")?"
    r"(?:the\s+)?jakarta\s*post\s*$",
    re.IGNORECASE,
)


def clean_title(raw: str | None) -> str | None:
    """Headline without the site's " - Section - The Jakarta Post" suffix."""
    if not raw:
        return None
    title = clean_text(_TITLE_SUFFIX.sub("", clean_text(raw)))
    return title or None


# --- authors ----------------------------------------------------------------------------
_AFFILIATION = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|oleh|written by)\s*[:\-]?\s+", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
# Lower-case words that may sit inside a person's name (Dutch, Arabic, Malay particles).
_NAME_PARTICLES = frozenset(
    {
        "van",
        "der",
        "de",
        "den",
        "da",
        "di",
        "bin",
        "binti",
        "al",
        "el",
        "la",
        "le",
        "von",
        "dos",
        "du",
    }
)
# The paper's own name ends a byline, with or without brackets; on 2009-2015 pages a
# dateline place follows it ("Name, The Jakarta Post, Jakarta").
_PUBLICATION_TAIL = re.compile(r"[\s,/\-–—]*\b(?:the\s+)?jakarta\s*post\b.*$", re.IGNORECASE)
_ROLE = re.compile(
    r"\b(?:editor|editors|reporter|correspondent|contributor|writer|columnist|staff|journalist|"
    r"researcher|analyst|lecturer|photographer|chief|deputy|managing|senior|intern)\b",
    re.IGNORECASE,
)
_NOT_AUTHORS = frozenset({"the jakarta post", "jakarta post", "tjp", "admin", "staff"})


def _looks_like_person(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 5:
        return False
    return all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words if w[0].isalpha())


def split_byline(raw: str, *, organisation: bool = False) -> list[str]:
    """Names in a byline: "A (The Jakarta Post)", "A, B and C", "Editorial board".

    A byline is split on commas and "and" only when every part looks like a personal
    name, so "Centre for Strategic and International Studies" stays one organisation.
    """
    # Desk and date follow a "|" on 2009-2015 pages: "Name, The Jakarta Post, Jakarta | World".
    text = clean_text(_BYLINE_PREFIX.sub("", clean_text(raw).split("|", 1)[0]))
    while _AFFILIATION.search(text):
        text = _AFFILIATION.sub("", text)
    text = _PUBLICATION_TAIL.sub("", text).strip()
    if not text:
        return []
    names = [text]
    if not organisation:
        parts = [p for p in _LIST_SPLIT.split(text) if p]
        cleaned = [_AFFILIATION.sub("", p).strip() for p in parts]
        # "Name, Senior Editor": a job title is no second author.
        cleaned = [p for p in cleaned if not _ROLE.search(p)] or cleaned[:1]
        if (len(cleaned) > 1 and all(_looks_like_person(p) for p in cleaned)) or len(cleaned) == 1:
            names = cleaned
    # A name has no digits: "Tue, March 12, 2019 09:15 am" in a byline box is its date.
    return [
        n for n in names if n and n.lower() not in _NOT_AUTHORS and not any(c.isdigit() for c in n)
    ]


def unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


# --- dates ------------------------------------------------------------------------------
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
# Date, then optionally the time, separated by commas, spaces, or the "|", "/" and "-"
# older pages put between them ("Mon, August 7, 2017 / 05:42 pm").
_CLOCK = r"(?:(?:[,|/\s]|\s-\s)+(\d{1,2})[:.](\d{2})\s*([AaPp]\.?[Mm]\.?)?)?"
_HUMAN = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})" + _CLOCK)
_HUMAN_DMY = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})" + _CLOCK)
# 2009-2015 datelines: "Thu, 09/16/2010 7:42 AM" (month first, as the site wrote them).
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})" + _CLOCK)
_URL_DATE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")


def _tz(offset: str | None) -> timezone:
    if not offset:
        return SITE_TZ
    if offset == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def parse_iso_datetime(raw: str | None) -> datetime | None:
    """An ISO 8601 instant found in `raw`; naive values are taken as site time (+07:00)."""
    if not raw:
        return None
    match = _ISO.search(raw)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    # Fractions of a second are kept (to the microsecond): they are part of the instant.
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=_tz(offset),
        )
    except ValueError:
        return None


def parse_human_datetime(raw: str | None) -> datetime | None:
    """ "Apr. 8, 2025", "Wed, April 9, 2025 10:05 am" or "8 April 2025", in site time."""
    if not raw:
        return None
    for pattern, order in ((_HUMAN, "mdy"), (_HUMAN_DMY, "dmy")):
        match = pattern.search(raw)
        if not match:
            continue
        if order == "mdy":
            month_name, day, year, hour, minute, ampm = match.groups()
        else:
            day, month_name, year, hour, minute, ampm = match.groups()
        month = _MONTHS.get(month_name.lower())
        if month is None:
            continue
        moment = _site_moment(int(year), month, int(day), hour, minute, ampm)
        if moment:
            return moment
    numeric = _NUMERIC.search(raw)
    if numeric:
        first, second, year, hour, minute, ampm = numeric.groups()
        month, day = int(first), int(second)
        if month > 12 >= day:  # day first after all
            month, day = day, month
        return _site_moment(int(year), month, day, hour, minute, ampm)
    return None


def _site_moment(
    year: int, month: int, day: int, hour: str | None, minute: str | None, ampm: str | None
) -> datetime | None:
    h = int(hour or 0)
    if ampm:
        h = h % 12 + (12 if ampm.lower().startswith("p") else 0)
    try:
        return datetime(year, month, day, h, int(minute or 0), tzinfo=SITE_TZ)
    except ValueError:
        return None


def date_from_url(url: str) -> date | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def isoformat(moment: datetime | None) -> str | None:
    """ISO 8601 with offset, as short as the instant allows: whole seconds when there is
    no fraction, milliseconds when that is all there is."""
    if moment is None:
        return None
    if not moment.microsecond:
        return moment.isoformat(timespec="seconds")
    if moment.microsecond % 1000 == 0:
        return moment.isoformat(timespec="milliseconds")
    return moment.isoformat(timespec="microseconds")


# --- misc -------------------------------------------------------------------------------
def split_keywords(raw: str | list[object] | None) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else re.split(r"[,;]", raw)
    return unique([clean_text(str(i)) for i in items if isinstance(i, str) and clean_text(i)])


def primary_language(raw: str | None) -> str | None:
    if not raw:
        return None
    match = re.match(r"\s*([A-Za-z]{2,3})\b", raw)
    return match[1].lower() if match else None
