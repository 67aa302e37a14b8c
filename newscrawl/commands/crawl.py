"""`scrapy crawl` that refuses in one line, talks plainly, and exits with a meaning.

Before Scrapy logs anything (its banner comes when the crawler process is built, right
after the options are read), `process_options` checks what can be checked without
crawling: one spider name, the spider's arguments, the settings and output paths
(`newscrawl.preflight`), the run lock and the state file (`CrawlState.probe`) and what
``-O`` would do with an incremental state (`newscrawl.feeds.overwrite_refusal`). A
problem is one line on stderr, ``newscrawl: <what is wrong>``, and an exit status:
2 for a usage error (nothing was requested), 75 when another run holds the lock, 1 for
a state file that cannot be read. It also quiets Scrapy's own log (`newscrawl.logs`).

The run lock itself is taken by the state's owner when the crawl is set up
(`newscrawl.extensions.crawlstate`); should another run take it in between, the
crawl's own attempt ends the same way. After the crawl the command exits 1 when a
component marked the run failed (`newscrawl.runstatus.fail_run`).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from twisted.internet.defer import Deferred

from newscrawl.feeds import overwrite_refusal
from newscrawl.logs import quiet_scrapy
from newscrawl.preflight import preflight
from newscrawl.runfiles import state_path
from newscrawl.runstatus import ExitCode, failure_reasons
from newscrawl.spiders.arguments import ArgumentError
from newscrawl.state.lock import LockedError
from newscrawl.state.manager import CrawlState
from newscrawl.state.store import StateError

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)

_REFUSALS = (LockedError, StateError)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            super().process_options(args, opts)
            self._check(args, opts)
        except UsageError as exc:
            self._exit(str(exc) or "usage: scrapy crawl [options] jakartapost", ExitCode.USAGE)
        except (LockedError, StateError, OSError) as exc:
            self._exit(*_refusal(exc))
        assert self.settings is not None
        quiet_scrapy(self.settings.get("LOG_LEVEL") or "DEBUG")

    def _check(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        options = [arg for arg in args if arg.startswith("-")]
        if options:
            raise UsageError(f"unknown option {options[0]}; see 'scrapy crawl -h'")
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. 'scrapy crawl jakartapost'")
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            names = ", ".join(loader.list()) or "none"
            raise UsageError(f"no spider named {args[0]!r} (this project has: {names})") from None
        parse = getattr(spidercls, "parse_arguments", None)
        section = str(opts.spargs.get("section", "world"))
        if parse is not None:
            try:
                section = parse(opts.spargs).section
            except ArgumentError as exc:
                raise UsageError(str(exc)) from None
        preflight(self.settings)
        state = state_path(self.settings, spidercls.name, section)
        known = CrawlState.probe(state) if state is not None else 0
        refusal = overwrite_refusal(self.settings, spidercls.name, section, state, known)
        if refusal:
            raise UsageError(refusal)

    def _exit(self, message: str, code: ExitCode) -> None:
        # One plain line on stderr, before anything is logged: cron mails it.
        sys.stderr.write(f"newscrawl: {message}\n")
        sys.exit(int(code))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        refused: list[BaseException] = []
        running = self.crawler_process.crawl(crawler, **opts.spargs)
        _on_refusal(running, refused.append)
        self.crawler_process.start()
        if refused:
            message, code = _refusal(refused[0])
            sys.stderr.write(f"newscrawl: {message}\n")
            self.exitcode = code
            return
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.FAILED
            return
        reasons = failure_reasons(crawler.stats)
        if reasons:
            logger.error("Run failed: %(reasons)s", {"reasons": "; ".join(reasons)})
            self.exitcode = ExitCode.FAILED


def _refusal(exc: BaseException) -> tuple[str, ExitCode]:
    if isinstance(exc, LockedError):
        return f"{exc}; not starting (exit {int(ExitCode.LOCKED)})", ExitCode.LOCKED
    if isinstance(exc, StateError):
        return f"{exc}; move it aside to re-crawl from scratch", ExitCode.FAILED
    return f"cannot take the run lock: {exc}", ExitCode.FAILED


def _on_refusal(running: Any, refused: Any) -> None:
    """Call `refused(exc)` when the crawl could not start because the state refused it
    (the lock taken meanwhile, the state file spoiled meanwhile), and keep that
    expected end out of the log as an unhandled error."""
    if isinstance(running, Deferred):

        def errback(failure: Any) -> Any:
            if failure.check(*_REFUSALS):
                refused(failure.value)
                return None
            return failure

        running.addErrback(errback)
        return

    def done(task: Any) -> None:
        if task.cancelled():
            return
        error = task.exception()  # retrieved, so asyncio does not log it at exit
        if isinstance(error, _REFUSALS):
            refused(error)
        elif error is not None:
            logger.error("The crawl could not start", exc_info=error)

    running.add_done_callback(done)
