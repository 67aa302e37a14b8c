"""`newscrawl reextract`: a dataset rebuilt from WARC files, with no network.

Per page, in worker processes (``--workers``) or on a Dask cluster (``--scheduler``,
`newscrawl.archive.cluster`): the page object and the per-page cleaning, the very
`ArticleExtractor` a crawl runs. Then, in this process and in archive order (files in
the order given, directories sorted by name, records in file order), what needs a view
across articles: the crawl's ``ITEM_PIPELINES`` (duplicate articles, learned
boilerplate, validation) and versions. Workers only ever see one page at a time and
their results are consumed in input order, so the output does not depend on how many
there are, or where they run.

Each archived run (our archives name theirs in the warcinfo record; a foreign file is a
run of its own) is replayed as a run: the duplicate check starts afresh, learned
boilerplate carries over as it does between crawls. Versions are given as the crawl
state gives them, against a state of this job's own: an article's first capture is
version 1, a later capture with other content the next version, the same content is
not written again. Learned boilerplate also starts from an empty store, so the output
is a function of the archives alone.

Memory stays flat in the number of records: pages go to the workers through a window
of bounded size, records are written as they come.
"""

from __future__ import annotations

import logging
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from scrapy.exporters import JsonLinesItemExporter

from newscrawl.archive.reader import ArchivedPage, Tally, discover_archives, read_pages
from newscrawl.extraction import (
    ArticleExtractor,
    Extraction,
    build_components,
    offline_crawler,
)
from newscrawl.feeds import SyncedLineFile
from newscrawl.files import PART_SUFFIX, fsync_folder
from newscrawl.state.store import StateStore
from newscrawl.state.tracker import Outcome, StateTracker

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from newscrawl.datasets.progress import Progress
    from newscrawl.items import Article

logger = logging.getLogger(__name__)

#: Pages sent to a worker at once: fewer round trips, still a small window.
BATCH = 8
#: Batches in flight per worker.
AHEAD = 4
#: Failed pages named one by one in the log before only counting.
SHOWN_FAILURES = 20


@dataclass
class Summary:
    files: int = 0
    written: int = 0
    failed: int = 0
    tally: Tally = field(default_factory=Tally)
    dropped: dict[str, int] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


# --- extraction, wherever it runs ------------------------------------------------------

_EXTRACTOR: ArticleExtractor | None = None


def _start_worker(settings: Mapping[str, Any]) -> None:
    # One extractor per worker process, built once: the phrase rules and pipelines
    # are loaded when the process starts, not per page.
    global _EXTRACTOR
    _EXTRACTOR = ArticleExtractor.from_settings(settings)


def _extract_batch(pages: list[ArchivedPage]) -> list[Extraction]:
    assert _EXTRACTOR is not None
    return [_EXTRACTOR.extract(p.page) for p in pages]


def _batches(pages: Iterable[ArchivedPage]) -> Iterator[list[ArchivedPage]]:
    batch: list[ArchivedPage] = []
    for page in pages:
        batch.append(page)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def extract_locally(
    pages: Iterable[ArchivedPage], settings: Mapping[str, Any], workers: int
) -> Iterator[tuple[str, Extraction]]:
    """(run, extraction) for each page, in input order; `workers` processes (1: here)."""
    if workers <= 1:
        extractor = ArticleExtractor.from_settings(settings)
        for archived in pages:
            yield archived.run, extractor.extract(archived.page)
        return
    from newscrawl.workers import process_context

    with ProcessPoolExecutor(
        workers, mp_context=process_context(), initializer=_start_worker, initargs=(settings,)
    ) as pool:
        window: deque[tuple[list[str], Any]] = deque()
        for batch in _batches(pages):
            window.append(([p.run for p in batch], pool.submit(_extract_batch, batch)))
            if len(window) >= workers * AHEAD:
                runs, future = window.popleft()
                yield from zip(runs, future.result(), strict=True)
        while window:
            runs, future = window.popleft()
            yield from zip(runs, future.result(), strict=True)


def local_pages(files: list[Path], section: str, tally: Tally) -> Iterator[ArchivedPage]:
    for path in files:
        yield from read_pages(path, section, tally)


# --- what needs a view across articles -------------------------------------------------


class RunWide:
    """The crawl's item pipelines (duplicates, learned boilerplate, validation) and
    versions, over the extracted records in archive order."""

    def __init__(self, settings: Mapping[str, Any], workdir: Path) -> None:
        overrides = {
            **settings,
            # Versions are this job's own (below), learned boilerplate starts empty.
            "NEWSCRAWL_STATE_PATH": "",
            "NEWSCRAWL_BOILERPLATE_PATH": str(workdir / "boilerplate.sqlite3")
            if settings.get("NEWSCRAWL_BOILERPLATE_PATH")
            else "",
        }
        self.crawler = offline_crawler(overrides)
        assert self.crawler.stats is not None
        self.stats = self.crawler.stats
        self.pipelines = build_components(self.crawler, "ITEM_PIPELINES")
        self.tracker = StateTracker(
            StateStore(workdir / "versions.sqlite"), recheck_window=timedelta(0)
        )
        self.run: str | None = None

    def _hook(self, name: str) -> None:
        for pipeline in self.pipelines:
            hook: Callable[[], Any] | None = getattr(pipeline, name, None)
            if hook is not None:
                hook()

    def start_run(self, run: str) -> None:
        if run == self.run:
            return
        if self.run is not None:
            self._hook("close_spider")
        self.run = run
        self._hook("open_spider")

    def process(self, item: Article) -> Article | None:
        """The record to write, or None when it is the same content as before; raises
        `DropItem` when a pipeline drops it."""
        for pipeline in self.pipelines:
            item = pipeline.process_item(item)
        outcome, version = self.tracker.assign_version(item.url, item.content_hash)
        self.stats.inc_value(f"newscrawl/state/{outcome.value}")
        if outcome is Outcome.UNCHANGED:
            return None
        item.version = version
        return item

    def commit(self, lines: list[bytes]) -> None:
        self.tracker.commit_lines(lines)

    def close(self) -> None:
        if self.run is not None:
            self._hook("close_spider")
        self.tracker.store.close()


class _Output:
    """JSON Lines written as the crawl's feed writes them: ``.part``, fsync, rename."""

    def __init__(self, path: Path, on_durable: Callable[[list[bytes]], None], fields: list[str]):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.part = path.with_name(path.name + PART_SUFFIX)
        self.file = SyncedLineFile(self.part, 100, on_durable)
        # Scrapy's own JSON Lines exporter, as the crawl's feed: the same bytes per record.
        self.exporter = JsonLinesItemExporter(
            self.file,  # type: ignore[arg-type]
            fields_to_export=fields,
            encoding="utf-8",
        )
        self.exporter.start_exporting()

    def write(self, item: Article) -> None:
        self.exporter.export_item(item)

    def close(self) -> None:
        self.exporter.finish_exporting()
        self.file.close()
        self.part.replace(self.path)
        fsync_folder(self.path.parent)


def reduce_into(
    extracted: Iterable[tuple[str, Extraction]],
    output: Callable[[str], _Output],
    run_wide: RunWide,
    summary: Summary,
    progress: Progress,
) -> None:
    """Run the run-wide steps over `extracted` (in order) and write what they keep."""
    for run, result in extracted:
        progress.add_record()
        for key, value in result.stats.items():
            run_wide.stats.inc_value(key, value)
        if result.item is None:
            summary.failed += 1
            if summary.failed <= SHOWN_FAILURES:
                logger.warning(
                    "Could not use %(url)s: %(reason)s",
                    {"url": result.url, "reason": result.failure},
                )
            continue
        run_wide.start_run(run)
        try:
            item = run_wide.process(result.item)
        except DropItem as exc:
            kind = type(exc).__name__
            summary.dropped[kind] = summary.dropped.get(kind, 0) + 1
            continue
        if item is None:
            continue
        output(run).write(item)
        summary.written += 1


def run_reextract(
    inputs: list[Path],
    out: Path,
    *,
    settings: Mapping[str, Any],
    section: str,
    workers: int,
    progress: Progress,
    scheduler: str | None = None,
    parts: bool = False,
) -> Summary:
    """Re-extract `inputs` into `out`: one JSON Lines file, or (`parts`) a folder of
    part files, one per archive file."""
    files = discover_archives(inputs)
    summary = Summary(files=len(files))
    if not files:
        return summary
    fields = list(settings.get("FEED_EXPORT_FIELDS") or [])
    with tempfile.TemporaryDirectory(prefix="newscrawl-reextract-") as tmp:
        run_wide = RunWide(settings, Path(tmp))
        outputs: dict[Path, _Output] = {}

        def output(run: str) -> _Output:
            path = out / part_name(run) if parts else out
            if path not in outputs:
                outputs[path] = _Output(path, run_wide.commit, fields)
            return outputs[path]

        if scheduler:
            from newscrawl.archive.cluster import extract_on_cluster

            extracted = extract_on_cluster(files, settings, section, scheduler, summary.tally)
        else:
            pages = local_pages(files, section, summary.tally)
            extracted = extract_locally(pages, settings, workers)
        try:
            reduce_into(extracted, output, run_wide, summary, progress)
        finally:
            for target in outputs.values():
                target.close()
            run_wide.close()
        summary.outputs = [o.path for o in outputs.values()]
        summary.stats = run_wide.stats.get_stats()
    if not parts and not summary.outputs:
        # Nothing kept: still an (empty) output, so "no records" differs from "no file".
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"")
        summary.outputs = [out]
    return summary


def part_name(run: str) -> str:
    """The part file of a run: its run id (our archives) or its file's name."""
    stem = Path(run).name or "part"
    for suffix in (".open", ".gz", ".warc"):
        stem = stem.removesuffix(suffix)
    return f"{stem}.jsonl"
