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
import zlib
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

from fastwarc.warc import ArchiveIterator, WarcRecordType
from scrapy.http import Headers, HtmlResponse
from scrapy.responsetypes import responsetypes
from warcio.bufferedreaders import ChunkedDataReader

from newscrawl.archive.writer import OPEN_SUFFIX
from newscrawl.extraction import FetchedPage
from newscrawl.urls import SITE_ROOT, is_section_article, rebase

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

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
    context = _Context(run=str(path))
    types = WarcRecordType.response | WarcRecordType.warcinfo
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh, record_types=types, parse_http=False):
            if record.record_type == WarcRecordType.warcinfo:
                context = _warcinfo(record, path)
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
    return FetchedPage(url, body, encoded, 200, captured, section)


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
