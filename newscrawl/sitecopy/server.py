"""Serve a site copy folder on 127.0.0.1 the way thejakartapost.com lays out its URLs.

Folder layout (see fixtures/README.md):

* ``<section>/latest/page-<N>.html`` answers ``/<section>/latest?page=N``; page 1 also
  answers ``/<section>/latest``. A page number with no file is an empty listing page
  (the site's own behaviour past the last page) when ``page-1.html`` exists.
* any other path is served from the file at the same relative path.
* ``robots.txt`` as is; ``_redirects.json`` maps old paths to ``[new_path, status]``.

Query strings other than ``page`` (utm_* tracking, ...) are ignored, as on the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator

    from newscrawl.sitecopy.faults import FaultPlan

EMPTY_LISTING = (
    b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Latest - The Jakarta Post"
    b"</title></head><body><main><div class='tjp-latest'><p>No more articles.</p></div></main>"
    b"</body></html>"
)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class SiteCopy:
    """Maps a request path to a reply from the folder `root`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        redirects = self.root / "_redirects.json"
        self.redirects: dict[str, list[object]] = (
            json.loads(redirects.read_text(encoding="utf-8")) if redirects.exists() else {}
        )

    def _file(self, relative: str) -> Path | None:
        candidate = (self.root / relative).resolve()
        if self.root not in candidate.parents or not candidate.is_file():
            return None  # outside the copy, or missing
        return candidate

    def resolve(self, raw_path: str) -> Reply:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        if path in self.redirects:
            target, status = self.redirects[path]
            return Reply(int(str(status)), headers={"Location": str(target)})
        relative = path.lstrip("/")
        if relative.endswith("/latest") or relative.endswith("/latest/"):
            folder = relative.rstrip("/")
            page = parse_qs(parts.query).get("page", ["1"])[0]
            listing = self._file(f"{folder}/page-{page}.html")
            if listing is not None:
                return self._serve(listing)
            if self._file(f"{folder}/page-1.html") is not None and page.isdigit():
                return Reply(200, EMPTY_LISTING, {"Content-Type": CONTENT_TYPES[".html"]})
            return Reply(404, b"not found")
        found = (
            self._file(relative)
            or self._file(relative + ".html")
            or self._file(f"{relative}/index.html")
        )
        if found is None or found.name.startswith("_"):
            return Reply(
                404,
                b"<html><body><h1>404 Not Found</h1></body></html>",
                {"Content-Type": CONTENT_TYPES[".html"]},
            )
        return self._serve(found)

    @staticmethod
    def _serve(path: Path) -> Reply:
        body = path.read_bytes()
        stat = path.stat()
        return Reply(
            200,
            body,
            {
                "Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
                "ETag": '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"',
            },
        )


class _Handler(BaseHTTPRequestHandler):
    site: SiteCopy
    server_version = "sitecopy/1"

    def do_GET(self) -> None:
        reply = self.server.site.resolve(self.path)  # type: ignore[attr-defined]
        faults = self.server.faults  # type: ignore[attr-defined]
        if faults is not None and faults.answer(self, reply):
            return
        etag = reply.headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            reply = Reply(304, b"", {"ETag": etag})
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        self.server.request_log.append(self.path)  # type: ignore[attr-defined]


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: SiteCopy, port: int = 0, faults: FaultPlan | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.site = site
        self.faults = faults
        self.request_log: list[str] = []

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@contextlib.contextmanager
def serve_site(root: Path, port: int = 0, faults: FaultPlan | None = None) -> Iterator[SiteServer]:
    """Serve `root` on 127.0.0.1 in a background thread for the duration of the block;
    `faults` (newscrawl.sitecopy.faults) makes chosen paths misbehave."""
    server = SiteServer(SiteCopy(root), port, faults)
    thread = threading.Thread(target=server.serve_forever, name="sitecopy", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        if faults is not None:
            faults.release()  # stalled handlers would otherwise hold their threads
        server.shutdown()
        server.server_close()
        thread.join()
