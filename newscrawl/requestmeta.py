"""The ``Request.meta`` keys newscrawl's spider and components use to talk.

Set by the spider (`newscrawl.spiders.jakartapost`):

* ``newscrawl_channel`` on article requests: the discovery channel that named the
  article first ("listing", "sitemap" or "archive"), or "retry" for a page that failed
  an earlier run and is due again (`newscrawl.state.manager.CrawlState.due`).
* ``newscrawl_listed_at`` on article requests: the date or date-time (ISO 8601) the
  channel shows for the article, when it shows one.
* ``newscrawl_teaser`` on article requests: the listing entry's teaser text.
* ``newscrawl_listed`` on a listing page request: the article URLs the previous listing
  page showed (the incremental middleware stops paging when all are known).
* ``newscrawl_sitemap`` on sitemap requests (the sitemap cache caches only these).

Set by the incremental middleware (`newscrawl.middlewares.incremental`):

* ``newscrawl_recheck`` on a known article fetched again conditionally.
"""

CHANNEL = "newscrawl_channel"
LISTED_AT = "newscrawl_listed_at"
TEASER = "newscrawl_teaser"
LISTED = "newscrawl_listed"
SITEMAP = "newscrawl_sitemap"
RECHECK = "newscrawl_recheck"
