"""Site copies written blind, from the site notes alone, by authors who had not seen the
parser (fixtures/holdout-*/NOTES.md). A crawl of each must export exactly the records
its author wrote down by hand in expected.jsonl."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from tests.helpers import FIXTURES, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

HOLDOUTS = sorted(p for p in FIXTURES.glob("holdout-*") if (p / "expected.jsonl").exists())
COMPARED = (
    "url", "section", "title", "summary", "authors", "published_at", "modified_at", "tags",
    "image_url", "body", "is_premium", "is_truncated", "language",
)  # fmt: skip


def _expected(holdout: Path) -> dict[str, dict]:
    lines = (holdout / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return {r["url"]: r for r in records}


@pytest.fixture(scope="module", params=HOLDOUTS, ids=lambda p: p.name)
def holdout_crawl(request, tmp_path_factory):
    holdout: Path = request.param
    workdir = tmp_path_factory.mktemp(holdout.name)
    with serve_site(holdout / "site") as server:
        result = run_crawl(server.base_url, workdir)
    return holdout, result


def test_every_listed_article_exactly_once(holdout_crawl):
    holdout, result = holdout_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [r["url"] for r in result.records]
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert sorted(urls) == sorted(_expected(holdout))


INSTANTS = ("published_at", "modified_at")


def _same(field: str, expected: object, got: object) -> bool:
    # "15:48:00.000000+07:00" and "15:48:00+07:00" are one instant, written two ways.
    if field in INSTANTS and isinstance(expected, str) and isinstance(got, str):
        return datetime.fromisoformat(expected) == datetime.fromisoformat(got)
    return expected == got


def test_records_match_what_the_pages_say(holdout_crawl):
    holdout, result = holdout_crawl
    got = {r["url"]: r for r in result.records}
    wrong = [
        (url.rsplit("/", 1)[1], field, expected[field], got[url].get(field))
        for url, expected in _expected(holdout).items()
        if url in got
        for field in COMPARED
        if not _same(field, expected[field], got[url].get(field))
    ]
    assert wrong == []


ARGUMENT_CASES = sorted(
    (holdout, case)
    for holdout in HOLDOUTS
    for case in ("since", "max_pages")
    if (holdout / f"{case}.json").exists()
)


@pytest.mark.parametrize(
    ("holdout", "case"), ARGUMENT_CASES, ids=[f"{h.name}-{c}" for h, c in ARGUMENT_CASES]
)
def test_spider_arguments_select_what_the_author_expected(holdout, case, tmp_path):
    spec = json.loads((holdout / f"{case}.json").read_text(encoding="utf-8"))
    with serve_site(holdout / "site") as server:
        result = run_crawl(server.base_url, tmp_path, f"{case}={spec[case]}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["url"] for r in result.records) == sorted(spec["urls"])
