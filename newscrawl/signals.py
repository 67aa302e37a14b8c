"""Signals newscrawl components send to each other (in addition to Scrapy's own).

`page_failed` is sent once for every listing or article page that could not be turned
into output, after retries: keyword arguments `url`, `stage` ("listing" or "article"),
`reason` (short machine-readable text), `status` (HTTP status or None) and `attempts`.
The run report and the failures file listen to it, so a failed page is never silent.
"""

page_failed = object()
