"""WARC files a crawl writes: request and response records, one gzip member per record.

Records are built by warcio (no hand-made WARC); each is compressed on its own, at the
level ``NEWSCRAWL_ARCHIVE_COMPRESSION`` says (levels 1 and 2 with ISA-L's deflate, the
`isal` package: a quarter of zlib's CPU for the same bytes; warcio itself would use
zlib at level 9, several times the CPU for a few percent fewer bytes), so any record
can be read without the ones before it and a cut file loses only its last record.

A file being written is named ``<name>.warc.gz.open`` and holds an OS lock (`flock`);
every `sync_every` pairs it is fsynced, and when the run ends (or the file reaches its
size limit) it is fsynced and renamed to ``<name>.warc.gz``. A run killed meanwhile
leaves the ``.open`` file: readers read it up to its last whole record, and the next
run's `salvage_folder` cuts a partial last record and gives it its final name, as the
feeds do with ``.jsonl.part`` files (`newscrawl.feeds`).

The first record of every file is a ``warcinfo`` record naming the software, the run
and the site root the crawl was pointed at (``newscrawl-base-url``), so that an
archive of a copy of the site (a mirror, a loopback copy) can be re-extracted later.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import zlib
from dataclasses import dataclass
from datetime import timezone
from http import HTTPStatus
from io import BytesIO
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newscrawl.files import fsync_folder

#: A WARC field of newscrawl's own on response records: the listing teaser the crawl
#: had for the article, percent-encoded (`newscrawl.archive.reader` reads it back).
TEASER_FIELD = "Newscrawl-Listing-Teaser"

if TYPE_CHECKING:
    import socket
    from collections.abc import Iterable
    from datetime import datetime
    from pathlib import Path

    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
WARC_VERSION = "WARC/1.1"
#: Headers that describe how the bytes travelled, not the body as archived: Scrapy has
#: already undone the transfer and content encodings when the response is archived.
_TRANSPORT_HEADERS = frozenset({"transfer-encoding", "content-length"})


#: Levels compressed with ISA-L's deflate (`isal`), which needs about a quarter of zlib's
#: CPU at these levels for the same size; higher levels use zlib.
ISAL_LEVELS = (1, 2)


def gzip_member(data: bytes | memoryview, level: int) -> bytes:
    """`data` as one gzip member at `level` (1-9)."""
    if level in ISAL_LEVELS:
        fast = isal_zlib.compressobj(level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
        return fast.compress(data) + fast.flush()
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True)
class Capture:
    """One exchange to archive: the request as sent and the response as received."""

    url: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    protocol: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes
    captured_at: datetime
    #: The listing teaser the crawl had for the article (evidence for its drop cap).
    teaser: str | None = None


class ArchiveFile:
    """One WARC file being written (``.open``), locked against salvage by other runs."""

    def __init__(self, path: Path, info: dict[str, str], level: int) -> None:
        self.path = path
        self.open_path = path.with_name(path.name + OPEN_SUFFIX)
        self.level = level
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] = self.open_path.open("xb", buffering=0)
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.size = 0
        self.pending = 0
        self._writer = WARCWriter(BytesIO(), gzip=False, warc_version=WARC_VERSION)
        fields = {"software": info.get("software", "newscrawl"), "format": "WARC File Format 1.1"}
        fields.update(info)
        record = self._writer.create_warcinfo_record(path.name, fields)
        self.warcinfo_id = str(record.rec_headers.get_header("WARC-Record-ID"))
        self._write(self._member(record))

    def _member(self, record: ArcWarcRecord) -> bytes:
        raw = BytesIO()
        WARCWriter(raw, gzip=False, warc_version=WARC_VERSION).write_record(record)
        return gzip_member(raw.getbuffer(), self.level)

    def _write(self, data: bytes) -> None:
        # One write per record pair: the file grows by whole members, so a killed run
        # leaves at most one member cut short.
        view = memoryview(data)
        while view:
            written = self._fh.write(view)
            view = view[written or 0 :]
        self.size += len(data)

    def add(self, capture: Capture) -> int:
        """Append the request and response records of `capture`; returns bytes written."""
        # warcio formats a naive UTC time (an aware one would come out as "+00:00Z").
        utc = capture.captured_at.astimezone(timezone.utc).replace(tzinfo=None)
        date = datetime_to_iso_date(utc, use_micros=True)
        response = self._writer.create_warc_record(
            capture.url,
            "response",
            payload=BytesIO(capture.body),
            # Given lengths let warcio hash the bytes in place instead of spooling a copy.
            length=len(capture.body),
            http_headers=StatusAndHeaders(
                _status_line(capture.status),
                _archived_headers(capture.response_headers, len(capture.body)),
                protocol=capture.protocol or "HTTP/1.1",
            ),
            warc_headers_dict=self._response_fields(date, capture),
        )
        parts = urlsplit(capture.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = self._writer.create_warc_record(
            capture.url,
            "request",
            payload=BytesIO(capture.request_body),
            length=len(capture.request_body),
            http_headers=StatusAndHeaders(
                f"{capture.method} {target} HTTP/1.1",
                [("Host", parts.netloc), *capture.request_headers],
                is_http_request=True,
            ),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Warcinfo-ID": self.warcinfo_id,
                "WARC-Concurrent-To": str(response.rec_headers.get_header("WARC-Record-ID")),
            },
        )
        data = self._member(request) + self._member(response)
        self._write(data)
        self.pending += 1
        return len(data)

    def _response_fields(self, date: str, capture: Capture) -> dict[str, str]:
        fields = {"WARC-Date": date, "WARC-Warcinfo-ID": self.warcinfo_id}
        if capture.teaser:
            # What the crawl knew of the page besides the page itself, so that a
            # re-extraction decides as the crawl did (WARC allows fields of one's own).
            fields[TEASER_FIELD] = quote(capture.teaser, safe=" ")
        return fields

    def sync(self) -> None:
        os.fsync(self._fh.fileno())
        self.pending = 0

    def close(self) -> Path:
        """fsync, rename to the final name (unlocking it) and return that name."""
        self.sync()
        self.open_path.replace(self.path)
        self._fh.close()
        fsync_folder(self.path.parent)
        return self.path


class ArchiveWriter:
    """The WARC files of one run: ``<prefix>-00000.warc.gz``, ``-00001``, ... in `folder`,
    a new file once one passes `max_bytes`."""

    def __init__(
        self,
        folder: Path,
        prefix: str,
        info: dict[str, str],
        *,
        max_bytes: int,
        sync_every: int,
        level: int,
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.info = info
        self.max_bytes = max(1, max_bytes)
        self.sync_every = max(1, sync_every)
        self.level = level
        self.files: list[Path] = []
        self.records = 0
        self.bytes = 0
        self._current: ArchiveFile | None = None

    def next_path(self) -> Path:
        serial = len(self.files)
        path = self.folder / f"{self.prefix}-{serial:05d}{WARC_SUFFIX}"
        while path.exists() or path.with_name(path.name + OPEN_SUFFIX).exists():
            serial += 1  # a file of an earlier run started in the same second
            path = self.folder / f"{self.prefix}-{serial:05d}{WARC_SUFFIX}"
        return path

    def add(self, capture: Capture) -> None:
        current = self._current
        if current is not None and current.size >= self.max_bytes:
            current.close()
            current = self._current = None
        if current is None:
            current = self._current = ArchiveFile(self.next_path(), self.info, self.level)
            self.files.append(current.path)
            self.bytes += current.size
        self.bytes += current.add(capture)
        self.records += 1
        if current.pending >= self.sync_every:
            current.sync()

    def sync(self) -> None:
        if self._current is not None:
            self._current.sync()

    def close(self) -> list[Path]:
        if self._current is not None:
            self._current.close()
            self._current = None
        return list(self.files)


@dataclass
class WriterReport:
    """What the writer process did, sent back when the crawl closes the archive."""

    files: list[Path]
    records: int
    bytes: int
    error: str | None
    cpu_seconds: float


def capture_message(
    url: str,
    method: str,
    request_headers: Iterable[tuple[bytes, list[bytes]]],
    request_body: bytes,
    status: int,
    protocol: str,
    response_headers: Iterable[tuple[bytes, list[bytes]]],
    body: bytes,
    captured_at: datetime,
    teaser: str | None = None,
) -> tuple[str, tuple[Any, ...]]:
    """One exchange as the crawl hands it to the writer process: raw values, so that the
    crawl's event loop spends no time on them (the writer decodes the headers)."""
    return (
        "capture",
        (
            url,
            method,
            list(request_headers),
            request_body,
            status,
            protocol,
            list(response_headers),
            body,
            captured_at,
            teaser,
        ),
    )


def to_capture(raw: tuple[Any, ...]) -> Capture:
    """The `Capture` of a `capture_message` payload."""
    (url, method, request_headers, request_body, status, protocol, response_headers, body, at,
     teaser) = raw  # fmt: skip
    return Capture(
        url=url,
        method=method,
        request_headers=_text_pairs(request_headers),
        request_body=request_body,
        status=status,
        protocol=protocol or "HTTP/1.1",
        response_headers=_text_pairs(response_headers),
        body=body,
        captured_at=at,
        teaser=teaser,
    )


def _text_pairs(headers: list[tuple[bytes, list[bytes]]]) -> tuple[tuple[str, str], ...]:
    """Scrapy's header items as (name, value) text pairs, one per value."""
    return tuple(
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers
        for value in values
    )


def run_writer(
    sock: socket.socket,
    folder: Path,
    prefix: str,
    info: dict[str, str],
    options: dict[str, int],
) -> None:
    """The archive writer process: captures in, WARC records out, until the crawl says
    ``close`` (then it closes the files and reports) or goes away (killed: what it sent
    is written and fsynced, and the ``.open`` file is left for the next run to salvage).

    Building records (warcio), hashing and compressing cost about as much CPU per page
    as the crawl's own event loop; here they run beside it instead of inside it.
    """
    from newscrawl.workers import cpu_seconds, receive, send

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl decides when to stop
    writer = ArchiveWriter(folder, prefix, info, **options)
    error: str | None = None
    while True:
        try:
            kind, payload = receive(sock)
        except (EOFError, ConnectionError):
            with contextlib.suppress(OSError):  # a failed fsync here has nobody to tell
                writer.sync()
            return
        if kind == "capture":
            if error is None:
                try:
                    writer.add(to_capture(payload))
                except OSError as exc:
                    error = f"{type(exc).__name__}: {exc}"
            continue
        files = writer.files
        try:
            files = writer.close()
        except OSError as exc:
            error = error or f"{type(exc).__name__}: {exc}"
        send(
            sock,
            ("closed", WriterReport(files, writer.records, writer.bytes, error, cpu_seconds())),
        )
        return


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _archived_headers(
    headers: tuple[tuple[str, str], ...], body_length: int
) -> list[tuple[str, str]]:
    """The response headers, describing the body as archived (already decoded)."""
    kept = [(k, v) for k, v in headers if k.lower() not in _TRANSPORT_HEADERS]
    kept.append(("Content-Length", str(body_length)))
    return kept


# --- after a kill ---------------------------------------------------------------------


def whole_members_length(path: Path) -> int:
    """Bytes of `path` that are whole gzip members: where its last complete record ends."""
    good = offset = 0
    inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            data = chunk
            while data:
                try:
                    inflater.decompress(data)
                except zlib.error:
                    return good  # garbage after the last whole member
                if inflater.eof:
                    used = len(data) - len(inflater.unused_data)
                    offset += used
                    good = offset
                    data = inflater.unused_data
                    inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
                else:
                    offset += len(data)
                    data = b""
    return good


def salvage_file(open_path: Path) -> Path | None:
    """Make a killed run's ``.open`` file a finished archive; None when it is still being
    written by a live run (locked) or held no whole record (then it is removed)."""
    with open_path.open("r+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        keep = whole_members_length(open_path)
        if keep == 0:
            open_path.unlink()
            logger.info("Removed %(path)s: it held no whole record", {"path": open_path})
            return None
        if keep < open_path.stat().st_size:
            fh.truncate(keep)
            os.fsync(fh.fileno())
        final = open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])
        open_path.replace(final)
    fsync_folder(final.parent)
    logger.warning("Recovered the archive of an interrupted run: %(final)s", {"final": final})
    return final


def salvage_folder(folder: Path) -> list[Path]:
    """Salvage every unlocked ``*.warc.gz.open`` file in `folder`."""
    if not folder.is_dir():
        return []
    salvaged = []
    for open_path in sorted(folder.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
        try:
            final = salvage_file(open_path)
        except OSError as exc:
            logger.error("Could not salvage %(path)s: %(error)s", {"path": open_path, "error": exc})
            continue
        if final is not None:
            salvaged.append(final)
    return salvaged
