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
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from scrapy.exporters import JsonLinesItemExporter

from newscrawl.archive.reader import (
    Span,
    SpanOutcome,
    Tally,
    discover_archives,
    plan_spans,
    read_pages,
    read_span,
)
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
from newscrawl.workers import extract_page, initialize, process_context, replay_logs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from newscrawl.datasets.progress import Progress
    from newscrawl.items import Article

logger = logging.getLogger(__name__)

#: Lines written between two fsyncs of an output (and commits of their versions).
SYNC_LINES = 2000
#: Spans in flight per worker process.
AHEAD = 3
#: Bytes of archive per span (`NEWSCRAWL_REEXTRACT_SPAN_BYTES`): small enough that two
#: workers share even a small archive evenly, large enough that a span is many pages.
SPAN_BYTES = 2 * 1024 * 1024
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


@dataclass
class SpanResult:
    """What a worker made of one span: its pages' extractions, in order, and its counts."""

    extractions: list[tuple[str, Extraction]]
    tally: Tally
    outcome: SpanOutcome


def extract_span(span: Span, section: str) -> SpanResult:
    """The job of a worker process (`newscrawl.workers.initialize` has run): read one
    span of an archive file and extract every usable page in it."""
    tally = Tally()
    outcome = SpanOutcome()
    extractions = [
        (archived.run, extract_page(archived.page))
        for archived in read_span(span, section, tally, outcome)
    ]
    return SpanResult(extractions, tally, outcome)


def extract_locally(
    files: list[Path],
    section: str,
    tally: Tally,
    settings: Mapping[str, Any],
    processes: int,
    span_bytes: int,
) -> Iterator[tuple[str, Extraction]]:
    """(run, extraction) for each usable page of `files`, in archive order, read and
    extracted by `processes` worker processes (1: in this process)."""
    if processes <= 1:
        extractor = ArticleExtractor.from_settings(settings)
        for path in files:
            for archived in read_pages(path, section, tally):
                yield archived.run, extractor.extract(archived.page)
        return
    with ProcessPoolExecutor(
        processes,
        mp_context=process_context(),
        initializer=initialize,
        initargs=(settings,),
    ) as pool:
        spans = (span for path in files for span in plan_spans(path, span_bytes))
        for result in _in_order(pool, spans, section, window=processes * AHEAD):
            tally.update(result.tally)
            yield from result.extractions


def _in_order(
    pool: ProcessPoolExecutor, spans: Iterator[Span], section: str, window: int
) -> Iterator[SpanResult]:
    """The results of `spans`, extracted by `pool` with `window` spans in flight, in
    order, and checked to meet: each span must begin where the one before it stopped,
    in the same warcinfo. Where they do not (a file whose records share gzip members,
    a warcinfo record in the middle of a file), the rest of that file is read again in
    one piece from where the last good span stopped."""
    pending: deque[tuple[Span, Future[SpanResult]]] = deque()
    stop: int | None = None
    context = None
    redone: Path | None = None  # the file being read again in one piece
    while True:
        for span in spans:
            if span.path != redone:
                pending.append((span, pool.submit(extract_span, span, section)))
            if len(pending) >= window:
                break
        if not pending:
            return
        span, future = pending.popleft()
        if span.path == redone:
            future.cancel()
            continue
        result = future.result()
        outcome = result.outcome
        if span.start == 0:
            good = outcome.exact
            begin = 0
        else:
            begin = stop if stop is not None else -1
            good = (
                outcome.exact
                and outcome.context_in == context
                and (
                    outcome.first == stop
                    if outcome.first is not None
                    else (stop is None or (span.end is not None and stop >= span.end))
                )
            )
        if good:
            if outcome.first is not None or span.start == 0:
                stop, context = outcome.stop, outcome.context_out
            yield result
            continue
        redone = span.path
        if begin < 0:
            continue  # the span before read to the end of the file: nothing is left
        logger.info(
            "%(path)s cannot be read in spans from offset %(offset)d: reading the rest in one",
            {"path": span.path, "offset": begin},
        )
        rest = Span(span.path, begin, None, begin=begin, context=context if begin else None)
        redo = pool.submit(extract_span, rest, section).result()
        stop, context = redo.outcome.stop, redo.outcome.context_out
        yield redo


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
        # The versions it commits to live in a folder of this job's own, gone with it,
        # and the output is only renamed into place once complete: durability along the
        # way buys nothing here, so fsyncs (and version commits) come in large batches.
        self.file = SyncedLineFile(self.part, SYNC_LINES, on_durable)
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
        replay_logs(result.logs)
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
            span_bytes = int(settings.get("NEWSCRAWL_REEXTRACT_SPAN_BYTES") or SPAN_BYTES)
            extracted = extract_locally(
                files, section, summary.tally, settings, workers, span_bytes
            )
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
