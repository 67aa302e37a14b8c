"""Section listing page: which articles the section's own list holds, in order.

A listing page also carries sidebars ("Most viewed", "Editor's picks") and sponsored
entries, often in the very same entry markup. An entry belongs to the main list when
it is not inside furniture (aside, nav, a sidebar/popular/sponsored box) and the
nearest heading above it does not name such a box. Only entries linking to an article
of the section (or of the pre-2020 /news/ scheme) are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from lxml.cssselect import CSSSelector

from newscrawl.pages.fields import date_from_url, parse_human_datetime, parse_iso_datetime
from newscrawl.pages.rules import (
    DATE_SELECTOR,
    ENTRY_SELECTOR,
    TITLE_SELECTORS,
)
from newscrawl.pages.rules import FURNITURE_TAGS as _FURNITURE_TAGS
from newscrawl.pages.rules import SIDEBAR_HEADING as _SIDEBAR_HEADING
from newscrawl.pages.rules import SIDEBAR_WORDS as _SIDEBAR_WORDS
from newscrawl.pages.selector import page_selector
from newscrawl.text import clean_text
from newscrawl.urls import is_section_article, rebase

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from parsel import Selector
    from scrapy.http import TextResponse

# Compiled once: `element.cssselect(css)` translates the CSS to XPath on every call,
# which was most of the cost of reading a listing page (20 entries, 5 lookups each).
_TITLE_MATCHERS = tuple(CSSSelector(css, translator="html") for css in TITLE_SELECTORS)
_DATE_MATCHER = CSSSelector(DATE_SELECTOR, translator="html")

_INLINE_LABEL_TAGS = frozenset({"strong", "b", "span", "p", "em", "div", "label"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_RELATIVE = re.compile(r"\b(\d+)\s+(minute|hour|day)s?\s+ago\b", re.IGNORECASE)


@dataclass(frozen=True)
class ListingEntry:
    url: str
    title: str | None
    published: date | None


# Class tokens that describe the layout around an element, not what the element is:
# "has-sidebar" wraps the main list *and* its sidebar.
_STATE_TOKEN = re.compile(r"^(?:has|with|no|is|show|hide)[-_]")


def _marks(element: HtmlElement) -> str:
    tokens = f"{element.get('class', '')} {element.get('id', '')}".lower().split()
    return " " + " ".join(t for t in tokens if not _STATE_TOKEN.match(t)) + " "


class ListingPage:
    """Entries of a section listing, main list only, in page order, each URL once."""

    def __init__(self, response: TextResponse, *, section: str, base_url: str) -> None:
        self.response = response
        self.section = section
        self.base_url = base_url
        #: Main-list entries `entries()` left out because they link to no article of the
        #: section (another section, sponsored content, an off-site page).
        self.skipped = 0

    @cached_property
    def selector(self) -> Selector:
        return page_selector(self.response)

    def _candidates(self) -> tuple[list[HtmlElement], bool]:
        found = [s.root for s in self.selector.css(ENTRY_SELECTOR)]
        # An entry nested in another (a wrapper carrying the class too) counts once.
        found_set = set(found)
        found = [e for e in found if not any(a in found_set for a in e.iterancestors())]
        if found:
            return found, True
        links = self.selector.xpath("//body//a[@href]")
        return [s.root for s in links], False

    def _is_sidebar(self, entry: HtmlElement, entries: set[HtmlElement]) -> bool:
        labelled = False
        node: HtmlElement | None = entry
        while node is not None and node.tag not in ("body", "html"):
            if (
                node is not entry
                and (node.tag in _FURNITURE_TAGS or _SIDEBAR_WORDS.search(_marks(node)))
                # A wrapper holding every entry is page layout ("has-sidebar"), not a box.
                and not entries.issubset(set(node.iter()))
            ):
                return True
            if not labelled:
                label = self._group_label(node, entries)
                if label is not None:
                    labelled = True
                    if _SIDEBAR_HEADING.search(label):
                        return True
            node = node.getparent()
        return False

    @staticmethod
    def _group_label(node: HtmlElement, entries: set[HtmlElement]) -> str | None:
        """Text of the nearest heading before `node` among its siblings, if the run of
        siblings between them holds only entries like `node` (same group)."""
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str):
                continue
            if sibling in entries:
                continue
            marks = _marks(sibling)
            if sibling.tag in _HEADING_TAGS or "title" in marks or "heading" in marks:
                text = clean_text(sibling.text_content())
                if text and len(text) < 80:
                    return text
                continue
            if any(e in entries for e in sibling.iter()):
                if sibling.tag == node.tag and sibling.get("class") == node.get("class"):
                    continue  # a wrapper like node's own (<li> around each entry): same group
                return ""  # another group sits between: no label at this level
            # A box head wrapping its heading: <div class="box-head"><h3>Popular</h3></div>.
            for heading in sibling.iter(*_HEADING_TAGS):
                text = clean_text(heading.text_content())
                if text and len(text) < 80:
                    return text
            # A heading set in plain inline markup: <strong>Editor's Choice</strong>. Only a
            # short text with no link counts, so a teaser or an ad line is passed over.
            if sibling.tag in _INLINE_LABEL_TAGS and not any(True for _ in sibling.iter("a")):
                text = clean_text(sibling.text_content())
                if text and len(text) < 40 and _SIDEBAR_HEADING.search(text):
                    return text
        return None

    def _entry_url(self, entry: HtmlElement) -> str | None:
        anchors = [entry] if entry.tag == "a" else entry.iter("a")
        for anchor in anchors:
            href = (anchor.get("href") or "").strip()
            if not href:
                continue
            url = rebase(self.response.urljoin(href), self.base_url)
            if url and is_section_article(url, self.section):
                return url
        return None

    def _entry_title(self, entry: HtmlElement) -> str | None:
        for matcher in _TITLE_MATCHERS:
            found = matcher(entry)
            if found:
                return clean_text(found[0].text_content()) or None
        return clean_text(entry.text_content())[:200] or None

    def _entry_date(self, entry: HtmlElement, url: str) -> date | None:
        for element in _DATE_MATCHER(entry):
            raw = element.get("datetime") or clean_text(element.text_content())
            moment = parse_iso_datetime(raw) or parse_human_datetime(raw)
            if moment:
                return moment.date()
            if _RELATIVE.search(raw) or "just now" in raw.lower():
                return datetime.now().date()  # fresh: newer than any `since` a user gives
        return date_from_url(url)

    def entries(self) -> list[ListingEntry]:
        candidates, structured = self._candidates()
        candidate_set = set(candidates)
        found: dict[str, ListingEntry] = {}
        for entry in candidates:
            if structured and _SIDEBAR_WORDS.search(_marks(entry)):
                continue
            if self._is_sidebar(entry, candidate_set):
                continue
            url = self._entry_url(entry)
            if url is None:
                if structured:
                    self.skipped += 1
                continue
            if url in found:
                continue
            found[url] = ListingEntry(url, self._entry_title(entry), self._entry_date(entry, url))
        return list(found.values())
