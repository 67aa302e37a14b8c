"""The one benchmark command: `python -m benchmarks.run` (see benchmarks/README.md).

It generates (or reuses) the synthetic sites, serves each from nginx on 127.0.0.1, and
measures in one run, alternating our crawl with the baselines:

1. crawl throughput and CPU per article, `scrapy crawl jakartapost` vs the bare spider;
2. extraction plus cleaning per page vs a bare lxml parse and vs trafilatura;
3. peak RSS of both crawls at the small and the large site;
4. requests made by an incremental re-run when nothing is new;
5. RSS of `newscrawl export` at 10k and 100k records (benchmarks/bench_export.py).

It prints a table with each target and whether it is met, and writes every raw figure
to `<workdir>/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import extraction, nginx, sitegen
from benchmarks.crawls import CrawlMeasure, crawl_bare, crawl_newscrawl, engine_settings

BENCHMARKS = Path(__file__).resolve().parent
EXPORT_BENCH = BENCHMARKS / "bench_export.py"
# Under the system temp folder: the generated sites are large and disposable.
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "newscrawl-bench"


@dataclass
class Target:
    name: str
    value: float | None
    limit: float
    kind: str  # "max": value <= limit; "min": value >= limit

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.limit if self.kind == "max" else self.value >= self.limit

    def line(self) -> str:
        sign = "<=" if self.kind == "max" else ">="
        value = "n/a" if self.value is None else f"{self.value:.2f}"
        verdict = {True: "met", False: "NOT met", None: "not measured"}[self.met]
        return f"  {self.name:<58} {value:>8}  (target {sign} {self.limit:g})  {verdict}"


@dataclass
class Report:
    machine: dict[str, Any]
    settings: dict[str, str]
    crawls: list[dict[str, Any]] = field(default_factory=list)
    fixed_cost: dict[str, dict[str, Any]] = field(default_factory=dict)
    incremental: dict[str, Any] = field(default_factory=dict)
    extraction: dict[str, Any] = field(default_factory=dict)
    export: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text(encoding="utf-8"))
        cpu = found.group(1).strip() if found else cpu
    import lxml.etree
    import scrapy

    return {
        "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
        "scrapy": scrapy.__version__, "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "platform": platform.platform(), "load_before": os.getloadavg()[0],
        "nginx": _nginx_version(),
    }


def _nginx_version() -> str:
    binary = nginx.nginx_binary()
    if binary is None:
        return "missing"
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).strip()


def say(text: str) -> None:
    print(text, flush=True)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _fixed_cost(workdir: Path) -> dict[str, CrawlMeasure]:
    """Both crawls against a site whose first listing page is empty: start-up cost only."""
    site = workdir / "site-0"
    sitegen.cached_site(site, 0)
    costs = {}
    with nginx.serve(site) as server:
        for kind, crawl in (("newscrawl", crawl_newscrawl), ("bare", crawl_bare)):
            runs = [crawl(server, workdir / "runs" / f"empty-{kind}-{i}", 0) for i in range(2)]
            costs[kind] = min(runs, key=lambda m: m.cpu)
    return costs


def crawl_pairs(site: Path, n: int, repeats: int, workdir: Path,
                with_incremental: bool) -> tuple[list[CrawlMeasure], dict[str, Any]]:
    """`repeats` pairs of (our crawl, bare spider), alternating which goes first."""
    measures: list[CrawlMeasure] = []
    incremental: dict[str, Any] = {}
    with nginx.serve(site) as server:
        for r in range(repeats):
            order = ("newscrawl", "bare") if r % 2 == 0 else ("bare", "newscrawl")
            for kind in order:
                run_dir = workdir / "runs" / f"{n}-{kind}-{r}"
                shutil.rmtree(run_dir, ignore_errors=True)
                if kind == "bare":
                    m = crawl_bare(server, run_dir, n)
                else:
                    m = crawl_newscrawl(server, run_dir, n)
                measures.append(m)
                say(f"    {kind:<10} {n:>6} articles: {m.pages_per_second:7.1f} pages/s, "
                    f"cpu {m.cpu:6.1f} s, peak RSS {m.peak_rss_mib:6.1f} MiB, exported "
                    f"{m.exported}, server cpu {m.server_cpu:.1f} s (exit {m.returncode})")
                if kind == "newscrawl" and with_incremental and not incremental:
                    again = crawl_newscrawl(server, run_dir / "rerun", n, state=run_dir / "state",
                                            kind="rerun", append=True)
                    log = server.requests_since(server.requests_logged() - again.server_requests)
                    incremental = {
                        "server_requests": again.server_requests,
                        "scrapy_requests": again.requests,
                        "exported": again.exported,
                        "returncode": again.returncode,
                        "requested": [line.split()[0] for line in log[:10]],
                    }
                    say(f"    incremental re-run: {again.server_requests} requests reached the "
                        f"server, {again.exported} records exported")
    return measures, incremental


def run_export_bench(quick: bool, timeout: float) -> dict[str, Any]:
    """benchmarks/bench_export.py, owned by the CLI; its output is passed through."""
    if not EXPORT_BENCH.exists():
        return {"status": "benchmarks/bench_export.py not found"}
    command = [sys.executable, str(EXPORT_BENCH), "--json"]
    if quick:
        command += ["--sizes", "1000", "10000"]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False, cwd=BENCHMARKS.parent)
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    result: dict[str, Any] = {"status": f"exit {done.returncode}", "seconds":
                              time.perf_counter() - started, "output": done.stdout[-4000:]}
    if done.returncode != 0:
        result["stderr"] = done.stderr[-2000:]
    parsed = _last_json(done.stdout)
    if parsed is not None:
        result["json"] = parsed
    return result


def _last_json(text: str) -> Any:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    try:
        return json.loads(text)
    except ValueError:
        return None


def _export_line(export: dict[str, Any]) -> str:
    data = export.get("json")
    if not isinstance(data, dict) or not isinstance(data.get("sizes"), dict):
        return f"{export['status']}: {export.get('stderr', export.get('output', ''))[-600:]}"
    sizes = ", ".join(f"{size} records: peak RSS {row.get('peak_rss_mb')} MiB "
                      f"({row.get('seconds')} s)" for size, row in data["sizes"].items())
    return f"{sizes}; ratio {data.get('ratio')}"


def _export_sizes(export: dict[str, Any]) -> str:
    data = export.get("json")
    if isinstance(data, dict) and isinstance(data.get("sizes"), dict) and data["sizes"]:
        sizes = [int(k) for k in data["sizes"]]
        return f"{max(sizes) // 1000}k / {min(sizes) // 1000}k records"
    return "100k / 10k records"


def _export_ratio(export: dict[str, Any]) -> float | None:
    """peak RSS at 100k / at 10k, if the export benchmark reported both."""
    data = export.get("json")
    if not isinstance(data, dict):
        return None
    for key in ("ratio", "rss_ratio", "peak_rss_ratio"):
        if isinstance(data.get(key), (int, float)):
            return float(data[key])
    sizes = {}
    for key, value in data.items():
        found = re.fullmatch(r"(?:peak_)?rss_(?:mib_|mb_|kib_)?(\d+)k?", str(key))
        if found and isinstance(value, (int, float)):
            sizes[int(found.group(1))] = float(value)
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        return sizes[large] / sizes[small]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 200 and 1,000 articles, one round of everything")
    parser.add_argument("--small", type=int, default=2000, help="articles in the small site")
    parser.add_argument("--large", type=int, default=20000, help="articles in the large site")
    parser.add_argument("--repeats", type=int, default=3, help="crawl pairs on the small site")
    parser.add_argument("--large-repeats", type=int, default=1,
                        help="crawl pairs on the large site")
    parser.add_argument("--pages", type=int, default=200, help="pages in the extraction sample")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the extraction sample")
    parser.add_argument("--skip-export", action="store_true", help="do not run bench_export.py")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help="generated sites (kept for reuse) and run folders")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--report", type=Path, metavar="RESULTS_JSON",
                        help="measure nothing: print the summary of an earlier results.json")
    args = parser.parse_args(argv)
    if args.report:
        return print_saved(args.report)
    if args.quick:
        args.small, args.large, args.repeats, args.large_repeats = 200, 1000, 1, 1
        args.pages, args.rounds = 40, 1
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "runs", ignore_errors=True)
    report = Report(machine=machine(), settings=engine_settings())
    started = time.perf_counter()
    say(f"newscrawl benchmarks: {report.machine['cpu']}, {report.machine['cores']} cores, "
        f"Python {report.machine['python']}, Scrapy {report.machine['scrapy']}, "
        f"{report.machine['nginx']}")

    sites = {}
    for n in (args.small, args.large):
        t0 = time.perf_counter()
        sites[n] = sitegen.cached_site(workdir / f"site-{n}", n)
        say(f"site of {n} articles ready in {time.perf_counter() - t0:.1f} s "
            f"({sites[n].article_bytes / max(n, 1) / 1024:.1f} KiB per article page)")

    say("start-up cost (empty site)")
    fixed = _fixed_cost(workdir)
    report.fixed_cost = {k: m.to_dict() for k, m in fixed.items()}

    measures: list[CrawlMeasure] = []
    say(f"crawls of {args.small} articles ({args.repeats} pairs)")
    small, report.incremental = crawl_pairs(sites[args.small].root, args.small, args.repeats,
                                            workdir, with_incremental=True)
    measures += small
    say("extraction plus cleaning per page")
    pages = extraction.sample_pages(sites[args.small].root, args.pages)
    ex = extraction.measure(pages, args.rounds)
    report.extraction = ex.to_dict()
    say(f"    ours {ex.ours_ms:.2f} ms (a worker's share {ex.worker_ms:.2f} ms, extraction alone "
        f"{ex.extract_only_ms:.2f} ms), lxml parse "
        f"{ex.parse_ms:.2f} ms, trafilatura "
        f"{'n/a' if ex.trafilatura_ms is None else f'{ex.trafilatura_ms:.2f} ms'}; "
        f"pipelines: {', '.join(ex.pipelines) or 'none configured'}")
    say(f"crawls of {args.large} articles ({args.large_repeats} pairs)")
    large, _ = crawl_pairs(sites[args.large].root, args.large, args.large_repeats, workdir,
                           with_incremental=False)
    measures += large
    report.crawls = [m.to_dict() for m in measures]
    if not args.skip_export:
        say("newscrawl export (benchmarks/bench_export.py)")
        report.export = run_export_bench(args.quick, timeout=1200)
        say("    " + _export_line(report.export))

    summary, targets = summarise(measures, fixed, report, args.small, args.large)
    report.targets = [t.__dict__ | {"met": t.met} for t in targets]
    say("")
    say(summary)
    say("targets:")
    for target in targets:
        say(target.line())
    say(f"total {time.perf_counter() - started:.0f} s; raw figures in {workdir / 'results.json'}")
    payload = json.dumps(report.__dict__, indent=2, default=str)
    (workdir / "results.json").write_text(payload, encoding="utf-8")
    if args.json:
        args.json.write_text(payload, encoding="utf-8")
    return 0


def _measure(data: dict[str, Any]) -> CrawlMeasure:
    return CrawlMeasure(**{k: v for k, v in data.items() if k != "pages_per_second"})


def print_saved(path: Path) -> int:
    report = Report(**json.loads(path.read_text(encoding="utf-8")))
    measures = [_measure(d) for d in report.crawls]
    fixed = {kind: _measure(d) for kind, d in report.fixed_cost.items()}
    sizes = sorted({m.articles_on_site for m in measures})
    summary, targets = summarise(measures, fixed, report, sizes[0], sizes[-1])
    say(summary)
    say("targets:")
    for target in targets:
        say(target.line())
    return 0


def summarise(measures: list[CrawlMeasure], fixed: dict[str, CrawlMeasure], report: Report,
              small: int, large: int) -> tuple[str, list[Target]]:
    def pick(kind: str, n: int) -> list[CrawlMeasure]:
        return [m for m in measures if m.kind == kind and m.articles_on_site == n]

    lines = [f"{'':<28}{'ours':>12}{'bare':>12}{'ours/bare':>11}"]
    rows: dict[tuple[str, int], tuple[float | None, float | None]] = {}
    for n in (small, large):
        ours, bare = pick("newscrawl", n), pick("bare", n)
        pps = (_median([m.pages_per_second for m in ours]),
               _median([m.pages_per_second for m in bare]))
        cpu = (_median([_net_cpu_ms(m, fixed["newscrawl"]) for m in ours]),
               _median([_net_cpu_ms(m, fixed["bare"]) for m in bare]))
        gross = (_median([m.cpu / max(m.exported, 1) * 1000 for m in ours]),
                 _median([m.cpu / max(m.exported, 1) * 1000 for m in bare]))
        # Every process of the crawl: its extraction workers and archive writer too.
        total = (_median([_net_cpu_ms(m, fixed["newscrawl"], helpers=True) for m in ours]),
                 _median([_net_cpu_ms(m, fixed["bare"], helpers=True) for m in bare]))
        helpers_rss = (_median([m.helpers_peak_rss_mib for m in ours]),
                       _median([m.helpers_peak_rss_mib for m in bare]))
        rss = (_median([m.peak_rss_mib for m in ours]), _median([m.peak_rss_mib for m in bare]))
        share = _median([m.server_cpu / (m.server_cpu + m.cpu) * 100 for m in ours + bare
                         if m.cpu])
        rows[("pps", n)], rows[("rss", n)] = pps, rss
        # Pages per CPU-second: what the crawl would reach alone on a core; steadier than
        # wall-clock throughput when other work shares the machine.
        rows[("cpu", n)] = (1000 / cpu[0] if cpu[0] else None, 1000 / cpu[1] if cpu[1] else None)
        for label, pair in ((f"pages/s @{n}", pps), (f"CPU ms/article @{n}", cpu),
                            (f"  (incl. start-up) @{n}", gross),
                            (f"  all processes @{n}", total), (f"peak RSS MiB @{n}", rss),
                            (f"  largest helper @{n}", helpers_rss)):
            lines.append(_row(label, pair))
        lines.append(f"  nginx share of CPU @{n}: {share:.1f}% (median over runs)"
                     if share is not None else "")
    ex = report.extraction
    traf = ex.get("trafilatura_ms")
    lines.append(
        f"extraction+cleaning {ex['ours_ms']:.2f} ms/page (per-page share, in a worker: "
        f"{ex.get('worker_ms', 0.0):.2f} ms), lxml parse {ex['parse_ms']:.2f} ms, "
        f"trafilatura {'n/a' if traf is None else f'{traf:.2f} ms'} "
        f"({ex['pages']} pages x {ex['rounds']} rounds, medians)"
    )
    inc = report.incremental
    lines.append(f"incremental re-run, nothing new: {inc.get('server_requests')} requests "
                 f"({', '.join(inc.get('requested', [])[:4])})")

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    targets = [
        Target(f"throughput ours/bare @{small}", ratio(*rows[("pps", small)]), 0.7, "min"),
        Target(f"throughput ours/bare @{large}", ratio(*rows[("pps", large)]), 0.7, "min"),
        Target(f"pages per CPU-second (crawl process) ours/bare @{small}",
               ratio(*rows[("cpu", small)]), 0.7, "min"),
        Target(f"pages per CPU-second (crawl process) ours/bare @{large}",
               ratio(*rows[("cpu", large)]), 0.7, "min"),
        Target("extraction+cleaning / lxml parse", ex.get("ours_vs_parse"), 2.0, "max"),
        Target("  per-page share (an extraction worker's work) / lxml parse",
               ex.get("worker_vs_parse"), 2.0, "max"),
        Target("trafilatura / extraction+cleaning", ex.get("trafilatura_vs_ours"), 5.0, "min"),
        Target(f"peak RSS ours @{large} / ours @{small}",
               ratio(rows[("rss", large)][0], rows[("rss", small)][0]), 1.2, "max"),
        Target(f"peak RSS ours @{large} / bare @{large}", ratio(*rows[("rss", large)]), 1.5, "max"),
        Target("requests of an incremental run with nothing new",
               inc.get("server_requests"), 2, "max"),
        Target(f"export peak RSS {_export_sizes(report.export)}", _export_ratio(report.export),
               1.2, "max"),
    ]
    return "\n".join(line for line in lines if line), targets


def _net_cpu_ms(measure: CrawlMeasure, empty: CrawlMeasure, *, helpers: bool = False) -> float:
    """CPU milliseconds per exported article, start-up (the empty-site run) left out: of
    the crawl process, or (`helpers`) of it and its helper processes together."""
    used = measure.cpu + (measure.helpers_cpu if helpers else 0.0)
    idle = empty.cpu + (empty.helpers_cpu if helpers else 0.0)
    return (used - idle) / max(measure.exported, 1) * 1000


def _row(label: str, pair: tuple[float | None, float | None]) -> str:
    ours, bare = pair
    ratio = f"{ours / bare:>10.2f}x" if ours is not None and bare else f"{'':>11}"
    cells = "".join(f"{'n/a' if v is None else f'{v:.2f}':>12}" for v in pair)
    return f"{label:<28}{cells}{ratio}"


if __name__ == "__main__":
    sys.exit(main())
