"""Layout drift alarm: a redesign of the markup trips it on the first run."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.extensions.drift import LayoutDriftAlarm
from newscrawl.items import Article
from newscrawl.runstatus import failure_reasons
from newscrawl.sitecopy import serve_site
from tests.helpers import run_crawl
from tests.test_faults_site import ARTICLE_DIR, build_site, redesigned_html

if TYPE_CHECKING:
    from pathlib import Path


def _record(**fields: object) -> Article:
    values: dict[str, object] = {
        "url": "https://www.thejakartapost.com/world/2025/04/08/a.html",
        "section": "world",
        "title": "A",
        "summary": "S",
        "authors": [],
        "published_at": "2025-04-08T16:06:36+07:00",
        "modified_at": None,
        "tags": [],
        "image_url": None,
        "body": "Text.",
        "word_count": 1,
        "is_premium": False,
        "is_truncated": False,
        "language": "en",
        "crawled_at": "2025-04-08T10:00:00+00:00",
        "extraction_path": "current-layout",
        "raw_body_chars": 5,
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


@pytest.fixture
def crawler():
    crawler = get_crawler(Spider, {"NEWSCRAWL_DRIFT_MIN_ARTICLES": 4})
    crawler.spider = Spider("test")
    crawler.stats.open_spider()
    return crawler


def _close(crawler, alarm: LayoutDriftAlarm, paths: dict[str, int]) -> None:
    for path, count in paths.items():
        crawler.stats.set_value(f"newscrawl/extraction_path/{path}", count)
    alarm.spider_closed(crawler.spider, "finished")


def test_disabled() -> None:
    crawler = get_crawler(Spider, {"NEWSCRAWL_DRIFT_ENABLED": False})
    with pytest.raises(NotConfigured):
        build_from_crawler(LayoutDriftAlarm, crawler)


def test_a_healthy_run_records_its_shares_and_stays_quiet(crawler) -> None:
    alarm = build_from_crawler(LayoutDriftAlarm, crawler)
    for _ in range(10):
        alarm.item_seen(_record())
    _close(crawler, alarm, {"current-layout": 9, "generic-fallback": 1})
    assert failure_reasons(crawler.stats) == []
    assert crawler.stats.get_value("newscrawl/drift/fallback_share") == 0.1
    assert crawler.stats.get_value("newscrawl/drift/empty_share/body") == 0.0


def test_fallback_share_past_the_threshold_fails_the_run(crawler, caplog) -> None:
    alarm = build_from_crawler(LayoutDriftAlarm, crawler)
    with caplog.at_level(logging.ERROR):
        _close(crawler, alarm, {"current-layout": 4, "structured-data": 1, "generic-fallback": 5})
    (reason,) = failure_reasons(crawler.stats)
    assert reason.startswith("layout drift: 6 of 10 articles (60%) were read by a fallback")
    assert "Layout drift" in caplog.text
    assert crawler.stats.get_value("newscrawl/drift/alarms")


def test_empty_field_share_past_the_threshold_fails_the_run(crawler) -> None:
    alarm = build_from_crawler(LayoutDriftAlarm, crawler)
    for n in range(8):
        alarm.item_seen(_record(published_at=None if n < 3 else "2025-04-08T16:06:36+07:00"))
    _close(crawler, alarm, {"current-layout": 8})
    (reason,) = failure_reasons(crawler.stats)
    assert reason == (
        "layout drift: published_at is empty in 3 of 8 records (38%), more than "
        "NEWSCRAWL_DRIFT_MAX_EMPTY_SHARE=25%"
    )
    assert crawler.stats.get_value("newscrawl/drift/empty/published_at") == 3


def test_too_few_articles_say_nothing(crawler) -> None:
    alarm = build_from_crawler(LayoutDriftAlarm, crawler)
    _close(crawler, alarm, {"generic-fallback": 3})
    assert failure_reasons(crawler.stats) == []
    assert crawler.stats.get_value("newscrawl/drift/fallback_share") == 1.0


def test_a_redesigned_site_trips_the_alarm_end_to_end(tmp_path: Path) -> None:
    root = tmp_path / "site"
    slugs = [f"story-{n}" for n in range(6)]
    build_site(root, slugs)
    for slug in slugs:  # the same stories, in markup none of our selectors know
        (root / ARTICLE_DIR / f"{slug}.html").write_text(redesigned_html(slug), encoding="utf-8")
    with serve_site(root) as server:
        result = run_crawl(server.base_url, tmp_path)
    assert result.returncode == 1
    report = result.report
    assert report["extraction_paths"] == {"generic-fallback": 6}
    assert any(
        r.startswith("layout drift: 6 of 6 articles (100%) were read by a fallback")
        for r in report["failure_reasons"]
    )
    assert report["stats"]["newscrawl/drift/fallback_share"] == 1.0
    assert "Layout drift" in result.stderr


def test_the_current_layout_does_not_trip_it(tmp_path: Path) -> None:
    build_site(tmp_path / "site", [f"story-{n}" for n in range(6)])
    with serve_site(tmp_path / "site") as server:
        result = run_crawl(server.base_url, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.report["stats"]["newscrawl/drift/fallback_share"] == 0.0
    assert "newscrawl/drift/alarms" not in result.report["stats"]
