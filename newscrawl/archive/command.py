"""The ``newscrawl reextract`` subcommand: arguments, settings, summary, exit status.

    newscrawl reextract ARCHIVES... -o OUT [--workers N] [--scheduler ADDRESS]
                        [--section world] [-s NAME=VALUE]...

Exit status: 0 done, 1 no archive found / unreadable input, 2 usage.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)

RECORD_SUFFIX = ".jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "archives",
        nargs="+",
        type=Path,
        metavar="ARCHIVE",
        help="WARC files (.warc.gz, .warc, or a killed crawl's .warc.gz.open) or folders of them",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="OUT",
        help=f"a {RECORD_SUFFIX} file, or a folder of part files (one per archived run) that "
        "'newscrawl export' reads as a dataset",
    )
    work = parser.add_argument_group("processing")
    work.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="extraction processes on this machine (default: its cores; 1: in this process)",
    )
    work.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="extract on this Dask distributed cluster instead (e.g. tcp://10.0.0.5:8786); "
        "archive paths must be readable by every worker",
    )
    work.add_argument("--section", default="world", help="section whose articles to keep")
    work.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting, as with scrapy crawl -s",
    )


def validate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"-s {item!r}: expected NAME=VALUE")
        overrides[name] = value
    args.overrides = overrides
    if args.output.exists() and args.output.is_dir() == args.output.name.endswith(RECORD_SUFFIX):
        kind = "a folder" if args.output.is_dir() else "a file"
        parser.error(f"{args.output} is {kind}; give a {RECORD_SUFFIX} file or a folder")
    from newscrawl.preflight import PreflightError, check_writable

    # A .jsonl output is one file; anything else is a folder of part files to create.
    target = args.output if args.output.suffix == RECORD_SUFFIX else args.output / "part.jsonl"
    try:
        check_writable(str(target), "output")
    except PreflightError as exc:
        parser.error(str(exc))


def project_settings(overrides: dict[str, str]) -> dict[str, Any]:
    """The crawl's settings (the project's, newscrawl's own outside a project) + `-s`."""
    from scrapy.settings import Settings
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if settings.get("BOT_NAME") != "newscrawl":
        settings = Settings()
        settings.setmodule("newscrawl.settings", priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings.copy_to_dict()


def run(args: argparse.Namespace) -> int:
    from newscrawl.archive.reextract import run_reextract
    from newscrawl.datasets.progress import Progress

    progress = Progress("re-extracting", None if args.quiet else sys.stderr, unit="records")
    parts = not args.output.name.endswith(RECORD_SUFFIX)
    summary = run_reextract(
        args.archives,
        args.output,
        settings=project_settings(args.overrides),
        section=args.section,
        workers=args.workers,
        progress=progress,
        scheduler=args.scheduler,
        parts=parts,
    )
    if not summary.files:
        logger.error(
            "no WARC files found in %(inputs)s", {"inputs": ", ".join(map(str, args.archives))}
        )
        return 1
    progress.done(f"{summary.files} files")
    skipped = {
        k.removeprefix("skipped/"): v for k, v in summary.tally.items() if k.startswith("skipped/")
    }
    logger.info(
        "%(written)d records written to %(out)s from %(pages)d article pages of %(records)d "
        "responses in %(files)d files; failed %(failed)d, dropped %(dropped)s, skipped %(skipped)s",
        {
            "written": summary.written,
            "out": args.output,
            "pages": summary.tally.get("pages", 0),
            "records": summary.tally.get("records", 0),
            "files": summary.files,
            "failed": summary.failed,
            "dropped": _counts(summary.dropped),
            "skipped": _counts(skipped),
        },
    )
    return 0


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    return ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
