"""Article page: one response in, one raw `Article` out.

Each field is read from the best source the page has, in this order: JSON-LD, then
Open Graph / <meta>, then the page's own markup (current layout, then the 2016-2022
layout). The body comes from the current layout's container, else the older layout's,
else JSON-LD `articleBody`, else a generic densest-text-block fallback; the record's
`extraction_path` says which. The body returned here is raw: the pipelines restore the
drop-cap letter, remove boilerplate and repeats, and validate.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from lxml import etree
from lxml.cssselect import CSSSelector

from newscrawl.items import Article, count_words, join_paragraphs
from newscrawl.pages.blocks import is_furniture, text_blocks
from newscrawl.pages.fields import (
    SITE_TZ,
    clean_title,
    date_from_url,
    isoformat,
    parse_human_datetime,
    parse_iso_datetime,
    primary_language,
    split_byline,
    split_keywords,
    unique,
)
from newscrawl.pages.selector import page_selector
from newscrawl.pages.structured import (
    PageMetadata,
    as_names,
    as_text,
    find_article_jsonld,
    jsonld_image_url,
)
from newscrawl.text import clean_text, comparison_key
from newscrawl.urls import (
    KNOWN_SECTIONS,
    SITE_ROOT,
    article_identity,
    is_site_url,
    on_site_root,
    strip_tracking,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lxml.html import HtmlElement
    from parsel import Selector, SelectorList
    from scrapy.http import TextResponse


class PageParseError(Exception):
    """The response is not an article page we can extract; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Body containers, by layout, most specific first.
CURRENT_BODY = ("div.tjp-single__content", "[class*='tjp-single__content']")
LEGACY_BODY = ("div.detailNews", "div.news-content", "div.show-define-text", "div#news-content")
CURRENT_TITLE = ("h1.tjp-title--single", "h1.tjp-title", ".tjp-single__head h1")
LEGACY_TITLE = ("h1.title-large", ".title-large", "h1.title")
CURRENT_HEAD = "div.tjp-single__head"
# Most specific first: a name element before the block that also holds role and place.
BYLINE = (
    ".tjp-meta__label",
    ".tjp-author",
    "span.name-author",
    ".name-post",
    ".writer-name",
    ".author-name",
    # The name inside a byline block that also shows the writer's role and place.
    "[class*='author'] .name",
    "[class*='writer'] .name",
    ".author",
    ".byline",
    "[class*='author']",
    "[class*='writer']",
)
# The standfirst in the story's header: a <p>, or any element whose class says so.
STANDFIRST = (
    "p, [class*='summary'], [class*='standfirst'], [class*='lead'], [class*='excerpt'], "
    "[class*='desc']"
)
_LEGACY_STANDFIRST = re.compile(r"subtitle|sub-title|summary|standfirst|excerpt|lead|intro|deck")
OWN_BYLINE_XPATH = (
    "//body//*[not(self::script) and not(self::title)]"
    "[contains(., '(The Jakarta Post)')][not(*[contains(., '(The Jakarta Post)')])]"
)
# Pictures that are page furniture, not a story's photo.
NOT_A_PHOTO = re.compile(
    r"logo|icon|avatar|sprite|pixel|spacer|banner|/ads?/|\.svg(?:$|\?)|\.gif(?:$|\?)", re.I
)
SECTION_LABELS = frozenset(
    label.replace("-", " ") for label in (*KNOWN_SECTIONS, "news", "asia pacific", "asia-pacific")
)
# Topic links under or above the story (older pages: "Topics : haze, Malaysia").
TAG_LINKS = (
    ".tjp-single__tags a",
    ".tjp-tags a",
    ".topik a",
    ".topics a",
    ".tags a",
    "a[rel='tag']",
)
# Longer "bylines" are author bios or boxes of related stories, not a list of names.
MAX_BYLINE_CHARS = 150
DATE_LINES = (".created", ".tjp-meta__date", "span.day", ".date", ".posted", ".published")
# Current-layout date lines that, unless they say "Published", show the day at the top
# of the page, which is not always the day of publication.
TOP_OF_PAGE_DATES = frozenset({".created", ".tjp-meta__date"})
_UPDATED = re.compile(r"updat|modif|diperbarui", re.IGNORECASE)
# A 2009-2015 dateline: byline | section | date, as one short text node.
DATELINE_XPATH = "//body//text()[contains(., '|')][string-length(normalize-space()) < 200]"
DATELINE = re.compile(
    r"^(?P<byline>[^|]{3,120}?)\s*\|\s*[A-Za-z][\w &]{1,30}?\s*\|\s*(?P<date>.+)$"
)
PAYWALL = re.compile(r"(?:^|[\s_-])(?:tjp-paywall|paywall|premium-wall|subscribe-wall)(?:$|[\s_-])")
PREMIUM_BADGE = (".tjp-premium", ".premium-badge", ".badge-premium", "[class*='premium']")
# A news brief can be two short paragraphs; below this, the densest block of text on an
# unknown page is more likely a widget than a story.
GENERIC_MIN_CHARS = 120
# The site-wide description every page without its own carries ("The Jakarta Post -
# Indonesia's leading English language daily newspaper ...").
SITE_BLURB = re.compile(r"jakarta\s*post\b.{0,80}\b(?:newspaper|daily|news portal)", re.IGNORECASE)


_TAG_DOT_CLASS = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?\.(?P<name>[A-Za-z_][\w-]*)$")
_XML_SPACE = re.compile(r"[ \t\r\n]+")


@lru_cache(maxsize=64)
def _matcher(css: str) -> Callable[[HtmlElement], list[HtmlElement]]:
    """`css` compiled once: what `Selector.css(css)` finds, without compiling the XPath
    again and wrapping every match on each call.

    ``tag.class`` (how body containers are named) gets a faster query: the translated
    one splits and pads every element's class attribute to compare whole words, a full
    scan of the page; a substring test in XPath narrows it to a few elements first.
    """
    simple = _TAG_DOT_CLASS.match(css)
    if simple is None:
        return CSSSelector(css, translator="html")  # type: ignore[no-any-return]
    name = simple["name"]
    candidates = etree.XPath(
        f"descendant-or-self::{simple['tag'] or '*'}[contains(@class, '{name}')]"
    )

    def find(root: HtmlElement) -> list[HtmlElement]:
        return [e for e in candidates(root) if name in _XML_SPACE.split(e.get("class", ""))]

    return find


def _is_paywall(element: HtmlElement) -> bool:
    return bool(PAYWALL.search(f" {element.get('class', '')} {element.get('id', '')} ".lower()))


# Every paywall class the PAYWALL pattern accepts contains "wall": one XPath pass picks
# the few candidates, in the container and after it, so the Python check runs on them
# rather than on every element.
_WALL = (
    "[contains(translate(@class, 'WAL', 'wal'), 'wall')"
    " or contains(translate(@id, 'WAL', 'wal'), 'wall')]"
)
_WALLS_IN = f"descendant-or-self::*{_WALL}"
_WALLS_AFTER = f"following-sibling::*/descendant-or-self::*{_WALL}"


def _paywalls(container: HtmlElement) -> tuple[set[HtmlElement], bool]:
    """Paywall blocks inside the story container, and whether one sits right after it.

    Inside is the site's usual place, where the text stops; some templates put the block
    after the container, as its sibling. A paywall further away (a modal kept in the
    chrome of every page) says nothing about this story's text.
    """
    inside = {e for e in container.xpath(_WALLS_IN) if _is_paywall(e)}
    after = bool(inside) or any(_is_paywall(e) for e in container.xpath(_WALLS_AFTER))
    return inside, after


# Other stories' boxes: sidebars, related and popular lists, listing entries. Their
# titles, dates and bylines belong to those stories, not to this one.
_OTHER_STORIES = re.compile(
    r"(?:^|[\s_-])(?:sidebar|side-bar|rail|widget|related\w*|popular|most-?viewed|mostviewed|"
    r"trending|recommend\w*|sponsor\w*|advert\w*|promo|editors?-?picks?|listnews|"
    r"latestdetail|newsword|comments?|comment-\w+|disqus)(?:$|[\s_-])"
)
_OTHER_STORY_TAGS = frozenset({"aside", "nav", "footer"})


def _in_furniture(element: HtmlElement) -> bool:
    """Whether `element` sits in another story's box (sidebar, related list, entry)."""
    for ancestor in element.iterancestors():
        if ancestor.tag in _OTHER_STORY_TAGS:
            return True
        marks = f" {ancestor.get('class', '')} {ancestor.get('id', '')} ".lower()
        if _OTHER_STORIES.search(marks):
            return True
    return False


def _inside_furniture(element: HtmlElement, up_to: HtmlElement) -> bool:
    """Whether `element`, or an ancestor below `up_to`, is page furniture."""
    node: HtmlElement | None = element
    while node is not None and node is not up_to:
        if is_furniture(node):
            return True
        node = node.getparent()
    return False


def _without_place(byline: str) -> str:
    """ "Agence France-Presse, Tokyo" -> "Agence France-Presse": a dateline ends with the
    place the story was filed from (the paper's own name is handled by split_byline)."""
    parts = [p.strip() for p in byline.split(",")]
    if len(parts) >= 2 and "jakarta post" not in byline.lower():
        return ", ".join(parts[:-1])
    return byline


class ArticlePage:
    """Extract an `Article` from an article response.

    `section` is the listing the article was found in; `fetched_at` the moment the
    response arrived (both come from the spider so the page object stays pure).
    """

    def __init__(self, response: TextResponse, *, section: str, fetched_at: datetime) -> None:
        self.response = response
        self.section = section
        self.fetched_at = fetched_at
        #: The element the body was read from (set by `_body`), for the lead-image fallback.
        self._story_container: HtmlElement | None = None

    @cached_property
    def selector(self) -> Selector:
        return page_selector(self.response)

    # --- sources ----------------------------------------------------------------------
    @cached_property
    def metadata(self) -> PageMetadata:
        return PageMetadata.read(self.selector.root)

    @cached_property
    def _jsonld_and_problems(self) -> tuple[dict[str, Any], list[str]]:
        node, problems = find_article_jsonld(
            self.metadata.jsonld_blocks, self.metadata.canonical or self._meta("og:url")
        )
        return node or {}, problems

    @property
    def jsonld(self) -> dict[str, Any]:
        return self._jsonld_and_problems[0]

    @property
    def problems(self) -> list[str]:
        """Non-fatal problems met while reading the page (malformed JSON-LD, ...)."""
        return self._jsonld_and_problems[1]

    def _meta(self, *names: str) -> str | None:
        return self.metadata.first(*names)

    def _first_text(self, selectors: tuple[str, ...]) -> str | None:
        found = self._first_with_text(selectors)
        return found[0] if found else None

    def _first_with_text(self, selectors: tuple[str, ...]) -> tuple[str, HtmlElement] | None:
        """Text and element of the first match of `selectors` (in order) that has text
        and does not belong to another story's box."""
        for css in selectors:
            for element in self.selector.css(css):
                if _in_furniture(element.root):
                    continue
                text = clean_text(" ".join(element.css("::text").getall()))
                if text:
                    return text, element.root
        return None

    # --- fields -----------------------------------------------------------------------
    @cached_property
    def url(self) -> str:
        """The article's www URL: canonical link, og:url or JSON-LD, else the URL it was
        fetched from. Relative links resolve against the site, not against whichever
        host served the copy; a candidate on another domain (syndication) is skipped."""
        for candidate in (
            self.metadata.canonical,
            self._meta("og:url"),
            as_text(self.jsonld.get("mainEntityOfPage")),
            as_text(self.jsonld.get("url")),
        ):
            candidate = (candidate or "").strip()
            if not candidate.startswith(("http://", "https://", "/")):
                continue
            absolute = urljoin(SITE_ROOT + "/", candidate)
            if is_site_url(absolute):
                return article_identity(on_site_root(absolute))
        return article_identity(on_site_root(strip_tracking(self.response.url)))

    def _title_sources(self) -> Iterator[str | None]:
        # One at a time: the markup is searched only when the declared titles are empty.
        yield as_text(self.jsonld.get("headline"))
        yield self._meta("og:title", "twitter:title")
        yield self._first_text(CURRENT_TITLE + LEGACY_TITLE)
        yield self._headline_in_title_tag()
        yield self.metadata.title

    @cached_property
    def title(self) -> str | None:
        for raw in self._title_sources():
            title = clean_title(raw)
            if title and len(title) > 1:
                return title
        return None

    def _headline_in_title_tag(self) -> str | None:
        """An <h1> whose text the <title> repeats: the headline on pages whose heading
        classes we do not know (the site's logo may be an <h1> too, but not in <title>)."""
        title_tag = clean_text(self.metadata.title or "")
        if not title_tag:
            return None
        for heading in self.selector.xpath("//body//h1"):
            if _in_furniture(heading.root):
                continue
            text = clean_text(" ".join(heading.css("::text").getall()))
            if len(text) > 1 and text in title_tag:
                return text
        return None

    @cached_property
    def summary(self) -> str | None:
        for raw in (
            as_text(self.jsonld.get("description")),
            self._meta("og:description", "description", "twitter:description"),
        ):
            text = clean_text(raw or "")
            if not text or SITE_BLURB.search(text):
                continue
            # A description cut short with an ellipsis is the CMS's automatic excerpt of
            # the first paragraph, not a standfirst: only the markup can have one then.
            if text.endswith(("...", "\u2026")):
                return self._standfirst_markup()
            # So is one that merely repeats the first paragraph on a page whose header
            # shows no standfirst (a news brief).
            if self._opens_the_story(text) and self._head and self._standfirst is None:
                return None
            return text
        return self._standfirst_markup()

    def _opens_the_story(self, text: str) -> bool:
        blocks = self._body[0]
        if not blocks:
            return False
        first = blocks[0]
        if len(first) == 1 and len(blocks) > 1:  # a drop-cap letter set apart
            first = first + blocks[1]
        return comparison_key(first) == comparison_key(text)

    @cached_property
    def _head(self) -> SelectorList[Selector]:
        return self.selector.css(CURRENT_HEAD)

    @cached_property
    def _standfirst(self) -> str | None:
        head = self._head
        if not head:
            return None
        head_root = head[0].root
        for paragraph in head.css(STANDFIRST):
            classes = paragraph.attrib.get("class", "")
            if any(word in classes for word in ("meta", "date", "created", "author", "breadcrumb")):
                continue
            # Share, gift and newsletter prompts sit in the head too; they are no standfirst.
            if _inside_furniture(paragraph.root, up_to=head_root):
                continue
            text = clean_text(" ".join(paragraph.css("::text").getall()))
            if len(text) > 30:
                return text
        return None

    @cached_property
    def _legacy_standfirst(self) -> str | None:
        """The standfirst of the older layouts: an element marked as one right after the
        headline (<div class="subtitle">), never the story's first paragraph."""
        for title in self.selector.css(", ".join(LEGACY_TITLE))[:1]:
            for sibling in title.root.itersiblings():
                if not isinstance(sibling.tag, str):
                    continue
                marks = f"{sibling.get('class', '')} {sibling.get('id', '')}".lower()
                if _LEGACY_STANDFIRST.search(marks):
                    text = clean_text(sibling.text_content())
                    if len(text) > 30:
                        return text
        return None

    def _standfirst_markup(self) -> str | None:
        return self._standfirst or (None if self._head else self._legacy_standfirst)

    @cached_property
    def authors(self) -> list[str]:
        names: list[str] = []
        for name, is_org in as_names(self.jsonld.get("author")):
            names.extend(split_byline(name, organisation=is_org))
        if not names:
            raw = self._meta("author", "article:author", "dc.creator")
            if raw and not raw.startswith(("http://", "https://")):
                names = split_byline(raw)
        if not names:
            found = self._first_with_text(BYLINE)
            if found is not None:
                byline, element = found
                if "|" in byline or (element.tail or "").lstrip().startswith("|"):
                    # A dateline, "Name, Place | Section | date": the place is no author.
                    byline = _without_place(byline.split("|", 1)[0])
                if len(byline) <= MAX_BYLINE_CHARS:
                    names = split_byline(byline)
        if not names:
            # Whatever its markup, a line naming "(The Jakarta Post)" is a byline.
            for element in self.selector.xpath(OWN_BYLINE_XPATH):
                if _in_furniture(element.root):
                    continue
                line = clean_text(" ".join(element.css("::text").getall()))
                if 0 < len(line) <= MAX_BYLINE_CHARS:
                    names = split_byline(line)
                    if names:
                        break
        if not names and self._dateline:
            names = split_byline(_without_place(self._dateline[0]))
        # An old byline box may hold only the section's label ("World").
        return unique([name for name in names if name.casefold() not in SECTION_LABELS])

    def _markup_dates(self) -> tuple[list[str], list[str]]:
        """Date lines the page shows: (trusted lines, the day at the top of the page).

        The top-of-page day (".created" without "Published") is often not the day of
        publication, so it ranks below even the URL's date.
        """
        lines, top_of_page = [], []
        for css in DATE_LINES:
            for element in self.selector.css(css):
                if _in_furniture(element.root):
                    continue  # the dates of sidebar and related-story entries
                line = clean_text(" ".join(element.css("::text").getall()))
                # 2016-2022 pages split the moment: <span class="day"> + <span class="time">.
                clock = element.xpath(
                    "following-sibling::*[contains(@class, 'time')][1]//text()"
                ).getall()
                if clock and "day" in element.attrib.get("class", "").split():
                    line = f"{line} {clean_text(' '.join(clock)).lstrip('|/').strip()}"
                if css in TOP_OF_PAGE_DATES and "publish" not in line.lower():
                    top_of_page.append(line)
                else:
                    lines.append(line)
        lines.extend(moment for moment, text in self.metadata.times if not _UPDATED.search(text))
        # 2009-2015 bylines carry the moment:
        # "Name, The Jakarta Post, Jakarta | World | Thu, May 10 2012, 9:23 AM".
        for css in BYLINE:
            for element in self.selector.css(css):
                if not _in_furniture(element.root):
                    lines.append(clean_text(" ".join(element.css("::text").getall())))
        if self._dateline:
            lines.append(self._dateline[1])
        return [line for line in lines if line], [line for line in top_of_page if line]

    @cached_property
    def _dateline(self) -> tuple[str, str] | None:
        """(byline, date) of a 2009-2015 dateline written as plain text:
        "Ina Parlina, The Jakarta Post, Jakarta | World | Mon, October 20 2014"."""
        for text in self.selector.xpath(DATELINE_XPATH).getall():
            match = DATELINE.match(clean_text(text))
            if match and parse_human_datetime(match["date"]):
                return match["byline"], match["date"]
        return None

    @cached_property
    def published(self) -> datetime | None:
        iso = parse_iso_datetime(as_text(self.jsonld.get("datePublished"))) or parse_iso_datetime(
            self._meta("article:published_time", "datePublished", "pubdate", "publish-date")
        )
        if iso:
            return iso
        lines, top_of_page = self._markup_dates()
        # "Published on 2025-04-08T16:06:36+07:00" beats "Published on Apr. 8, 2025",
        # which beats any other date line, which beats the URL's day, which beats the
        # day shown at the top of the page.
        for parse, published_only in (
            (parse_iso_datetime, True),
            (parse_iso_datetime, False),
            (parse_human_datetime, True),
            (parse_human_datetime, False),
        ):
            for line in lines:
                if published_only and "publish" not in line.lower():
                    continue
                moment = parse(line)
                if moment:
                    return moment
        day = date_from_url(self.url) or date_from_url(self.response.url)
        if day:
            return datetime.combine(day, time(0), SITE_TZ)
        for line in top_of_page:
            moment = parse_iso_datetime(line) or parse_human_datetime(line)
            if moment:
                return moment
        return None

    @cached_property
    def modified(self) -> datetime | None:
        declared = parse_iso_datetime(
            as_text(self.jsonld.get("dateModified"))
        ) or parse_iso_datetime(
            self._meta("article:modified_time", "og:updated_time", "dateModified")
        )
        if declared:
            return declared
        # An "Updated ..." <time> shown on the page.
        for moment, text in self.metadata.times:
            if _UPDATED.search(text) or _UPDATED.search(moment):
                found = parse_iso_datetime(moment)
                if found:
                    return found
        return None

    @cached_property
    def tags(self) -> list[str]:
        keywords = self.jsonld.get("keywords")
        tags = split_keywords(keywords if isinstance(keywords, (str, list)) else None)
        return tags or split_keywords(self._meta("keywords", "news_keywords")) or self._tag_links()

    def _tag_links(self) -> list[str]:
        """Topic links shown with the story, when the page declares no keywords."""
        for css in TAG_LINKS:
            links = [
                clean_text(" ".join(a.css("::text").getall()))
                for a in self.selector.css(css)
                if not _in_furniture(a.root)
            ]
            if any(links):
                return unique([link for link in links if link])
        return []

    @cached_property
    def image_url(self) -> str | None:
        raw = (
            jsonld_image_url(self.jsonld.get("image"))
            or self._meta("og:image", "twitter:image")
            or self._story_image()
        )
        # Against the article's own URL: a copy of the site serves it from another host.
        return urljoin(self.url, raw) if raw else None

    @cached_property
    def language(self) -> str:
        return (
            primary_language(as_text(self.jsonld.get("inLanguage")))
            or primary_language(self.selector.root.get("lang"))
            or primary_language(self._meta("og:locale", "language"))
            or "en"
        )

    @cached_property
    def is_premium(self) -> bool:
        free = self.jsonld.get("isAccessibleForFree")
        if isinstance(free, str):
            free = free.strip().lower() not in ("false", "0", "no")
        if isinstance(free, bool):
            return not free
        # No machine-readable flag: look for the badge. It sits next to the headline;
        # searching the whole page would find the "Premium" link in the site's
        # navigation on every page of the older layouts.
        scope = (
            self._head or self.selector.css(", ".join(CURRENT_TITLE + LEGACY_TITLE)).xpath("..")[:1]
        )
        if any(
            "premium" in clean_text(" ".join(e.css("::text").getall())).lower()
            for css in PREMIUM_BADGE
            for e in scope.css(css)
        ):
            return True
        # A badge of another class: a short element next to the headline reading "Premium".
        return any(
            clean_text(text).lower() == "premium"
            for text in scope.xpath(".//*[not(self::a)]/text()").getall()
        )

    # --- body -------------------------------------------------------------------------
    def _container(self, selectors: tuple[str, ...]) -> HtmlElement | None:
        root = self.selector.root
        for css in selectors:
            found = _matcher(css)(root)
            if found:
                return found[0]
        return None

    def _generic_container(self) -> HtmlElement | None:
        """The element whose own paragraphs hold the most text: its <p> children, or
        the text it holds directly between <br>s on pages written without <p>."""
        best, best_chars = None, 0
        for parent in self.selector.xpath("//body//*[p or br]"):
            element = parent.root
            if is_furniture(element) or any(is_furniture(a) for a in element.iterancestors()):
                continue
            chars = sum(len(clean_text(p.text_content())) for p in element.findall("p"))
            chars += len(clean_text(element.text or "")) + sum(
                len(clean_text(child.tail or "")) for child in element
            )
            if chars > best_chars:
                best, best_chars = element, chars
        return best if best_chars >= GENERIC_MIN_CHARS else None

    def _story_image(self) -> str | None:
        """The first picture in or beside the story, for pages that name no lead image
        (older pages): not a logo, icon, avatar or tracking pixel."""
        self._body  # noqa: B018 (reading the body is what finds the story's container)
        container = self._story_container
        if container is None:
            return None
        parent = container.getparent()
        for image in (parent if parent is not None else container).iter("img"):
            src = (image.get("src") or image.get("data-src") or "").strip()
            if src and not NOT_A_PHOTO.search(src) and not _in_furniture(image):
                return src
        return None

    @cached_property
    def _body(self) -> tuple[list[str], str, bool]:
        for selectors, path in ((CURRENT_BODY, "current-layout"), (LEGACY_BODY, "legacy-layout")):
            container = self._container(selectors)
            if container is not None:
                blocks, truncated = self._blocks(container)
                if blocks:
                    self._story_container = container
                    return blocks, path, truncated
        article_body = as_text(self.jsonld.get("articleBody"))
        if article_body and len(article_body) > GENERIC_MIN_CHARS:
            paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n|\r\n|\n", article_body)]
            paywalled = bool(self.selector.css(".tjp-paywall"))
            return [p for p in paragraphs if p], "structured-data", paywalled
        container = self._generic_container()
        if container is not None:
            blocks, truncated = self._blocks(container)
            if blocks:
                self._story_container = container
                return blocks, "generic-fallback", truncated
        return [], "generic-fallback", False

    def _blocks(self, container: HtmlElement) -> tuple[list[str], bool]:
        inside, cut = _paywalls(container)
        stop = inside.__contains__ if inside else None
        return text_blocks(container, stop=stop), cut

    # --- item -------------------------------------------------------------------------
    def to_item(self) -> Article:
        title = self.title
        if not title:
            raise PageParseError("no title found (json-ld, og:title, h1 and <title> all empty)")
        paragraphs, path, truncated = self._body
        body = join_paragraphs(paragraphs)
        return Article(
            url=self.url,
            section=self.section,
            title=title,
            summary=self.summary,
            authors=self.authors,
            published_at=isoformat(self.published),
            modified_at=isoformat(self.modified),
            tags=self.tags,
            image_url=self.image_url,
            body=body,
            word_count=count_words(body),
            # A paywall that cut the text is proof enough of a subscriber-only story.
            is_premium=self.is_premium or truncated,
            is_truncated=truncated,
            language=self.language,
            crawled_at=self.fetched_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            extraction_path=path,
            raw_body_chars=len(body),
        )
