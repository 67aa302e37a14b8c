"""The `newscrawl` command: datasets for analysts, and an offline demo.

    newscrawl export [RUN FILES OR DIRS] -o OUT [--format jsonl|csv|parquet] [--since D] [--until D]
    newscrawl validate FILES...
    newscrawl stats [RUN FILES OR DIRS] [--json]
    newscrawl demo [-o OUT] [--site DIR] [--verbose]
    newscrawl serve [--site DIR] [--port 8000]
    newscrawl reextract ARCHIVES... -o OUT [--workers N] [--scheduler ADDRESS]

`parse_args(argv)` never reads `sys.argv`; `main(argv=None)` is the console script
(`[project.scripts]` in pyproject.toml) and returns the exit status: 0 success,
1 invalid input or a failed step, 2 a usage error (argparse's own code).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawl.datasets.instants import BoundError, parse_bound
from newscrawl.datasets.reader import InputError
from newscrawl.datasets.writers import (
    FORMATS,
    MissingExtraError,
    check_format_available,
    format_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from newscrawl.datasets.collect import LoadSummary, ProblemLog
    from newscrawl.datasets.merge import LatestVersions

logger = logging.getLogger(__name__)

#: Where the crawler writes run files by default (NEWSCRAWL_DEFAULT_FEED), relative to
#: the directory it runs in; used when export/stats are given no input.
DEFAULT_INPUT = Path("data/jakartapost")
DEFAULT_DEMO_OUTPUT = Path("data/demo/world.jsonl")
DEFAULT_TOP = 10


class _CliFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = (
            "newscrawl: "
            if record.levelno < logging.WARNING
            else f"newscrawl: {record.levelname.lower()}: "
        )
        return prefix + record.getMessage()


# --- arguments ----------------------------------------------------------------------------


def _build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines or summaries on stderr"
    )

    parser = argparse.ArgumentParser(
        prog="newscrawl",
        description="Work with the run files the newscrawl crawler writes.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser(
        "export",
        parents=[common],
        help="merge run files into one table, latest version of each article",
        description="Merge run files into one table: one row per article (its latest version), "
        "ordered by published_at. Invalid lines are reported and skipped.",
    )
    _add_inputs(export)
    _add_range(export)
    out = export.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="file to write ('-' for standard output, jsonl and csv only)",
    )
    out.add_argument(
        "--format",
        choices=FORMATS,
        help="table format (default: from the OUT suffix .jsonl/.csv/.parquet, else jsonl)",
    )
    work = export.add_argument_group("processing")
    work.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="do not check records against the JSON Schema (faster; invalid records pass)",
    )
    work.add_argument(
        "--work-dir",
        type=Path,
        metavar="DIR",
        help="where the temporary merge database goes (default: the system temp dir)",
    )

    validate = commands.add_parser(
        "validate",
        parents=[common],
        help="check run files against the published JSON Schema",
        description="Check every line against newscrawl's JSON Schema; problems are printed as "
        "'file:line: problem'. Exit status 0 when every file is valid, 1 otherwise.",
    )
    validate.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="FILE_OR_DIR",
        help="run files, or directories holding them",
    )
    checks = validate.add_argument_group("checks")
    checks.add_argument(
        "--strict", action="store_true", help="count warnings (an incomplete last line) as errors"
    )

    stats = commands.add_parser(
        "stats",
        parents=[common],
        help="articles per day, author and tag, word counts, premium share",
        description="Summarise the latest version of each article in the run files.",
    )
    _add_inputs(stats)
    _add_range(stats)
    shown = stats.add_argument_group("output")
    shown.add_argument("--json", action="store_true", help="print JSON instead of tables")
    shown.add_argument(
        "--top",
        type=int,
        default=DEFAULT_TOP,
        metavar="N",
        help=f"authors and tags listed (default {DEFAULT_TOP}; 0 for all)",
    )
    checks = stats.add_argument_group("processing")
    checks.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="do not check records against the JSON Schema",
    )
    checks.add_argument(
        "--work-dir", type=Path, metavar="DIR", help="where the temporary merge database goes"
    )

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="crawl the bundled offline copy of the site and show what came out",
        description="Serve the bundled copy of the site on 127.0.0.1, run the real crawler on it "
        "and summarise the result. Never touches the live site or your crawl state.",
    )
    site = demo.add_argument_group("input")
    site.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="site copy folder (default: fixtures/site of the newscrawl source tree)",
    )
    result = demo.add_argument_group("output")
    result.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_DEMO_OUTPUT,
        metavar="OUT",
        help=f"JSON Lines file to write (default {DEFAULT_DEMO_OUTPUT})",
    )
    result.add_argument(
        "-v", "--verbose", action="store_true", help="show the crawler's log on stderr"
    )
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="serve the bundled offline copy of the site on 127.0.0.1 until Ctrl-C",
        description="Serve a site copy folder on 127.0.0.1 under the site's URL scheme, so "
        "that `scrapy crawl jakartapost -s JAKARTAPOST_BASE_URL=http://127.0.0.1:PORT` "
        "can crawl it. Stops on Ctrl-C.",
    )
    serve.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="site copy folder (default: fixtures/site of the newscrawl source tree)",
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free)"
    )
    from newscrawl.archive import command as reextract_command

    reextract_command.add_parser(commands, common)
    return parser, dict(commands.choices)


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input")
    group.add_argument(
        "inputs",
        nargs="*",
        type=Path,
        metavar="RUN_FILE_OR_DIR",
        help=f"run files (*.jsonl, or a *.jsonl.part named explicitly) or directories "
        f"searched for *.jsonl (default: {DEFAULT_INPUT})",
    )


def _add_range(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("selection (on published_at, compared as instants)")
    group.add_argument(
        "--since",
        metavar="DATE",
        help="from this date (YYYY-MM-DD, from 00:00 site time, UTC+07:00) or ISO date-time",
    )
    group.add_argument(
        "--until",
        metavar="DATE",
        help="up to this date (YYYY-MM-DD, to the end of that day) or ISO date-time, inclusive",
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `argv` (without the program name); exits with status 2 on a usage error."""
    parser, commands = _build_parser()
    args = parser.parse_args(list(argv))
    # Errors found after parsing are reported by the subcommand, with its usage line.
    _validate_args(commands[args.command], args)
    return args


def _validate_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Checks argparse cannot express; fills in derived values (bounds, format, site)."""
    if args.command in ("export", "stats"):
        try:
            args.since_at = parse_bound(args.since, end=False) if args.since else None
            args.until_at = parse_bound(args.until, end=True) if args.until else None
        except BoundError as exc:
            parser.error(str(exc))
        if args.since_at and args.until_at and args.since_at > args.until_at:
            parser.error(f"--since {args.since} is after --until {args.until}")
        if not args.inputs:
            args.inputs = [DEFAULT_INPUT]
    if args.command == "export":
        to_stdout = args.output == "-"
        implied = None if to_stdout else format_for(Path(args.output))
        if args.format and implied and args.format != implied:
            parser.error(f"--format {args.format} does not match the output name {args.output!r}")
        if not args.format and not implied and not to_stdout:
            parser.error(
                f"cannot tell the format from {args.output!r}; add --format {{{','.join(FORMATS)}}}"
            )
        args.format = args.format or implied or "jsonl"
        if to_stdout and args.format == "parquet":
            parser.error("Parquet cannot go to standard output; give -o FILE.parquet")
        try:
            check_format_available(args.format)
        except MissingExtraError as exc:
            parser.error(str(exc))
    if args.command == "reextract":
        from newscrawl.archive import command as reextract_command

        reextract_command.validate(parser, args)
    if args.command == "stats" and args.top < 0:
        parser.error("--top must be 0 (all) or more")
    if args.command == "demo":
        from newscrawl.demo import bundled_site

        site = args.site or bundled_site()
        if not site.is_dir():
            parser.error(
                f"no site copy at {site} (it ships with the newscrawl source tree, "
                "not with an installed wheel); pass --site DIR"
            )
        args.site = site


# --- commands -----------------------------------------------------------------------------


@contextmanager
def _latest_versions(args: argparse.Namespace) -> Iterator[_Merged | None]:
    """Read the run files `args` names into the on-disk merge (latest version of each
    article); None, after saying so, when there are no run files."""
    from newscrawl.datasets.collect import ProblemLog, load
    from newscrawl.datasets.merge import LatestVersions
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.reader import discover, total_bytes
    from newscrawl.datasets.validate import RecordValidator

    files = discover(args.inputs)
    if not files:
        logger.error(
            "no run files found in %(inputs)s", {"inputs": ", ".join(map(str, args.inputs))}
        )
        yield None
        return
    problems = ProblemLog(sys.stderr)
    reading = Progress("reading", None if args.quiet else sys.stderr, total_bytes(files))
    with LatestVersions(args.work_dir) as latest:
        summary = load(
            files, latest, problems, reading, RecordValidator() if args.validate else None
        )
        reading.done(f"{len(files)} files")
        yield _Merged(latest, summary, problems)


@dataclass
class _Merged:
    latest: LatestVersions
    summary: LoadSummary
    problems: ProblemLog


def _export(args: argparse.Namespace) -> int:
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.writers import open_writer

    stream = None if args.quiet else sys.stderr
    target = None if args.output == "-" else Path(args.output)
    with _latest_versions(args) as merged:
        if merged is None:
            return 1
        latest, summary, problems = merged.latest, merged.summary, merged.problems
        selected = latest.count(args.since_at, args.until_at)
        writing = Progress("writing", stream, selected, unit="records")
        with open_writer(args.format, target) as writer:
            for record in latest.records(args.since_at, args.until_at):
                writer.write(record)
                writing.add_record()
        writing.done(args.format)
    if not args.quiet:
        logger.info(
            "exported %(n)d articles to %(out)s: %(records)d records read from %(files)d files, "
            "%(old)d older versions dropped, %(invalid)d invalid records skipped, "
            "%(outside)d outside --since/--until, %(warnings)d warnings",
            {
                "n": writer.count,
                "out": "standard output" if target is None else target,
                "records": summary.records,
                "files": summary.files,
                "old": summary.superseded,
                "invalid": summary.invalid,
                "outside": summary.distinct - selected,
                "warnings": problems.warnings,
            },
        )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.reader import Problem, discover, total_bytes
    from newscrawl.datasets.validate import validate_files

    files = discover(args.inputs)
    if not files:
        logger.error(
            "no run files found in %(inputs)s", {"inputs": ", ".join(map(str, args.inputs))}
        )
        return 1
    progress = Progress("checking", None if args.quiet else sys.stderr, total_bytes(files))

    def report(problem: Problem) -> None:
        sys.stdout.write(f"{problem}\n")

    summary = validate_files(files, report, progress)
    ok = summary.ok and not (args.strict and summary.warnings)
    if not args.quiet:
        logger.info(
            "%(verdict)s: %(files)d files, %(records)d records, %(valid)d valid, "
            "%(errors)d errors, %(warnings)d warnings",
            {
                "verdict": "valid" if ok else "INVALID",
                "files": summary.files,
                "records": summary.records,
                "valid": summary.valid,
                "errors": summary.errors,
                "warnings": summary.warnings,
            },
        )
    return 0 if ok else 1


def _stats(args: argparse.Namespace) -> int:
    from newscrawl.datasets.stats import DatasetStats, render

    stats = DatasetStats()
    with _latest_versions(args) as merged:
        if merged is None:
            return 1
        latest, summary = merged.latest, merged.summary
        for record in latest.records(args.since_at, args.until_at):
            stats.add(record)
    data: dict[str, Any] = stats.to_dict(top=args.top or None)
    source = {
        "files": summary.files,
        "records_read": summary.records,
        "older_versions_dropped": summary.superseded,
        "invalid_records_skipped": summary.invalid,
        "since": args.since_at.isoformat() if args.since_at else None,
        "until": args.until_at.isoformat() if args.until_at else None,
    }
    if args.json:
        json.dump({"input": source, **data}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        shown = {k: v for k, v in source.items() if v is not None}
        sys.stdout.write(render(data, extra=shown) + "\n")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from newscrawl.demo import run_demo

    return run_demo(args.site, args.output, verbose=args.verbose, quiet=args.quiet)


def _serve(args: argparse.Namespace) -> int:
    from newscrawl.demo import bundled_site
    from newscrawl.sitecopy.server import SiteCopy, SiteServer

    site = args.site or bundled_site()
    if not site.is_dir():
        logger.error(
            "serve: no site copy folder at %(site)s (give one with --site)", {"site": site}
        )
        return 2
    server = SiteServer(SiteCopy(site), args.port)
    # stdout, flushed: scripts (and the tests) read the address from the first line.
    print(f"Serving {site} at {server.base_url} (Ctrl-C to stop)", flush=True)
    print(
        f"Crawl it with: scrapy crawl jakartapost -s JAKARTAPOST_BASE_URL={server.base_url}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how this command is meant to end
    finally:
        server.server_close()
    return 0


def _reextract(args: argparse.Namespace) -> int:
    from newscrawl.archive import command as reextract_command

    return reextract_command.run(args)


COMMANDS = {
    "export": _export,
    "validate": _validate,
    "stats": _stats,
    "demo": _demo,
    "serve": _serve,
    "reextract": _reextract,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_CliFormatter())
    package = logging.getLogger("newscrawl")
    previous_level = package.level
    package.addHandler(handler)
    package.setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        return COMMANDS[args.command](args)
    except (InputError, MissingExtraError, OSError) as exc:
        # A missing input path, a full disk, a file we may not read: one line, no traceback.
        logger.error("%(command)s: %(error)s", {"command": args.command, "error": exc})
        return 1
    except KeyboardInterrupt:
        logger.error("%(command)s: interrupted", {"command": args.command})
        return 130
    finally:
        package.removeHandler(handler)
        package.setLevel(previous_level)


if __name__ == "__main__":
    sys.exit(main())
