"""`newscrawl serve`: the bundled site copy on a port of the user's choosing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request

from newscrawl.cli import parse_args


def test_defaults():
    args = parse_args(["serve"])
    assert args.port == 8000
    assert args.site is None


def test_serves_the_bundled_copy_until_interrupted():
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.cli", "serve", "--port", "0"],
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
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "serve", "--site", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "no site copy folder" in done.stderr
