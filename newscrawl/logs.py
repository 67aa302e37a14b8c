"""A crawl log a person can read: what happened, not how Scrapy is put together.

`quiet_scrapy(level)` is installed by the crawl command before Scrapy logs anything:

* Scrapy's start-up and closing dump (banner, versions, overridden settings, enabled
  and disabled components, telnet and remote-control notices, the stats dict, "Spider opened",
  the minutely "Crawled N pages") and its per-page notes that newscrawl reports in its
  own words (a response ignored for its status, a feed stored) are
  demoted to DEBUG: ``-L DEBUG`` (or ``-s LOG_LEVEL=DEBUG``) shows all of them again.
* Expected network errors (connection refused, time-outs, lost connections, hosts that
  do not resolve) are logged without a traceback at any level above DEBUG; a
  robots.txt that cannot be fetched is one WARNING saying so.

The filters sit on the loggers that emit those records, so they hold whatever handler
Scrapy installs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError
from twisted.internet.error import TimeoutError as ConnectTimeoutError

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Errors a crawl over the network meets and reports as failures, not as bugs.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError,
    CannotResolveHostError,
    DownloadTimeoutError,
    DownloadFailedError,
    ResponseDataLossError,
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    ConnectTimeoutError,
)

#: Per logger, how the INFO (or give-up) messages that are dump, not news, begin.
DUMP = {
    "scrapy.utils.log": ("Scrapy %(version)s started", "Versions:"),
    "scrapy.addons": ("Enabled addons",),
    "scrapy.crawler": ("Overridden settings",),
    # A component switched off by its setting is what the setting asked for.
    "scrapy.middleware": ("Enabled %(componentname)ss", "Disabled %(clspath)s"),
    "scrapy.statscollectors": ("Dumping Scrapy stats",),
    "scrapy.core.engine": ("Spider opened", "Closing spider", "Spider closed"),
    "scrapy.extensions.logstats": ("Crawled %(pages)d pages",),
    "scrapy.extensions.telnet": ("Telnet console listening", "Telnet Password"),
    "scrapy.extensions.remote_control": ("Remote control HTTP server listening",),
    "scrapy.extensions.feedexport": ("Stored %s",),
    "scrapy.spidermiddlewares.httperror": ("Ignoring response",),
}
#: Loggers that may attach a traceback to an expected network error.
NETWORK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper")


class _Demote(logging.Filter):
    """Turns the records that begin with one of `prefixes` into DEBUG records."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        super().__init__()
        self.prefixes = tuple(prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.levelno > logging.DEBUG
            and isinstance(record.msg, str)
            and record.msg.startswith(self.prefixes)
        ):
            record.levelno = logging.DEBUG
            record.levelname = logging.getLevelName(logging.DEBUG)
        return True


class _NoNetworkTraceback(logging.Filter):
    """Drops the traceback of a record about an expected network error."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, NETWORK_ERRORS):
            return True
        record.exc_info = None
        record.exc_text = None
        if record.name == "scrapy.downloadermiddlewares.robotstxt":
            # Scrapy names the page that was waiting for robots.txt, not robots.txt.
            request = record.args.get("request") if isinstance(record.args, dict) else None
            host = urlsplit(getattr(request, "url", "")).netloc or "the site"
            record.msg = (
                "robots.txt of %(host)s could not be fetched (%(error)s): crawling as if "
                "it allowed everything"
            )
            record.args = {"host": host, "error": describe_error(error)}
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True


def describe_error(error: BaseException) -> str:
    """A network error in a few words: "connection refused", "timed out"."""
    words = (
        ((DownloadConnectionRefusedError, ConnectError), "connection refused"),
        ((CannotResolveHostError, DNSLookupError), "host not found"),
        ((DownloadTimeoutError, ConnectTimeoutError), "timed out"),
        ((ResponseDataLossError,), "response cut short"),
        ((ConnectionLost, DownloadFailedError), "connection lost"),
    )
    for kinds, text in words:
        if isinstance(error, kinds):
            return text
    return type(error).__name__


def quiet_scrapy(level: int | str) -> None:
    """Install the filters (once per process) for a log shown at `level`."""
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    verbose = isinstance(numeric, int) and numeric <= logging.DEBUG
    for name, prefixes in DUMP.items():
        _install(logging.getLogger(name), _Demote(prefixes))
    if not verbose:
        for name in NETWORK_LOGGERS:
            _install(logging.getLogger(name), _NoNetworkTraceback())


def _install(logger: logging.Logger, new: logging.Filter) -> None:
    if not any(type(existing) is type(new) for existing in logger.filters):
        logger.addFilter(new)
