"""Extraction in worker processes (newscrawl/extraction_service.py, newscrawl/workers.py).

Real crawls through the engine over the bundled site copy and a holdout copy: records
(and the per-page stats behind them) are the same whether pages are extracted in the
crawl process or in worker processes; a worker that dies or hangs on a page fails that
page alone, which reaches the failures file with the reason, and another worker takes
its place; what workers log reaches the crawl's log; and when no worker can start, the
crawl extracts in its own process.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from newscrawl.sitecopy import serve_site
from tests.helpers import FIXTURES, REPO, read_jsonl, run_crawl
from tests.test_crawl_site import EXPECTED_RECORDS

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.sitecopy.server import SiteServer
    from tests.helpers import CrawlResult

CLEANING = {
    "newscrawl.pipelines.normalize.TextNormalizationPipeline": 100,
    "newscrawl.pipelines.dropcap.DropCapPipeline": 200,
    "newscrawl.pipelines.boilerplate.BoilerplatePipeline": 300,
    "newscrawl.pipelines.dedup.ParagraphDedupPipeline": 400,
    "tests.extraction_faults.WorkerFaults": 500,
}
# The test-only cleaning step must be importable by the crawl and by its workers.
TEST_ENV = {"PYTHONPATH": str(REPO)}
# Stats counted while extracting pages: the same totals wherever pages are extracted.
PER_PAGE_STATS = (
    "newscrawl/normalize/",
    "newscrawl/dropcap/",
    "newscrawl/boilerplate/",
    "newscrawl/dedup/",
    "newscrawl/extraction_path/",
    "newscrawl/article/",
    "newscrawl/validation/",
    "item_scraped_count",
)
DYING = "/world/2025/09/02/g20-finance-chiefs-split-over-debt-relief.html"
HANGING = "/world/2026/01/15/what-a-brics-seat-means-for-indonesias-foreign-policy.html"


def _crawl(server: SiteServer, workdir: Path, **settings: str) -> CrawlResult:
    workdir.mkdir(parents=True, exist_ok=True)
    return run_crawl(
        server.base_url,
        workdir,
        settings={"NEWSCRAWL_STATE_PATH": "", **settings},
        env=TEST_ENV,
    )


def _without_capture_time(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: {k: v for k, v in r.items() if k != "crawled_at"} for r in records}


def _per_page_stats(result: CrawlResult) -> dict[str, Any]:
    stats = result.report["stats"]
    return {k: v for k, v in stats.items() if k.startswith(PER_PAGE_STATS)}


def _failures(result: CrawlResult) -> list[dict[str, Any]]:
    return read_jsonl(result.output.with_name(result.output.stem + ".failures.jsonl"))


@pytest.mark.parametrize("site", ["site", "holdout-b/site"])
def test_records_and_stats_are_the_same_in_worker_processes_and_in_the_crawl_process(
    site: str, tmp_path: Path
) -> None:
    with serve_site(FIXTURES / site) as server:
        here = _crawl(server, tmp_path / "here", NEWSCRAWL_EXTRACTION_WORKERS="0")
        away = _crawl(server, tmp_path / "away", NEWSCRAWL_EXTRACTION_WORKERS="2")
    assert here.returncode == away.returncode == 0, (here.stderr + away.stderr)[-3000:]
    assert here.records
    assert _without_capture_time(away.records) == _without_capture_time(here.records)
    assert _per_page_stats(away) == _per_page_stats(here)
    assert here.report["stats"]["newscrawl/extraction/workers"] == 0
    assert away.report["stats"]["newscrawl/extraction/workers"] == 2
    # The pages went to worker processes. (Whether the second worker was ready before a
    # 16-page crawl ended depends on how fast the machine starts processes.)
    assert away.report["stats"]["newscrawl/extraction/workers_started"] >= 1
    assert away.report["stats"]["newscrawl/extraction/worker_cpu_seconds"] > 0


@pytest.mark.parametrize(
    ("fault", "path", "reason"),
    [
        ("TEST_FAULTS_DIE_ON", DYING, "extraction worker died (killed by SIGKILL)"),
        ("TEST_FAULTS_HANG_ON", HANGING, "extraction took longer than 3 s (worker stopped)"),
    ],
    ids=["dies", "hangs"],
)
def test_a_worker_lost_on_a_page_fails_that_page_only_and_is_replaced(
    fixture_site: SiteServer, tmp_path: Path, fault: str, path: str, reason: str
) -> None:
    result = _crawl(
        fixture_site,
        tmp_path,
        NEWSCRAWL_EXTRACTION_WORKERS="1",
        NEWSCRAWL_EXTRACTION_TIMEOUT="3",
        NEWSCRAWL_CLEANING_PIPELINES=json.dumps(CLEANING),
        **{fault: path},
    )
    # One article of 16 is under NEWSCRAWL_MAX_FAILURE_RATE: the run itself succeeds.
    assert result.returncode == 0, result.stderr[-3000:]
    lost = next(url for url in EXPECTED_RECORDS if url.endswith(path))
    assert sorted(r["url"] for r in result.records) == sorted(
        url for url in EXPECTED_RECORDS if url != lost
    )
    [failure] = _failures(result)
    assert failure["url"] == lost
    assert failure["stage"] == "article"
    assert failure["reason"] == reason
    stats = result.report["stats"]
    assert stats["newscrawl/extraction/workers_lost"] == 1
    assert stats["newscrawl/extraction/workers_started"] == 2
    assert f"Extraction worker lost on {fixture_site.base_url}{path}: {reason}" in result.stderr


def test_what_workers_log_reaches_the_crawl_log(fixture_site: SiteServer, tmp_path: Path) -> None:
    result = _crawl(
        fixture_site,
        tmp_path,
        NEWSCRAWL_EXTRACTION_WORKERS="2",
        NEWSCRAWL_CLEANING_PIPELINES=json.dumps(CLEANING),
        TEST_FAULTS_LOG="True",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for url in EXPECTED_RECORDS:
        assert f"[tests.extraction_faults] WARNING: worker-faults saw {url}\n" in result.stderr
    # Counted like any other warning of the run.
    assert result.report["stats"]["log_count/WARNING"] >= len(EXPECTED_RECORDS)


def test_when_no_worker_can_start_the_crawl_extracts_in_its_own_process(
    fixture_site: SiteServer, tmp_path: Path
) -> None:
    result = _crawl(
        fixture_site,
        tmp_path,
        NEWSCRAWL_EXTRACTION_WORKERS="2",
        NEWSCRAWL_CLEANING_PIPELINES=json.dumps(CLEANING),
        TEST_FAULTS_REFUSE_WORKERS="True",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["url"] for r in result.records) == sorted(EXPECTED_RECORDS)
    assert "An extraction worker could not start" in result.stderr
    assert "this set-up cannot run in a worker process" in result.stderr
    assert "No extraction worker could be started" in result.stderr
    assert result.report["stats"]["newscrawl/extraction/workers"] == 0
    assert not _failures(result)
