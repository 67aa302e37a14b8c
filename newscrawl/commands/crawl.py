"""`scrapy crawl` with validated spider arguments and a meaningful exit status.

Scrapy's own command exits 0 whenever the engine started. This one checks spider
arguments before anything is requested (exit 2 with a one-line message) and exits
1 when a component marked the run failed (`newscrawl.runstatus.fail_run`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.runstatus import ExitCode, failure_reasons
from newscrawl.spiders.arguments import ArgumentError

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
        try:
            if parse is not None:
                parse(opts.spargs)
        except ArgumentError as exc:
            raise UsageError(str(exc), print_help=False) from None

        crawler = self._create_crawler(args[0])
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
