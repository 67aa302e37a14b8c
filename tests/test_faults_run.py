"""How faults decide a run's exit status, and the issue's "done" criterion: against a
site where a quarter of the responses are faults, every article that can be fetched
within the retry budget is exported exactly once and every other one is in failures.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from tests.helpers import read_jsonl, run_crawl
from tests.test_faults_site import article_path, build_site, listing_html

if TYPE_CHECKING:
    from pathlib import Path

FAST_RETRIES = {"NEWSCRAWL_RETRY_BACKOFF_BASE": "0.02", "DOWNLOAD_TIMEOUT": "2"}


def _slug(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".html")


def test_a_quarter_of_responses_faulty_nothing_lost_nothing_doubled(tmp_path: Path) -> None:
    slugs = [f"story-{n:02d}" for n in range(40)]
    build_site(tmp_path / "site", slugs)
    rng = random.Random(20250408)
    transient = [
        Fault.http_error(503, times=1),
        Fault.http_error(500, times=2),
        Fault.reset(times=1),
        Fault.truncate(times=1),
        Fault.http_error(429, times=1, retry_after="1"),
        Fault.stall(times=1),
        Fault.http_error(502, times=1),
        Fault.charset("none"),
    ]
    faulty = rng.sample(slugs, 10)
    permanent = {faulty[0]: Fault.http_error(503), faulty[1]: Fault.http_error(404)}
    faults = {article_path(s): transient[i % len(transient)] for i, s in enumerate(faulty[2:])}
    faults.update({article_path(s): f for s, f in permanent.items()})
    faults["/world/latest"] = Fault.http_error(503, times=1)
    plan = FaultPlan(faults)
    with serve_site(tmp_path / "site", faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings={"RETRY_TIMES": "2", **FAST_RETRIES})

    requests = sum(plan.attempts.values())
    fault_answers = sum(
        min(plan.attempts[p], f.times or plan.attempts[p]) for p, f in faults.items()
    )
    assert fault_answers / requests >= 0.2  # about a quarter of all answers were faults

    exported = [_slug(r["url"]) for r in result.records]
    assert sorted(exported) == sorted(set(slugs) - set(permanent))  # each exactly once
    failures = read_jsonl(tmp_path / "out.failures.jsonl")
    assert {_slug(f["url"]): f["reason"] for f in failures} == {
        faulty[0]: "HTTP 503",
        faulty[1]: "HTTP 404",
    }
    # 2 of 40 articles failed: under NEWSCRAWL_MAX_FAILURE_RATE, and no drift either.
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.report["failure_reasons"] == []


def test_article_failures_past_the_threshold_fail_the_run(tmp_path: Path) -> None:
    slugs = [f"story-{n}" for n in range(10)]
    build_site(tmp_path / "site", slugs)
    plan = FaultPlan({article_path(s): Fault.http_error(500) for s in slugs[:3]})
    with serve_site(tmp_path / "site", faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings=FAST_RETRIES)
    assert result.returncode == 1
    assert len(result.records) == 7
    (reason,) = result.report["failure_reasons"]
    assert reason.startswith("3 of 10 article pages failed (30%)")
    assert result.report["stats"]["newscrawl/failures/article_rate"] == 0.3
    assert len(read_jsonl(tmp_path / "out.failures.jsonl")) == 3


def test_the_same_failures_under_a_looser_threshold_do_not(tmp_path: Path) -> None:
    slugs = [f"story-{n}" for n in range(10)]
    build_site(tmp_path / "site", slugs)
    plan = FaultPlan({article_path(s): Fault.http_error(500) for s in slugs[:3]})
    with serve_site(tmp_path / "site", faults=plan) as server:
        result = run_crawl(
            server.base_url,
            tmp_path,
            settings={**FAST_RETRIES, "NEWSCRAWL_MAX_FAILURE_RATE": "0.5"},
        )
    assert result.returncode == 0
    assert len(read_jsonl(tmp_path / "out.failures.jsonl")) == 3


def test_a_failed_first_listing_page_fails_the_run(tmp_path: Path) -> None:
    build_site(tmp_path / "site", ["a", "b"])
    plan = FaultPlan({"/world/latest": Fault.http_error(500)})
    with serve_site(tmp_path / "site", faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings=FAST_RETRIES)
    assert result.returncode == 1
    assert result.records == []
    (line,) = read_jsonl(tmp_path / "out.failures.jsonl")
    assert line["stage"] == "listing"
    assert (line["status"], line["attempts"], line["reason"]) == (500, 2, "HTTP 500")
    assert any("listing page 1 failed" in r for r in result.report["failure_reasons"])


def test_a_failed_later_listing_page_fails_the_run_but_keeps_what_was_read(tmp_path: Path) -> None:
    root = tmp_path / "site"
    build_site(root, ["a", "b"])
    (root / "world" / "latest" / "page-2.html").write_text(
        listing_html([article_path("c")]), encoding="utf-8"
    )
    plan = FaultPlan({"/world/latest?page=2": Fault.reset()})
    with serve_site(root, faults=plan) as server:
        result = run_crawl(server.base_url, tmp_path, settings=FAST_RETRIES)
    assert result.returncode == 1
    assert sorted(_slug(r["url"]) for r in result.records) == ["a", "b"]
    (line,) = read_jsonl(tmp_path / "out.failures.jsonl")
    assert line["stage"] == "listing"
    assert line["url"].endswith("/world/latest?page=2")


def test_a_clean_run_writes_an_empty_failures_file(tmp_path: Path) -> None:
    build_site(tmp_path / "site", ["a", "b"])
    with serve_site(tmp_path / "site") as server:
        result = run_crawl(server.base_url, tmp_path)
    assert result.returncode == 0
    failures = tmp_path / "out.failures.jsonl"
    assert failures.exists()
    assert failures.read_text(encoding="utf-8") == ""
