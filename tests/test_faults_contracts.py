"""`scrapy check jakartapost`: the callbacks' contracts, run against site copies.

On the real site (no JAKARTAPOST_BASE_URL override) this is the user's smoke test; here
`@on_base_url` points the same contracts at loopback copies, one healthy, one broken.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan
from tests.helpers import SITE

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.sitecopy.server import SiteServer

ARTICLE = "/world/2022/08/03/russia-backs-myanmar-juntas-efforts-to-stabilise-country-lavrov.html"


def _check(base_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "check",
            "jakartapost",
            "-s",
            f"JAKARTAPOST_BASE_URL={base_url}",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_contracts_pass_on_a_faithful_copy(fixture_site: SiteServer, tmp_path: Path) -> None:
    done = _check(fixture_site.base_url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Ran 7 contracts" in done.stderr
    assert "OK" in done.stderr
    assert list(tmp_path.iterdir()) == []  # a check writes no run files


def test_contracts_fail_when_the_article_page_breaks(tmp_path: Path) -> None:
    plan = FaultPlan({ARTICLE: Fault.page(b"<html><body><div>redesigned</div></body></html>")})
    with serve_site(SITE, faults=plan) as server:
        done = _check(server.base_url, tmp_path)
    assert done.returncode == 1
    assert "FAILED" in done.stderr
    assert "parse_article" in done.stderr
