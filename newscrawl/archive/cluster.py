"""`newscrawl reextract --scheduler ADDRESS`: extraction on a Dask distributed cluster.

Each archive file is one task: a Dask worker reads it (`read_pages`), extracts every
usable page with the same `ArticleExtractor` as a crawl, and hands back the file's
extractions and skip counts. This process consumes the results in file order and runs
the run-wide steps (`newscrawl.archive.reextract.RunWide`), so the output is the one a
local run gives. At most a few files per worker are in flight, so memory here is
bounded by the size of a file's records, not by the number of files.

The archive paths must be readable under the same name on every worker (a shared
filesystem); Dask moves only the results. Needs the ``cluster`` extra (dask[distributed]).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawl.archive.reader import Tally, read_pages
from newscrawl.extraction import ArticleExtractor

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from newscrawl.extraction import Extraction

logger = logging.getLogger(__name__)

#: Files in flight per Dask worker thread.
AHEAD = 2


@dataclass
class FileResult:
    tally: Tally
    extractions: list[tuple[str, Extraction]]


def extract_file(path: str, settings: Mapping[str, Any], section: str) -> FileResult:
    """The task each Dask worker runs: one archive file, every usable page extracted."""
    extractor = ArticleExtractor.from_settings(settings)
    tally = Tally()
    extractions = [
        (archived.run, extractor.extract(archived.page))
        for archived in read_pages(Path(path), section, tally)
    ]
    return FileResult(tally, extractions)


def extract_on_cluster(
    files: list[Path], settings: Mapping[str, Any], section: str, scheduler: str, tally: Tally
) -> Iterator[tuple[str, Extraction]]:
    """(run, extraction) for every page of `files`, in file order, extracted on the
    cluster at `scheduler`; skip counts are added to `tally`."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise RuntimeError(
            "--scheduler needs Dask distributed: pip install 'newscrawl[cluster]'"
        ) from exc
    settings = dict(settings)
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        threads = sum(client.nthreads().values()) or 1
        logger.info(
            "Re-extracting %(files)d file(s) on %(threads)d Dask worker thread(s) at %(address)s",
            {"files": len(files), "threads": threads, "address": scheduler},
        )
        pending = deque(files)
        window: deque[Any] = deque()
        while pending or window:
            while pending and len(window) < threads * AHEAD:
                path = pending.popleft()
                # pure=False: the same file read twice (another job) is a new task.
                window.append(
                    client.submit(extract_file, str(path.resolve()), settings, section, pure=False)
                )
            result: FileResult = window.popleft().result()
            tally.update(result.tally)
            yield from result.extractions
