"""`newscrawl serve`: the bundled site copy on a port of the user's choosing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request

from newscrawl.cli import parse_args
from tests.helpers import SITE, run_newscrawl


def test_defaults():
    args = parse_args(["serve"])
    assert args.port == 8000
    assert args.site == SITE


def test_serves_the_bundled_copy_until_interrupted():
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Serving "), first
        base_url = first.split(" at ", 1)[1].split(" ", 1)[0]
        assert base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base_url}/world/latest", timeout=10) as answer:
            page = answer.read().decode("utf-8")
        assert "listNews" in page
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_missing_site_is_a_usage_error(tmp_path):
    done = run_newscrawl(tmp_path, "serve", "--site", "nowhere")

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "newscrawl: error: serve: no site copy at nowhere (it ships with the newscrawl source "
        "tree, not with an installed wheel); pass --site DIR; see 'newscrawl serve --help'\n"
    )


def test_a_busy_port_is_one_line_saying_what_to_do(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = run_newscrawl(tmp_path, "serve", "--port", str(port))

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"newscrawl: error: serve: port {port} on 127.0.0.1 is already in use (by another "
        "'newscrawl serve'?); stop that program or choose another port: --port N, or --port 0 "
        "for any free one\n"
    )
    assert list(tmp_path.iterdir()) == []
