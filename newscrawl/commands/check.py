"""`scrapy check` that keeps no WARC archive.

Scrapy's own command turns item pipelines and feeds off, since contracts discard what
callbacks return; the pages a contract check fetches are no crawl either, so the
archive (`newscrawl.extensions.archive`) is off too, at the same priority (the command
line can still turn it on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.check import Command as ScrapyCheckCommand
from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCheckCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        priority = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2
        self.settings.set("NEWSCRAWL_ARCHIVE_ENABLED", False, priority=priority)
