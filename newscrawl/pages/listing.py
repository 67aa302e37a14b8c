"""Section listing page: which of the section's articles the page lists, in page order.

Entries are found by the page's structure, not by a list of class names, so a redesign
that renames every class (or shows its newest stories as headline cards in markup of
their own, above the list) still yields every entry:

* every link to an article of the section is a candidate;
* the links to one article are grouped into one *entry*: the largest element around
  a link that links to no other article (a list item, a headline card, a grid tile
  alike). An element holding links to several different articles is a container,
  never an entry, whatever its class says;
* entries inside page furniture are left out: navigation, page header and footer,
  sidebars and boxes of other stories ("Most viewed", "Editor's picks", sponsored),
  recognised by element, ARIA role, class words or the heading the box carries. An
  article that appears both in the main list and in a sidebar is an entry.

Known entry and title classes only help to read an entry's title; dates come from the
entry's date element (else the URL). The page object is pure: the moment "2 hours ago"
is measured from is an input (`now`), and what the page leaves out is a value
(`outside_section`), not a side counter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml.cssselect import CSSSelector

from newscrawl.pages.fields import (
    SITE_TZ,
    date_from_url,
    parse_human_datetime,
    parse_iso_datetime,
)
from newscrawl.pages.rules import BOX_MARKS as _BOX_MARKS
from newscrawl.pages.rules import DATE_CLASS_WORDS as _DATE_CLASS_WORDS
from newscrawl.pages.rules import FURNITURE_MARKS as _FURNITURE_MARKS
from newscrawl.pages.rules import FURNITURE_ROLES as _FURNITURE_ROLES
from newscrawl.pages.rules import LANDMARK_TAGS as _CHROME_TAGS
from newscrawl.pages.rules import OTHER_CONTENT_TAGS as _FURNITURE_TAGS
from newscrawl.pages.rules import SIDEBAR_HEADING as _SIDEBAR_HEADING
from newscrawl.pages.rules import TITLE_SELECTOR
from newscrawl.pages.selector import page_selector
from newscrawl.text import clean_text
from newscrawl.urls import article_key, article_section, is_section_article, rebase

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from parsel import Selector
    from scrapy.http import TextResponse

# Compiled once: `element.cssselect(css)` translates the CSS to XPath on every call.
_TITLE_MATCHER = CSSSelector(TITLE_SELECTOR, translator="html")

_INLINE_LABEL_TAGS = frozenset({"strong", "b", "span", "p", "em", "div", "label"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LABEL_TAGS = _HEADING_TAGS | _INLINE_LABEL_TAGS
# A box heading is short; a story title that happens to say "popular" is longer.
_LABEL_MAX_CHARS = 40
_HEADING_MAX_CHARS = 80
_TITLE_MAX_CHARS = 200
_RELATIVE = re.compile(r"\b(\d+)\s+(minute|hour|day)s?\s+ago\b", re.IGNORECASE)
_JUST_NOW = re.compile(r"\bjust\s+now\b", re.IGNORECASE)
# Class tokens that describe the layout around an element, not what the element is:
# "has-sidebar" wraps the main list *and* its sidebar.
_STATE_TOKEN = re.compile(r"^(?:has|with|no|is|show|hide)[-_]")


@dataclass(frozen=True)
class ListingEntry:
    url: str
    title: str | None
    #: The day the listing shows for the article (else the day in its URL).
    published: date | None
    #: The instant the listing shows, when it gives a time of day (else None).
    published_at: datetime | None = None
    #: The entry's teaser text, when it has one.
    teaser: str | None = None


def _marks(element: HtmlElement) -> str:
    tokens = f"{element.get('class', '')} {element.get('id', '')}".lower().split()
    return " " + " ".join(t for t in tokens if not _STATE_TOKEN.match(t)) + " "


def _text(element: HtmlElement) -> str:
    return clean_text(element.text_content())


class _Link:
    """One link to an article, and the entry element it belongs to."""

    __slots__ = ("element", "entry", "key", "url")

    def __init__(self, element: HtmlElement, url: str, key: str) -> None:
        self.element = element
        self.url = url
        self.key = key
        self.entry: HtmlElement = element


class ListingPage:
    """Entries of a section listing, main content only, in page order, each URL once.

    `now` is when the page was fetched; it dates entries that say "2 hours ago" (without
    it, such entries have no date).
    """

    def __init__(
        self,
        response: TextResponse,
        *,
        section: str,
        base_url: str,
        now: datetime | None = None,
    ) -> None:
        self.response = response
        self.section = section
        self.base_url = base_url
        self.now = now

    @cached_property
    def selector(self) -> Selector:
        return page_selector(self.response)

    # --- structure ----------------------------------------------------------------------
    @cached_property
    def _links(self) -> list[_Link]:
        """Every link to an article of the site (any section), with its entry element."""
        root = self.selector.root
        body = root.find("body")
        scope = body if body is not None else root
        links: list[_Link] = []
        for anchor in scope.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            url = rebase(self.response.urljoin(href), self.base_url)
            if url is None or article_section(urlsplit(url).path) is None:
                continue
            links.append(_Link(anchor, url, article_key(url)))
        # The articles each element links to, gathered once bottom-up.
        articles: dict[HtmlElement, set[str]] = {}
        for link in links:
            for ancestor in link.element.iterancestors():
                articles.setdefault(ancestor, set()).add(link.key)
        for link in links:
            # Climb while the parent still links to this article only.
            node = link.element
            parent = node.getparent()
            while (
                parent is not None
                and parent.tag not in ("body", "html")
                and len(articles.get(parent, ())) == 1
            ):
                node = parent
                parent = node.getparent()
            link.entry = node
        self._articles = articles
        return links

    @cached_property
    def _entry_elements(self) -> frozenset[HtmlElement]:
        return frozenset(link.entry for link in self._links)

    @cached_property
    def _section_keys(self) -> frozenset[str]:
        return frozenset(
            link.key for link in self._links if is_section_article(link.url, self.section)
        )

    def _wraps_every_entry(self, node: HtmlElement) -> bool:
        # A wrapper around the main list *and* its sidebars is page layout, not a box.
        return self._articles.get(node, set()) >= self._section_keys

    def _in_furniture(self, link: _Link) -> bool:
        inside_entry = link.element is not link.entry
        node: HtmlElement | None = link.element.getparent() if inside_entry else link.entry
        # Up from the link: below the entry element only boxes of other stories count.
        while node is not None and node.tag not in ("body", "html"):
            if node is link.entry:
                inside_entry = False
            tag = node.tag
            if tag in _FURNITURE_TAGS:
                return True
            if not inside_entry and tag in _CHROME_TAGS:
                return True
            role = (node.get("role") or "").strip().lower()
            if role in _FURNITURE_ROLES:
                return True
            pattern = _BOX_MARKS if inside_entry else _FURNITURE_MARKS
            if pattern.search(_marks(node)) and not self._wraps_every_entry(node):
                return True
            node = node.getparent()
        return self._labelled_as_box(link)

    def _labelled_as_box(self, link: _Link) -> bool:
        """Whether the nearest heading over the entry names a box of other stories.

        Climbing from the entry element, each level is labelled by a heading inside it
        before the link (a one-story box holds its own heading; a sidebar column starts
        with its first box's heading), else by the nearest heading among its preceding
        siblings. The first label found decides; the page-wide wrapper is never read.
        """
        node: HtmlElement | None = link.entry
        while (
            node is not None
            and node.tag not in ("body", "html")
            and not self._wraps_every_entry(node)
        ):
            label = self._heading_inside(node, link, inline=node is link.entry)
            if label is None:
                label = self._group_label(node)
            if label is not None:
                return bool(_SIDEBAR_HEADING.search(label))
            node = node.getparent()
        return False

    def _heading_inside(self, node: HtmlElement, link: _Link, *, inline: bool) -> str | None:
        """The first heading in `node` before the link (outside any link); inside the
        entry element itself a short label in inline markup counts too."""
        on_path = {link.element, *link.element.iterancestors()}
        for element in node.iter():
            if element is link.element:
                return None
            if element in on_path or not isinstance(element.tag, str):
                continue
            marks = _marks(element)
            heading = element.tag in _HEADING_TAGS or "title" in marks or "heading" in marks
            if not heading and not (inline and element.tag in _INLINE_LABEL_TAGS):
                continue
            if any(True for _ in element.iter("a")) or any(
                a.tag == "a" for a in element.iterancestors()
            ):
                continue
            text = _text(element)
            if not text:
                continue
            if heading and len(text) < _HEADING_MAX_CHARS:
                return text
            if inline and self._is_box_label(element):
                return text
        return None

    @staticmethod
    def _is_box_label(element: HtmlElement) -> bool:
        if any(True for _ in element.iter("a")) or any(
            a.tag == "a" for a in element.iterancestors()
        ):
            return False
        text = _text(element)
        return bool(text) and len(text) <= _LABEL_MAX_CHARS and bool(_SIDEBAR_HEADING.search(text))

    def _group_label(self, node: HtmlElement) -> str | None:
        """Text of the nearest heading before `node` among its siblings, if the run of
        siblings between them holds only entries like `node` (same group)."""
        entries = self._entry_elements
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or sibling in entries:
                continue
            marks = _marks(sibling)
            if sibling.tag in _HEADING_TAGS or "title" in marks or "heading" in marks:
                text = _text(sibling)
                if text and len(text) < _HEADING_MAX_CHARS:
                    return text
                continue
            if sibling in self._articles:
                if sibling.tag == node.tag and sibling.get("class") == node.get("class"):
                    continue  # a wrapper like node's own (<li> around each entry): same group
                return ""  # another group sits between: no label at this level
            # A box head wrapping its heading: <div class="box-head"><h3>Popular</h3></div>.
            for heading in sibling.iter(*_HEADING_TAGS):
                text = _text(heading)
                if text and len(text) < _HEADING_MAX_CHARS:
                    return text
            # A heading set in plain inline markup: <strong>Editor's Choice</strong>.
            if sibling.tag in _INLINE_LABEL_TAGS and self._is_box_label(sibling):
                return _text(sibling)
        return None

    @cached_property
    def _main_links(self) -> list[_Link]:
        """Article links outside furniture, in page order."""
        return [link for link in self._links if not self._in_furniture(link)]

    # --- fields -------------------------------------------------------------------------
    def entries(self) -> list[ListingEntry]:
        grouped: dict[str, list[_Link]] = {}
        for link in self._main_links:
            if is_section_article(link.url, self.section):
                grouped.setdefault(link.key, []).append(link)
        return [self._entry(links) for links in grouped.values()]

    def outside_section(self) -> int:
        """Entries in the main content that link to another section or sponsored content
        (counted by the spider, never followed)."""
        return len(
            {
                link.key
                for link in self._main_links
                if not is_section_article(link.url, self.section)
            }
        )

    def _entry(self, links: list[_Link]) -> ListingEntry:
        first = links[0]
        title = self._title(links)
        day, instant = self._date(first)
        return ListingEntry(
            url=first.url,
            title=title,
            published=day,
            published_at=instant,
            teaser=self._teaser(first, title),
        )

    def _title(self, links: list[_Link]) -> str | None:
        # A heading that is the link or holds it, then the longest link text, then any
        # title-like element of the entry.
        entry = links[0].entry
        anchors = {link.element for link in links}
        for heading in _TITLE_MATCHER(entry):
            if anchors & ({*heading.iter("a")} | {*heading.iterancestors("a")}):
                text = _text(heading)
                if text:
                    return text[:_TITLE_MAX_CHARS]
        texts = sorted((_text(a) for a in anchors), key=len, reverse=True)
        if texts and texts[0]:
            return texts[0][:_TITLE_MAX_CHARS]
        for heading in _TITLE_MATCHER(entry):
            text = _text(heading)
            if text:
                return text[:_TITLE_MAX_CHARS]
        return _text(entry)[:_TITLE_MAX_CHARS] or None

    def _date(self, link: _Link) -> tuple[date | None, datetime | None]:
        """The day (and instant, when a time is given) the entry shows, nearest date
        element to the link first; else the day in the URL."""
        candidates = [
            element
            for element in link.entry.iter()
            if element.tag == "time"
            or any(word in (element.get("class") or "").lower() for word in _DATE_CLASS_WORDS)
        ]
        path = set(link.element.iterancestors())
        candidates.sort(key=lambda e: -_common_depth(e, path))
        for element in candidates:
            raw = element.get("datetime") or _text(element)
            precise = parse_iso_datetime(raw)
            if precise is not None:
                return precise.astimezone(SITE_TZ).date(), precise
            human = parse_human_datetime(raw)
            if human is not None:
                timed = (human.hour, human.minute) != (0, 0)
                return human.date(), human if timed else None
            relative = self._relative(raw)
            if relative is not None:
                return relative, None
        return date_from_url(link.url), None

    def _relative(self, raw: str) -> date | None:
        """The day of "2 hours ago" / "just now", measured from `now` (None without it)."""
        if self.now is None:
            return None
        found = _RELATIVE.search(raw)
        if found:
            unit = {"minute": "minutes", "hour": "hours", "day": "days"}[found[2].lower()]
            moment = self.now - timedelta(**{unit: int(found[1])})
        elif _JUST_NOW.search(raw):
            moment = self.now
        else:
            return None
        return moment.astimezone(SITE_TZ).date()

    @staticmethod
    def _teaser(link: _Link, title: str | None) -> str | None:
        for paragraph in link.entry.iter("p"):
            if any(True for _ in paragraph.iter("a")):
                continue
            text = _text(paragraph)
            if text and text != title:
                return text
        return None


def _common_depth(element: HtmlElement, link_ancestors: set[HtmlElement]) -> int:
    """Depth of the nearest ancestor `element` shares with the link: the deeper, the
    closer the two belong together."""
    for ancestor in element.iterancestors():
        if ancestor in link_ancestors:
            return sum(1 for _ in ancestor.iterancestors())
    return -1
