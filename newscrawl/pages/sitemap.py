"""Sitemap page: the URLs a sitemap index or urlset names, with the dates it gives.

Reads sitemap indexes, plain urlsets (``<lastmod>``) and Google News sitemaps
(``<news:publication_date>``, ``<news:title>``). Scrapy's own `scrapy.utils.sitemap.Sitemap`
keeps only the sitemap protocol's own children and drops the ``news:*`` ones, so the
document is read here with lxml, by local name, which also copes with sitemaps that
declare no namespace or a wrong one.

Sitemaps come from the network and are parsed defensively: gzip bodies are inflated up
to a size cap (a gzip bomb stops there), the parser expands no entity, loads no DTD and
never touches the network, and a document that is not a sitemap raises `SitemapError`
with the reason instead of yielding nothing silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property

from lxml import etree
from scrapy.utils.gz import gunzip

from newscrawl.pages.fields import SITE_TZ
from newscrawl.text import clean_text

_GZIP_MAGIC = b"\x1f\x8b"
# W3C datetime, the sitemap protocol's date format: a day, or a day and a time of day
# (minutes at least) with an optional offset.
_W3C = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


class SitemapError(ValueError):
    """The body is not a sitemap this reader can use; the message says why."""


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` of a urlset."""

    url: str
    #: The publication day (``news:publication_date``), and the instant when it gives a time.
    published: date | None = None
    published_at: datetime | None = None
    #: ``<lastmod>``: when the page last changed (an instant, or the start of a day).
    lastmod: datetime | None = None
    #: ``news:title``.
    title: str | None = None


@dataclass(frozen=True)
class SitemapRef:
    """One ``<sitemap>`` of a sitemap index."""

    url: str
    lastmod: datetime | None = None


def parse_w3c_datetime(raw: str | None) -> tuple[date, datetime | None] | None:
    """The day of a W3C datetime, and the instant when it has a time of day. Times
    without an offset are taken as site time (+07:00)."""
    found = _W3C.match(raw or "")
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    try:
        day_value = date(int(year), int(month), int(day))
        if hour is None:
            return day_value, None
        zone = _zone(offset)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime.combine(
            day_value, time(int(hour), int(minute), int(second or 0), micro), zone
        )
    except ValueError:
        return None
    return moment.astimezone(SITE_TZ).date(), moment


def _zone(offset: str | None) -> timezone:
    if not offset:
        return SITE_TZ
    if offset == "Z":
        return timezone.utc
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return timezone(-delta if offset[0] == "-" else delta)


def _lastmod(raw: str | None) -> datetime | None:
    parsed = parse_w3c_datetime(raw)
    if parsed is None:
        return None
    day, moment = parsed
    return moment or datetime.combine(day, time(), SITE_TZ)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            text = clean_text("".join(child.itertext()))
            return text or None
    return None


class SitemapPage:
    """A sitemap document fetched from `url`.

    `max_size` caps the inflated size of a gzip body (bytes; 0 = no cap).
    """

    def __init__(self, body: bytes, url: str, *, max_size: int = 0) -> None:
        self.body = body
        self.url = url
        self.max_size = max_size

    @cached_property
    def root(self) -> etree._Element:
        data = self.body
        if data[:2] == _GZIP_MAGIC:
            try:
                data = gunzip(data, max_size=self.max_size)
            except (OSError, EOFError, ValueError) as exc:
                raise SitemapError(f"gzip body cannot be inflated: {exc}") from None
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            recover=True,
        )
        try:
            root = etree.fromstring(data, parser=parser)
        except etree.XMLSyntaxError as exc:
            raise SitemapError(f"not XML: {exc}") from None
        if root is None:
            raise SitemapError("empty or unreadable XML document")
        if _local(root) not in ("urlset", "sitemapindex"):
            raise SitemapError(f"root element <{_local(root) or root.tag}> is not a sitemap")
        return root

    @property
    def kind(self) -> str:
        """``"index"`` (a sitemap of sitemaps) or ``"urlset"``."""
        return "index" if _local(self.root) == "sitemapindex" else "urlset"

    def sitemaps(self) -> list[SitemapRef]:
        """The sitemaps an index names (empty for a urlset)."""
        if self.kind != "index":
            return []
        refs = []
        for node in self.root:
            if _local(node) != "sitemap":
                continue
            loc = _child_text(node, "loc")
            if loc:
                refs.append(SitemapRef(loc, _lastmod(_child_text(node, "lastmod"))))
        return refs

    def entries(self) -> list[SitemapEntry]:
        """The pages a urlset names, in document order (empty for an index)."""
        if self.kind != "urlset":
            return []
        found = []
        for node in self.root:
            if _local(node) != "url":
                continue
            loc = _child_text(node, "loc")
            if not loc:
                continue
            news = next((child for child in node if _local(child) == "news"), None)
            published = parse_w3c_datetime(
                _child_text(news, "publication_date") if news is not None else None
            )
            found.append(
                SitemapEntry(
                    url=loc,
                    published=published[0] if published else None,
                    published_at=published[1] if published else None,
                    lastmod=_lastmod(_child_text(node, "lastmod")),
                    title=_child_text(news, "title") if news is not None else None,
                )
            )
        return found

    @cached_property
    def is_news(self) -> bool:
        """Whether this is a Google News sitemap (its entries carry news:* data)."""
        return any(_local(child) == "news" for node in self.root for child in node)
