"""End to end: the run's stats account for every paragraph the cleaning removed.

A real `scrapy crawl` over pages written here in the site's shape. Every raw block of
every page is counted by hand below, and the stats must close the books:

    paragraphs_in - empty - merged - boilerplate removed + split - dedup removed
      - paragraphs of dropped records == paragraphs_out == paragraphs exported
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.boilerplate import BoilerplatePipeline
from newscrawl.pipelines.dedup import ParagraphDedupPipeline
from newscrawl.pipelines.dropcap import DropCapPipeline
from newscrawl.pipelines.duplicates import DuplicateArticlesPipeline
from newscrawl.pipelines.normalize import TextNormalizationPipeline
from newscrawl.pipelines.validation import ValidationPipeline
from newscrawl.sitecopy import serve_site
from tests.helpers import run_crawl
from tests.test_pipelines_normalize import make_article

if TYPE_CHECKING:
    from pathlib import Path

SITE = "https://www.thejakartapost.com"
ONE = "/world/2025/03/10/russia-indonesia-sign-grain-deal.html"
ONE_OLD_SLUG = "/world/2025/03/10/russia-and-indonesia-sign-grain-deal.html"
CHROME_ONLY = "/world/2025/03/08/minister-visits-port.html"
LEGACY = "/news/2018/05/02/asean-ministers-meet-in-manila.html"

STANDFIRST = (
    "The deal, worth US$1.2 billion over three years, makes Russia one of Indonesia's three "
    "largest wheat suppliers."
)
OPENING = "ussia and Indonesia signed a grain deal in Jakarta on Monday, officials said."
QUOTE = "\u201cFood security is national security,\u201d the trade minister told reporters."
ALLY = "Indonesia imported 11 million tonnes of wheat last year, mostly from Australia."
VISIT = "The Russian delegation will travel on to Kuala Lumpur on Wednesday."
FEEDBACK = (
    "Share your experiences, suggestions, and any issues you've encountered on The Jakarta "
    "Post. We're here to listen."
)

ONE_EXPECTED = ["R" + OPENING, STANDFIRST, QUOTE, ALLY, VISIT]
LEGACY_EXPECTED = [
    "ASEAN foreign ministers met in Manila on Tuesday to discuss the South China Sea.",
    "The ministers agreed on a joint statement after two days of talks.",
]


def _page(canonical: str, title: str, container: str, *, published: str | None,
          description: str = "", legacy: bool = False) -> str:
    jsonld = ""
    if published:
        jsonld = '<script type="application/ld+json">' + json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "description": description, "datePublished": published,
            "author": [{"@type": "Person", "name": "Dian Septiari"}],
        }) + "</script>"
    if legacy:
        article = f'<h1 class="title-large">{title}</h1><div class="detailNews">{container}</div>'
    else:
        article = (
            '<article class="tjp-single"><div class="tjp-single__head">'
            f'<h1 class="tjp-title tjp-title--single">{title}</h1>'
            f'<p class="tjp-single__head-lead">{description}</p></div>'
            f'<div class="tjp-single__content">{container}</div></article>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} - World - The Jakarta Post</title>"
        f'<link rel="canonical" href="{SITE}{canonical}">{jsonld}</head><body>'
        '<header class="tjp-header"><div class="tjp-search"><div class="tjp-search__empty">'
        "<p>Can't find what you're looking for?</p><a href=\"/search\">View all search "
        f"results</a></div></div></header><main>{article}</main></body></html>"
    )


# Raw blocks the page object hands over, counted by hand from the markup below.
ONE_BLOCKS = 10
CHROME_ONLY_BLOCKS = 2
LEGACY_BLOCKS = 6


def _one() -> str:
    straight_quote = QUOTE.replace("\u201c", '"').replace("\u201d", '"').replace(" ", "\u00a0", 3)
    container = "".join([
        # 1-2: the drop cap and the rest of its word
        '<div class="tjp-opening"><h1 class="tjp-opening__char">R</h1>'
        f'<p class="tjp-opening__txt">{OPENING}</p></div>',
        f"<p>{STANDFIRST}</p>",  # 3: the standfirst's copy, stays once
        "<p><strong>Read also:</strong> <a href=\"/world/2025/03/01/jokowi-in-moscow.html\">"
        "Jokowi visits Moscow</a></p>",  # 4: link line
        f"<p>{QUOTE}</p>",  # 5
        f"<p>{straight_quote}</p>",  # 6: the CMS repeat, straight quotes and NBSPs
        f"<p>{ALLY}<span>{FEEDBACK}</span>{VISIT}</p>",  # 7: widget inside a paragraph
        '<div class="tjp-single__content-ads"><p>Advertisement</p></div>',  # skipped by class
        "<p>(Antara/Galih Pradipta)</p>",  # 8: photo credit
        "<p>Quickly share this news with your network\u2014keep everyone informed with "
        "just a single click!</p>",  # 9: share prompt
        f"<p>{STANDFIRST} (Reuters/Willy Kurniawan)</p>",  # 10: caption: lead + credit
    ])
    return _page(ONE, "Russia, Indonesia sign grain deal", container,
                 published="2025-03-10T14:05:00+07:00", description=STANDFIRST)


def _write_site(root: Path) -> None:
    pages = {
        ONE: _one(),
        ONE_OLD_SLUG: _one(),
        # The story never made it into the container: only widgets did.
        CHROME_ONLY: _page(CHROME_ONLY, "Minister visits port", (
            "<p>Advertisement</p>"
            "<p>Quickly share this news with your network\u2014keep everyone informed with "
            "just a single click!</p>"
        ), published="2025-03-08T08:00:00+07:00",
            description="The transport minister visited Tanjung Priok port on Saturday."),
        LEGACY: _page(LEGACY, "ASEAN ministers meet in Manila", "".join([
            '<div class="dropcap">A</div>',
            f"<p>{LEGACY_EXPECTED[0][1:]}</p>",
            "<p>Share This Article</p>",
            "<p>Change Size</p>",
            f"<p>{LEGACY_EXPECTED[1]}</p>",
            f"<p>{LEGACY_EXPECTED[1].upper()}</p>",
        ]), published="2018-05-02T09:30:00+07:00", legacy=True,
            description="ASEAN foreign ministers discussed the South China Sea in Manila."),
    }
    for path, html in pages.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    entries = "".join(
        f'<div class="listNews"><div class="detailNews"><a href="{path}">'
        f'<h2 class="titleNews">{path.rsplit("/", 1)[1]}</h2></a></div></div>'
        for path in (ONE, CHROME_ONLY, LEGACY, ONE_OLD_SLUG)
    )
    latest = root / "world" / "latest"
    latest.mkdir(parents=True)
    (latest / "page-1.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>World</title>'
        f'</head><body><main><div class="tjp-latest">{entries}</div></main></body></html>',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    _write_site(root)
    workdir = tmp_path_factory.mktemp("work")
    with serve_site(root) as server:
        # One article in four is unusable on purpose: not a reason to fail the run here.
        result = run_crawl(server.base_url, workdir, settings={"NEWSCRAWL_MAX_FAILURE_RATE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _sum(stats: dict[str, int], prefix: str) -> int:
    return sum(value for key, value in stats.items() if key.startswith(prefix))


def test_exported_bodies(crawl):
    records = {r["url"].removeprefix(SITE): r for r in crawl.records}
    assert sorted(records) == sorted([ONE, LEGACY])
    assert records[ONE]["body"].split("\n\n") == ONE_EXPECTED
    assert records[ONE]["summary"] == STANDFIRST
    assert records[LEGACY]["body"].split("\n\n") == LEGACY_EXPECTED


def test_every_paragraph_is_accounted_for(crawl):
    stats = crawl.report["stats"]
    paragraphs_in = stats["newscrawl/normalize/paragraphs_in"]
    assert paragraphs_in == 2 * ONE_BLOCKS + CHROME_ONLY_BLOCKS + LEGACY_BLOCKS
    # The second copy of ONE is cleaned with its page, like any page, before the run-wide
    # duplicate check drops it: ONE's per-page counts appear twice.
    assert stats["newscrawl/dropcap/merged"] == 3
    assert stats["newscrawl/boilerplate/paragraphs_removed/phrase"] == 6
    assert stats["newscrawl/boilerplate/paragraphs_removed/prefix"] == 2
    # The credit line, and the caption (the lead again) that leaked with its credit.
    assert stats["newscrawl/boilerplate/paragraphs_removed/credit"] == 4
    assert stats["newscrawl/boilerplate/paragraphs_trimmed/phrase"] == 2
    assert "newscrawl/boilerplate/paragraphs_trimmed/credit" not in stats
    assert stats["newscrawl/boilerplate/paragraphs_split"] == 2
    assert stats["newscrawl/dedup/paragraphs_removed/exact"] == 3
    assert stats["newscrawl/duplicates/paragraphs_dropped"] == len(ONE_EXPECTED)
    assert stats["newscrawl/validation/paragraphs_dropped"] == 0
    exported = sum(len(r["body"].split("\n\n")) for r in crawl.records)
    assert exported == len(ONE_EXPECTED) + len(LEGACY_EXPECTED)
    assert stats["newscrawl/validation/paragraphs_out"] == exported
    balance = (
        paragraphs_in
        - stats.get("newscrawl/normalize/paragraphs_removed/empty", 0)
        - stats["newscrawl/dropcap/merged"]
        - _sum(stats, "newscrawl/boilerplate/paragraphs_removed/")
        + stats["newscrawl/boilerplate/paragraphs_split"]
        - _sum(stats, "newscrawl/dedup/paragraphs_removed/")
        - stats["newscrawl/duplicates/paragraphs_dropped"]
        - stats["newscrawl/validation/paragraphs_dropped"]
    )
    assert balance == exported


def test_every_dropped_record_is_in_the_report(crawl):
    drops = sorted((d["url"], d["kind"]) for d in crawl.report["drops"])
    assert drops == [(SITE + CHROME_ONLY, "InvalidArticle"), (SITE + ONE, "DuplicateArticle")]
    assert crawl.report["articles_dropped"] == 2
    reasons = {d["kind"]: d["reason"] for d in crawl.report["drops"]}
    assert reasons["InvalidArticle"] == "missing required field(s): body"


# --- the same balance on any body, pipeline by pipeline --------------------------------

_CHROME = [
    "Advertisement",
    "View all search results",
    "Read also: Jokowi visits Moscow",
    "(Antara/Galih Pradipta)",
    "Quickly share this news with your network\u2014keep everyone informed with just a "
    "single click!",
]
_STORY = ["R" + OPENING, STANDFIRST, QUOTE, ALLY, VISIT, LEGACY_EXPECTED[1]]
_blocks = st.one_of(
    st.sampled_from(_STORY),
    st.sampled_from(_CHROME),
    st.sampled_from(["R", "A", "\u200b", "\u00a0\u200b"]),
    st.tuples(st.sampled_from(_STORY), st.sampled_from([FEEDBACK, _CHROME[-1]]),
              st.sampled_from(_STORY)).map("".join),
    st.sampled_from(_STORY).map(lambda p: p.upper().replace(" ", "\u00a0", 2)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_blocks, min_size=1, max_size=12))
def test_stats_balance_for_any_body(blocks):
    crawler = get_crawler(Spider, {"NEWSCRAWL_BOILERPLATE_PATH": ""})
    pipes = [build_from_crawler(cls, crawler) for cls in (
        TextNormalizationPipeline, DuplicateArticlesPipeline, DropCapPipeline,
        BoilerplatePipeline, ParagraphDedupPipeline, ValidationPipeline,
    )]
    body = "\n\n".join(blocks)
    item = make_article(body=body, raw_body_chars=len(body))
    exported = 0
    try:
        for pipe in pipes:
            item = pipe.process_item(item)
        exported = len(item.paragraphs)
    except DropItem:
        pass
    stats = crawler.stats.get_stats()
    balance = (
        stats.get("newscrawl/normalize/paragraphs_in", 0)
        - stats.get("newscrawl/normalize/paragraphs_removed/empty", 0)
        - stats.get("newscrawl/dropcap/merged", 0)
        - _sum(stats, "newscrawl/boilerplate/paragraphs_removed/")
        + stats.get("newscrawl/boilerplate/paragraphs_split", 0)
        - _sum(stats, "newscrawl/dedup/paragraphs_removed/")
        - stats.get("newscrawl/duplicates/paragraphs_dropped", 0)
        - stats.get("newscrawl/validation/paragraphs_dropped", 0)
    )
    assert balance == exported == stats.get("newscrawl/validation/paragraphs_out", 0)
