"""SitemapPage: sitemap indexes, Google News and plain urlsets, read safely."""

from __future__ import annotations

import gzip
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from newscrawl.pages.sitemap import SitemapError, SitemapPage, parse_w3c_datetime
from newscrawl.urls import sitemap_kind, sitemap_section

if TYPE_CHECKING:
    from pathlib import Path

WIB = timezone(timedelta(hours=7))
WWW = "https://www.thejakartapost.com"

NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <!-- 2 of 2 -->
  <url>
    <loc>{WWW}/world/2026/03/03/a.html</loc>
    <news:news>
      <news:publication>
        <news:name>The Jakarta Post</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-03-03T08:15:00+07:00</news:publication_date>
      <news:title>Leaders meet &amp; agree</news:title>
    </news:news>
    <image:image><image:loc>https://img.jakpost.net/c/2026/1.jpg</image:loc></image:image>
  </url>
  <url>
    <loc>
      {WWW}/world/2026/03/02/b.html
    </loc>
    <lastmod>2026-03-02T23:10Z</lastmod>
    <news:news><news:publication_date>2026-03-02</news:publication_date></news:news>
  </url>
  <url><lastmod>2026-03-01</lastmod></url>
</urlset>
"""


def test_news_sitemap_entries_keep_their_news_data() -> None:
    page = SitemapPage(NEWS.encode(), f"{WWW}/world/news/sitemap.xml")
    assert page.kind == "urlset"
    assert page.is_news
    first, second = page.entries()  # the <url> without <loc> is no entry
    assert first.url == f"{WWW}/world/2026/03/03/a.html"
    assert first.title == "Leaders meet & agree"
    assert first.published == date(2026, 3, 3)
    assert first.published_at == datetime(2026, 3, 3, 8, 15, tzinfo=WIB)
    assert first.lastmod is None
    assert second.url == f"{WWW}/world/2026/03/02/b.html"  # whitespace around <loc> trimmed
    assert second.published == date(2026, 3, 2)
    assert second.published_at is None  # a day only: no instant is made up
    assert second.lastmod == datetime(2026, 3, 2, 23, 10, tzinfo=timezone.utc)
    assert page.sitemaps() == []


def test_plain_urlset_without_namespace_is_not_news() -> None:
    body = (
        "<urlset><url><loc>https://x/world/2020/01/02/c.html</loc>"
        "<lastmod>2020-01-02</lastmod></url></urlset>"
    )
    page = SitemapPage(body.encode(), "https://x/world/web/sitemap.xml")
    assert not page.is_news
    (entry,) = page.entries()
    assert entry.lastmod == datetime(2020, 1, 2, tzinfo=WIB)  # the start of the day, site time
    assert entry.published is None


def test_index_names_its_sitemaps() -> None:
    body = f"""<?xml version="1.0"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap>
        <loc>{WWW}/world/news/sitemap.xml</loc><lastmod>2026-03-03T08:02:11+07:00</lastmod>
      </sitemap>
      <sitemap><loc>{WWW}/business/news/sitemap.xml</loc></sitemap>
      <sitemap><lastmod>2026-03-03</lastmod></sitemap>
    </sitemapindex>"""
    page = SitemapPage(body.encode(), f"{WWW}/sitemap.xml")
    assert page.kind == "index"
    assert [ref.url for ref in page.sitemaps()] == [
        f"{WWW}/world/news/sitemap.xml",
        f"{WWW}/business/news/sitemap.xml",
    ]
    assert page.sitemaps()[0].lastmod == datetime(2026, 3, 3, 8, 2, 11, tzinfo=WIB)
    assert page.entries() == []


def test_gzipped_sitemap_is_inflated() -> None:
    page = SitemapPage(gzip.compress(NEWS.encode()), "u", max_size=1 << 20)
    assert len(page.entries()) == 2


def test_gzip_bomb_stops_at_the_size_cap() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>")
    with pytest.raises(SitemapError, match="cannot be inflated"):
        SitemapPage(bomb, "u", max_size=100_000).entries()


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-VALUE", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{WWW}/world/2026/03/03/a.html</loc>"
        "<news:news><news:title>&s; title</news:title></news:news></url>"
        "<url><loc>&s;</loc></url></urlset>"
    )
    entries = SitemapPage(body.encode(), "u").entries()
    assert "SECRET" not in repr(entries)
    assert entries[0].url == f"{WWW}/world/2026/03/03/a.html"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body><p>Not found</p></body></html>", "is not a sitemap"),
        (b"", "XML"),
        (b"\x1f\x8bnot really gzip", "cannot be inflated"),
        (b'{"urls": []}', "XML"),
    ],
    ids=["html-page", "empty", "broken-gzip", "json"],
)
def test_what_is_not_a_sitemap_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(SitemapError, match=reason):
        _ = SitemapPage(body, "u").kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-03", (date(2026, 3, 3), None)),
        ("2026-03-03T08:15+07:00", (date(2026, 3, 3), datetime(2026, 3, 3, 8, 15, tzinfo=WIB))),
        # the day is the site's: 20:00 UTC on the 2nd is the 3rd in Jakarta
        (
            "2026-03-02T20:00:00Z",
            (date(2026, 3, 3), datetime(2026, 3, 2, 20, 0, tzinfo=timezone.utc)),
        ),
        (
            "2026-03-03T08:15:00.25",
            (date(2026, 3, 3), datetime(2026, 3, 3, 8, 15, 0, 250000, tzinfo=WIB)),
        ),
        ("2026-02-30", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_w3c_datetimes(raw: str, expected: object) -> None:
    assert parse_w3c_datetime(raw) == expected


@pytest.mark.parametrize(
    ("url", "section", "kind"),
    [
        (f"{WWW}/world/news/sitemap.xml", "world", "news"),
        (f"{WWW}/world/web/sitemap.xml", "world", "archive"),
        (f"{WWW}/sitemaps/business-news.xml.gz", "business", "news"),
        (f"{WWW}/sitemap-world-2019.xml", "world", "archive"),
        (f"{WWW}/sitemap.xml", None, "unknown"),
        (f"{WWW}/sitemap_index.xml", None, "unknown"),
    ],
)
def test_sitemap_urls_say_section_and_kind(url: str, section: str | None, kind: str) -> None:
    assert sitemap_section(url) == section
    assert sitemap_kind(url) == kind
