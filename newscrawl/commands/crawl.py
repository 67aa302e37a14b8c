"""`scrapy crawl` with validated spider arguments and a meaningful exit status.

Scrapy's own command exits 0 whenever the engine started. This one checks spider
arguments before anything is requested (exit 2 with a one-line message) and exits
1 when a component marked the run failed (`newscrawl.runstatus.fail_run`).

With a crawl state (``NEWSCRAWL_STATE_PATH``) the run lock is taken by the state's
owner when the crawl is set up (`newscrawl.extensions.crawlstate`). This command tries
the lock and the state file first (`CrawlState.probe`), so a run started while another
holds the lock exits at once with 75 and a one-line message, leaving state and output
alone, and a state file that cannot be read is a one-line error and exit 1. Should
another run take the lock in between, the crawl's own attempt ends the same way.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

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


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. 'scrapy crawl jakartapost'")
        assert self.crawler_process is not None
        spidercls = self.crawler_process.spider_loader.load(args[0])
        parse = getattr(spidercls, "parse_arguments", None)
        section = str(opts.spargs.get("section", "world"))
        try:
            if parse is not None:
                section = parse(opts.spargs).section
        except ArgumentError as exc:
            raise UsageError(str(exc), print_help=False) from None
        assert self.settings is not None
        preflight(self.settings)  # unwritable paths, a bad base URL: exit 2 before any request

        state = state_path(self.settings, spidercls.name, section)
        if state is not None:
            try:
                CrawlState.probe(state)
            except (LockedError, StateError, OSError) as exc:
                self._refuse(exc)
                return
        self._crawl(args[0], opts)

    def _refuse(self, exc: BaseException) -> None:
        # One plain line on stderr: cron mails it, and nothing has been logged yet.
        if isinstance(exc, LockedError):
            message, code = f"{exc}; not starting (exit {int(ExitCode.LOCKED)})", ExitCode.LOCKED
        elif isinstance(exc, StateError):
            message, code = f"{exc}; move it aside to re-crawl from scratch", ExitCode.FAILED
        else:
            message, code = f"cannot take the run lock: {exc}", ExitCode.FAILED
        sys.stderr.write(f"newscrawl: {message}\n")
        self.exitcode = code

    def _crawl(self, spider_name: str, opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(spider_name)
        refused: list[BaseException] = []
        running = self.crawler_process.crawl(crawler, **opts.spargs)
        _on_refusal(running, refused.append)
        self.crawler_process.start()
        if refused:
            self._refuse(refused[0])
            return
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.FAILED
            return
        reasons = failure_reasons(crawler.stats)
        if reasons:
            logger.error("Run failed: %(reasons)s", {"reasons": "; ".join(reasons)})
            self.exitcode = ExitCode.FAILED


_REFUSALS = (LockedError, StateError)


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
