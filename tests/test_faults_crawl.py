"""Every fault, end to end: one real `scrapy crawl` against a site copy where each listed
article misbehaves in its own way; one test per fault reads what landed where.

Retry budget in this crawl: RETRY_TIMES=2 (3 attempts), backoff 0.05 s doubling,
DOWNLOAD_TIMEOUT=2 s, NEWSCRAWL_RETRY_AFTER_MAX=10 s.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from tests.helpers import read_jsonl, run_crawl
from tests.test_faults_site import ARTICLE_DIR, article_html, article_path, build_site

if TYPE_CHECKING:
    from pathlib import Path

    from tests.helpers import CrawlResult

RETRY_AFTER_SECONDS = 2
DATE_WAIT = 6  # Retry-After as an HTTP-date this far ahead of the crawl's start
BACKOFF = 0.05
SECRET = "XXE-SECRET-7d41c0ffee"

HEALTHY = ["ok-1", "ok-2", "ok-3"]
TRANSIENT = {
    "e500-twice": Fault.http_error(500, times=2),
    "e502-once": Fault.http_error(502, times=1),
    "e429-retry-after": Fault.http_error(429, times=1, retry_after=str(RETRY_AFTER_SECONDS)),
    "stall-once": Fault.stall(times=1),
    "reset-once": Fault.reset(times=1),
    "truncated-once": Fault.truncate(times=1),
}
PERMANENT = {
    "e503-always": Fault.http_error(503),
    "e429-wait-an-hour": Fault.http_error(429, retry_after="3600"),
    "stall-always": Fault.stall(),
    "reset-always": Fault.reset(),
    "truncated-always": Fault.truncate(),
    "oversize": Fault.oversize(9 * 1024 * 1024),
    "gzip-bomb": Fault.gzip_bomb(64 * 1024 * 1024),
    "gone-404": Fault.http_error(404),
    "empty-200": Fault.page(b""),
}
NEEDS_PAGE = [
    *HEALTHY,
    *TRANSIENT,
    *PERMANENT,
    "e503-date",
    "charset-meta",
    "charset-none",
    "jsonld-malformed",
    "jsonld-hostile",
    "xxe",
    "undated",
    "moved",
    "offsite-target",
]
# Listed, but answered only by redirects.
REDIRECTED = ["old-slug", "loop-a", "loop-b", "offsite", "to-file"]


@dataclass
class FaultRun:
    result: CrawlResult
    plan: FaultPlan
    failures: dict[str, dict[str, Any]]
    records: dict[str, dict[str, Any]]
    listed: list[str]
    started: float


def _slug(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".html")


def _write_special_pages(root: Path, secret_file: Path) -> None:
    pages = {
        "charset-meta": article_html("charset-meta", title="Café talks — day two"),
        "charset-none": article_html("charset-none", title="Café talks — day three"),
        "jsonld-malformed": article_html(
            "jsonld-malformed", jsonld='{"@type": "NewsArticle", "headline": "Cut sh'
        ),
        "jsonld-hostile": article_html(
            "jsonld-hostile",
            jsonld=json.dumps(
                {
                    "@type": "NewsArticle",
                    "headline": 12345,
                    "author": {"name": {"evil": True}},
                    "datePublished": ["x"],
                    "isAccessibleForFree": {"no": 1},
                }
            )
            + "\n"
            + "[" * 50_000
            + "]" * 50_000,
            extra_head='<script type="application/ld+json">' + "x" * 600_000 + "</script>",
        ),
        # Title and date but no story at all: validation drops it for lacking a body.
        "undated": re.sub(
            r'<div class="tjp-single__content">.*?</div>',
            '<div class="tjp-single__content"></div>',
            article_html("undated"),
            flags=re.DOTALL,
        ),
        "xxe": article_html(
            "xxe",
            doctype=f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret_file}">]>',
        ).replace("Opening paragraph", "&xxe; Opening paragraph"),
    }
    for slug, html in pages.items():
        (root / ARTICLE_DIR / f"{slug}.html").write_text(html, encoding="utf-8")


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    root = tmp_path_factory.mktemp("site")
    secret_file = tmp_path_factory.mktemp("secret") / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    listed_pages = [s for s in NEEDS_PAGE if s not in ("moved", "offsite-target")]
    redirected = [s for s in REDIRECTED if s != "loop-b"]  # loop-b is only reached by loop-a
    build_site(root, listed_pages, listed=[article_path(s) for s in redirected])
    for slug in ("moved", "offsite-target"):
        (root / ARTICLE_DIR / f"{slug}.html").write_text(article_html(slug), encoding="utf-8")
    _write_special_pages(root, secret_file)
    listed = listed_pages + redirected

    faults: dict[str, Fault] = {article_path(s): f for s, f in {**TRANSIENT, **PERMANENT}.items()}
    faults[article_path("charset-meta")] = Fault.charset("meta")
    faults[article_path("charset-none")] = Fault.charset("none")
    faults[article_path("old-slug")] = Fault.redirect(article_path("moved"))
    faults[article_path("loop-a")] = Fault.redirect(article_path("loop-b"), status=302)
    faults[article_path("loop-b")] = Fault.redirect(article_path("loop-a"), status=302)
    faults[article_path("to-file")] = Fault.redirect(f"file://{secret_file}")
    retry_at = time.time() + DATE_WAIT
    faults[article_path("e503-date")] = Fault.http_error(
        503, times=1, retry_after=formatdate(retry_at, usegmt=True)
    )
    started = time.monotonic()
    plan = FaultPlan(faults)
    workdir = tmp_path_factory.mktemp("run")
    with serve_site(root, faults=plan) as server:
        port = server.base_url.rsplit(":", 1)[1]
        faults[article_path("offsite")] = Fault.redirect(
            f"http://localhost:{port}{article_path('offsite-target')}", status=302
        )
        result = run_crawl(
            server.base_url,
            workdir,
            settings={
                "RETRY_TIMES": "2",
                "DOWNLOAD_TIMEOUT": "2",
                "NEWSCRAWL_RETRY_BACKOFF_BASE": str(BACKOFF),
                "NEWSCRAWL_RETRY_AFTER_MAX": "10",
                "NEWSCRAWL_MAX_FAILURE_RATE": "0.9",
            },
        )
    failures_file = workdir / "out.failures.jsonl"
    return FaultRun(
        result=result,
        plan=plan,
        failures={_slug(f["url"]): f for f in read_jsonl(failures_file)},
        records={_slug(r["url"]): r for r in result.records},
        listed=listed,
        started=started,
    )


def _gaps(plan: FaultPlan, slug: str) -> list[float]:
    seen = plan.seen_at[article_path(slug)]
    return [b - a for a, b in itertools.pairwise(seen)]


# --- the run as a whole -------------------------------------------------------------------


def test_every_listed_article_is_exported_once_or_failed(fault_run: FaultRun) -> None:
    exported = [_slug(r["url"]) for r in fault_run.result.records]
    assert len(exported) == len(set(exported))
    failed = [s for s, f in fault_run.failures.items() if f["stage"] == "article"]
    # A redirected article is exported under its new URL, or failed under its listed one.
    accounted = set(exported) | set(failed)
    accounted = {"old-slug" if s == "moved" else s for s in accounted}
    assert accounted == set(fault_run.listed)
    assert not set(exported) & set(failed)


def test_failed_articles_do_not_fail_the_run_below_the_threshold(fault_run: FaultRun) -> None:
    assert fault_run.result.returncode == 0, fault_run.result.stderr[-2000:]
    assert fault_run.result.report["failure_reasons"] == []


def test_the_report_lists_the_same_failures(fault_run: FaultRun) -> None:
    report = fault_run.result.report
    reported = {_slug(f["url"]) for f in report["failures"]}
    reported |= {_slug(d["url"]) for d in report["drops"]}
    assert reported == set(fault_run.failures)


def test_failure_lines_carry_url_stage_reason_status_attempts(fault_run: FaultRun) -> None:
    assert fault_run.failures
    for line in fault_run.failures.values():
        assert set(line) >= {"url", "stage", "reason", "status", "attempts"}
        assert line["stage"] == "article"
        assert line["reason"]


# --- one test per fault ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", HEALTHY)
def test_healthy_articles_are_exported(fault_run: FaultRun, slug: str) -> None:
    assert fault_run.records[slug]["title"] == f"Story {slug}"


@pytest.mark.parametrize(("slug", "attempts"), [("e500-twice", 3), ("e502-once", 2)])
def test_server_errors_are_retried_with_backoff(
    fault_run: FaultRun, slug: str, attempts: int
) -> None:
    assert slug in fault_run.records
    assert fault_run.plan.attempts[article_path(slug)] == attempts
    gaps = _gaps(fault_run.plan, slug)
    assert gaps[0] >= BACKOFF
    if len(gaps) > 1:
        assert gaps[1] >= 2 * BACKOFF


def test_503_that_never_recovers_fails_after_the_retry_budget(fault_run: FaultRun) -> None:
    line = fault_run.failures["e503-always"]
    assert (line["status"], line["attempts"], line["reason"]) == (503, 3, "HTTP 503")
    assert fault_run.plan.attempts[article_path("e503-always")] == 3


def test_429_retry_after_seconds_is_honoured(fault_run: FaultRun) -> None:
    assert "e429-retry-after" in fault_run.records
    (gap,) = _gaps(fault_run.plan, "e429-retry-after")
    assert gap >= RETRY_AFTER_SECONDS - 0.05


def test_503_retry_after_http_date_is_honoured(fault_run: FaultRun) -> None:
    assert "e503-date" in fault_run.records
    _first, second = fault_run.plan.seen_at[article_path("e503-date")]
    # The date has whole-second precision on both clocks (ours and the server's Date).
    assert second >= fault_run.started + DATE_WAIT - 2


def test_retry_after_beyond_the_ceiling_is_a_failure_not_a_wait(fault_run: FaultRun) -> None:
    line = fault_run.failures["e429-wait-an-hour"]
    assert (line["status"], line["attempts"]) == (429, 1)
    assert fault_run.result.report["stats"]["newscrawl/retry/retry_after_too_long"] == 1


def test_a_stall_past_the_timeout_is_retried(fault_run: FaultRun) -> None:
    assert "stall-once" in fault_run.records
    assert fault_run.plan.attempts[article_path("stall-once")] == 2


def test_a_page_that_always_stalls_fails_with_a_timeout(fault_run: FaultRun) -> None:
    line = fault_run.failures["stall-always"]
    assert "timeout" in line["reason"].lower() or "timed out" in line["reason"].lower()
    assert (line["status"], line["attempts"]) == (None, 3)


def test_a_reset_connection_is_retried(fault_run: FaultRun) -> None:
    assert "reset-once" in fault_run.records
    line = fault_run.failures["reset-always"]
    assert line["attempts"] == 3
    assert line["status"] is None


def test_a_truncated_body_is_retried_and_never_exported_cut(fault_run: FaultRun) -> None:
    record = fault_run.records["truncated-once"]
    assert record["body"].rstrip().endswith("the last line a reader sees.")
    line = fault_run.failures["truncated-always"]
    assert line["attempts"] == 3
    assert "loss" in line["reason"].lower()


@pytest.mark.parametrize("slug", ["charset-meta", "charset-none"])
def test_windows_1252_pages_are_decoded(fault_run: FaultRun, slug: str) -> None:
    assert fault_run.records[slug]["title"].startswith("Café talks — day ")
    assert "\ufffd" not in json.dumps(fault_run.records[slug], ensure_ascii=False)


def test_a_301_to_the_canonical_url_is_followed(fault_run: FaultRun) -> None:
    assert fault_run.records["moved"]["title"] == "Story moved"
    assert "old-slug" not in fault_run.failures


def test_a_redirect_loop_ends_in_failures(fault_run: FaultRun) -> None:
    assert "redirect loop" in fault_run.failures["loop-a"]["reason"]


def test_a_redirect_to_another_host_is_not_followed(fault_run: FaultRun) -> None:
    assert "another host" in fault_run.failures["offsite"]["reason"]
    assert "offsite-target" not in fault_run.records
    assert fault_run.plan.attempts.get(article_path("offsite-target"), 0) == 0


def test_a_redirect_to_a_local_file_is_not_followed(fault_run: FaultRun) -> None:
    assert "non-http(s)" in fault_run.failures["to-file"]["reason"]
    assert SECRET not in fault_run.result.output.read_text(encoding="utf-8")


def test_a_page_over_the_size_limit_is_refused_without_retry(fault_run: FaultRun) -> None:
    line = fault_run.failures["oversize"]
    assert "max size" in line["reason"]
    assert line["attempts"] == 1


def test_a_gzip_bomb_is_not_inflated_past_the_limit(fault_run: FaultRun) -> None:
    line = fault_run.failures["gzip-bomb"]
    assert "DOWNLOAD_MAXSIZE" in line["reason"]
    assert line["attempts"] == 1


def test_a_listed_article_answering_404_is_a_failure(fault_run: FaultRun) -> None:
    line = fault_run.failures["gone-404"]
    assert (line["status"], line["attempts"], line["reason"]) == (404, 1, "HTTP 404")


def test_an_empty_200_is_a_failure(fault_run: FaultRun) -> None:
    line = fault_run.failures["empty-200"]
    assert line["status"] == 200
    assert "no title" in line["reason"] or "not an HTML page" in line["reason"]


def test_malformed_json_ld_falls_back_to_the_markup(fault_run: FaultRun) -> None:
    record = fault_run.records["jsonld-malformed"]
    assert record["title"] == "Story jsonld-malformed"
    assert record["extraction_path"] == "current-layout"
    stats = fault_run.result.report["stats"]
    assert any(k.startswith("newscrawl/article/problem/malformed json-ld") for k in stats)


def test_hostile_json_ld_is_survived(fault_run: FaultRun) -> None:
    record = fault_run.records["jsonld-hostile"]
    assert record["title"] == "Story jsonld-hostile"
    assert record["body"].startswith("Opening paragraph of the jsonld-hostile story")


def test_a_record_a_pipeline_drops_is_a_failure_too(fault_run: FaultRun) -> None:
    line = fault_run.failures["undated"]
    assert line["reason"].startswith("dropped: ")
    assert "body" in line["reason"]
    assert "undated" not in fault_run.records


def test_an_external_entity_cannot_read_local_files(fault_run: FaultRun) -> None:
    record = fault_run.records["xxe"]
    assert "Opening paragraph of the xxe story" in record["body"]
    output = fault_run.result.output.read_text(encoding="utf-8")
    assert SECRET not in output
    assert SECRET not in json.dumps(fault_run.result.report)
