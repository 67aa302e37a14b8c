"""Extraction plus cleaning per page, against a bare lxml parse and against trafilatura.

For each sampled article page, in one process:

* *ours*: build the `HtmlResponse` Scrapy would hand the spider, run
  `ArticlePage(...).to_item()`, then every cleaning pipeline of the project's
  `ITEM_PIPELINES`, in order, as the crawl does;
* *parse floor*: `lxml.html.fromstring(body)` and nothing else;
* *trafilatura*: `trafilatura.extract(body)` with its defaults.

The three run back to back on each page, in an order that rotates from page to page,
and the whole sample is repeated for several rounds with fresh pipelines each round
(so per-crawl state such as dedup caches starts empty, as in a crawl). Medians are
taken over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import inspect
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.html
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from newscrawl.extraction import ArticleExtractor
from newscrawl.pages.article import ArticlePage
from newscrawl.spiders.jakartapost import JakartaPostSpider

if TYPE_CHECKING:
    from collections.abc import Callable

SECTION = "world"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}
# A URL the spider does not treat as loopback: nothing is fetched in-process anyway.
SITE = "https://www.thejakartapost.com"


@dataclass
class Page:
    url: str
    body: bytes


@dataclass
class ExtractionMeasure:
    pages: int
    rounds: int
    ours_ms: float
    parse_ms: float
    trafilatura_ms: float | None
    extract_only_ms: float
    pipelines: list[str]
    skipped_pipelines: list[str]
    dropped_per_round: float

    @property
    def ours_vs_parse(self) -> float:
        return self.ours_ms / self.parse_ms

    @property
    def trafilatura_vs_ours(self) -> float | None:
        return self.trafilatura_ms / self.ours_ms if self.trafilatura_ms else None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["ours_vs_parse"] = self.ours_vs_parse
        data["trafilatura_vs_ours"] = self.trafilatura_vs_ours
        return data


def sample_pages(root: Path, count: int) -> list[Page]:
    """`count` article pages spread evenly over the site, in a fixed order."""
    files = sorted(p for p in (root / SECTION).glob("[0-9]*/*/*/*.html"))
    if not files:
        raise ValueError(f"no article pages under {root}")
    step = max(1, len(files) // count)
    chosen = files[::step][:count]
    return [Page(f"{SITE}/{p.relative_to(root).as_posix()}", p.read_bytes()) for p in chosen]


def project_settings(state: Path) -> dict[str, Any]:
    module = importlib.import_module("newscrawl.settings")
    settings = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    settings["JAKARTAPOST_BASE_URL"] = SITE
    from benchmarks.crawls import state_settings

    settings.update(state_settings(state))
    return settings


class Pipelines:
    """The project's item pipelines, built and opened as a crawl would."""

    def __init__(self, state: Path) -> None:
        crawler = get_crawler(JakartaPostSpider, project_settings(state))
        crawler.spider = JakartaPostSpider.from_crawler(crawler)
        if crawler.stats is not None:
            crawler.stats.open_spider()
        self.crawler = crawler
        # The page object plus the per-page cleaning (NEWSCRAWL_CLEANING_PIPELINES), as the
        # spider runs it; the loop below adds the run-wide ITEM_PIPELINES.
        self.extractor = ArticleExtractor(crawler)
        self.names: list[str] = list(self.extractor.names)
        self.skipped: list[str] = []
        self.stages: list[Callable[[Any], Any]] = []
        self._closers: list[Callable[[], Any]] = []
        configured = crawler.settings.getwithbase("ITEM_PIPELINES")
        for path, order in sorted(configured.items(), key=lambda kv: (kv[1] is None, kv[1] or 0)):
            if order is None:
                continue
            try:
                pipeline = build_from_crawler(load_object(path), crawler)
            except NotConfigured:
                self.skipped.append(str(path))
                continue
            if hasattr(pipeline, "open_spider"):
                try:
                    _settle(_call_hook(pipeline.open_spider, crawler.spider))
                except RuntimeError as exc:
                    # e.g. a component that asks the crawl engine for another pipeline:
                    # it is measured by the crawl benchmark, not here.
                    self.skipped.append(f"{path} ({exc})")
                    continue
            self.names.append(str(path))
            if hasattr(pipeline, "close_spider"):
                self._closers.append(lambda p=pipeline: _call_hook(p.close_spider, crawler.spider))
            self.stages.append(pipeline.process_item)

    def process(self, item: Any) -> Any:
        for stage in self.stages:
            item = _settle(_call_item(stage, item, self.crawler.spider))
        return item

    def close(self) -> None:
        for close in self._closers:
            _settle(close())


def _call_hook(hook: Callable[..., Any], spider: Any) -> Any:
    return hook() if not _wants_spider(hook) else hook(spider)


def _call_item(stage: Callable[..., Any], item: Any, spider: Any) -> Any:
    return stage(item) if not _wants_spider(stage) else stage(item, spider)


_WANTS_SPIDER: dict[Any, bool] = {}


def _wants_spider(method: Callable[..., Any]) -> bool:
    key = getattr(method, "__func__", method)
    if key not in _WANTS_SPIDER:
        _WANTS_SPIDER[key] = "spider" in inspect.signature(method).parameters
    return _WANTS_SPIDER[key]


_LOOP: asyncio.AbstractEventLoop | None = None


def _settle(result: Any) -> Any:
    """The value of a sync result, an awaitable or an already-fired Deferred."""
    global _LOOP
    if inspect.isawaitable(result) and not isinstance(result, Deferred):
        if _LOOP is None:
            _LOOP = asyncio.new_event_loop()
        return _LOOP.run_until_complete(result)
    if isinstance(result, Deferred):
        box: list[Any] = []
        result.addBoth(box.append)
        if not box:
            raise RuntimeError("a pipeline returned a Deferred that did not fire synchronously")
        if hasattr(box[0], "raiseException"):
            box[0].raiseException()
        return box[0]
    return result


def _ours(page: Page, pipelines: Pipelines, now: datetime) -> bool:
    response = HtmlResponse(page.url, body=page.body, headers=HEADERS)
    item = pipelines.extractor.extract_response(response, SECTION, now).item
    if item is None:
        return False
    try:
        pipelines.process(item)
    except DropItem:
        return False
    return True


def _extract_only(page: Page, now: datetime) -> None:
    response = HtmlResponse(page.url, body=page.body, headers=HEADERS)
    ArticlePage(response, section=SECTION, fetched_at=now).to_item()


def _parse(page: Page) -> None:
    lxml.html.fromstring(page.body)


def measure(pages: list[Page], rounds: int, *, with_trafilatura: bool = True) -> ExtractionMeasure:
    extract: Callable[[bytes], Any] | None = None
    if with_trafilatura:
        try:
            from trafilatura import extract
        except ImportError:
            extract = None
    now = datetime.now(timezone.utc)
    ours_rounds: list[float] = []
    parse_rounds: list[float] = []
    traf_rounds: list[float] = []
    only_rounds: list[float] = []
    drops: list[int] = []
    names: list[str] = []
    skipped: list[str] = []
    clock = time.perf_counter
    for _ in range(max(1, rounds)):
        with tempfile.TemporaryDirectory(prefix="newscrawl-bench-state-") as tmp:
            pipelines = Pipelines(Path(tmp))
            names, skipped = pipelines.names, pipelines.skipped
            totals = {"ours": 0.0, "parse": 0.0, "traf": 0.0, "only": 0.0}
            dropped = 0
            gc.collect()
            for index, page in enumerate(pages):
                jobs: list[tuple[str, Callable[[], Any]]] = [
                    ("ours", lambda p=page, q=pipelines: _ours(p, q, now)),
                    ("parse", lambda p=page: _parse(p)),
                    ("only", lambda p=page: _extract_only(p, now)),
                ]
                if extract is not None:
                    jobs.append(("traf", lambda p=page: extract(p.body)))
                shift = index % len(jobs)
                for name, job in jobs[shift:] + jobs[:shift]:
                    started = clock()
                    result = job()
                    totals[name] += clock() - started
                    if name == "ours" and result is False:
                        dropped += 1
            pipelines.close()
        ours_rounds.append(totals["ours"])
        parse_rounds.append(totals["parse"])
        only_rounds.append(totals["only"])
        traf_rounds.append(totals["traf"])
        drops.append(dropped)
    per_page = 1000 / len(pages)
    return ExtractionMeasure(
        pages=len(pages),
        rounds=len(ours_rounds),
        ours_ms=statistics.median(ours_rounds) * per_page,
        parse_ms=statistics.median(parse_rounds) * per_page,
        trafilatura_ms=statistics.median(traf_rounds) * per_page if extract else None,
        extract_only_ms=statistics.median(only_rounds) * per_page,
        pipelines=names,
        skipped_pipelines=skipped,
        dropped_per_round=statistics.median(drops),
    )


def profile(pages: list[Page], top: int = 40) -> str:
    """A pyinstrument profile of extraction plus cleaning over `pages`, as text."""
    from pyinstrument import Profiler

    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-state-") as tmp:
        pipelines = Pipelines(Path(tmp))
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for page in pages:
            _ours(page, pipelines, now)
        profiler.stop()
        pipelines.close()
    return str(profiler.output_text(unicode=False, color=False, show_all=False))[: top * 400]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time extraction + cleaning per page.")
    parser.add_argument("site", type=Path, help="a generated site (benchmarks.sitegen)")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    args = parser.parse_args(argv)
    pages = sample_pages(args.site, args.pages)
    if args.profile:
        print(profile(pages))
        return
    result = measure(pages, args.rounds, with_trafilatura=not args.no_trafilatura)
    print(json.dumps(result.to_dict(), indent=2))


if __name__ == "__main__":
    main()
