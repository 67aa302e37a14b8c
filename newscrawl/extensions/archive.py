"""The crawl's WARC archive: every article page fetched, kept as it came.

Every response to an article request (and, with ``NEWSCRAWL_ARCHIVE_LISTINGS``, to
every other page but robots.txt) is written as a WARC ``response`` record with its
``request`` record (`newscrawl.archive.writer`), into one file per run, rotated by size.
`newscrawl reextract` turns such files back into a dataset without the network.

Compressing and writing happen on a thread of their own, so the crawl's event loop
only hands the response over (zlib and hashing release the GIL). A run killed before
its files are closed leaves ``.warc.gz.open`` files; the next run salvages them before
it crawls (readers can also read them as they are, up to the last whole record).
A 304 answer to a re-check carries no page and is not archived.

Settings:

* ``NEWSCRAWL_ARCHIVE_ENABLED`` (default True)
* ``NEWSCRAWL_ARCHIVE_DIR`` (default ``data/archive/%(name)s/%(section)s``): feed-URI-style
  template of the folder; files are ``<run id>-<serial>.warc.gz``.
* ``NEWSCRAWL_ARCHIVE_LISTINGS`` (default False): also archive listing pages (every page
  that is not an article, robots.txt aside).
* ``NEWSCRAWL_ARCHIVE_MAX_BYTES`` (default 1 GiB): a new file once one is this large.
* ``NEWSCRAWL_ARCHIVE_SYNC_RECORDS`` (default 10): record pairs between two fsyncs.
* ``NEWSCRAWL_ARCHIVE_COMPRESSION`` (default 3): zlib level of each record's gzip member.

Stats: ``newscrawl/archive/records``, ``newscrawl/archive/bytes``, ``newscrawl/archive/files``
(the file names, also in the run report's ``archive_files``),
``newscrawl/archive/salvaged_files``, ``newscrawl/archive/errors``.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import __version__
from newscrawl.archive.writer import ArchiveWriter, Capture, salvage_folder
from newscrawl.runfiles import fill
from newscrawl.runstatus import fail_run
from newscrawl.urls import article_section

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)

#: Captures waiting for the writer thread at most; past it the crawl waits (memory bound).
QUEUE_SIZE = 64


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
        self.max_bytes = max_bytes
        self.sync_every = sync_every
        self.level = level
        self.writer: ArchiveWriter | None = None
        self._queue: queue.Queue[Capture | None] = queue.Queue(QUEUE_SIZE)
        self._thread: threading.Thread | None = None
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
            level=min(9, max(1, settings.getint("NEWSCRAWL_ARCHIVE_COMPRESSION", 3))),
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
        self.writer = ArchiveWriter(
            folder,
            str(
                getattr(spider, "run_id", "")
                or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            ),
            info,
            max_bytes=self.max_bytes,
            sync_every=self.sync_every,
            level=self.level,
        )
        self.stats.set_value("newscrawl/archive/files", [])
        self._thread = threading.Thread(target=self._run, name="newscrawl-archive", daemon=True)
        self._thread.start()
        logger.info("Archiving fetched pages as WARC in %(folder)s", {"folder": folder})

    def _wanted(self, response: Response, request: Request) -> bool:
        if response.status == 304:
            return False
        path = urlsplit(response.url).path
        if article_section(path) is not None:
            return True
        return self.listings and path != "/robots.txt"

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if self._thread is None or self._error is not None or not self._wanted(response, request):
            return
        self._queue.put(
            Capture(
                url=response.url,
                method=request.method,
                request_headers=_pairs(request.headers),
                request_body=request.body,
                status=response.status,
                protocol=response.protocol or "HTTP/1.1",
                response_headers=_pairs(response.headers),
                body=response.body,
                captured_at=datetime.now(timezone.utc),
            )
        )

    def _run(self) -> None:
        writer = self.writer
        assert writer is not None
        known = 0
        while (capture := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the crawl must never block on a dead archive
            try:
                writer.add(capture)
            except OSError as exc:
                self._error = f"{type(exc).__name__}: {exc}"
                continue
            if len(writer.files) != known:
                known = len(writer.files)
                self.stats.set_value("newscrawl/archive/files", [str(p) for p in writer.files])

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._thread is None or self.writer is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        try:
            files = self.writer.close()
        except OSError as exc:
            self._error = self._error or f"{type(exc).__name__}: {exc}"
            files = self.writer.files
        self.stats.set_value("newscrawl/archive/files", [str(p) for p in files])
        self.stats.set_value("newscrawl/archive/records", self.writer.records)
        self.stats.set_value("newscrawl/archive/bytes", self.writer.bytes)
        if self._error is not None:
            self.stats.inc_value("newscrawl/archive/errors")
            logger.error("The WARC archive failed: %(error)s", {"error": self._error})
            fail_run(self.stats, f"WARC archive failed: {self._error}")
            return
        logger.info(
            "Archived %(records)d page(s) in %(files)s",
            {"records": self.writer.records, "files": ", ".join(map(str, files)) or "no file"},
        )


def _pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    """Scrapy `Headers` as (name, value) text pairs, one per value."""
    return tuple(
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    )
