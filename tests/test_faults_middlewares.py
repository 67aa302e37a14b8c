"""The retry and redirect middlewares and the failures file, component by component."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import TYPE_CHECKING

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.extensions.failures import FailuresFile
from newscrawl.middlewares.redirect import OnSiteRedirectMiddleware
from newscrawl.middlewares.retry import BackoffRetryMiddleware, parse_retry_after
from newscrawl.runstatus import failure_reasons

if TYPE_CHECKING:
    from pathlib import Path

BASE = "https://www.thejakartapost.com"
PAGE = f"{BASE}/world/2025/04/08/a.html"


def _crawler(**settings: object):
    crawler = get_crawler(Spider, {"JAKARTAPOST_BASE_URL": BASE, **settings})
    crawler.spider = Spider.from_crawler(crawler, "test")
    crawler.stats.open_spider()
    return crawler


# --- Retry-After and backoff ----------------------------------------------------------------

NOW = datetime(2025, 4, 8, 9, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("  7 ", 7.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(seconds=90), usegmt=True), 0.0),
        ("Tue, 08 Apr 2025 09:00:30 GMT", 30.0),
        ("soon", None),
        ("-5", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_backoff_doubles_up_to_its_ceiling() -> None:
    mw = build_from_crawler(
        BackoffRetryMiddleware,
        _crawler(NEWSCRAWL_RETRY_BACKOFF_BASE=2, NEWSCRAWL_RETRY_BACKOFF_MAX=5),
    )
    waits = [mw._backoff(Request(PAGE, meta={"retry_times": n})) for n in range(4)]
    assert waits == [2.0, 4.0, 5.0, 5.0]


def test_retry_after_is_read_against_the_servers_clock() -> None:
    mw = build_from_crawler(BackoffRetryMiddleware, _crawler())
    server_now = datetime(2020, 1, 1, tzinfo=timezone.utc)  # a server whose clock is years off
    response = Response(
        PAGE,
        status=503,
        headers={
            "Date": format_datetime(server_now, usegmt=True),
            "Retry-After": format_datetime(server_now + timedelta(seconds=40), usegmt=True),
        },
    )
    assert mw._retry_after(Request(PAGE), response) == 40.0


def test_a_retry_after_beyond_the_ceiling_gives_up_at_once() -> None:
    crawler = _crawler(NEWSCRAWL_RETRY_AFTER_MAX=60)
    mw = build_from_crawler(BackoffRetryMiddleware, crawler)
    response = Response(PAGE, status=429, headers={"Retry-After": "3600"})
    assert asyncio.run(mw.process_response(Request(PAGE), response)) is response
    assert crawler.stats.get_value("newscrawl/retry/retry_after_too_long") == 1
    assert crawler.stats.get_value("retry/count") is None


def test_a_retryable_status_comes_back_as_a_retry_after_the_wait() -> None:
    crawler = _crawler(NEWSCRAWL_RETRY_BACKOFF_BASE=0)
    mw = build_from_crawler(BackoffRetryMiddleware, crawler)
    response = Response(PAGE, status=429, headers={"Retry-After": "0"})
    retry = asyncio.run(mw.process_response(Request(PAGE), response))
    assert isinstance(retry, Request)
    assert retry.meta["retry_times"] == 1
    assert crawler.stats.get_value("newscrawl/retry/retry_after_count") == 1
    ok = Response(PAGE, status=200)
    assert asyncio.run(mw.process_response(Request(PAGE), ok)) is ok


def test_a_retryable_exception_is_retried_with_backoff_counted() -> None:
    crawler = _crawler(NEWSCRAWL_RETRY_BACKOFF_BASE=0)
    mw = build_from_crawler(BackoffRetryMiddleware, crawler)
    retry = asyncio.run(mw.process_exception(Request(PAGE), DownloadTimeoutError("slow")))
    assert isinstance(retry, Request)
    assert crawler.stats.get_value("newscrawl/retry/backoff_count") == 1
    assert (
        asyncio.run(mw.process_exception(Request(PAGE), ValueError("not a network error"))) is None
    )


def test_retry_disabled() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(BackoffRetryMiddleware, _crawler(RETRY_ENABLED=False))


# --- redirects --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("https://evil.example/world/x.html", "offsite"),
        ("//evil.example/world/x.html", "offsite"),
        ("file:///etc/passwd", "scheme"),
        ("javascript:alert(1)", "scheme"),
        (PAGE, "loop"),
    ],
)
def test_redirects_off_the_site_are_refused(location: str, kind: str) -> None:
    crawler = _crawler()
    mw = build_from_crawler(OnSiteRedirectMiddleware, crawler)
    response = Response(PAGE, status=301, headers={"Location": location})
    with pytest.raises(IgnoreRequest):
        mw.process_response(Request(PAGE), response)
    assert crawler.stats.get_value(f"newscrawl/redirect/refused/{kind}") == 1


@pytest.mark.parametrize(
    "location",
    [
        "/world/2025/04/08/new-slug.html",
        "https://newgelora.thejakartapost.com/world/2025/04/08/a.html",
        "http://www.thejakartapost.com/world/2025/04/08/b.html",
    ],
)
def test_redirects_on_the_site_pass(location: str) -> None:
    mw = build_from_crawler(OnSiteRedirectMiddleware, _crawler())
    response = Response(PAGE, status=302, headers={"Location": location})
    assert mw.process_response(Request(PAGE), response) is response


def test_a_meta_refresh_off_the_site_is_refused() -> None:
    mw = build_from_crawler(OnSiteRedirectMiddleware, _crawler())
    body = b'<html><head><meta http-equiv="refresh" content="0;url=https://evil.example/"></head></html>'
    with pytest.raises(IgnoreRequest, match="another host"):
        mw.process_response(Request(PAGE), HtmlResponse(PAGE, body=body))


# --- failures file ----------------------------------------------------------------------------


class _Drop(Exception):
    log_level = "DEBUG"


def test_failures_file_lines_and_threshold(tmp_path: Path) -> None:
    path = tmp_path / "run.failures.jsonl"
    crawler = _crawler(NEWSCRAWL_FAILURES_PATH=str(path), NEWSCRAWL_MAX_FAILURE_RATE=0.2,
                       NEWSCRAWL_MIN_FAILED_ARTICLES=2)
    ext = build_from_crawler(FailuresFile, crawler)
    ext.spider_opened(crawler.spider)
    crawler.stats.set_value("newscrawl/extraction_path/current-layout", 7)
    ext.page_failed(url=PAGE, stage="article", reason="HTTP 503", status=503, attempts=4)
    ext.item_dropped({"url": f"{BASE}/b"}, Response(f"{BASE}/b"), ValueError("missing title"))
    ext.item_dropped({"url": f"{BASE}/c"}, Response(f"{BASE}/c"), _Drop("a duplicate"))
    ext.spider_closed(crawler.spider, "finished")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["url"], x["stage"], x["reason"], x["status"], x["attempts"]) for x in lines] == [
        (PAGE, "article", "HTTP 503", 503, 4),
        (f"{BASE}/b", "article", "dropped: missing title", 200, None),
    ]
    # 2 failed of 8 tried (7 extracted, one of them dropped, plus one never fetched).
    assert crawler.stats.get_value("newscrawl/failures/article_rate") == 0.25
    assert failure_reasons(crawler.stats) == [
        "2 of 8 article pages failed (25%), more than NEWSCRAWL_MAX_FAILURE_RATE=20%"
    ]


def test_fewer_failures_than_the_minimum_never_fail_a_run(tmp_path: Path) -> None:
    crawler = _crawler(NEWSCRAWL_FAILURES_PATH=str(tmp_path / "f.jsonl"))  # at least 3
    ext = build_from_crawler(FailuresFile, crawler)
    ext.spider_opened(crawler.spider)
    crawler.stats.set_value("newscrawl/extraction_path/current-layout", 1)
    for n in range(2):
        ext.page_failed(url=f"{PAGE}?n={n}", stage="article", reason="HTTP 503", status=503)
    ext.spider_closed(crawler.spider, "finished")
    assert crawler.stats.get_value("newscrawl/failures/article_rate") == round(2 / 3, 4)
    assert failure_reasons(crawler.stats) == []


def test_failures_disabled() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(FailuresFile, _crawler(NEWSCRAWL_FAILURES_ENABLED=False))
