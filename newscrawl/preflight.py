"""Checks run before the crawl starts, so bad input costs a one-line error, not a run.

`preflight(settings)` is called by the `crawl` command after the spider arguments
are parsed and before the crawler exists: nothing has been requested or written yet.
It raises `UsageError` (exit status 2) naming the setting and what is wrong with it:

* ``JAKARTAPOST_BASE_URL`` is not an http(s) site root;
* an output location (the feed from ``-o/-O`` or FEEDS, else ``NEWSCRAWL_DEFAULT_FEED``,
  the run report, the failures file, the state file) cannot be written: its folder is
  a file, is read-only, or the path is itself a folder;
* ``NEWSCRAWL_STATE_NOW`` is not a date-time, ``NEWSCRAWL_FAILED_RETRY_HOURS`` not hours.

A state file that exists but is not a state database is the crawl command's own check
(`newscrawl.state.store.StateStore.check`), made under the run lock.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError

from newscrawl.extensions.crawlstate import backoff_schedule, state_clock
from newscrawl.runfiles import local_feed_templates

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: Settings naming a file the run writes (empty or unset: not checked).
PATH_SETTINGS = ("NEWSCRAWL_REPORT_PATH", "NEWSCRAWL_FAILURES_PATH", "NEWSCRAWL_STATE_PATH")
# Whether the state file itself is readable is checked by the crawl command, under the
# run lock (newscrawl.commands.crawl): before the lock, another run may be writing it.


class PreflightError(ValueError):
    """A setting the run cannot start with."""


def preflight(settings: BaseSettings) -> None:
    """Raise `UsageError` (one line, no help text) when the run cannot start cleanly."""
    try:
        check(settings)
    except PreflightError as exc:
        raise UsageError(str(exc), print_help=False) from None


def check(settings: BaseSettings) -> None:
    check_base_url(settings.get("JAKARTAPOST_BASE_URL"))
    for template, _ in local_feed_templates(settings, before_crawler=True):
        check_writable(template.removeprefix("file://"), "output file")
    for name in PATH_SETTINGS:
        value = settings.get(name)
        if value:
            check_writable(str(value), name)
    try:
        state_clock(settings)
        backoff_schedule(settings)
    except ValueError as exc:
        raise PreflightError(str(exc)) from None


def check_base_url(value: str | None) -> None:
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PreflightError(
            f"JAKARTAPOST_BASE_URL={value!r} is not an http(s) site root "
            "such as https://www.thejakartapost.com"
        )


def _static_part(template: str) -> tuple[Path, bool]:
    """The leading part of a path template that holds no %(name)s parameter, and
    whether that is the whole path."""
    static = Path()
    for part in Path(template).expanduser().parts:
        if "%(" in part:
            return static, False
        static /= part
    return static, True


def check_writable(template: str, what: str) -> None:
    path, whole = _static_part(template)
    if whole:
        if path.is_dir():
            raise PreflightError(f"{what} {template} is a folder, not a file")
        if path.exists() and not os.access(path, os.W_OK):
            raise PreflightError(f"{what} {template} exists and is read-only")
        folder = path.parent
    else:
        folder = path
    # The run creates missing folders; the nearest existing one must let it.
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise PreflightError(f"cannot write {what} {template}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PreflightError(f"cannot write {what} {template}: folder {existing} is not writable")
