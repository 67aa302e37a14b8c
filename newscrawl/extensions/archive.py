"""The crawl's WARC archive: every article page fetched, kept as it came.

Every response to an article request (and, with ``NEWSCRAWL_ARCHIVE_LISTINGS``, to
every other page but robots.txt) is written as a WARC ``response`` record with its
``request`` record (`newscrawl.archive.writer`), into one file per run, rotated by size.
`newscrawl reextract` turns such files back into a dataset without the network.

Building, hashing, compressing and writing the records happen in a writer process of
their own (`newscrawl.archive.writer.run_writer`): the crawl's event loop only hands
each response over through a socket, without waiting, so archiving costs the crawl
about as little as copying the page. Should the writer fall behind by more than
`MAX_BACKLOG` bytes, the engine pauses until it catches up (memory stays bounded). A run
killed before its files are closed leaves ``.warc.gz.open`` files; the next run
salvages them before it crawls (readers can also read them as they are, up to the last
whole record). A 304 answer to a re-check carries no page and is not archived.

Settings:

* ``NEWSCRAWL_ARCHIVE_ENABLED`` (default True)
* ``NEWSCRAWL_ARCHIVE_DIR`` (default ``data/archive/%(name)s/%(section)s``): feed-URI-style
  template of the folder; files are ``<run id>-<serial>.warc.gz``.
* ``NEWSCRAWL_ARCHIVE_LISTINGS`` (default False): also archive listing pages (every page
  that is not an article, robots.txt aside).
* ``NEWSCRAWL_ARCHIVE_MAX_BYTES`` (default 1 GiB): a new file once one is this large.
* ``NEWSCRAWL_ARCHIVE_SYNC_RECORDS`` (default 10): record pairs between two fsyncs.
* ``NEWSCRAWL_ARCHIVE_COMPRESSION`` (default 2): deflate level of each record's gzip
  member, 1-9 (1 and 2 with ISA-L, 3-9 with zlib).

Stats: ``newscrawl/archive/records``, ``newscrawl/archive/bytes``, ``newscrawl/archive/files``
(the file names, also in the run report's ``archive_files``),
``newscrawl/archive/salvaged_files``, ``newscrawl/archive/errors``,
``newscrawl/archive/writer_cpu_seconds``, ``newscrawl/archive/paused`` (times the
crawl waited for the writer).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import is_asyncio_available

from newscrawl import __version__, requestmeta
from newscrawl.archive.writer import (
    ArchiveWriter,
    WriterReport,
    capture_message,
    run_writer,
    salvage_folder,
    to_capture,
)
from newscrawl.runfiles import fill
from newscrawl.runstatus import fail_run
from newscrawl.urls import article_section
from newscrawl.workers import FrameSender, describe_exit, process_context, socket_pair

if TYPE_CHECKING:
    import socket
    from multiprocessing.process import BaseProcess

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)

#: Bytes of pages the writer process may lag behind before the crawl pauses for it.
MAX_BACKLOG = 4 * 1024 * 1024
#: How long closing waits for the writer's last records and its report.
CLOSE_TIMEOUT = 300.0


class WarcArchive:
    def __init__(
        self,
        crawler: Crawler,
        folder_template: str,
        *,
        listings: bool,
        max_bytes: int,
        sync_every: int,
        level: int,
    ) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.folder_template = folder_template
        self.listings = listings
        self.options = {"max_bytes": max_bytes, "sync_every": sync_every, "level": level}
        self.process: BaseProcess | None = None
        self.sender: FrameSender | None = None
        # Without an asyncio event loop to feed a writer process: written right here.
        self.local: ArchiveWriter | None = None
        self._started: asyncio.Future[None] | None = None
        self._paused = False
        self._error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_ARCHIVE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_ARCHIVE_ENABLED is off")
        folder = settings.get("NEWSCRAWL_ARCHIVE_DIR") or ""
        if not folder:
            raise NotConfigured("NEWSCRAWL_ARCHIVE_DIR is empty")
        extension = cls(
            crawler,
            folder,
            listings=settings.getbool("NEWSCRAWL_ARCHIVE_LISTINGS", False),
            max_bytes=settings.getint("NEWSCRAWL_ARCHIVE_MAX_BYTES", 1 << 30),
            sync_every=settings.getint("NEWSCRAWL_ARCHIVE_SYNC_RECORDS", 10),
            level=min(9, max(1, settings.getint("NEWSCRAWL_ARCHIVE_COMPRESSION", 2))),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        folder = fill(self.folder_template, self.crawler.settings, spider)
        salvaged = salvage_folder(folder)
        if salvaged:
            self.stats.inc_value("newscrawl/archive/salvaged_files", len(salvaged))
        settings = self.crawler.settings
        info = {
            "software": f"newscrawl/{__version__}",
            "isPartOf": f"{spider.name}-{getattr(spider, 'run_id', '')}",
            "http-header-user-agent": str(settings.get("USER_AGENT") or ""),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "newscrawl-base-url": str(getattr(spider, "base_url", "")),
            "newscrawl-section": str(getattr(spider, "section", "")),
            "newscrawl-run-id": str(getattr(spider, "run_id", "")),
        }
        prefix = str(
            getattr(spider, "run_id", "") or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        )
        self.stats.set_value("newscrawl/archive/files", [])
        logger.info("Archiving fetched pages as WARC in %(folder)s", {"folder": folder})
        if not is_asyncio_available():
            self.local = ArchiveWriter(folder, prefix, info, **self.options)
            return
        ours, theirs = socket_pair()
        self.sender = FrameSender(ours)
        self.sender.on_drained = self._resume
        self.process = process_context().Process(
            target=run_writer,
            args=(theirs, folder, prefix, info, self.options),
            name="newscrawl-archive",
            daemon=True,
        )
        # Pages sent before the process runs wait in the socket. Starting may start the
        # forkserver first, which takes a while: not on the event loop's thread.
        loop = asyncio.get_running_loop()
        self._started = asyncio.ensure_future(self._start(loop, theirs))

    async def _start(self, loop: asyncio.AbstractEventLoop, theirs: socket.socket) -> None:
        assert self.process is not None
        try:
            await loop.run_in_executor(None, self.process.start)
        finally:
            theirs.close()

    def _wanted(self, response: Response, request: Request) -> bool:
        if response.status == 304:
            return False
        path = urlsplit(response.url).path
        if article_section(path) is not None:
            return True
        return self.listings and path != "/robots.txt"

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if not self._wanted(response, request):
            return
        message = capture_message(
            url=response.url,
            method=request.method,
            request_headers=request.headers.items(),
            request_body=request.body,
            status=response.status,
            protocol=response.protocol or "HTTP/1.1",
            response_headers=response.headers.items(),
            body=response.body,
            captured_at=datetime.now(timezone.utc),
            teaser=request.meta.get(requestmeta.TEASER),
        )
        if self.local is not None:
            self._write_here(message[1])
            return
        sender = self.sender
        if sender is None:
            return
        sender.send(message)
        if sender.backlog > MAX_BACKLOG and not self._paused and self.crawler.engine:
            # The writer lags (a slow disk): downloads wait for it, pages do not pile up.
            self._paused = True
            self.stats.inc_value("newscrawl/archive/paused")
            self.crawler.engine.pause()

    def _resume(self) -> None:
        if self._paused and self.crawler.engine:
            self._paused = False
            self.crawler.engine.unpause()

    def _write_here(self, raw: tuple[Any, ...]) -> None:
        assert self.local is not None
        if self._error is not None:
            return
        try:
            self.local.add(to_capture(raw))
        except OSError as exc:
            self._error = f"{type(exc).__name__}: {exc}"

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        report = await self._close()
        self.stats.set_value("newscrawl/archive/files", [str(p) for p in report.files])
        self.stats.set_value("newscrawl/archive/records", report.records)
        self.stats.set_value("newscrawl/archive/bytes", report.bytes)
        if self.process is not None:
            self.stats.set_value(
                "newscrawl/archive/writer_cpu_seconds", round(report.cpu_seconds, 3)
            )
        error = self._error or report.error
        if error is not None:
            self.stats.inc_value("newscrawl/archive/errors")
            logger.error("The WARC archive failed: %(error)s", {"error": error})
            fail_run(self.stats, f"WARC archive failed: {error}")
            return
        logger.info(
            "Archived %(records)d page(s) in %(files)s",
            {"records": report.records, "files": ", ".join(map(str, report.files)) or "no file"},
        )

    async def _close(self) -> WriterReport:
        if self.local is not None:
            files = self.local.files
            try:
                files = self.local.close()
            except OSError as exc:
                self._error = self._error or f"{type(exc).__name__}: {exc}"
            return WriterReport(files, self.local.records, self.local.bytes, None, 0.0)
        sender, process = self.sender, self.process
        if sender is None or process is None or self._started is None:
            return WriterReport([], 0, 0, None, 0.0)
        self._resume()
        report = WriterReport([], 0, 0, None, 0.0)
        try:
            await self._started
            sender.send(("close", None))
            await asyncio.wait_for(sender.drain(), CLOSE_TIMEOUT)
            _, report = await sender.receive(CLOSE_TIMEOUT)
        except (OSError, EOFError, asyncio.TimeoutError) as exc:
            await asyncio.get_running_loop().run_in_executor(None, process.join, CLOSE_TIMEOUT)
            self._error = f"the archive writer process stopped ({describe_exit(process.exitcode)})"
            logger.debug("Closing the archive: %(error)r", {"error": sender.failed or exc})
        finally:
            sender.close()
        if sender.failed is not None and self._error is None:
            self._error = f"the archive writer process went away: {sender.failed}"
        return report
