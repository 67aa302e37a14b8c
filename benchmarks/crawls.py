"""Run one crawl in a subprocess and measure it: time, CPU, peak RSS, pages, requests.

Both crawls get the same engine settings (`engine_settings()`), taken from the project's
own settings after the loopback lift the spider applies, so the only difference between
them is what happens per page. CPU time and peak RSS come from the kernel (`wait4`), for
the crawl process alone; throughput uses Scrapy's own `elapsed_time_seconds`, which
leaves out interpreter start-up.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from benchmarks.nginx import SiteServer

BENCHMARKS = Path(__file__).resolve().parent
BARE_SPIDER = BENCHMARKS / "bare_spider.py"
# Settings that decide how the engine fetches; both crawls run with the same values.
ENGINE_SETTING_NAMES = (
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED", "ROBOTSTXT_OBEY", "TWISTED_REACTOR", "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "RETRY_ENABLED", "RETRY_TIMES", "USER_AGENT",
    "FEED_EXPORT_ENCODING",
)
# State files the project's components keep; each run gets fresh ones unless told otherwise.
KNOWN_STATE_SETTINGS = ("NEWSCRAWL_STATE_PATH", "NEWSCRAWL_BOILERPLATE_PATH")
_STATE_SUFFIXES = ("_PATH", "_DIR", "_FILE", "_DB")
_STAT = re.compile(r"'([a-z0-9_/.\- ]+)': (\d+(?:\.\d+)?)")
CRAWL_TIMEOUT = 3600.0


@dataclass
class CrawlMeasure:
    kind: str
    articles_on_site: int
    returncode: int
    exported: int
    responses: int
    requests: int
    elapsed: float
    wall: float
    cpu: float
    peak_rss_mib: float
    server_cpu: float
    server_requests: int
    stats: dict[str, float] = field(default_factory=dict)
    # CPU seconds and peak RSS of the crawl's helper processes (extraction workers, the
    # archive writer, the forkserver they come from), sampled from /proc while it ran.
    helpers_cpu: float = 0.0
    helpers_peak_rss_mib: float = 0.0
    helpers: int = 0

    @property
    def pages_per_second(self) -> float:
        return self.responses / self.elapsed if self.elapsed else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("stats")
        data["pages_per_second"] = self.pages_per_second
        return data


def engine_settings() -> dict[str, str]:
    """The project's engine settings as a crawl on loopback ends up using them."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    try:
        from newscrawl.spiders.jakartapost import _lift_politeness_for_loopback

        _lift_politeness_for_loopback(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    except (ImportError, AttributeError, TypeError):
        if settings.getbool("NEWSCRAWL_LOOPBACK_FAST", True):
            settings.set("DOWNLOAD_DELAY", 0, priority="project")
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="project")
    values = {name: settings.get(name) for name in ENGINE_SETTING_NAMES}
    # The bare spider's stats dump is read from its log at INFO; ours from its run report.
    values["LOG_LEVEL"] = "INFO"
    values["TELNETCONSOLE_ENABLED"] = False
    return {name: _setting_text(value) for name, value in values.items() if value is not None}


def state_settings(folder: Path) -> dict[str, str]:
    """Every path-like NEWSCRAWL_* setting pointed into `folder` (fresh state per run)."""
    module = importlib.import_module("newscrawl.settings")
    names = set(KNOWN_STATE_SETTINGS)
    names.update(
        name for name in dir(module)
        if name.startswith("NEWSCRAWL_") and name.endswith(_STATE_SUFFIXES)
        and name not in ("NEWSCRAWL_DEFAULT_FEED", "NEWSCRAWL_REPORT_PATH")
    )
    return {name: str(folder / name.lower().removeprefix("newscrawl_")) for name in sorted(names)}


def _setting_text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _parse_stats(log: str) -> dict[str, float]:
    start = log.rfind("Dumping Scrapy stats")
    if start < 0:
        return {}
    return {key: float(value) for key, value in _STAT.findall(log[start:])}


def _report_stats(output: Path) -> dict[str, float]:
    """The numeric stats of the run report beside `output`, if the crawl wrote one (our
    crawl logs its stats dump at DEBUG only; the bare spider has no report)."""
    report = output.with_name(output.stem + ".report.json")
    if not report.exists():
        return {}
    stats = json.loads(report.read_text(encoding="utf-8")).get("stats", {})
    return {k: float(v) for k, v in stats.items() if isinstance(v, (int, float))}


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def run_measured(
    command: list[str], *, cwd: Path, env: dict[str, str], server: SiteServer, kind: str,
    articles_on_site: int, output: Path, timeout: float = CRAWL_TIMEOUT,
) -> CrawlMeasure:
    """Run `command`, wait for it with `wait4`, and gather its measures."""
    cwd.mkdir(parents=True, exist_ok=True)
    log_path = cwd / f"{kind}.log"
    server_cpu0, server_req0 = server.cpu_seconds(), server.requests_logged()
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT)
        tree = ProcessTree(process.pid)
        status, usage = _wait(process.pid, timeout, tree.sample)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.perf_counter() - started
    server_cpu = server.cpu_seconds() - server_cpu0
    server_requests = server.requests_logged() - server_req0
    stats = _parse_stats(log_path.read_text(encoding="utf-8", errors="replace"))
    stats.update(_report_stats(output))
    return CrawlMeasure(
        kind=kind,
        articles_on_site=articles_on_site,
        returncode=os.waitstatus_to_exitcode(status),
        exported=_count_lines(output),
        responses=int(stats.get("response_received_count", 0)),
        requests=int(stats.get("downloader/request_count", 0)),
        elapsed=stats.get("elapsed_time_seconds", wall),
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=usage.ru_maxrss / 1024,
        server_cpu=server_cpu,
        server_requests=server_requests,
        stats=stats,
        helpers_cpu=tree.helpers_cpu(),
        helpers_peak_rss_mib=tree.helpers_peak_rss_mib(),
        helpers=len(tree.cpu) - 1,
    )


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
SAMPLE_EVERY = 0.25


class ProcessTree:
    """CPU time and peak RSS of a process's descendants, sampled from /proc (Linux).

    `wait4` reports the crawl process itself (and children it reaped: none of ours, the
    workers are the forkserver's children), so the helpers are sampled while they run;
    what a helper spends in its last sampling interval is missed.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.cpu: dict[int, float] = {}
        self.rss_mib: dict[int, float] = {}

    def sample(self) -> None:
        for pid in self._family():
            try:
                raw = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rfind(")") + 2 :].split()
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICK
            self.rss_mib[pid] = max(self.rss_mib.get(pid, 0.0), _peak_rss_mib(pid))

    def _family(self) -> list[int]:
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo.extend(int(c) for c in children.read_text().split())
                except (OSError, ValueError):
                    continue
        return found

    def helpers_cpu(self) -> float:
        return sum(v for pid, v in self.cpu.items() if pid != self.root)

    def helpers_peak_rss_mib(self) -> float:
        return max((v for pid, v in self.rss_mib.items() if pid != self.root), default=0.0)


def _peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _wait(pid: int, timeout: float,
          every: Callable[[], None] | None = None) -> tuple[int, Any]:
    """Wait for the crawl to end (killed after `timeout`); its status and rusage.
    `every` is called every `SAMPLE_EVERY` seconds meanwhile, from another thread."""
    killer = threading.Timer(timeout, os.kill, (pid, signal.SIGKILL))
    killer.start()
    done = threading.Event()
    sampler = None
    if every is not None:
        def sample() -> None:
            while not done.wait(SAMPLE_EVERY):
                every()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    try:
        _, status, usage = os.wait4(pid, 0)
    finally:
        killer.cancel()
        done.set()
        if sampler is not None:
            sampler.join()
    return status, usage
    return status, usage


def crawl_newscrawl(server: SiteServer, workdir: Path, articles_on_site: int, *,
                    state: Path | None = None, kind: str = "newscrawl",
                    extra: dict[str, str] | None = None, append: bool = False) -> CrawlMeasure:
    """`scrapy crawl jakartapost` with project settings, as a user runs it (`extra`: more
    `-s` settings, e.g. to switch a component off; `append`: -o, a re-run's new records
    only, where -O would refuse a new file beside a state that knows articles)."""
    state = state or workdir / "state"
    state.mkdir(parents=True, exist_ok=True)
    output = workdir / f"{kind}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "jakartapost",
               "-o" if append else "-O", str(output),
               "-s", f"JAKARTAPOST_BASE_URL={server.base_url}"]
    for name, value in {**engine_settings(), **state_settings(state), **(extra or {})}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    return run_measured(command, cwd=workdir, env=env, server=server, kind=kind,
                        articles_on_site=articles_on_site, output=output)


def crawl_bare(server: SiteServer, workdir: Path, articles_on_site: int) -> CrawlMeasure:
    """The bare spider, outside the project, with the same engine settings."""
    output = workdir / "bare.jsonl"
    command = [sys.executable, "-m", "scrapy", "runspider", str(BARE_SPIDER), "-O", str(output),
               "-s", f"BARE_BASE_URL={server.base_url}"]
    for name, value in engine_settings().items():
        command += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    return run_measured(command, cwd=workdir, env=env, server=server, kind="bare",
                        articles_on_site=articles_on_site, output=output)
