"""`newscrawl demo`: crawl the bundled offline copy of the site and show the result.

The site copy (fixtures/site of the source tree) is served on 127.0.0.1 by
`newscrawl.sitecopy.serve_site`, and the real crawler runs against it in a subprocess,
exactly as `scrapy crawl jakartapost` runs from cron. The crawl state (what was
exported, the run lock, learned boilerplate) goes to a temporary directory, so the demo
never reads or changes the state of real crawls and every demo run is a full crawl.
The run report lands beside the output file.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import tempfile
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

import newscrawl
from newscrawl.datasets.instants import epoch
from newscrawl.datasets.reader import read_lines
from newscrawl.sitecopy import serve_site

if TYPE_CHECKING:
    from newscrawl.datasets.reader import Problem

#: Log lines of the crawl kept to show when it fails without --verbose.
TAIL_LINES = 40
BODY_PREVIEW = 300
_LOG_HEADER = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[^\]]+\] (?P<level>[A-Z]+):")
_SCRAPED = "DEBUG: Scraped from"


def bundled_site() -> Path:
    return Path(newscrawl.__file__).resolve().parents[1] / "fixtures" / "site"


def crawl_command(base_url: str, output: Path, state_dir: Path, *, verbose: bool) -> list[str]:
    settings = {
        "JAKARTAPOST_BASE_URL": base_url,
        # A fresh state (and its lock, the same path + ".lock") for every demo run.
        "NEWSCRAWL_STATE_PATH": str(state_dir / "jakartapost.sqlite"),
        # Learned boilerplate counts are crawl state too: the demo must not teach yours.
        "NEWSCRAWL_BOILERPLATE_PATH": str(state_dir / "boilerplate.sqlite3"),
        # The bundled copy is no crawl worth keeping: no WARC archive in your data/.
        "NEWSCRAWL_ARCHIVE_ENABLED": "False",
        "TELNETCONSOLE_ENABLED": "False",
        # Without --verbose the log is only read to count articles (one DEBUG line each).
        "LOG_LEVEL": "INFO" if verbose else "DEBUG",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "jakartapost", "-O", str(output)]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_demo(site: Path, output: Path, *, verbose: bool = False, quiet: bool = False) -> int:
    """Crawl `site` into `output` (relative to the current directory); the crawler's exit status."""
    output = Path.cwd() / output
    output.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    with (
        tempfile.TemporaryDirectory(prefix="newscrawl-demo-") as state_dir,
        serve_site(site) as server,
    ):
        command = crawl_command(server.base_url, output, Path(state_dir), verbose=verbose)
        if not quiet:
            _err(
                f"newscrawl demo: serving {site} at {server.base_url}, "
                f"crawling into {_shown(output)}"
            )
        if verbose:
            returncode = subprocess.run(command, cwd=Path.cwd(), env=env, check=False).returncode
        else:
            returncode = _run_quietly(command, env, progress=not quiet)
    sys.stdout.write(summary(output, returncode) + "\n")
    return returncode


def _run_quietly(command: list[str], env: dict[str, str], *, progress: bool) -> int:
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    scraped = 0
    live = progress and sys.stderr.isatty()
    with subprocess.Popen(
        command,
        cwd=Path.cwd(),
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        assert process.stderr is not None
        in_debug = False
        for line in process.stderr:
            header = _LOG_HEADER.match(line)
            if header:
                in_debug = header["level"] == "DEBUG"
            if _SCRAPED in line:
                scraped += 1
                if live:
                    _err(f"\rnewscrawl demo: {scraped} articles crawled", end="")
            if not in_debug:
                tail.append(line.rstrip("\n"))
        returncode = process.wait()
    if live:
        _err("")
    if progress and not live:
        _err(f"newscrawl demo: crawl finished, {scraped} articles")
    if returncode != 0:
        _err(f"newscrawl demo: the crawl exited with status {returncode}; last lines of its log:")
        for line in tail:
            _err(f"  {line}")
    return returncode


def summary(output: Path, returncode: int) -> str:
    """What the demo prints on stdout: counts, where the files are, the newest article."""
    lines = [f"Demo crawl finished with exit status {returncode}."]
    if not output.exists():
        return "\n".join([*lines, f"No output was written to {_shown(output)}."])
    count, newest, unreadable = _count_and_newest(output)
    lines.append(f"{count} articles in {_shown(output)}")
    if unreadable:
        lines.append(
            f"{unreadable} {'line' if unreadable == 1 else 'lines'} skipped, not article "
            f"records ('newscrawl validate {_shown(output)}' says why)"
        )
    report = output.with_name(output.stem + ".report.json")
    if report.exists():
        lines.append(f"Run report: {_shown(report)}")
    if newest is not None:
        body = " ".join(str(newest.get("body") or "").split())
        if len(body) > BODY_PREVIEW:
            body = body[:BODY_PREVIEW].rsplit(" ", 1)[0] + " …"
        lines += [
            "",
            "Newest article:",
            f"  title:        {newest.get('title')}",
            f"  authors:      {', '.join(newest.get('authors') or []) or '(none)'}",
            f"  published_at: {newest.get('published_at')}",
            f"  body:         {body}",
            "",
            f"Next: newscrawl stats {_shown(output)}",
        ]
    return "\n".join(lines)


def _count_and_newest(path: Path) -> tuple[int, dict[str, Any] | None, int]:
    """Records in `path`, the newest by `published_at` and lines that are not records.

    The crawler writes articles in the order their pages arrive, which varies from run
    to run; the newest (the earliest URL among equal instants) is the same every time.
    """
    count = 0
    newest: dict[str, Any] | None = None
    newest_rank, newest_url = -math.inf, ""
    problems: list[Problem] = []
    for source in read_lines([path], problems.append):
        count += 1
        record = source.record
        published = epoch(record.get("published_at"))
        rank = -math.inf if published is None else published  # undated ranks last
        url = str(record.get("url"))
        if newest is None or rank > newest_rank or (rank == newest_rank and url < newest_url):
            newest, newest_rank, newest_url = record, rank, url
    return count, newest, len(problems)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _err(text: str, end: str = "\n") -> None:
    sys.stderr.write(text + end)
    sys.stderr.flush()
