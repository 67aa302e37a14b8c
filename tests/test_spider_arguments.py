"""Spider arguments are parsed once, up front, and bad values stop the run before any request."""

from __future__ import annotations

from datetime import date

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.spiders.arguments import ArgumentError, CrawlArguments
from tests.helpers import SITE, run_crawl


def test_defaults():
    args = CrawlArguments.parse({})
    assert args == CrawlArguments(section="world", since=None, max_pages=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"since": "2025-04-08"}, date(2025, 4, 8)),
        ({"since": "2025-04-08T16:06:36+07:00"}, date(2025, 4, 8)),
        ({"since": "2025-04-08T23:00:00Z"}, date(2025, 4, 8)),
        ({"since": "7d"}, date(2026, 1, 8)),
        ({"since": "48h"}, date(2026, 1, 13)),
        ({"since": "2w"}, date(2026, 1, 1)),
    ],
)
def test_since_formats(raw, expected):
    assert CrawlArguments.parse(raw, today=date(2026, 1, 15)).since == expected


@pytest.mark.parametrize(
    ("raw", "channels"),
    [
        (None, ("listing", "sitemap")),
        ("", ("listing", "sitemap")),
        ("listing", ("listing",)),
        ("Archive, listing,sitemap", ("listing", "sitemap", "archive")),
        ("sitemap+archive", ("sitemap", "archive")),
    ],
)
def test_discovery_channels(raw, channels):
    given = {} if raw is None else {"discover": raw}
    assert CrawlArguments.parse(given).discover == channels


def test_section_and_pages_are_typed():
    args = CrawlArguments.parse({"section": " Business/Companies ", "max_pages": "3"})
    assert args.section == "business/companies"
    assert args.max_pages == 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"since": "yesterday"}, "since='yesterday' is not a date; accepted: YYYY-MM-DD"),
        ({"since": "08/04/2025"}, "is not a date"),
        ({"max_pages": "-1"}, "max_pages='-1' must be at least 1"),
        ({"max_pages": "0"}, "must be at least 1"),
        ({"max_pages": "two"}, "is not a whole number"),
        ({"section": "sport news"}, "is not a section slug"),
        ({"section": "horoscopes"}, "unknown section 'horoscopes'; known sections: world"),
        ({"pages": "3"}, "unknown spider argument(s) pages"),
        ({"discover": "listing,rss"}, "discover='listing,rss' names unknown channel(s) rss"),
    ],
)
def test_bad_values_are_explained(raw, message):
    with pytest.raises(ArgumentError) as caught:
        CrawlArguments.parse(raw)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("since=last-tuesday", "since='last-tuesday' is not a date"),
        ("max_pages=-3", "max_pages='-3' must be at least 1"),
        ("section=nowhere", "unknown section 'nowhere'"),
        ("discover=everything", "discover='everything' names unknown channel(s) everything"),
    ],
)
def test_crawl_refuses_bad_arguments_before_any_request(tmp_path, arg, message):
    with serve_site(SITE) as server:
        result = run_crawl(server.base_url, tmp_path, arg)
        requested = list(server.request_log)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert requested == []
    assert not result.output.exists()


def test_bad_base_url_is_one_line_error(tmp_path):
    result = run_crawl("ftp://example.invalid", tmp_path)
    assert result.returncode != 0
    assert "JAKARTAPOST_BASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
