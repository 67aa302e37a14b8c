"""The WARC archive and `newscrawl reextract`, measured (`python -m benchmarks.archive`).

On the synthetic site (`sitegen`, served by nginx on loopback):

1. what archiving costs the crawl: crawls with the archive on and off, alternating,
   pages per second and CPU per article (target: at most 5% fewer pages per second);
2. archive bytes per article;
3. `newscrawl reextract` of that archive with 1 and 2 workers: pages per second (wall
   clock, from the first byte read to the last record written, start-up included)
   and peak RSS of the largest process (target: 2 workers at least 1.7x one on 2 cores).

Prints a summary and writes the raw figures to `<workdir>/archive-results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import nginx, sitegen
from benchmarks.crawls import _wait, crawl_newscrawl

# Under the system temp folder: the generated sites are large and disposable.
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "newscrawl-bench"


def say(text: str) -> None:
    print(text, flush=True)


def reextract(archive: Path, out: Path, workers: int) -> dict[str, Any]:
    """One `newscrawl reextract` run: wall time, CPU of the whole process tree, peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "newscrawl.cli",
        "reextract",
        str(archive),
        "-o",
        str(out),
        "--workers",
        str(workers),
        "-q",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status, usage = _wait(process.pid, 3600)
    wall = time.perf_counter() - started
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", "replace")
    records = (
        sum(1 for line in out.read_bytes().splitlines() if line.strip()) if out.exists() else 0
    )
    return {
        "workers": workers,
        "returncode": os.waitstatus_to_exitcode(status),
        "wall": wall,
        "records": records,
        "pages_per_second": records / wall if wall else 0.0,
        # wait4 reports the command's own RSS, or that of a worker it waited for if larger.
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
        "stderr": stderr[-2000:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=3, help="crawl pairs, archive on and off")
    parser.add_argument("--rounds", type=int, default=3, help="reextract rounds per worker count")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    workdir: Path = args.workdir
    runs = workdir / "archive-runs"
    shutil.rmtree(runs, ignore_errors=True)
    site = sitegen.cached_site(workdir / f"site-{args.articles}", args.articles)
    results: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]},
        "crawls": [],
        "reextract": [],
    }
    archive: Path | None = None
    with nginx.serve(site.root) as server:
        for r in range(args.pairs):
            order = (True, False) if r % 2 == 0 else (False, True)
            for on in order:
                folder = runs / f"crawl-{'on' if on else 'off'}-{r}"
                m = crawl_newscrawl(
                    server, folder, args.articles, extra={"NEWSCRAWL_ARCHIVE_ENABLED": str(on)}
                )
                files = sorted(folder.rglob("*.warc.gz"))
                size = sum(p.stat().st_size for p in files)
                results["crawls"].append({"archive": on, **m.to_dict(), "archive_bytes": size})
                state = "on " if on else "off"
                say(
                    f"  crawl, archive {state}: {m.pages_per_second:6.1f} pages/s, "
                    f"cpu {m.cpu:5.1f} s, exported {m.exported}, archive {size / 1e6:.1f} MB"
                )
                if on and archive is None:
                    archive = folder
    assert archive is not None
    for r in range(args.rounds):
        for workers in (1, 2) if r % 2 == 0 else (2, 1):
            row = reextract(archive, runs / f"re-{workers}.jsonl", workers)
            results["reextract"].append(row)
            say(
                f"  reextract, {workers} worker(s): {row['pages_per_second']:6.1f} pages/s, "
                f"{row['records']} records, peak RSS {row['peak_rss_mib']:.1f} MiB "
                f"(exit {row['returncode']})"
            )
    on = [c for c in results["crawls"] if c["archive"]]
    off = [c for c in results["crawls"] if not c["archive"]]
    pps_on = statistics.median(c["pages_per_second"] for c in on)
    pps_off = statistics.median(c["pages_per_second"] for c in off)
    bytes_per_article = statistics.median(c["archive_bytes"] / max(c["exported"], 1) for c in on)
    one = statistics.median(
        r["pages_per_second"] for r in results["reextract"] if r["workers"] == 1
    )
    two = statistics.median(
        r["pages_per_second"] for r in results["reextract"] if r["workers"] == 2
    )
    summary = {
        "crawl_pages_per_second_archive_on": pps_on,
        "crawl_pages_per_second_archive_off": pps_off,
        "archive_cost": 1 - pps_on / pps_off,
        "archive_bytes_per_article": bytes_per_article,
        "reextract_pages_per_second_1": one,
        "reextract_pages_per_second_2": two,
        "reextract_speedup_2_vs_1": two / one,
        "reextract_peak_rss_mib": {
            w: max(r["peak_rss_mib"] for r in results["reextract"] if r["workers"] == w)
            for w in (1, 2)
        },
    }
    results["summary"] = summary
    say(json.dumps(summary, indent=2))
    say(
        f"  archiving's cost to crawl throughput: {summary['archive_cost']:.1%} (target <= 5%): "
        f"{'met' if summary['archive_cost'] <= 0.05 else 'NOT met'}"
    )
    say(
        f"  reextract 2 workers / 1: {summary['reextract_speedup_2_vs_1']:.2f}x (target >= 1.7): "
        f"{'met' if summary['reextract_speedup_2_vs_1'] >= 1.7 else 'NOT met'}"
    )
    (workdir / "archive-results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
