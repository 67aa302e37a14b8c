"""Archived responses back as pages: WARC files in, the section's article pages out.

Reading uses FastWARC (a C++ WARC parser): a CC-NEWS file holds tens of thousands of
responses of which only a handful are The Jakarta Post's, and FastWARC skips the
others by their WARC headers without parsing their HTTP headers or body. Our own
archives (gzip per record, `newscrawl.archive.writer`) and foreign ones (one gzip
member per record, or plain ``.warc``) read the same way.

A record becomes a page only when it is a ``response`` to a URL of the site (any host
of thejakartapost.com, or the site root an archive of ours names in its warcinfo: a
crawl of a mirror or of a loopback copy), an article of the section, with status
200, an HTML body, and complete: everything else is counted in the `Tally` under why
it was skipped. A file that ends in the middle of a record (a killed crawl's ``.open``
file, a cut download) is read up to its last whole record.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import unquote

from fastwarc.warc import ArchiveIterator, WarcRecordType
from scrapy.http import Headers, HtmlResponse
from scrapy.responsetypes import responsetypes
from warcio.bufferedreaders import ChunkedDataReader

from newscrawl.archive.writer import OPEN_SUFFIX, TEASER_FIELD
from newscrawl.extraction import FetchedPage
from newscrawl.urls import SITE_ROOT, is_section_article, rebase

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path
    from typing import BinaryIO

    from fastwarc.warc import WarcRecord

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".warc.gz", ".warc")
#: Bodies past this are not pages (the crawl's DOWNLOAD_MAXSIZE default).
MAX_BODY = 8 * 1024 * 1024


class Tally(Counter[str]):
    """Records read and skipped, by reason (``skipped/<reason>``)."""


@dataclass
class ArchivedPage:
    """A page read from an archive, with the run it belongs to (`run`: an archived
    crawl's run id, or the file for archives of others)."""

    page: FetchedPage
    run: str


@dataclass
class _Context:
    base_url: str = SITE_ROOT
    run: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def discover_archives(paths: Iterable[Path]) -> list[Path]:
    """WARC files named by `paths`, directories expanded (sorted, ``.open`` files of
    running or killed crawls left out unless named), each file once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES)
            )
            skipped = sorted(path.rglob(f"*{OPEN_SUFFIX}"))
            if skipped:
                logger.warning(
                    "%(dir)s: %(n)d unfinished archive(s) (*.open) not read; name them to read "
                    "them up to their last whole record",
                    {"dir": path, "n": len(skipped)},
                )
        elif path.is_file():
            candidates = [path]
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def read_pages(path: Path, section: str, tally: Tally) -> Iterator[ArchivedPage]:
    """The usable article pages of one WARC file, in file order."""
    yield from read_span(Span(path), section, tally, SpanOutcome())


@dataclass(frozen=True)
class Span:
    """The records of an archive file that begin in [`start`, `end`) (`end` None: to the
    end of the file), so that workers can share one large file.

    Only files with one gzip member per record can be cut up (ours, CC-NEWS): a span
    that does not start at 0 begins at the first member at or after `start` that holds
    a WARC record (`begin`, when known, is taken as that member); `context` is the
    warcinfo in effect there (None: the file's first record says). Whoever reads the
    spans checks that they met (`SpanOutcome`).
    """

    path: Path
    start: int = 0
    end: int | None = None
    begin: int | None = None
    context: _Context | None = None


@dataclass
class SpanOutcome:
    """Where a span's records began and stopped, to check that spans met."""

    #: Offset of the span's first record (None: no record begins in the span).
    first: int | None = None
    #: Offset of the first record past the span (None: the file ended).
    stop: int | None = None
    #: The warcinfo in effect where the span began, and where it ended.
    context_in: _Context | None = None
    context_out: _Context | None = None
    #: False when a record did not begin a gzip member of its own: such a file cannot
    #: be cut into spans, and this one stopped there.
    exact: bool = True


def plan_spans(path: Path, span_bytes: int) -> list[Span]:
    """`path` cut into spans of about `span_bytes` (one span unless it can be cut)."""
    size = path.stat().st_size
    if size <= span_bytes or not _gzipped(path):
        return [Span(path)]
    starts = range(0, size, max(1, span_bytes))
    return [
        Span(path, start, start + span_bytes if start + span_bytes < size else None)
        for start in starts
    ]


_GZIP_MAGIC = b"\x1f\x8b\x08"


def _gzipped(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(3) == _GZIP_MAGIC


def _member_at(fh: BinaryIO, offset: int) -> bool:
    """Whether a gzip member holding a WARC record starts at `offset`."""
    fh.seek(offset)
    head = fh.read(4096)
    if not head.startswith(_GZIP_MAGIC):
        return False
    try:
        return zlib.decompressobj(zlib.MAX_WBITS + 16).decompress(head, 8).startswith(b"WARC/")
    except zlib.error:
        return False


def _first_member(fh: BinaryIO, start: int, end: int | None) -> int | None:
    """The offset of the first gzip member holding a WARC record in [start, end)."""
    position = start
    block = 1 << 16
    while end is None or position < end:
        fh.seek(position)
        data = fh.read(block + len(_GZIP_MAGIC) - 1)
        if not data:
            return None
        found = data.find(_GZIP_MAGIC)
        while found != -1 and found < block:
            offset = position + found
            if end is not None and offset >= end:
                return None
            if _member_at(fh, offset):
                return offset
            found = data.find(_GZIP_MAGIC, found + 1)
        position += block
    return None


def _file_context(fh: BinaryIO, path: Path) -> _Context:
    """The warcinfo at the start of the file (a default one when it has none)."""
    fh.seek(0)
    for record in ArchiveIterator(fh, parse_http=False):
        if record.record_type == WarcRecordType.warcinfo:
            return _warcinfo(record, path)
        break
    return _Context(run=str(path))


def read_span(
    span: Span, section: str, tally: Tally, outcome: SpanOutcome
) -> Iterator[ArchivedPage]:
    """The usable article pages of `span`, in file order; `outcome` says where it began
    and stopped."""
    path = span.path
    with path.open("rb") as fh:
        begin = span.begin if span.begin is not None else span.start
        if span.start and span.begin is None:
            found = _first_member(fh, span.start, span.end)
            if found is None:
                return
            begin = found
        context = span.context
        if context is None:
            context = _file_context(fh, path) if begin else _Context(run=str(path))
        outcome.context_in = outcome.context_out = context
        fh.seek(begin)
        check = span.end is not None or bool(begin)
        for record in ArchiveIterator(fh, parse_http=False):
            position = record.stream_pos
            if check and os.pread(fh.fileno(), len(_GZIP_MAGIC), position) != _GZIP_MAGIC:
                # Not the start of a member: records share members, and no offset past
                # the first can be trusted as a place to cut.
                outcome.exact = False
                return
            if span.end is not None and position >= span.end:
                outcome.stop = position
                return
            if outcome.first is None:
                outcome.first = position
            if record.record_type == WarcRecordType.warcinfo:
                context = outcome.context_out = _warcinfo(record, path)
                continue
            if record.record_type != WarcRecordType.response:
                continue
            tally["records"] += 1
            page = _page(record, section, context, tally)
            if page is _CUT:
                logger.warning(
                    "%(path)s ends in the middle of a record (an interrupted write?): read up "
                    "to the last whole record",
                    {"path": path},
                )
                return
            if page is not None:
                tally["pages"] += 1
                yield ArchivedPage(page, context.run)  # type: ignore[arg-type]


_CUT = object()


def _warcinfo(record: WarcRecord, path: Path) -> _Context:
    fields: dict[str, str] = {}
    for line in record.reader.read().decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    base = fields.get("newscrawl-base-url") or SITE_ROOT
    return _Context(base_url=base, run=fields.get("newscrawl-run-id") or str(path), fields=fields)


def _page(
    record: WarcRecord, section: str, context: _Context, tally: Tally
) -> FetchedPage | object | None:
    headers = record.headers
    if headers.get("Content-Length") is None or headers.get("WARC-Record-ID") is None:
        return _CUT
    uri = (headers.get("WARC-Target-URI") or "").strip().strip("<>")
    url = rebase(uri, context.base_url)
    if url is None:
        tally["skipped/other_site"] += 1
        return None
    if not is_section_article(url, section):
        tally["skipped/not_a_section_article"] += 1
        return None
    record.parse_http()
    declared = record.content_length
    payload = record.reader.read()
    if len(payload) < declared:
        return _CUT
    if headers.get("WARC-Truncated") is not None:
        tally["skipped/truncated"] += 1
        return None
    http = record.http_headers
    if http is None:
        tally["skipped/not_http"] += 1
        return None
    if http.status_code != 200:
        tally[f"skipped/status/{http.status_code}"] += 1
        return None
    pairs = [(k, v) for k, v in http.items()]
    try:
        body, pairs = _decoded(payload, pairs)
    except (OSError, zlib.error, ValueError) as exc:
        tally["skipped/undecodable"] += 1
        logger.debug("Undecodable body of %(url)s: %(error)s", {"url": uri, "error": exc})
        return None
    if len(body) > MAX_BODY:
        tally["skipped/too_large"] += 1
        return None
    encoded = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs)
    kind = responsetypes.from_args(headers=Headers(encoded), url=url, body=body)
    if not issubclass(kind, HtmlResponse):
        tally["skipped/not_html"] += 1
        return None
    captured = record.record_date
    if captured is None:
        tally["skipped/no_date"] += 1
        return None
    teaser = headers.get(TEASER_FIELD)
    return FetchedPage(
        url, body, encoded, 200, captured, section, teaser=unquote(teaser) if teaser else None
    )


def _decoded(payload: bytes, pairs: list[tuple[str, str]]) -> tuple[bytes, list[tuple[str, str]]]:
    """The body as the crawl's downloader would hand it over: transfer and content
    encodings undone, the headers that named them dropped."""
    lowered = {k.lower(): v.lower() for k, v in pairs}
    body = payload
    if "chunked" in lowered.get("transfer-encoding", ""):
        body = ChunkedDataReader(BytesIO(body)).read()
    encoding = lowered.get("content-encoding", "").strip()
    if encoding in ("gzip", "x-gzip"):
        body = _inflate(body, zlib.MAX_WBITS + 16)
    elif encoding == "deflate":
        try:
            body = _inflate(body, zlib.MAX_WBITS)
        except zlib.error:
            body = _inflate(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    elif encoding not in ("", "identity"):
        raise ValueError(f"content encoding {encoding!r} not supported")
    dropped = {"transfer-encoding", "content-encoding"}
    return body, [(k, v) for k, v in pairs if k.lower() not in dropped]


def _inflate(data: bytes, wbits: int) -> bytes:
    # Bounded, as the crawl's downloader bounds it: a small body may inflate to gigabytes.
    return zlib.decompressobj(wbits).decompress(data, MAX_BODY + 1)
