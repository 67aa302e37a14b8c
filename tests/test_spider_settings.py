"""Live-site manners are the default; a loopback copy of the site is crawled at full speed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.spiders.jakartapost import JakartaPostSpider

if TYPE_CHECKING:
    from scrapy.settings import Settings


def _spider_settings(overrides: dict[str, object], priority: str = "project") -> Settings:
    settings = get_project_settings()
    for name, value in overrides.items():
        settings.set(name, value, priority=priority)
    crawler = get_crawler(JakartaPostSpider, settings_dict=None)
    crawler.settings = settings
    JakartaPostSpider.from_crawler(crawler)
    return crawler.settings


def test_live_defaults_are_polite():
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getint("RETRY_TIMES") >= 2
    assert "newscrawl/" in settings.get("USER_AGENT")
    assert "Scrapy" not in settings.get("USER_AGENT")


def test_live_site_keeps_delays():
    settings = _spider_settings({"JAKARTAPOST_BASE_URL": "https://www.thejakartapost.com"})
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getbool("AUTOTHROTTLE_ENABLED")


def test_loopback_copy_lifts_delays():
    settings = _spider_settings({"JAKARTAPOST_BASE_URL": "http://127.0.0.1:8000"})
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert not settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getbool("ROBOTSTXT_OBEY")


def test_explicit_delay_wins_on_loopback():
    settings = _spider_settings(
        {"JAKARTAPOST_BASE_URL": "http://127.0.0.1:8000", "DOWNLOAD_DELAY": 2.5}, priority="cmdline"
    )
    assert settings.getfloat("DOWNLOAD_DELAY") == 2.5
