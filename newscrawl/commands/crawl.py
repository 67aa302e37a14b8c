"""`scrapy crawl` with validated spider arguments and a meaningful exit status.

Scrapy's own command exits 0 whenever the engine started. This one checks spider
arguments before anything is requested (exit 2 with a one-line message) and exits
1 when a component marked the run failed (`newscrawl.runstatus.fail_run`).

With a crawl state (``NEWSCRAWL_STATE_PATH``) it also takes the run lock
(`newscrawl.state.lock`) before anything else touches the state: a run started while
another holds it exits at once with 75 and a one-line message, leaving state and
output alone. A state file that cannot be read is a one-line error and exit 1.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.pipelines.state import resolve_state_path
from newscrawl.preflight import preflight
from newscrawl.runstatus import ExitCode, failure_reasons
from newscrawl.spiders.arguments import ArgumentError
from newscrawl.state.lock import LockedError, RunLock
from newscrawl.state.store import StateError, StateStore

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

        state = resolve_state_path(self.settings, spidercls.name, section)
        if state is None:
            self._crawl(args[0], opts)
            return
        lock = RunLock(state.with_name(state.name + ".lock"))
        try:
            lock.acquire()
        except LockedError as exc:
            self._refuse(f"{exc}; not starting (exit {int(ExitCode.LOCKED)})", ExitCode.LOCKED)
            return
        except OSError as exc:
            self._refuse(f"cannot take the run lock {lock.path}: {exc}", ExitCode.FAILED)
            return
        try:
            StateStore.check(state)
        except StateError as exc:
            lock.release()
            self._refuse(f"{exc}; move it aside to re-crawl from scratch", ExitCode.FAILED)
            return
        try:
            self._crawl(args[0], opts)
        finally:
            lock.release()

    def _refuse(self, message: str, code: ExitCode) -> None:
        # One plain line on stderr: cron mails it, and nothing has been logged yet.
        sys.stderr.write(f"newscrawl: {message}\n")
        self.exitcode = code

    def _crawl(self, spider_name: str, opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(spider_name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.FAILED
            return
        stats = crawler.stats
        reasons = failure_reasons(stats) if stats is not None else []
        if reasons:
            logger.error("Run failed: %(reasons)s", {"reasons": "; ".join(reasons)})
            self.exitcode = ExitCode.FAILED
