"""A per-page cleaning step for tests: it makes the extraction worker misbehave on purpose.

Listed in ``NEWSCRAWL_CLEANING_PIPELINES`` by a test, it runs wherever pages are
extracted. Settings (URL path fragments; empty: never):

* ``TEST_FAULTS_DIE_ON``: the process kills itself (SIGKILL), as when a C library
  crashes or the OOM killer strikes;
* ``TEST_FAULTS_HANG_ON``: the process stops making progress, for good;
* ``TEST_FAULTS_LOG``: log a WARNING for every page (to see the log reach the crawl);
* ``TEST_FAULTS_REFUSE_WORKERS``: refuse to be built inside a worker process (a set-up
  that works in the crawl process only).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class WorkerFaults:
    def __init__(self, die_on: str, hang_on: str, log: bool) -> None:
        self.die_on = die_on
        self.hang_on = hang_on
        self.log = log

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerFaults:
        settings = crawler.settings
        if settings.getbool("TEST_FAULTS_REFUSE_WORKERS") and multiprocessing.parent_process():
            raise RuntimeError("this set-up cannot run in a worker process")
        return cls(
            settings.get("TEST_FAULTS_DIE_ON") or "",
            settings.get("TEST_FAULTS_HANG_ON") or "",
            settings.getbool("TEST_FAULTS_LOG"),
        )

    def process_item(self, item: Any) -> Any:
        if self.log:
            logger.warning("worker-faults saw %(url)s", {"url": item.url})
        if self.die_on and self.die_on in item.url:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.hang_on and self.hang_on in item.url:
            threading.Event().wait()  # never set: a hang, until the process is killed
        return item
