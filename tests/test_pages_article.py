"""ArticlePage, page by page: each fixture article against its hand-written record.

The body and what is derived from it are left to the crawl test (tests/test_crawl_site.py):
here the body is raw, before the cleaning pipelines. Every other exported field must
already be right when it leaves the page object.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.items import EXPORT_FIELDS
from newscrawl.pages.article import ArticlePage
from tests.helpers import EXPECTED, SITE

if TYPE_CHECKING:
    from pathlib import Path

# Filled in by the pipelines or tied to the body: checked by the crawl test instead.
BODY_DERIVED = frozenset({
    "body", "word_count", "content_hash", "quality_flags", "crawled_at", "version",
    "raw_body_chars",
})
# Not in the hand-written records: the crawl test checks them against the body.
NOT_WRITTEN = frozenset({"crawled_at", "word_count", "content_hash", "version", "quality_flags"})
# Where the page is served from in these tests: a copy of the site on loopback, as in a crawl.
LOOPBACK = "http://127.0.0.1:8123"
FETCHED_AT = datetime(2026, 3, 4, 1, 2, 3, tzinfo=timezone.utc)

CASES = sorted(EXPECTED.rglob("*.json"))


def _page_path(expected: Path) -> Path:
    return expected.relative_to(EXPECTED).with_suffix(".html")


def _load(expected: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    relative = _page_path(expected)
    body = (SITE / relative).read_bytes()
    response = HtmlResponse(url=f"{LOOPBACK}/{relative.as_posix()}", body=body, encoding="utf-8")
    item = ArticlePage(response, section="world", fetched_at=FETCHED_AT).to_item()
    return asdict(item), json.loads(expected.read_text(encoding="utf-8"))


@pytest.fixture(params=CASES, ids=lambda p: p.stem)
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    return _load(request.param)


def test_every_expected_record_has_a_page() -> None:
    assert len(CASES) >= 14
    for expected in CASES:
        assert (SITE / _page_path(expected)).is_file(), expected


def test_expected_records_name_every_checked_field() -> None:
    # The hand-written files must cover the whole contract, or a field could go unchecked.
    wanted = set(EXPORT_FIELDS) - NOT_WRITTEN
    for expected in CASES:
        assert set(json.loads(expected.read_text(encoding="utf-8"))) == wanted, expected


@pytest.mark.parametrize(
    "field", [f for f in EXPORT_FIELDS if f not in BODY_DERIVED]
)
def test_field(case: tuple[dict[str, Any], dict[str, Any]], field: str) -> None:
    got, expected = case
    assert got[field] == expected[field]


def test_no_extra_fields(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    got, expected = case
    exported = {k for k in got if k in EXPORT_FIELDS}
    assert exported - BODY_DERIVED - set(expected) == set()


def test_crawled_at_is_the_fetch_time(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    got, _ = case
    assert got["crawled_at"] == "2026-03-04T01:02:03+00:00"
