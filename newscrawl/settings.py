"""Scrapy settings for newscrawl.

Every setting newscrawl adds is named NEWSCRAWL_* or JAKARTAPOST_* and documented, with
its default, in README.md ("Settings"). Override any of them with `-s NAME=VALUE`.
"""

from __future__ import annotations

from newscrawl import __version__
from newscrawl.items import EXPORT_FIELDS

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# --- The site -------------------------------------------------------------------------
# Every URL the spider requests is built from this root, so a copy of the site served
# elsewhere (loopback, a mirror) is crawled by changing this one value.
JAKARTAPOST_BASE_URL = "https://www.thejakartapost.com"

# --- Manners on the live site ---------------------------------------------------------
USER_AGENT = (
    f"newscrawl/{__version__} (+https://github.com/newscrawl/newscrawl; "
    "research crawler of The Jakarta Post world section)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
# The spider reports a page that still fails after its retries (WARNING, and in the
# failures file); Scrapy's own ERROR line about it would say the same thing twice.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
# No article page is anywhere near these sizes; they stop a runaway or hostile body.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A copy of the site on this machine (JAKARTAPOST_BASE_URL on 127.0.0.0/8 or localhost)
# is nobody's production server: politeness delays are lifted for it unless the delay
# settings were given explicitly on the command line.
NEWSCRAWL_LOOPBACK_FAST = True

# --- Output ---------------------------------------------------------------------------
# Each run writes its own file here unless FEEDS is set (or -o/-O given on the command
# line, which then replaces it). %(run_id)s is the run's UTC start, e.g. 20261126T155901Z.
NEWSCRAWL_DEFAULT_FEED = "data/%(name)s/%(section)s/%(run_id)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
# One %(time)s per run (the spider's start, in Scrapy's format) for every feed, report
# and failures file, so files that go together are named alike (newscrawl/runfiles.py).
FEED_URI_PARAMS = "newscrawl.runfiles.feed_uri_params"
FEED_STORE_EMPTY = True
# The analysts' contract (newscrawl/schema/article.schema.json), in this key order.
FEED_EXPORT_FIELDS = list(EXPORT_FIELDS)

# --- Components -----------------------------------------------------------------------
ITEM_PIPELINES: dict[str, int] = {}
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {}
# (each component group below adds its own entries)

# --- Cleaning pipelines ---------------------------------------------------------------
# Two stages. The per-page cleaning needs nothing but the page, so it runs with the page
# object wherever the page is extracted (`newscrawl.extraction`): normalise first (later
# steps compare text), repair the drop cap before boilerplate (a lone letter is not
# chrome), dedup after the known phrases (glued chrome would hide a repeat).
NEWSCRAWL_CLEANING_PIPELINES = {
    "newscrawl.pipelines.normalize.TextNormalizationPipeline": 100,
    "newscrawl.pipelines.dropcap.DropCapPipeline": 200,
    "newscrawl.pipelines.boilerplate.BoilerplatePipeline": 300,
    "newscrawl.pipelines.dedup.ParagraphDedupPipeline": 400,
}
# The page object and these steps run in worker processes, so that the crawl's event loop
# goes on downloading meanwhile (newscrawl.extraction_service). None: one fewer than the
# machine's usable cores (none on one core); 0: in the crawl process. A worker may spend
# this many seconds on a page before the page fails and the worker is replaced.
NEWSCRAWL_EXTRACTION_WORKERS: int | None = None
NEWSCRAWL_EXTRACTION_TIMEOUT = 60.0
# Then the item pipelines, which see the run's articles one after another: duplicate
# articles, chrome learned across articles, validation last. 600-900 stay free for
# later components.
ITEM_PIPELINES["newscrawl.pipelines.duplicates.DuplicateArticlesPipeline"] = 150
ITEM_PIPELINES["newscrawl.pipelines.learned.LearnedBoilerplatePipeline"] = 300
ITEM_PIPELINES["newscrawl.pipelines.validation.ValidationPipeline"] = 500
NEWSCRAWL_NORMALIZE_ENABLED = True
NEWSCRAWL_DUPLICATES_ENABLED = True
NEWSCRAWL_DROPCAP_ENABLED = True
NEWSCRAWL_BOILERPLATE_ENABLED = True
# A phrase file replacing the packaged newscrawl/data/boilerplate_phrases.txt ("" = packaged).
NEWSCRAWL_BOILERPLATE_PHRASES = ""
# Learned-boilerplate counts (SQLite, relative to the working directory); "" = no learning.
NEWSCRAWL_BOILERPLATE_PATH = "data/boilerplate.sqlite3"
NEWSCRAWL_BOILERPLATE_MIN_ARTICLES = 25
NEWSCRAWL_BOILERPLATE_MAX_CHARS = 200
NEWSCRAWL_BOILERPLATE_CACHE_SIZE = 10000
NEWSCRAWL_DEDUP_ENABLED = True
NEWSCRAWL_DEDUP_MIN_CONTAINED_CHARS = 50
NEWSCRAWL_VALIDATION_ENABLED = True
NEWSCRAWL_VALIDATION_REQUIRED = ["url", "title", "published_at", "body"]
NEWSCRAWL_VALIDATION_MIN_BODY_RATIO = 0.5

# --- Incremental crawling and cron -----------------------------------------------------
# What earlier runs exported: one SQLite file per spider (empty = no state, every run
# is a full crawl). A path that does not exist yet means a full crawl. The run lock
# (another run at the same time exits 75) is this path + ".lock".
NEWSCRAWL_STATE_PATH = "data/state/%(name)s-%(site)s.sqlite"
# Known articles published or modified this recently are fetched again (conditionally)
# so corrections come out as new versions; older known articles are not fetched.
NEWSCRAWL_RECHECK_HOURS = 48.0
# An article page that still fails after its retries is tried again by later runs,
# waiting this many hours before each further attempt; after failing the last it is
# abandoned. A gone page (404/410) is not tried again unless it is listed again with a
# newer date.
NEWSCRAWL_FAILED_RETRY_HOURS = [1, 6, 24, 72]
# The state's "now" for a whole run (ISO 8601 date-time); empty = the system clock.
NEWSCRAWL_STATE_NOW = ""
NEWSCRAWL_INCREMENTAL_ENABLED = True
# Records between two fsyncs of the run file; the state learns of a record only after.
NEWSCRAWL_FEED_SYNC_ITEMS = 10
SPIDER_MIDDLEWARES = {
    # Closer to the spider: the incremental middleware sees each article once.
    "newscrawl.middlewares.onceperrun.OncePerRunMiddleware": 700,
    "newscrawl.middlewares.incremental.IncrementalMiddleware": 650,
}
# The state's owner (run lock, state file): built before any component it is handed to.
EXTENSIONS: dict[str, int] = {"newscrawl.extensions.crawlstate.CrawlStateExtension": 100}
# Last: versions are given to records the other pipelines let through.
ITEM_PIPELINES["newscrawl.pipelines.state.StatePipeline"] = 900
# Local run files are written as .part, fsynced in batches and renamed when complete.
FEED_STORAGES = {
    "": "newscrawl.feeds.DurableFileFeedStorage",
    "file": "newscrawl.feeds.DurableFileFeedStorage",
}

# --- Discovery ---------------------------------------------------------------------------
# Sitemaps may be far larger than any page: the sitemap protocol allows 50 MiB (also the
# cap on what a gzipped sitemap may inflate to). At most this many sitemap files a run.
NEWSCRAWL_SITEMAP_MAXSIZE = 50 * 1024 * 1024
NEWSCRAWL_SITEMAP_MAX_FILES = 50
# Sitemaps are fetched conditionally and kept beside the crawl state (Scrapy's HTTP
# cache, for sitemap requests only): a run with nothing new gets "304 Not Modified" and
# still reads every entry. A sitemap that does not exist (404) is asked for again after:
NEWSCRAWL_SITEMAP_MISSING_RECHECK_HOURS = 24.0
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "newscrawl.middlewares.sitemapcache.SitemapCachePolicy"
HTTPCACHE_STORAGE = "newscrawl.middlewares.sitemapcache.SitemapCacheStorage"
HTTPCACHE_GZIP = True
# Coverage check: news-sitemap articles the listing should have shown but did not.
# The run fails when at least MIN_MISSED are missed and more than MAX_MISSED_SHARE of
# the articles judged.
NEWSCRAWL_COVERAGE_ENABLED = True
NEWSCRAWL_COVERAGE_MAX_MISSED_SHARE = 0.05
NEWSCRAWL_COVERAGE_MIN_MISSED = 2

# --- Faults, failures and layout drift -------------------------------------------------
# Retries wait: exponential backoff, or the server's Retry-After (up to a ceiling).
# RETRY_TIMES / RETRY_HTTP_CODES above still say what is retried and how often.
DOWNLOADER_MIDDLEWARES.update(
    {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "newscrawl.middlewares.retry.BackoffRetryMiddleware": 550,
        # In front of RedirectMiddleware (600): its process_response must run first.
        "newscrawl.middlewares.redirect.OnSiteRedirectMiddleware": 610,
    }
)
NEWSCRAWL_RETRY_BACKOFF_BASE = 2.0
NEWSCRAWL_RETRY_BACKOFF_MAX = 60.0
NEWSCRAWL_RETRY_AFTER_MAX = 120.0
# Size limits: DOWNLOAD_MAXSIZE above also bounds what a gzip body may inflate to.
# Every page the run could not use goes to <run>.failures.jsonl; articles failing past
# this share of the run's articles fail the run (a failed listing page always does).
NEWSCRAWL_FAILURES_ENABLED = True
NEWSCRAWL_FAILURES_PATH = ""
NEWSCRAWL_MAX_FAILURE_RATE = 0.1
# ... and only when at least this many failed (pages already known to fail, gone pages
# and pages robots.txt forbids never count), so a small run cannot trip the rate.
NEWSCRAWL_MIN_FAILED_ARTICLES = 3
# Layout drift alarm: a redesign shows as articles read by the fallbacks and as
# fields going empty; past these shares the run fails and says why.
NEWSCRAWL_DRIFT_ENABLED = True
NEWSCRAWL_DRIFT_MIN_ARTICLES = 4
NEWSCRAWL_DRIFT_FALLBACK_PATHS = ["structured-data", "generic-fallback"]
# Half: a redesign sends nearly every article to a fallback, while a crawl reaching far
# into the archive legitimately reads some 2009-2015 pages through the generic fallback.
NEWSCRAWL_DRIFT_MAX_FALLBACK_SHARE = 0.5
# Not summary: many stories (wire copy, editorials) have no standfirst at all.
NEWSCRAWL_DRIFT_FIELDS = ["body", "published_at"]
NEWSCRAWL_DRIFT_MAX_EMPTY_SHARE = 0.25
# `scrapy check jakartapost` (the live smoke test): @on_base_url moves a contract's
# @url onto JAKARTAPOST_BASE_URL, so the same contracts also run against a site copy.
SPIDER_CONTRACTS = {"newscrawl.contracts.OnBaseUrlContract": 5}

# --- WARC archive -----------------------------------------------------------------------
# Every article page fetched, as WARC request/response records (newscrawl reextract
# rebuilds a dataset from them without the network). One file per run, rotated by size.
NEWSCRAWL_ARCHIVE_ENABLED = True
NEWSCRAWL_ARCHIVE_DIR = "data/archive/%(name)s/%(section)s"
NEWSCRAWL_ARCHIVE_LISTINGS = False
NEWSCRAWL_ARCHIVE_MAX_BYTES = 1024 * 1024 * 1024
NEWSCRAWL_ARCHIVE_SYNC_RECORDS = 10
# Deflate level per record, 1-9. Levels 1 and 2 use ISA-L (the isal package): level 2
# takes a quarter of the CPU of zlib's level 3 for ~6% more bytes; 3-9 use zlib.
NEWSCRAWL_ARCHIVE_COMPRESSION = 2
# newscrawl reextract with several workers: each reads and extracts its own spans of the
# archive files, of about this many bytes.
NEWSCRAWL_REEXTRACT_SPAN_BYTES = 2 * 1024 * 1024

EXTENSIONS.update(
    {
        "newscrawl.extensions.archive.WarcArchive": 300,
        # Below the report's 500, so their verdicts are in the report.
        "newscrawl.extensions.failures.FailuresFile": 400,
        "newscrawl.extensions.drift.LayoutDriftAlarm": 410,
        "newscrawl.extensions.coverage.CoverageCheck": 420,
        "newscrawl.extensions.runreport.RunReport": 500,
    }
)

# --- Engine ---------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
