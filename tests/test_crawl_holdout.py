"""Site copies written blind, from the site notes alone, by authors who had not seen the
parser (fixtures/holdout-*/NOTES.md). A crawl of each must export exactly the records
its author wrote down by hand in expected.jsonl."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from tests.helpers import FIXTURES, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.sitecopy.faults import FaultPlan

HOLDOUTS = sorted(p for p in FIXTURES.glob("holdout-*") if (p / "expected.jsonl").exists())
COMPARED = (
    "url", "section", "title", "summary", "authors", "published_at", "modified_at", "tags",
    "image_url", "body", "is_premium", "is_truncated", "language",
)  # fmt: skip


def _expected(holdout: Path) -> dict[str, dict]:
    lines = (holdout / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return {r["url"]: r for r in records}


# A copy with a faults.py misbehaves as its plan() says; its author wrote down in
# expected_failures.json which articles must end in the failures file, and the exit status.
FAULT_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "3",
    "NEWSCRAWL_RETRY_BACKOFF_BASE": "0.2",
    "RETRY_TIMES": "3",  # the default retry budget the author counted on
}


def _fault_plan(holdout: Path) -> FaultPlan | None:
    source = holdout / "faults.py"
    if not source.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"{holdout.name}_faults", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.plan()


def _expected_failures(holdout: Path) -> dict:
    path = holdout / "expected_failures.json"
    if not path.exists():
        return {"urls": [], "exit_status": 0}
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=HOLDOUTS, ids=lambda p: p.name)
def holdout_crawl(request, tmp_path_factory):
    holdout: Path = request.param
    workdir = tmp_path_factory.mktemp(holdout.name)
    plan = _fault_plan(holdout)
    with serve_site(holdout / "site", faults=plan) as server:
        result = run_crawl(server.base_url, workdir, settings=FAULT_SETTINGS if plan else None)
    return holdout, result


def test_every_listed_article_exactly_once(holdout_crawl):
    holdout, result = holdout_crawl
    expected_exit = _expected_failures(holdout)["exit_status"]
    assert result.returncode == expected_exit, result.stderr[-3000:]
    urls = [r["url"] for r in result.records]
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert sorted(urls) == sorted(_expected(holdout))


INSTANTS = ("published_at", "modified_at")


def _same(field: str, expected: object, got: object) -> bool:
    # "15:48:00.000000+07:00" and "15:48:00+07:00" are one instant, written two ways.
    if field in INSTANTS and isinstance(expected, str) and isinstance(got, str):
        return datetime.fromisoformat(expected) == datetime.fromisoformat(got)
    return expected == got


def test_what_could_not_be_fetched_is_in_the_failures_file(holdout_crawl):
    holdout, result = holdout_crawl
    failures_file = result.output.with_name(result.output.stem + ".failures.jsonl")
    lines = failures_file.read_text(encoding="utf-8").splitlines()
    failed = sorted(json.loads(line)["url"] for line in lines if line.strip())
    assert failed == sorted(_expected_failures(holdout)["urls"])


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


# Copies whose author wrote down what the discovery channels must show: the articles
# the coverage check must name as missed by the listing, and a crawl with the archive
# sitemap (which articles, which failures, which exit status).
DISCOVERY = sorted(h for h in HOLDOUTS if (h / "expected_discovery.json").exists())


@pytest.mark.parametrize("holdout", DISCOVERY, ids=lambda p: p.name)
def test_the_coverage_check_names_what_the_listing_missed(holdout, tmp_path):
    spec = json.loads((holdout / "expected_discovery.json").read_text(encoding="utf-8"))
    with serve_site(holdout / "site") as server:
        result = run_crawl(server.base_url, tmp_path)
    missed = result.report["discovery"]["coverage"]["listing_missed"]
    assert sorted(_on_www(url) for url in missed) == sorted(spec["listing_missed"])


@pytest.mark.parametrize("holdout", DISCOVERY, ids=lambda p: p.name)
def test_an_archive_backfill_exports_what_the_author_expected(holdout, tmp_path):
    spec = json.loads((holdout / "expected_discovery.json").read_text(encoding="utf-8"))["archive"]
    with serve_site(holdout / "site") as server:
        result = run_crawl(server.base_url, tmp_path, spec["args"])
    assert result.returncode == spec["exit_status"], result.stderr[-3000:]
    urls = [r["url"] for r in result.records]
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert sorted(urls) == sorted(spec["urls"])
    failures_file = result.output.with_name(result.output.stem + ".failures.jsonl")
    lines = failures_file.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["url"] for line in lines if line.strip()) == sorted(
        spec["failed"]
    )


def _on_www(url: str) -> str:
    """A URL of the served copy, named on the live site as the author wrote it."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return f"https://www.thejakartapost.com/{path}"
