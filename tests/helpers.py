"""Test helpers: run the real `scrapy crawl` against a loopback site copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.fixtures import ARTICLE_PAGE, BODY_FILE, Case, find_cases

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SITE = FIXTURES / "site"
PAGE_CASES = FIXTURES / "pages"

# Every crawl in tests runs with these on top of the project settings.
TEST_SETTINGS = {
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": "False",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "10",
}


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    output: Path

    @property
    def records(self) -> list[dict[str, Any]]:
        return read_jsonl(self.output)

    @property
    def report(self) -> dict[str, Any]:
        path = self.output.with_name(self.output.stem + ".report.json")
        return json.loads(path.read_text(encoding="utf-8"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def run_crawl(
    base_url: str,
    workdir: Path,
    *spider_args: str,
    settings: dict[str, str] | None = None,
    output: Path | None = None,
    timeout: float = 120,
    append: bool = False,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """`scrapy crawl jakartapost` in a subprocess, as a user runs it; waits for it to end.

    The records go to `output` with ``-O``, or with ``-o`` when `append` (a run after an
    earlier one with the same crawl state, writing a file of its own). `env`: more
    environment variables (e.g. PYTHONPATH for a test-only component)."""
    output = output or workdir / "out.jsonl"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "jakartapost",
        "-o" if append else "-O",
        str(output),
        "-s",
        f"JAKARTAPOST_BASE_URL={base_url}",
    ]
    for name, value in {**TEST_SETTINGS, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    for arg in spider_args:
        command += ["-a", arg]
    environment = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        "PYTHONWARNINGS": "error::DeprecationWarning",
        **(env or {}),
    }
    done = subprocess.run(
        command,
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CrawlResult(done.returncode, done.stdout, done.stderr, output)


def article_cases() -> list[Case]:
    return [case for case in find_cases(PAGE_CASES) if case.page_class == ARTICLE_PAGE]


def in_bundled_site(case: Case) -> bool:
    """Whether the case's page is one of the bundled site copy's (a link into it)."""
    return (case.path / BODY_FILE).resolve().is_relative_to(SITE.resolve())


def bundled_site_records() -> dict[str, dict[str, Any]]:
    """The record each article of the bundled site must become, by URL."""
    records = (case.expected() for case in article_cases() if in_bundled_site(case))
    return {record["url"]: record for record in records}


def run_newscrawl(
    cwd: Path, *args: str, wrapper: list[str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m newscrawl ARGS` in a subprocess started in `cwd`, as a user runs it.

    `wrapper` is put before the command (a program that changes how it runs and then
    executes it, e.g. with limits set)."""
    command = [*(wrapper or []), sys.executable, "-m", "newscrawl", *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONWARNINGS": "error"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
