"""Signals newscrawl components send to each other (in addition to Scrapy's own).

`page_failed` is sent once for every listing or article page that could not be turned
into output, after retries: keyword arguments `url`, `stage` ("listing" or "article"),
`reason` (short machine-readable text), `status` (HTTP status or None), `attempts` and
`fetched_url`. `url` names the article the way exported records do (the site's www URL,
tracking removed), `fetched_url` is what was requested (a mirror, a loopback copy).
The run report and the failures file listen to it, so a failed page is never silent.
"""

page_failed = object()
