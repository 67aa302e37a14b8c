"""The fault-injecting site copy itself, and the small site the fault tests crawl.

`build_site(root, slugs)` writes a one-page world listing plus one current-layout
article per slug; other fault test modules import it from here.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from newscrawl.sitecopy.faults import Fault, FaultPlan

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

DAY = "2025/04/08"
ARTICLE_DIR = f"world/{DAY}"


def article_path(slug: str) -> str:
    return f"/{ARTICLE_DIR}/{slug}.html"


def paragraphs(slug: str) -> list[str]:
    return [
        f"Opening paragraph of the {slug} story, which sets out who did what and where.",
        f"In {slug}, an official is quoted, with some context and a figure or two.",
        f"The closing paragraph of {slug} ends the story with the last line a reader sees.",
    ]


def article_html(
    slug: str,
    *,
    title: str | None = None,
    jsonld: str | None = None,
    extra_head: str = "",
    doctype: str = "<!DOCTYPE html>",
) -> str:
    title = title or f"Story {slug}"
    summary = f"Summary of {slug}: what happened, in one sentence long enough to count."
    if jsonld is None:
        jsonld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title,
                "description": summary,
                "datePublished": "2025-04-08T16:06:36+07:00",
                "author": [{"@type": "Person", "name": "Staff Writer"}],
            }
        )
    body = "".join(f"<p>{p}</p>" for p in paragraphs(slug))
    return f"""{doctype}
<html lang="en"><head><meta charset="utf-8">
<title>{title} - World - The Jakarta Post</title>
<meta name="description" content="{summary}">
<meta property="og:title" content="{title} - World - The Jakarta Post">
<link rel="canonical" href="https://www.thejakartapost.com{article_path(slug)}">
<script type="application/ld+json">{jsonld}</script>{extra_head}
</head><body>
<div class="tjp-single__head"><h1 class="tjp-title--single">{title}</h1>
<p class="tjp-single__head-desc">{summary}</p>
<span class="created">Published on 2025-04-08T16:06:36+07:00</span></div>
<div class="tjp-single__content">{body}</div>
</body></html>
"""


def redesigned_html(slug: str) -> str:
    """The same story after an imagined redesign: new class names, no JSON-LD."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs(slug))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Story {slug} | The Jakarta Post</title></head>
<body><main class="jp2-page"><h1 class="jp2-headline">Story {slug}</h1>
<section class="jp2-story">{body}</section></main></body></html>
"""


def listing_html(paths: Iterable[str]) -> str:
    entries = "".join(
        f'<div class="listNews"><div class="detailNews"><a href="{path}">'
        f'<h2 class="titleNews">{path}</h2></a><span class="date">Tue, April 8, 2025</span>'
        "</div></div>"
        for path in paths
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Latest World News</title></head>
<body><main><div class="tjp-latest-entries">{entries}</div></main></body></html>
"""


def build_site(
    root: Path, slugs: Iterable[str], *, listed: Iterable[str] = (), redesigned: bool = False
) -> list[str]:
    """Write the listing and articles; return the listed article paths in order.

    `listed` adds paths that are listed but written by the test (or by nobody)."""
    slugs = list(slugs)
    (root / ARTICLE_DIR).mkdir(parents=True, exist_ok=True)
    (root / "world" / "latest").mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /search\n", encoding="utf-8")
    for slug in slugs:
        html = redesigned_html(slug) if redesigned else article_html(slug)
        (root / ARTICLE_DIR / f"{slug}.html").write_text(html, encoding="utf-8")
    paths = [article_path(s) for s in slugs] + list(listed)
    (root / "world" / "latest" / "page-1.html").write_text(listing_html(paths), encoding="utf-8")
    return paths


# --- the fault server on its own ---------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    build_site(tmp_path, ["a", "b"])
    return tmp_path


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _get(base_url: str, path: str, timeout: float = 5) -> Answer:
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        headers = dict(response.getheaders())
        return Answer(response.status, headers, response.read())
    finally:
        connection.close()


def test_http_error_applies_the_given_number_of_times_then_serves_the_page(site: Path) -> None:
    plan = FaultPlan({article_path("a"): Fault.http_error(503, times=2, retry_after="7")})
    with serve_site(site, faults=plan) as server:
        first, second, third = (_get(server.base_url, article_path("a")) for _ in range(3))
        assert (first.status, second.status, third.status) == (503, 503, 200)
        assert first.headers["Retry-After"] == "7"
        assert b"Opening paragraph of the a story" in third.body
        assert _get(server.base_url, article_path("b")).status == 200
    assert plan.attempts[article_path("a")] == 3
    assert plan.attempts[article_path("b")] == 1


def test_truncated_body_is_shorter_than_its_content_length(site: Path) -> None:
    plan = FaultPlan({article_path("a"): Fault.truncate()})
    with serve_site(site, faults=plan) as server, pytest.raises(http.client.IncompleteRead):
        _get(server.base_url, article_path("a"))


def test_reset_fails_the_connection(site: Path) -> None:
    plan = FaultPlan({article_path("a"): Fault.reset()})
    with (
        serve_site(site, faults=plan) as server,
        pytest.raises((ConnectionError, http.client.HTTPException)),
    ):
        _get(server.base_url, article_path("a"))


def test_stall_answers_nothing_and_ends_when_the_server_stops(site: Path) -> None:
    plan = FaultPlan({article_path("a"): Fault.stall()})
    outcome: list[BaseException] = []

    def client(base_url: str) -> None:
        try:
            _get(base_url, article_path("a"), timeout=30)
        except (OSError, http.client.HTTPException) as exc:
            outcome.append(exc)

    with serve_site(site, faults=plan) as server:
        thread = threading.Thread(target=client, args=(server.base_url,))
        thread.start()
        with pytest.raises(socket.timeout):
            _get(server.base_url, article_path("a"), timeout=0.5)
    # Leaving the block released the stall: the waiting client got its answer (a close).
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert outcome


def test_charset_faults_reencode_the_page_as_windows_1252(tmp_path: Path) -> None:
    build_site(tmp_path, [])
    (tmp_path / ARTICLE_DIR / "c.html").write_text(
        article_html("c", title="Café — talks"), encoding="utf-8"
    )
    plan = FaultPlan({article_path("c"): Fault.charset("meta"), "/other": Fault.charset("none")})
    with serve_site(tmp_path, faults=plan) as server:
        answer = _get(server.base_url, article_path("c"))
    assert answer.headers["Content-Type"] == "text/html"
    assert "Café — talks".encode("cp1252") in answer.body
    assert b'<meta charset="windows-1252">' in answer.body
    assert b"utf-8" not in answer.body


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(site: Path) -> None:
    plan = FaultPlan({article_path("a"): Fault.gzip_bomb(20 * 1024 * 1024)})
    with serve_site(site, faults=plan) as server:
        answer = _get(server.base_url, article_path("a"))
    assert answer.headers["Content-Encoding"] == "gzip"
    assert len(answer.body) < 100 * 1024
    assert len(gzip.decompress(answer.body)) == 20 * 1024 * 1024
