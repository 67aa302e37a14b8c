"""Faults for the loopback site copy: the ways a real web server lets a crawler down.

A `FaultPlan` maps request paths to a `Fault`. While a fault applies to a path (its
first `times` requests, or every request when `times` is None) the server answers
with the fault instead of the page; after that the page is served normally, which is
how a transient error is told from a permanent one. Attempts are counted per path so
tests can assert how often the crawler came back.

    plan = FaultPlan({"/world/2022/08/03/a.html": Fault.http_error(503, times=2)})
    with serve_site(root, faults=plan) as server:
        ...

Stalls wait on an event that `serve_site` sets when the server shuts down, so a
stalled connection never outlives the test.
"""

from __future__ import annotations

import gzip
import re
import socket
import struct
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping
    from http.server import BaseHTTPRequestHandler

    from newscrawl.sitecopy.server import Reply

# Upper bound on a stall even if nobody releases it, so a forgotten server thread ends.
MAX_STALL_SECONDS = 120.0
_CHUNK = 64 * 1024
_META_CHARSET = re.compile(rb"<meta[^>]*charset=[\"']?[\w-]+[\"']?[^>]*>", re.IGNORECASE)
# The client going away mid-answer is the expected end of several faults.
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass(frozen=True)
class Fault:
    """One way to answer badly. Build with the class methods, not the constructor."""

    kind: str
    times: int | None = None
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    size: int = 0

    @classmethod
    def http_error(
        cls, status: int, *, times: int | None = None, retry_after: str | None = None
    ) -> Fault:
        """`status` (500, 502, 503, 404, 429...), optionally with a Retry-After header."""
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls(
            "status",
            times,
            status,
            (*headers, ("Content-Type", "text/html")),
            f"<html><body><h1>{status}</h1></body></html>".encode(),
        )

    @classmethod
    def stall(cls, *, times: int | None = None) -> Fault:
        """Read the request, never answer (until the server shuts down)."""
        return cls("stall", times)

    @classmethod
    def reset(cls, *, times: int | None = None) -> Fault:
        """Close the connection with a TCP reset instead of answering."""
        return cls("reset", times)

    @classmethod
    def truncate(cls, *, times: int | None = None) -> Fault:
        """Announce the whole page in Content-Length, send half of it, hang up."""
        return cls("truncate", times)

    @classmethod
    def charset(cls, declared: str, *, times: int | None = None) -> Fault:
        """The page re-encoded as windows-1252, declared only in a <meta> tag
        (`declared="meta"`) or nowhere at all (`declared="none"`)."""
        if declared not in ("meta", "none"):
            raise ValueError(f"declared must be 'meta' or 'none', not {declared!r}")
        return cls(f"charset-{declared}", times)

    @classmethod
    def redirect(cls, location: str, *, status: int = 301, times: int | None = None) -> Fault:
        return cls("status", times, status, (("Location", location),), b"")

    @classmethod
    def oversize(cls, size: int, *, times: int | None = None) -> Fault:
        """A 200 whose HTML body is `size` bytes long."""
        return cls("oversize", times, size=size)

    @classmethod
    def gzip_bomb(cls, size: int, *, times: int | None = None) -> Fault:
        """A small gzip body that inflates to `size` bytes."""
        compressed = gzip.compress(b" " * size, compresslevel=9)
        return cls(
            "status",
            times,
            200,
            (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")),
            compressed,
        )

    @classmethod
    def page(
        cls,
        content: bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        times: int | None = None,
    ) -> Fault:
        """Serve `content` instead of the page (hostile markup, an empty 200, ...)."""
        return cls("status", times, status, (("Content-Type", content_type),), content)


@dataclass
class FaultPlan:
    """Which path fails how, and how many times each path was requested."""

    faults: Mapping[str, Fault] = field(default_factory=dict)
    attempts: Counter[str] = field(default_factory=Counter)
    #: monotonic clock reading of every request per path, to measure waits between tries
    seen_at: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, raw_path: str) -> Fault | None:
        """Count a request for `raw_path` and return the fault to answer it with, if any."""
        parts = urlsplit(raw_path)
        key = raw_path if raw_path in self.faults else parts.path
        with self._lock:
            self.attempts[key] += 1
            self.seen_at[key].append(time.monotonic())
            count = self.attempts[key]
        fault = self.faults.get(key)
        if fault is None or (fault.times is not None and count > fault.times):
            return None
        return fault

    def release(self) -> None:
        """End every stall now and any stall to come."""
        self.released.set()

    def answer(self, handler: BaseHTTPRequestHandler, normal: Reply) -> bool:
        """Answer `handler`'s request with its fault; False when it has none."""
        fault = self.take(handler.path)
        if fault is None:
            return False
        try:
            _ANSWERS[fault.kind](self, handler, fault, normal)
        except _CLIENT_GONE:
            handler.close_connection = True
        return True

    # --- the answers --------------------------------------------------------------------
    def _status(self, handler: BaseHTTPRequestHandler, fault: Fault, normal: Reply) -> None:
        _send(handler, fault.status, dict(fault.headers), fault.body or b"")

    def _stall(self, handler: BaseHTTPRequestHandler, fault: Fault, normal: Reply) -> None:
        self.released.wait(MAX_STALL_SECONDS)
        handler.close_connection = True

    def _reset(self, handler: BaseHTTPRequestHandler, fault: Fault, normal: Reply) -> None:
        sock: socket.socket = handler.connection
        # Linger on with a zero timeout makes close() send RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()  # the reader holds a reference that would delay the close
        sock.close()
        handler.close_connection = True

    def _truncate(self, handler: BaseHTTPRequestHandler, fault: Fault, normal: Reply) -> None:
        handler.send_response(normal.status)
        for name, value in normal.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(normal.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(normal.body[: len(normal.body) // 2])
        handler.wfile.flush()
        handler.close_connection = True

    def _charset(self, handler: BaseHTTPRequestHandler, fault: Fault, normal: Reply) -> None:
        text = normal.body.decode("utf-8")
        declaration = b'<meta charset="windows-1252">' if fault.kind == "charset-meta" else b""
        encoded = text.encode("cp1252", errors="xmlcharrefreplace")
        body = _META_CHARSET.sub(declaration, encoded, count=1)
        _send(handler, normal.status, {"Content-Type": "text/html"}, body)

    def _oversize(self, handler: BaseHTTPRequestHandler, fault: Fault, normal: Reply) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(fault.size))
        handler.end_headers()
        chunk = b" " * _CHUNK
        sent = 0
        while sent < fault.size:
            piece = chunk[: min(_CHUNK, fault.size - sent)]
            handler.wfile.write(piece)
            sent += len(piece)


def _send(
    handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


_ANSWERS = {
    "status": FaultPlan._status,
    "stall": FaultPlan._stall,
    "reset": FaultPlan._reset,
    "truncate": FaultPlan._truncate,
    "charset-meta": FaultPlan._charset,
    "charset-none": FaultPlan._charset,
    "oversize": FaultPlan._oversize,
}
