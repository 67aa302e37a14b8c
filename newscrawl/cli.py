"""The `newscrawl` command: datasets for analysts, and an offline demo.

    newscrawl export [RUN FILES OR DIRS] -o OUT [--format jsonl|csv|parquet] [--since D] [--until D]
    newscrawl validate FILES...
    newscrawl stats [RUN FILES OR DIRS] [--json]
    newscrawl demo [-o OUT] [--site DIR] [--verbose]
    newscrawl serve [--site DIR] [--port 8000]
    newscrawl reextract ARCHIVES... -o OUT [--workers N] [--scheduler ADDRESS]

Each subcommand is one entry of `COMMANDS`: its help line, a function adding its
arguments, an optional function checking argument values argparse cannot check, and
the function doing the work. The work function checks the paths it reads and writes
before anything else and raises `CommandLineError` when one cannot be used.

`parse_args(argv)` never reads `sys.argv`; `main(argv=None)` is the console script
(`[project.scripts]` in pyproject.toml, also `python -m newscrawl`) and returns the
exit status: 0 success, 1 invalid input found or a step failed while working,
2 the command cannot run as given (a usage error, an input that does not exist, an
output that cannot be written, a busy port; nothing was read or written), 130
interrupted, 141 the reader of standard output went away. Errors are one line on
stderr: ``newscrawl: error: COMMAND: what is wrong``.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import platform
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import newscrawl
from newscrawl.datasets.instants import BoundError, parse_bound
from newscrawl.datasets.reader import PROBLEM_KINDS, InputError
from newscrawl.datasets.writers import (
    FORMATS,
    MissingExtraError,
    check_format_available,
    format_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from newscrawl.datasets.collect import LoadSummary, ProblemLog
    from newscrawl.datasets.merge import LatestVersions

logger = logging.getLogger(__name__)

PROG = "newscrawl"
#: Exit statuses (see the module docstring and README's "For analysts").
OK, FAILED, USAGE, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 130, 141
#: Where the crawler writes run files by default (NEWSCRAWL_DEFAULT_FEED), relative to
#: the directory it runs in; used when export/stats are given no input.
DEFAULT_INPUT = Path("data/jakartapost")
DEFAULT_DEMO_OUTPUT = Path("data/demo/world.jsonl")
DEFAULT_TOP = 10
DEFAULT_PORT = 8000
#: The only suffix the demo accepts for -o: the crawler picks the feed format from it.
DEMO_SUFFIX = ".jsonl"


class CommandLineError(Exception):
    """The command cannot be carried out as given; nothing has been read or written yet."""


class CommandFailed(Exception):
    """A step failed part-way; the command has cleaned up what it had begun to write."""


class _CliFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = (
            "newscrawl: "
            if record.levelno < logging.WARNING
            else f"newscrawl: {record.levelname.lower()}: "
        )
        return prefix + record.getMessage()


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr (no usage block) and a hint."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()
        where = f"{command}: " if command else ""
        self.exit(USAGE, f"{PROG}: error: {where}{message}; see '{self.prog} --help'\n")


# --- the commands' arguments ------------------------------------------------------------


def _quiet_option() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines or summaries on stderr"
    )
    return common


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


def _add_work_dir(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="do not check records against the JSON Schema (faster; invalid records pass)",
    )
    group.add_argument(
        "--work-dir",
        type=Path,
        metavar="DIR",
        help="an existing folder for the temporary merge database (default: the system "
        "temp folder)",
    )


def _add_site(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="site copy folder (default: fixtures/site of the newscrawl source tree)",
    )


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    _add_inputs(parser)
    _add_range(parser)
    out = parser.add_argument_group("output")
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
    _add_work_dir(parser.add_argument_group("processing"))


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="FILE_OR_DIR",
        help="run files, or directories holding them",
    )
    checks = parser.add_argument_group("checks")
    checks.add_argument(
        "--strict", action="store_true", help="count warnings (an incomplete last line) as errors"
    )


def _stats_arguments(parser: argparse.ArgumentParser) -> None:
    _add_inputs(parser)
    _add_range(parser)
    shown = parser.add_argument_group("output")
    shown.add_argument("--json", action="store_true", help="print JSON instead of tables")
    shown.add_argument(
        "--top",
        type=int,
        default=DEFAULT_TOP,
        metavar="N",
        help=f"authors and tags listed (default {DEFAULT_TOP}; 0 for all)",
    )
    _add_work_dir(parser.add_argument_group("processing"))


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    _add_site(parser.add_argument_group("input"))
    result = parser.add_argument_group("output")
    result.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_DEMO_OUTPUT,
        metavar="OUT",
        help=f"JSON Lines file to write, its name ending in {DEMO_SUFFIX} "
        f"(default {DEFAULT_DEMO_OUTPUT})",
    )
    result.add_argument(
        "-v", "--verbose", action="store_true", help="show the crawler's log on stderr"
    )


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    _add_site(parser)
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free port)",
    )


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


# --- checks on argument values ------------------------------------------------------------


def _check_range(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--since/--until as instants; no inputs means the default run-file folder."""
    try:
        args.since_at = parse_bound(args.since, end=False) if args.since else None
        args.until_at = parse_bound(args.until, end=True) if args.until else None
    except BoundError as exc:
        parser.error(str(exc))
    if args.since_at and args.until_at and args.since_at > args.until_at:
        parser.error(f"--since {args.since} is after --until {args.until}")
    args.inputs_named = bool(args.inputs)
    if not args.inputs:
        args.inputs = [DEFAULT_INPUT]


def _check_export(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    _check_range(parser, args)
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


def _check_stats(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    _check_range(parser, args)
    if args.top < 0:
        parser.error("--top must be 0 (all) or more")


def _check_site(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    from newscrawl.demo import bundled_site

    site = args.site or bundled_site()
    if not site.is_dir():
        parser.error(
            f"no site copy at {site} (it ships with the newscrawl source tree, "
            "not with an installed wheel); pass --site DIR"
        )
    args.site = site


def _check_demo(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.output.suffix != DEMO_SUFFIX:
        parser.error(
            f"-o {args.output}: the demo writes JSON Lines; give a file name ending in "
            f"{DEMO_SUFFIX}"
        )
    _check_site(parser, args)


# --- checks on paths, made before any work --------------------------------------------------


def _check_output_file(path: Path, example_name: str) -> None:
    """Refuse an output the command could not write, saying why in words."""
    from newscrawl.preflight import PreflightError, check_writable

    if path.is_dir():
        raise CommandLineError(
            f"output {path} is a folder; name a file in it, e.g. {path / example_name}"
        )
    try:
        check_writable(str(path), "output")
    except PreflightError as exc:
        raise CommandLineError(str(exc)) from None


def _check_work_dir(path: Path | None) -> None:
    if path is None:
        return
    if not path.exists():
        raise CommandLineError(f"--work-dir {path} does not exist")
    if not path.is_dir():
        raise CommandLineError(f"--work-dir {path} is a file, not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise CommandLineError(f"--work-dir {path} is not writable")


def _run_files(args: argparse.Namespace) -> list[Path]:
    """The run files the inputs name; every input must exist and something must be found."""
    from newscrawl.datasets.reader import discover

    named = getattr(args, "inputs_named", True)
    for path in args.inputs:
        if not path.exists():
            if not named:
                raise CommandLineError(
                    f"no run files named, and the default folder {path} does not exist; "
                    "name run files or folders holding them"
                )
            raise CommandLineError(f"input {path} does not exist")
        if not (path.is_file() or path.is_dir()):
            raise CommandLineError(f"input {path} is neither a file nor a folder")
    files = discover(args.inputs)
    if not files:
        raise CommandLineError(f"no run files (*.jsonl) in {', '.join(map(str, args.inputs))}")
    for folder in args.inputs:
        if folder.is_dir() and not any(folder in path.parents for path in files):
            logger.warning("%(dir)s: no run files (*.jsonl) in this folder", {"dir": folder})
    for path in files:
        if not os.access(path, os.R_OK):
            raise CommandLineError(f"input {path} is not readable")
    return files


# --- the commands ---------------------------------------------------------------------------


@dataclass
class _Merged:
    latest: LatestVersions
    summary: LoadSummary
    problems: ProblemLog


@contextmanager
def _latest_versions(args: argparse.Namespace, files: list[Path]) -> Iterator[_Merged]:
    """Read `files` into the on-disk merge (the latest version of each article)."""
    from newscrawl.datasets.collect import ProblemLog, load
    from newscrawl.datasets.merge import LatestVersions
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.reader import total_bytes
    from newscrawl.datasets.validate import RecordValidator

    problems = ProblemLog(sys.stderr)
    reading = Progress("reading", None if args.quiet else sys.stderr, total_bytes(files))
    with LatestVersions(args.work_dir) as latest:
        summary = load(
            files, latest, problems, reading, RecordValidator() if args.validate else None
        )
        reading.done(_counted(len(files), "file"))
        yield _Merged(latest, summary, problems)


def _export(args: argparse.Namespace) -> int:
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.writers import open_writer

    target = None if args.output == "-" else Path(args.output)
    if target is not None:
        _check_output_file(target, f"world.{args.format}")
    _check_work_dir(args.work_dir)
    files = _run_files(args)

    stream = None if args.quiet else sys.stderr
    with _latest_versions(args, files) as merged:
        summary = merged.summary
        selected = merged.latest.count(args.since_at, args.until_at)
        writing = Progress("writing", stream, selected, unit="records")
        try:
            with open_writer(args.format, target) as writer:
                for record in merged.latest.records(args.since_at, args.until_at):
                    writer.write(record)
                    writing.add_record()
        except OSError as exc:
            if target is None:
                raise
            # The error names the temporary file, which is gone by now: name the target.
            raise CommandFailed(
                f"could not write {target} ({exc.strerror or exc}); nothing was written to it"
            ) from exc
        writing.done(args.format)
    if not args.quiet:
        # The counts add up: lines - skipped - older versions - outside == exported.
        logger.info(
            "exported %(n)s to %(out)s: %(lines)s read from %(files)s, %(skipped)s, "
            "%(old)s dropped, %(outside)d outside --since/--until",
            {
                "n": _counted(writer.count, "article"),
                "out": "standard output" if target is None else target,
                "lines": _counted(summary.lines, "line"),
                "files": _counted(summary.files, "file"),
                "skipped": f"{summary.skipped_total:,} skipped{_kinds(summary)}",
                "old": _counted(summary.superseded, "older version"),
                "outside": summary.distinct - selected,
            },
        )
    return OK


def _validate(args: argparse.Namespace) -> int:
    from newscrawl.datasets.progress import Progress
    from newscrawl.datasets.reader import Problem, total_bytes
    from newscrawl.datasets.validate import validate_files

    files = _run_files(args)
    progress = Progress("checking", None if args.quiet else sys.stderr, total_bytes(files))

    def report(problem: Problem) -> None:
        sys.stdout.write(f"{problem}\n")

    summary = validate_files(files, report, progress)
    ok = summary.ok and not (args.strict and summary.warnings)
    if not args.quiet:
        logger.info(
            "%(verdict)s: %(files)s, %(records)s, %(valid)d valid, %(errors)s, %(warnings)s",
            {
                "verdict": "valid" if ok else "INVALID",
                "files": _counted(summary.files, "file"),
                "records": _counted(summary.records, "record"),
                "valid": summary.valid,
                "errors": _counted(summary.errors, "error"),
                "warnings": _counted(summary.warnings, "warning"),
            },
        )
    return OK if ok else FAILED


def _stats(args: argparse.Namespace) -> int:
    from newscrawl.datasets.stats import DatasetStats, render

    _check_work_dir(args.work_dir)
    files = _run_files(args)
    stats = DatasetStats()
    with _latest_versions(args, files) as merged:
        summary = merged.summary
        for record in merged.latest.records(args.since_at, args.until_at):
            stats.add(record)
    data: dict[str, Any] = stats.to_dict(top=args.top or None)
    source: dict[str, Any] = {
        "files": summary.files,
        "lines_read": summary.lines,
        "records_read": summary.records,
        "older_versions_dropped": summary.superseded,
        "invalid_records_skipped": summary.invalid,
        "lines_skipped": {kind: summary.skipped[kind] for kind in PROBLEM_KINDS},
        "since": args.since_at.isoformat() if args.since_at else None,
        "until": args.until_at.isoformat() if args.until_at else None,
    }
    if args.json:
        json.dump({"input": source, **data}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        shown = {k: v for k, v in source.items() if v is not None}
        shown["lines_skipped"] = f"{summary.skipped_total:,}{_kinds(summary)}"
        sys.stdout.write(render(data, extra=shown) + "\n")
    return OK


def _demo(args: argparse.Namespace) -> int:
    from newscrawl.demo import run_demo

    _check_output_file(args.output, DEFAULT_DEMO_OUTPUT.name)
    return run_demo(args.site, args.output, verbose=args.verbose, quiet=args.quiet)


def _serve(args: argparse.Namespace) -> int:
    from newscrawl.sitecopy.server import SiteCopy, SiteServer

    site = SiteCopy(args.site)
    try:
        server = SiteServer(site, args.port)
    except OSError as exc:
        raise CommandLineError(_bind_problem(args.port, exc)) from None
    # stdout, flushed: scripts (and the tests) read the address from the first line.
    print(f"Serving {args.site} at {server.base_url} (Ctrl-C to stop)", flush=True)
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
    return OK


def _bind_problem(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on 127.0.0.1 is already in use (by another 'newscrawl serve'?); "
            "stop that program or choose another port: --port N, or --port 0 for any free one"
        )
    if exc.errno == errno.EACCES:
        return (
            f"port {port} is reserved for the administrator; choose a port above 1023, "
            "or --port 0 for any free one"
        )
    return f"cannot listen on 127.0.0.1 port {port}: {exc.strerror or exc}"


@dataclass(frozen=True)
class Command:
    """One subcommand: `run(args)` returns the exit status."""

    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    #: Checks of argument values argparse cannot express; reports with `parser.error`.
    check: Callable[[argparse.ArgumentParser, argparse.Namespace], None] | None = None


COMMANDS: dict[str, Command] = {
    "export": Command(
        help="merge run files into one table, latest version of each article",
        description="Merge run files into one table: one row per article (its latest "
        "version), ordered by published_at. Invalid lines are reported, counted and skipped.",
        arguments=_export_arguments,
        run=_export,
        check=_check_export,
    ),
    "validate": Command(
        help="check run files against the published JSON Schema",
        description="Check every line against newscrawl's JSON Schema; problems are printed "
        "as 'file:line: problem'. Exit status 0 when every file is valid, 1 otherwise.",
        arguments=_validate_arguments,
        run=_validate,
    ),
    "stats": Command(
        help="articles per day, author and tag, word counts, premium share",
        description="Summarise the latest version of each article in the run files.",
        arguments=_stats_arguments,
        run=_stats,
        check=_check_stats,
    ),
    "demo": Command(
        help="crawl the bundled offline copy of the site and show what came out",
        description="Serve the bundled copy of the site on 127.0.0.1, run the real crawler "
        "on it and summarise the result. Never touches the live site or your crawl state.",
        arguments=_demo_arguments,
        run=_demo,
        check=_check_demo,
    ),
    "serve": Command(
        help="serve the bundled offline copy of the site on 127.0.0.1 until Ctrl-C",
        description="Serve a site copy folder on 127.0.0.1 under the site's URL scheme, so "
        "that `scrapy crawl jakartapost -s JAKARTAPOST_BASE_URL=http://127.0.0.1:PORT` "
        "can crawl it. Stops on Ctrl-C.",
        arguments=_serve_arguments,
        run=_serve,
        check=_check_site,
    ),
}


def _reextract_arguments(parser: argparse.ArgumentParser) -> None:
    from newscrawl.archive import command as reextract

    reextract.add_arguments(parser)


def _check_reextract(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    from newscrawl.archive import command as reextract

    reextract.validate(parser, args)


def _reextract(args: argparse.Namespace) -> int:
    # Imported on use: the WARC reader and the cluster client are not needed elsewhere.
    from newscrawl.archive import command as reextract

    return reextract.run(args)


COMMANDS["reextract"] = Command(
    help="rebuild records from WARC archives (ours or CC-NEWS), no network",
    description="Run the page objects and cleaning pipelines over archived responses: our "
    "crawls' archives (data/archive/...) or foreign WARC files such as Common Crawl "
    "CC-NEWS. Records of other sites, other sections, non-HTML, truncated or failed "
    "captures are counted and skipped.",
    arguments=_reextract_arguments,
    run=_reextract,
    check=_check_reextract,
)


# --- parsing and the entry point ------------------------------------------------------------


def version() -> str:
    return (
        f"{PROG} {newscrawl.__version__} (Scrapy {metadata.version('scrapy')}, "
        f"Python {platform.python_version()})"
    )


def command_list() -> str:
    """What `newscrawl` alone prints: the commands, one line each."""
    width = max(map(len, COMMANDS))
    lines = [
        f"usage: {PROG} COMMAND [ARGUMENTS]",
        "",
        "commands:",
        *(f"  {name:<{width}}  {command.help}" for name, command in COMMANDS.items()),
        "",
        f"'{PROG} COMMAND --help' describes a command; '{PROG} --version' prints the version.",
    ]
    return "\n".join(lines) + "\n"


def _build_parser() -> tuple[_Parser, dict[str, _Parser]]:
    parser = _Parser(
        prog=PROG,
        description="Merge, check and summarise the run files the newscrawl crawler writes; "
        "crawl or serve the bundled offline copy of the site.",
        epilog=f"'{PROG} COMMAND --help' describes a command.",
    )
    parser.add_argument("--version", action="version", version=version())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    quiet = _quiet_option()
    parsers: dict[str, _Parser] = {}
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(
            name, parents=[quiet], help=command.help, description=command.description
        )
        command.arguments(sub)
        parsers[name] = sub
    return parser, parsers


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `argv` (without the program name); exits with status 2 on a usage error
    (one line on stderr) and when no command is given (the command list on stderr)."""
    argv = list(argv)
    if not argv:
        sys.stderr.write(command_list())
        raise SystemExit(USAGE)
    parser, parsers = _build_parser()
    if not argv[0].startswith("-") and argv[0] not in COMMANDS:
        parser.error(f"unknown command {argv[0]!r}; the commands are {', '.join(COMMANDS)}")
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.error(
            f"unrecognized arguments: {' '.join(extra)}"
            if extra
            else f"give a command: {', '.join(COMMANDS)}"
        )
    # Errors found after parsing are reported as the subcommand's, with its --help hint.
    if extra:
        parsers[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    check = COMMANDS[args.command].check
    if check is not None:
        check(parsers[args.command], args)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else USAGE
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_CliFormatter())
    package = logging.getLogger("newscrawl")
    previous_level = package.level
    package.addHandler(handler)
    package.setLevel(logging.WARNING if args.quiet else logging.INFO)
    command = args.command
    try:
        status = COMMANDS[command].run(args)
        sys.stdout.flush()  # a closed pipe shows here rather than at interpreter exit
        return status
    except BrokenPipeError:
        # The reader of standard output went away (`| head`): stop quietly, with the
        # status of a tool stopped by SIGPIPE, and keep Python's exit flush from failing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except CommandLineError as exc:
        logger.error("%(command)s: %(error)s", {"command": command, "error": exc})
        return USAGE
    except (CommandFailed, InputError, MissingExtraError) as exc:
        logger.error("%(command)s: %(error)s", {"command": command, "error": exc})
        return FAILED
    except OSError as exc:
        # A full disk, a file that vanished or may not be read: one line, no traceback.
        logger.error("%(command)s: %(error)s", {"command": command, "error": _in_words(exc)})
        return FAILED
    except sqlite3.Error as exc:
        logger.error(
            "%(command)s: the temporary merge database failed (%(error)s); --work-dir DIR "
            "puts it on another disk",
            {"command": command, "error": exc},
        )
        return FAILED
    except KeyboardInterrupt:
        logger.error("%(command)s: interrupted", {"command": command})
        return INTERRUPTED
    finally:
        package.removeHandler(handler)
        package.setLevel(previous_level)


def _kinds(summary: LoadSummary) -> str:
    kinds = summary.skipped_by_kind()
    return f" ({kinds})" if kinds else ""


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _in_words(exc: OSError) -> str:
    if exc.strerror and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return exc.strerror or str(exc)


if __name__ == "__main__":
    sys.exit(main())
