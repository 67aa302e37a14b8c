"""Page fixtures: a recorded page and the item it must become, one folder per case.

The layout is web-poet's test-fixture layout (``web_poet.testing``), so a reader of
either knows the other::

    fixtures/pages/<page class>/<case>/
        inputs/HttpResponse-body.html   the page as served (or a link into fixtures/site)
        inputs/HttpResponse-info.json   {"url", "status", "headers": [[name, value], ...]}
        inputs/PageParams.json          the page object's other inputs: {"section": "world"}
        meta.json                       {"frozen_time": crawled_at's instant, "description"}
        output.json                     the expected item, every exported field, body included

`<page class>` is the page object's dotted path (``newscrawl.pages.article.ArticlePage``,
``newscrawl.pages.listing.ListingPage``). An article case's item is the record as the
crawler exports it: what `newscrawl.extraction.ArticleExtractor` makes of the page (the
page object and the per-page cleaning), then the item pipelines up to validation
(learned boilerplate off: one page teaches nothing). A listing case's item is the list
of entries, measured from the frozen time.

``tests/test_fixtures_pages.py`` runs every case, one test per field. To add a case, make
its folder, drop the page in it (any name ending in ``.html``) and run::

    python -m newscrawl.fixtures rerun fixtures/pages/<page class>/<case> [--url URL]

which files the page under ``inputs/``, writes the metadata and ``output.json`` and
prints it: read every field against the page before committing it. After a deliberate
change in extraction, ``rerun <case>`` (a folder or a case name; several, or ``--all``)
writes the new ``output.json`` and prints the diff; ``--check`` only prints it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from newscrawl.extraction import ArticleExtractor, FetchedPage, build_components, offline_crawler
from newscrawl.items import EXPORT_FIELDS
from newscrawl.pages.listing import ListingPage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

#: Where the cases live, relative to the repository root.
PAGES = Path("fixtures") / "pages"
ARTICLE_PAGE = "newscrawl.pages.article.ArticlePage"
LISTING_PAGE = "newscrawl.pages.listing.ListingPage"
BODY_FILE = Path("inputs") / "HttpResponse-body.html"
INFO_FILE = Path("inputs") / "HttpResponse-info.json"
PARAMS_FILE = Path("inputs") / "PageParams.json"
META_FILE = Path("meta.json")
OUTPUT_FILE = Path("output.json")
#: After the per-page cleaning, the item pipelines below this priority run too (the
#: duplicates check, learned boilerplate, validation); 600-900 belong to crawl state (the
#: exported version), which one page on its own has none of.
CLEANING_PRIORITY_LIMIT = 600
DEFAULT_SECTION = "world"
_CANONICAL = re.compile(rb"<link[^>]+rel=[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.IGNORECASE)


class CaseError(Exception):
    """A case folder that cannot be run as it stands; the message says what is missing."""


@dataclass(frozen=True)
class Case:
    """One fixture folder."""

    path: Path

    @property
    def page_class(self) -> str:
        return self.path.parent.name

    @property
    def name(self) -> str:
        return f"{self.page_class.rsplit('.', 1)[-1]}/{self.path.name}"

    def _json(self, relative: Path, default: Any = None) -> Any:
        file = self.path / relative
        if not file.exists():
            if default is None:
                raise CaseError(f"{self.name}: {relative} is missing")
            return default
        return json.loads(file.read_text(encoding="utf-8"))

    @cached_property
    def info(self) -> dict[str, Any]:
        return dict(self._json(INFO_FILE))

    @cached_property
    def params(self) -> dict[str, Any]:
        return dict(self._json(PARAMS_FILE, default={}))

    @cached_property
    def meta(self) -> dict[str, Any]:
        return dict(self._json(META_FILE, default={}))

    @property
    def frozen_time(self) -> datetime:
        raw = self.meta.get("frozen_time")
        if not raw:
            raise CaseError(f"{self.name}: meta.json names no frozen_time")
        return datetime.fromisoformat(raw)

    def response(self) -> HtmlResponse:
        headers = [(str(k), str(v)) for k, v in self.info.get("headers", [])]
        return HtmlResponse(
            url=str(self.info["url"]),
            status=int(self.info.get("status", 200)),
            headers=headers,
            body=(self.path / BODY_FILE).read_bytes(),
        )

    def expected(self) -> Any:
        return self._json(OUTPUT_FILE)

    def run(self) -> Any:
        """The item the page object (and, for articles, the cleaning) makes of the page."""
        runner = RUNNERS.get(self.page_class)
        if runner is None:
            raise CaseError(f"{self.name}: no runner for page class {self.page_class}")
        return runner(self)


def _article_record(case: Case) -> dict[str, Any]:
    settings = _offline_settings()
    page = FetchedPage(
        url=str(case.info["url"]),
        body=(case.path / BODY_FILE).read_bytes(),
        headers=tuple(
            (str(k).encode("latin-1"), str(v).encode("latin-1"))
            for k, v in case.info.get("headers", [])
        ),
        status=int(case.info.get("status", 200)),
        fetched_at=case.frozen_time,
        section=str(case.params.get("section", DEFAULT_SECTION)),
        teaser=case.params.get("teaser"),
    )
    # The page object and the per-page cleaning, as in a crawl (newscrawl.extraction) ...
    extraction = ArticleExtractor.from_settings(settings).extract(page)
    if extraction.item is None:
        raise CaseError(f"{case.name}: the page gives no record ({extraction.failure})")
    # ... then the run-wide item pipelines that decide a record on its own (validation).
    item = extraction.item
    crawler = offline_crawler(settings)
    for pipeline in build_components(crawler, "ITEM_PIPELINES"):
        if hasattr(pipeline, "open_spider"):
            pipeline.open_spider()
        try:
            item = pipeline.process_item(item)
        finally:
            if hasattr(pipeline, "close_spider"):
                pipeline.close_spider()
    record = asdict(item)
    return {name: record[name] for name in EXPORT_FIELDS}


def _listing_entries(case: Case) -> list[dict[str, Any]]:
    response = case.response()
    page = ListingPage(
        response,
        section=str(case.params.get("section", DEFAULT_SECTION)),
        # The site the entries are rebased on: by default the one the page came from.
        base_url=str(case.params.get("base_url") or _site_root(response.url)),
        now=case.frozen_time,
    )
    return [
        {key: value.isoformat() if isinstance(value, date) else value for key, value in row.items()}
        for row in (asdict(entry) for entry in page.entries())
    ]


#: How each page class's case is run: page class -> function of the case.
RUNNERS: dict[str, Callable[[Case], Any]] = {
    ARTICLE_PAGE: _article_record,
    LISTING_PAGE: _listing_entries,
}


def _offline_settings() -> dict[str, Any]:
    """The project's settings for one page on its own: no learned boilerplate (one page
    teaches nothing), no crawl state (versions), and of the item pipelines only those
    below CLEANING_PRIORITY_LIMIT."""
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    values = settings.copy_to_dict()
    values["NEWSCRAWL_BOILERPLATE_PATH"] = ""
    values["NEWSCRAWL_STATE_PATH"] = ""
    values["ITEM_PIPELINES"] = {
        path: order
        for path, order in settings.getdict("ITEM_PIPELINES").items()
        if order is not None and int(order) < CLEANING_PRIORITY_LIMIT
    }
    return values


def find_cases(root: Path = PAGES) -> list[Case]:
    """Every case folder under `root`, sorted."""
    return [Case(p.parent) for p in sorted(root.glob(f"*/*/{META_FILE}"))]


def _resolve(names: Sequence[str], root: Path) -> Iterator[Case]:
    for name in names:
        path = Path(name)
        if path.is_dir():
            yield Case(path)
            continue
        found = [Case(p) for p in sorted(root.glob(f"*/{name}")) if p.is_dir()]
        if not found:
            raise CaseError(f"no case named {name!r} under {root}")
        yield from found


def _prepare(case: Case, url: str | None, frozen_time: str | None, section: str | None) -> None:
    """Make a folder holding only a dropped page into a case: the page under inputs/,
    its metadata beside it."""
    body = case.path / BODY_FILE
    if not body.exists():
        dropped = sorted(case.path.glob("*.html"))
        if len(dropped) != 1:
            raise CaseError(f"{case.name}: drop one .html page in {case.path}, not {len(dropped)}")
        body.parent.mkdir(parents=True, exist_ok=True)
        dropped[0].rename(body)
    if not (case.path / INFO_FILE).exists():
        url = url or _canonical(body.read_bytes())
        if not url:
            raise CaseError(f"{case.name}: the page has no canonical link; give --url")
        headers = [["Content-Type", "text/html; charset=utf-8"]]
        _write_json(case.path / INFO_FILE, {"url": url, "status": 200, "headers": headers})
    if not (case.path / PARAMS_FILE).exists():
        params: dict[str, Any] = {"section": section or DEFAULT_SECTION}
        _write_json(case.path / PARAMS_FILE, params)
    if not (case.path / META_FILE).exists():
        moment = frozen_time or datetime.now(timezone.utc).isoformat(timespec="seconds")
        _write_json(case.path / META_FILE, {"frozen_time": moment, "description": ""})


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _canonical(body: bytes) -> str | None:
    link = _CANONICAL.search(body)
    href = _HREF.search(link.group()) if link else None
    return href.group(1).decode("utf-8", "replace") if href else None


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dump(value), encoding="utf-8")


def rerun(case: Case, *, write: bool) -> str:
    """Run `case`; return the unified diff of its output.json against the new item and,
    if `write`, store the new item."""
    output = case.path / OUTPUT_FILE
    old = output.read_text(encoding="utf-8") if output.exists() else ""
    new = _dump(case.run())
    if write and new != old:
        output.write_text(new, encoding="utf-8")
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{case.name} (expected)",
        tofile=f"{case.name} (now)",
    )
    return "".join(diff)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.fixtures", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    again = sub.add_parser("rerun", help="run cases, store and show what changed")
    again.add_argument("cases", nargs="*", help="case folders or names")
    again.add_argument("--all", action="store_true", help="every case")
    again.add_argument("--check", action="store_true", help="show the diff, write nothing")
    again.add_argument("--root", type=Path, default=PAGES, help="the cases' folder")
    again.add_argument("--url", help="a new case's URL (default: the page's canonical link)")
    again.add_argument("--section", help=f"a new case's section (default {DEFAULT_SECTION})")
    again.add_argument("--frozen-time", help="a new case's fetch time (default: now)")
    args = parser.parse_args(argv)
    if not args.all and not args.cases:
        parser.error("name a case, or --all")
    try:
        cases = find_cases(args.root) if args.all else list(_resolve(args.cases, args.root))
        if not cases:
            # A folder with a dropped page has no meta.json yet: name it to make it a case.
            raise CaseError(f"no case under {args.root}; name a new case's folder to add it")
        changed = 0
        for case in cases:
            if not args.check:
                _prepare(case, args.url, args.frozen_time, args.section)
            diff = rerun(case, write=not args.check)
            if diff:
                changed += 1
                sys.stdout.write(diff)
    except CaseError as exc:
        sys.stderr.write(f"newscrawl.fixtures: {exc}\n")
        return 2
    verb = "differ" if args.check else "changed"
    sys.stdout.write(f"{changed} of {len(cases)} case(s) {verb}\n")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
