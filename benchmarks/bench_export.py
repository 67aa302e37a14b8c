"""Peak memory of `newscrawl export` on 10k and 100k synthetic records: it must stay flat.

Generates schema-valid run files (several runs; about a fifth of the lines are newer
versions of articles of earlier runs) in a temporary directory, runs `newscrawl export`
on them in a subprocess and reads the subprocess's peak RSS from the kernel (`wait4`).
The export merges through an on-disk SQLite database, so the peak at 100k records
should be close to the peak at 10k: the target is a ratio of at most 1.2.

    python benchmarks/bench_export.py [--sizes 10000 100000] [--format jsonl|csv|parquet]

`measure()` returns the numbers as a dict for other benchmark runners; `main()` prints
them and exits 1 when the ratio is above the target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

TARGET_RATIO = 1.2
DEFAULT_SIZES = (10_000, 100_000)
RUNS = 10
#: Share of lines that re-export an article already written by an earlier run.
UPDATE_SHARE = 0.2
WIB = timezone(timedelta(hours=7))
_WORDS = [
    "government",
    "minister",
    "said",
    "talks",
    "security",
    "region",
    "president",
    "election",
    "economy",
    "trade",
    "officials",
    "police",
    "report",
    "people",
    "country",
    "week",
    "year",
    "support",
    "crisis",
    "military",
    "court",
    "agreement",
    "foreign",
    "policy",
    "climate",
    "summit",
    "leaders",
    "market",
    "prices",
    "water",
    "city",
    "health",
]


def synthetic_record(number: int, version: int, rng: random.Random) -> dict[str, Any]:
    """A schema-valid record for article `number` (its fields depend on `number` only,
    except the body, modified_at and crawled_at, which change with `version`)."""
    published = datetime(2024, 1, 1, tzinfo=WIB) + timedelta(minutes=7 * number)
    paragraphs = [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(25, 60))).capitalize() + "."
        for _ in range(rng.randint(5, 12))
    ]
    body = "\n\n".join(paragraphs)
    return {
        "url": f"https://www.thejakartapost.com/world/{published:%Y/%m/%d}/story-{number}.html",
        "section": "world",
        "title": f"Synthetic story number {number}",
        "summary": None if number % 5 == 0 else f"Summary of story {number}.",
        "authors": [f"Reporter {number % 37}"] + (["AFP"] if number % 3 == 0 else []),
        "published_at": published.isoformat(),
        "modified_at": (published + timedelta(hours=version)).isoformat(),
        "tags": [_WORDS[number % len(_WORDS)], _WORDS[(number * 7) % len(_WORDS)]],
        "image_url": None,
        "body": body,
        "word_count": len(body.split()),
        "is_premium": number % 4 == 0,
        "is_truncated": False,
        "language": "en",
        "crawled_at": (published + timedelta(hours=version, minutes=5))
        .astimezone(timezone.utc)
        .isoformat(),
        "extraction_path": "current-layout",
        "version": version,
        "content_hash": f"{number:08x}{version:04x}",
        "quality_flags": [],
    }


def generate(directory: Path, count: int, runs: int = RUNS, seed: int = 6) -> dict[str, int]:
    """Write `count` lines spread over `runs` run files; returns lines and distinct articles."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    versions: dict[int, int] = {}
    per_run = -(-count // runs)
    written = 0
    next_article = 0
    for run in range(runs):
        path = directory / f"2024010{run // 10}T{run % 10:02d}0000Z.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for _ in range(min(per_run, count - written)):
                if next_article and rng.random() < UPDATE_SHARE:
                    number = rng.randrange(next_article)
                else:
                    number = next_article
                    next_article += 1
                versions[number] = versions.get(number, 0) + 1
                record = synthetic_record(number, versions[number], rng)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return {"lines": written, "articles": len(versions)}


def peak_rss(command: list[str]) -> tuple[int, float, int]:
    """Run `command`; its own peak RSS in bytes (Linux reports KiB), wall seconds, exit status."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss * 1024, time.perf_counter() - started, process.returncode


def export_command(inputs: Path, output: Path, fmt: str, work_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "newscrawl.cli", "export", str(inputs),
        "-o", str(output), "--format", fmt, "--quiet", "--work-dir", str(work_dir),
    ]  # fmt: skip


def measure(
    sizes: tuple[int, ...] = DEFAULT_SIZES, fmt: str = "jsonl", workdir: Path | None = None
) -> dict[str, Any]:
    """Generate each size, export it, and report peak RSS per size and the last/first ratio."""
    results: dict[str, Any] = {"format": fmt, "target_ratio": TARGET_RATIO, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir=workdir) as tmp:
        root = Path(tmp)
        for size in sizes:
            inputs = root / f"runs-{size}"
            counts = generate(inputs, size)
            output = root / f"export-{size}.{fmt}"
            rss, seconds, status = peak_rss(export_command(inputs, output, fmt, root))
            if status != 0:
                raise RuntimeError(f"newscrawl export exited with {status} on {size} records")
            results["sizes"][size] = {
                **counts,
                "input_mb": round(sum(p.stat().st_size for p in inputs.iterdir()) / 2**20, 1),
                "output_mb": round(output.stat().st_size / 2**20, 1),
                "peak_rss_mb": round(rss / 2**20, 1),
                "seconds": round(seconds, 1),
            }
    first, last = results["sizes"][sizes[0]], results["sizes"][sizes[-1]]
    results["ratio"] = round(last["peak_rss_mb"] / first["peak_rss_mb"], 3)
    results["ok"] = results["ratio"] <= TARGET_RATIO
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--format", default="jsonl", choices=("jsonl", "csv", "parquet"))
    parser.add_argument("--json", action="store_true", help="print the result dict as JSON")
    args = parser.parse_args(argv)
    results = measure(tuple(args.sizes), args.format)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"newscrawl export --format {results['format']}: peak RSS by input size")
        print(f"{'records':>9} {'articles':>9} {'input MB':>9} {'peak MB':>8} {'seconds':>8}")
        for size, row in results["sizes"].items():
            print(
                f"{size:>9} {row['articles']:>9} {row['input_mb']:>9} "
                f"{row['peak_rss_mb']:>8} {row['seconds']:>8}"
            )
        verdict = "ok" if results["ok"] else "ABOVE TARGET"
        print(f"ratio largest/smallest: {results['ratio']} (target <= {TARGET_RATIO}): {verdict}")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
