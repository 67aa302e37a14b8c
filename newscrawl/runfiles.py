"""Where a run writes: its run file(s), report, failures file, and the crawl state.

Every path the run writes comes from here, filled in from Scrapy's own feed URI
parameters (the spider's attributes, ``%(time)s``, ``%(batch_id)d``, then the feed's
``uri_params`` function), exactly as Scrapy's feed exporter fills in the feed URI:

* `feed_uri_params` is newscrawl's ``FEED_URI_PARAMS``: it pins ``%(time)s`` to the
  moment the spider started, so a feed, its report and its failures file, filled in at
  different moments of the run, carry the same time in Scrapy's format
  (``2026-01-05T07-00-00+00-00``). A replacement ``FEED_URI_PARAMS`` should call it.
* `run_files` gives the local file feeds and, beside the first one, the report
  (``<feed stem>.report.json``) and failures file (``<feed stem>.failures.jsonl``),
  unless ``NEWSCRAWL_REPORT_PATH`` / ``NEWSCRAWL_FAILURES_PATH`` name them.
* `local_feed_templates` reads ``FEEDS`` (or ``NEWSCRAWL_DEFAULT_FEED`` when no feed is
  configured) for the checks made before the crawler exists (`newscrawl.preflight`).
* `fill` fills in any other path the run writes (the WARC archive's folder);
  `state_path` fills in ``NEWSCRAWL_STATE_PATH``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.extensions.feedexport import apply_uri_params
from scrapy.utils.misc import load_object
from w3lib.url import file_uri_to_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.settings import BaseSettings

REPORT_SUFFIX = ".report.json"
FAILURES_SUFFIX = ".failures.jsonl"


def scrapy_time(moment: datetime) -> str:
    """A moment the way Scrapy's feed exporter writes ``%(time)s``."""
    return moment.replace(microsecond=0).isoformat().replace(":", "-")


def feed_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: one ``%(time)s`` per run, the spider's start."""
    started = getattr(spider, "started_at", None)
    if isinstance(started, datetime):
        params["time"] = scrapy_time(started)
    return params


def local_path(uri: str) -> Path | None:
    """The local file a feed URI names; None for stdout and remote storage."""
    if uri.startswith("file:"):
        return Path(file_uri_to_path(uri))
    if "://" in uri or uri in ("-", "stdout:"):
        return None
    return Path(uri).expanduser()


def local_feed_templates(
    settings: BaseSettings, *, before_crawler: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """(URI template, options) of every local file feed the run will write.

    `before_crawler`: `settings` are the command's, before the spider added the default
    run file (``NEWSCRAWL_DEFAULT_FEED``, only when no feed is configured).
    """
    feeds = settings.getdict("FEEDS")
    if not feeds and before_crawler:
        default = settings.get("NEWSCRAWL_DEFAULT_FEED")
        feeds = {str(default): {}} if default else {}
    return [
        (str(uri), options if isinstance(options, dict) else {})
        for uri, options in feeds.items()
        if local_path(str(uri)) is not None
    ]


def uri_params(settings: BaseSettings, spider: Spider, options: dict[str, Any]) -> dict[str, Any]:
    """The parameters Scrapy's feed exporter gives the first batch of a feed."""
    params = {name: getattr(spider, name) for name in dir(spider)}
    now = datetime.now(timezone.utc)
    params["time"] = scrapy_time(now)
    params["batch_time"] = now.isoformat().replace(":", "-")
    params["batch_id"] = 1
    hook = options.get("uri_params") or settings.get("FEED_URI_PARAMS")
    function: Callable[[dict[str, Any], Spider], dict[str, Any] | None] = (
        load_object(hook) if hook else (lambda given, _: given)
    )
    changed = function(params, spider)
    return changed if changed is not None else params


@dataclass(frozen=True)
class RunFiles:
    """The files one run writes on this machine (feeds on stdout or remote: none)."""

    feeds: tuple[Path, ...]
    report: Path | None
    failures: Path | None
    #: the feeds written with ``-O`` (overwrite)
    overwritten: frozenset[Path] = frozenset()

    @property
    def folders(self) -> set[Path]:
        return {feed.parent for feed in self.feeds}


def run_files(settings: BaseSettings, spider: Spider) -> RunFiles:
    feeds: list[Path] = []
    overwritten: set[Path] = set()
    params: dict[str, Any] | None = None
    for template, options in local_feed_templates(settings):
        filled = uri_params(settings, spider, options)
        params = params or filled
        path = local_path(apply_uri_params(template, filled))
        if path is not None:
            feeds.append(path)
            if options.get("overwrite"):
                overwritten.add(path)
    first = feeds[0] if feeds else None

    def companion(setting: str, suffix: str) -> Path | None:
        template = str(settings.get(setting) or "")
        if template:
            return fill(template, settings, spider, params)
        return companion_of(first, suffix) if first is not None else None

    return RunFiles(
        tuple(feeds),
        companion("NEWSCRAWL_REPORT_PATH", REPORT_SUFFIX),
        companion("NEWSCRAWL_FAILURES_PATH", FAILURES_SUFFIX),
        frozenset(overwritten),
    )


def fill(
    template: str,
    settings: BaseSettings,
    spider: Spider,
    params: dict[str, Any] | None = None,
) -> Path:
    """A path template filled in like a feed URI (`params`: those of the run's feed)."""
    values = params if params is not None else uri_params(settings, spider, {})
    return Path(apply_uri_params(template, values)).expanduser()


def companion_of(feed: Path, suffix: str) -> Path:
    """``world.jsonl`` -> ``world<suffix>``, beside it."""
    stem = feed.name[: -len(feed.suffix)] if feed.suffix else feed.name
    return feed.with_name(stem + suffix)


def state_path(settings: BaseSettings, spider_name: str, section: str) -> Path | None:
    """The state file for a crawl of `section`, or None when the state is off.

    ``%(site)s`` is the base URL's host (and port), so a copy of the site (a mirror, a
    loopback copy) never shares state with the real one.
    """
    template = str(settings.get("NEWSCRAWL_STATE_PATH") or "")
    if not template:
        return None
    params = {
        "name": spider_name,
        "section": section.replace("/", "-"),
        "site": site_slug(str(settings.get("JAKARTAPOST_BASE_URL") or "")),
    }
    return Path(apply_uri_params(template, params)).expanduser()


def site_slug(base_url: str) -> str:
    """File-name-safe name of the site root: "www.thejakartapost.com", "127.0.0.1-8000"."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "site").lower()
    return f"{host}-{parts.port}" if parts.port else host
