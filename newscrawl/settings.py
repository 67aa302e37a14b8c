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
FEED_STORE_EMPTY = True
# The analysts' contract (newscrawl/schema/article.schema.json), in this key order.
FEED_EXPORT_FIELDS = list(EXPORT_FIELDS)

# --- Components -----------------------------------------------------------------------
ITEM_PIPELINES: dict[str, int] = {}
# (each component group below adds its own entries)

# --- Cleaning pipelines (issue 3) -----------------------------------------------------

# --- Incremental crawling and cron (issue 4) ------------------------------------------

# --- Faults, failures and layout drift (issue 5) --------------------------------------

EXTENSIONS = {
    "newscrawl.extensions.runreport.RunReport": 500,
}

# --- Engine ---------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
