"""Serve a generated site from nginx on 127.0.0.1, so the server is never the bottleneck.

nginx (Debian package `nginx`) serves the pre-generated files with sendfile and an open
file cache; `/world/latest?page=N` maps onto `world/latest/page-N.html` the way
`newscrawl.sitecopy` does. The server's CPU time (master and workers, read from /proc)
and its access log let the runner show the server's share of the machine and count the
requests a crawl made.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

CONFIG = """\
worker_processes 1;
daemon off;
master_process on;
pid {state}/nginx.pid;
error_log {state}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format bench '$request_uri $status $body_bytes_sent';
    access_log {state}/access.log bench;
    client_body_temp_path {state}/body;
    proxy_temp_path {state}/proxy;
    fastcgi_temp_path {state}/fastcgi;
    uwsgi_temp_path {state}/uwsgi;
    scgi_temp_path {state}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    open_file_cache max=4096 inactive=30s;
    types {{ text/html html; text/plain txt; application/json json; }}
    default_type application/octet-stream;
    charset utf-8;
    # Only digits reach the file name; anything else is a missing page.
    map $arg_page $listing_page {{
        "" 1;
        "~^(?<number>[0-9]{{1,6}})$" $number;
        default none;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /{section}/latest {{
            try_files /{section}/latest/page-$listing_page.html =404;
        }}
        location ~ /_ {{ return 404; }}
        location / {{ try_files $uri =404; }}
    }}
}}
"""

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of `pid` and its direct children (nginx workers)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (after the comm field)
    return total / CLOCK_TICKS


@dataclass
class SiteServer:
    """A running nginx serving one site copy."""

    process: subprocess.Popen[bytes]
    state: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        return process_tree_cpu(self.process.pid)

    def requests_logged(self) -> int:
        """Requests in the access log so far (nginx writes a line per request, unbuffered)."""
        log = self.state / "access.log"
        if not log.exists():
            return 0
        with log.open("rb") as handle:
            return sum(1 for _ in handle)

    def requests_since(self, mark: int) -> list[str]:
        log = self.state / "access.log"
        if not log.exists():
            return []
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        return lines[mark:]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


@contextlib.contextmanager
def serve(root: Path, section: str = "world") -> Iterator[SiteServer]:
    """Run nginx on a free loopback port over `root` for the duration of the block."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx not found: apt-get install -y nginx (see benchmarks/README.md)")
    with tempfile.TemporaryDirectory(prefix="newscrawl-nginx-") as tmp:
        state = Path(tmp)
        os.chmod(state, 0o755)  # noqa: PTH101 - workers may run as an unprivileged user
        port = free_port()
        config = state / "nginx.conf"
        config.write_text(
            CONFIG.format(state=state, port=port, root=Path(root).resolve(), section=section),
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [binary, "-c", str(config), "-p", str(state), "-e", str(state / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            _wait_listening(port, process)
            yield SiteServer(process, state, port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):  # up to ~10 s
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with status {process.returncode} at start")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening within 10 s")
