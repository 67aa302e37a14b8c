"""WARC archives of crawls, and re-extraction of datasets from WARC files.

`writer` keeps what a crawl fetched (`newscrawl.extensions.archive` feeds it), `reader`
turns archived responses back into pages, `reextract` runs extraction and the run-wide
pipelines over them, on local worker processes or a Dask cluster (`cluster`).
"""
