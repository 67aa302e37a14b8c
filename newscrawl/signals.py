"""Signals newscrawl components send to each other (in addition to Scrapy's own).

`page_failed` is sent once for every page that could not be turned into output, after
retries: keyword arguments `url`, `stage` ("listing", "article" or "sitemap"), `reason`
(short machine-readable text), `status` (HTTP status or None), `attempts` and
`fetched_url`. `url` names the article the way exported records do (the site's www URL,
tracking removed), `fetched_url` is what was requested (a mirror, a loopback copy).
The run report and the failures file listen to it, so a failed page is never silent.

`listing_read` is sent for every listing page the spider read: `page` (its number),
`url`, `fetched_at` (aware datetime) and `entries` (`newscrawl.pages.listing.ListingEntry`,
in page order, the section's own only).

`sitemap_read` is sent for every urlset sitemap the spider read: `url`, `news` (a Google
News sitemap) and `entries` (`newscrawl.pages.sitemap.SitemapEntry` of the section's
articles, URLs moved onto the crawled site root).

`report_section` lets a component add a section to the run report: `name` (the key in
the report) and `data` (JSON-serialisable). Send it before the engine stops.
"""

page_failed = object()
listing_read = object()
sitemap_read = object()
report_section = object()
