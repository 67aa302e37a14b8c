"""How a crawl extracts its article pages: in worker processes, or in its own.

The page object and the per-page cleaning (`newscrawl.extraction.ArticleExtractor`) cost
more CPU per page than everything else a crawl does. In the crawl's own process they
would hold the event loop, and with it every download, for the whole of each page. So,
by default on a machine with more than one core, pages go to worker processes
(`newscrawl.workers.WorkerPool`): the spider's callback awaits the result while the
event loop goes on downloading. Records, stats and log messages are the same either way:
each worker hands back the page's stats and log records with its result, and they are
counted and logged here.

A worker that dies on a page (a crash in a C library, the OOM killer) or takes longer
than the timeout fails that page only: it becomes a failed page with the reason (the
spider reports it like any other), the worker is stopped and another takes its place.
If no worker can be started at all, the crawl logs why and extracts in its own process.

Settings:

* ``NEWSCRAWL_EXTRACTION_WORKERS`` (default None: one fewer than the usable cores, so
  none on a single core): worker processes; 0 extracts in the crawl process.
* ``NEWSCRAWL_EXTRACTION_TIMEOUT`` (default 60): seconds a worker may spend on a page.

Stats: ``newscrawl/extraction/workers`` (0: in the crawl process),
``newscrawl/extraction/workers_started``, ``newscrawl/extraction/workers_lost`` (died or
stopped for taking too long), ``newscrawl/extraction/worker_cpu_seconds``,
``newscrawl/extraction/errors`` (pages our code failed on; logged with the traceback).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.utils.asyncio import is_asyncio_available

from newscrawl.extraction import ArticleExtractor, Extraction, FetchedPage
from newscrawl.workers import PoolBroken, WorkerLost, WorkerPool, replay_logs, usable_cores

if TYPE_CHECKING:
    from datetime import datetime

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import TextResponse
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


def worker_count(value: object, cores: int) -> int:
    """Workers for a ``NEWSCRAWL_EXTRACTION_WORKERS`` value (None or "": automatic)."""
    if value is None or value == "":
        # The crawl process keeps a core for the event loop; the rest extract.
        return cores - 1
    return max(0, int(str(value)))


class ExtractionService:
    def __init__(self, crawler: Crawler, workers: int, timeout: float) -> None:
        self.crawler = crawler
        self.workers = workers
        self.timeout = timeout
        self.pool: WorkerPool | None = None
        self._local: ArticleExtractor | None = None
        self._broken_logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        service = cls(
            crawler,
            worker_count(settings.get("NEWSCRAWL_EXTRACTION_WORKERS"), usable_cores()),
            settings.getfloat("NEWSCRAWL_EXTRACTION_TIMEOUT", 60.0),
        )
        crawler.signals.connect(service.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(service.spider_closed, signal=signals.spider_closed)
        return service

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    @property
    def local(self) -> ArticleExtractor:
        """The extractor of this process (built on first use: with workers it is only
        the fallback)."""
        if self._local is None:
            self._local = ArticleExtractor(self.crawler)
        return self._local

    def spider_opened(self, spider: Spider) -> None:
        workers = self.workers
        if workers and not is_asyncio_available():
            logger.info(
                "Extracting in the crawl process: worker processes need the asyncio reactor"
            )
            workers = 0
        self.stats.set_value("newscrawl/extraction/workers", workers)
        if not workers:
            return
        self.pool = WorkerPool(workers, self.crawler.settings.copy_to_dict(), timeout=self.timeout)
        self.pool.start()
        logger.debug("Extracting article pages in %(n)d worker process(es)", {"n": workers})

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        pool = self.pool
        if pool is None:
            return
        await pool.close()
        self.stats.set_value("newscrawl/extraction/workers_started", pool.started)
        self.stats.set_value("newscrawl/extraction/worker_cpu_seconds", round(pool.cpu_seconds, 3))
        if pool.lost:
            self.stats.set_value("newscrawl/extraction/workers_lost", pool.lost)

    async def extract(
        self,
        response: TextResponse,
        *,
        section: str,
        fetched_at: datetime,
        teaser: str | None = None,
    ) -> Extraction:
        """The record of `response`, or why there is none (`Extraction.failure`)."""
        pool = self.pool
        if pool is not None and pool.broken is None:
            page = FetchedPage(
                url=response.url,
                body=response.body,
                headers=tuple(
                    (name, value) for name, values in response.headers.items() for value in values
                ),
                status=response.status,
                fetched_at=fetched_at,
                section=section,
                teaser=teaser,
            )
            try:
                result = await pool.extract(page)
            except WorkerLost as lost:
                logger.warning(
                    "Extraction worker lost on %(url)s: %(reason)s",
                    {"url": response.url, "reason": lost.reason},
                )
                return Extraction(response.url, failure=lost.reason)
            except PoolBroken as exc:
                self._log_broken(str(exc))
            else:
                stats = self.stats
                for key, value in result.stats.items():
                    stats.inc_value(key, value)
                replay_logs(result.logs)
                result.stats, result.logs = {}, []
                return result
        return self.local.extract_response(response, section, fetched_at, teaser=teaser)

    def _log_broken(self, reason: str) -> None:
        if self._broken_logged:
            return
        self._broken_logged = True
        self.stats.set_value("newscrawl/extraction/workers", 0)
        logger.error(
            "No extraction worker could be started (%(reason)s): extracting in the crawl "
            "process for the rest of the run",
            {"reason": reason},
        )
