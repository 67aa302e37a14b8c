"""Article page: one response in, one raw `Article` out.

Each field is read from the best source the page has, in the order its property lists
them: JSON-LD, then Open Graph / <meta>, then the page's own markup (current layout, then
the 2016-2022 layout). The body comes from the current layout's container, else the older
layout's, else JSON-LD `articleBody`, else a generic densest-text-block fallback; the
record's `extraction_path` says which. The body returned here is raw: the pipelines
restore the drop-cap letter, remove boilerplate and repeats, and validate. The markup
rules themselves (selectors, class words, paywall marks) are `newscrawl.pages.rules`.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urljoin

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
from newscrawl.pages.rules import (
    ALL_PREMIUM_BADGES,
    BODY,
    BYLINE,
    DATE_LINES,
    DIALOG_ROLES,
    DIALOG_WORDS,
    FOOTER_BOX,
    FOOTER_TAGS,
    GENERIC_MIN_CHARS,
    LEGACY_STANDFIRST,
    MAX_BYLINE_CHARS,
    MIN_STANDFIRST_CHARS,
    NOT_A_PHOTO,
    NOT_STANDFIRST_CLASS_WORDS,
    OPENING_COPY_CHARS,
    OTHER_CONTENT_TAGS,
    OTHER_STORY_BOX,
    PAYWALL,
    PAYWALL_XPATH_HINT,
    PREMIUM_TEXT,
    SECTIONING_TAGS,
    STANDFIRST,
    TAG_LINKS,
    TITLE,
    TJP_CURRENT_HEAD,
    TJP_DATELINE,
    TJP_DATELINE_XPATH,
    TJP_LEGACY_TITLE,
    TJP_OWN_BYLINE_XPATH,
    TJP_SECTION_LABEL_EXTRAS,
    TJP_SITE_BLURB,
    TJP_TOP_OF_PAGE_DATES,
    UPDATED,
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
    from lxml.html import HtmlElement
    from parsel import Selector, SelectorList
    from scrapy.http import TextResponse


class PageParseError(Exception):
    """The response is not an article page we can extract; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SECTION_LABELS = frozenset(
    label.replace("-", " ") for label in (*KNOWN_SECTIONS, *TJP_SECTION_LABEL_EXTRAS)
)
_STORY_EXCERPT_END = ("...", "\u2026")


def _marks(element: HtmlElement) -> str:
    return f" {element.get('class', '')} {element.get('id', '')} ".lower()


def _is_paywall(element: HtmlElement) -> bool:
    return bool(PAYWALL.search(_marks(element)))


def _is_dialog(element: HtmlElement) -> bool:
    role = (element.get("role") or "").strip().lower()
    return (
        role in DIALOG_ROLES
        or element.tag == "dialog"
        or element.get("aria-modal") == "true"
        or bool(DIALOG_WORDS.search(_marks(element)))
    )


# One XPath pass picks the few paywall candidates, so the Python check runs on them
# rather than on every element.
_WALL = (
    f"[contains(translate(@class, 'WAL', 'wal'), '{PAYWALL_XPATH_HINT}')"
    f" or contains(translate(@id, 'WAL', 'wal'), '{PAYWALL_XPATH_HINT}')]"
)
_WALLS_IN = f"descendant-or-self::*{_WALL}"
_WALLS_AFTER = f"following-sibling::*/descendant-or-self::*{_WALL}"
_WALLS_ON_PAGE = f"//body//*{_WALL}"


def _in_dialog(element: HtmlElement) -> bool:
    return any(_is_dialog(e) for e in (element, *element.iterancestors()))


def _story_paywall(element: HtmlElement) -> bool:
    """A paywall mark outside any dialog: a login or subscribe modal kept in the chrome
    of every page says nothing about this story's text."""
    return _is_paywall(element) and not _in_dialog(element)


def _paywalls(container: HtmlElement) -> tuple[set[HtmlElement], bool]:
    """Paywall blocks inside the story container, and whether one sits right after it.

    Inside is the site's usual place, where the text stops; some templates put the block
    after the container, as its sibling. A paywall further away says nothing about this
    story's text.
    """
    inside = {e for e in container.xpath(_WALLS_IN) if _story_paywall(e)}
    after = bool(inside) or any(_story_paywall(e) for e in container.xpath(_WALLS_AFTER))
    return inside, after


def _in_sectioning_content(element: HtmlElement) -> bool:
    return any(a.tag in SECTIONING_TAGS for a in element.iterancestors())


def _in_furniture(element: HtmlElement) -> bool:
    """Whether `element` sits in another story's box (sidebar, related list, listing
    entry, menu) or in the page's footer: its titles, dates and bylines are not this
    story's. (The page's <header> may be the story's own head: see BANNER_TAGS.)"""
    for ancestor in element.iterancestors():
        tag = ancestor.tag
        if tag in OTHER_CONTENT_TAGS:
            return True
        other_story, footer = _box_marks(_marks(ancestor))
        if other_story:
            return True
        if (tag in FOOTER_TAGS or footer) and not _in_sectioning_content(ancestor):
            return True
    return False


@lru_cache(maxsize=4096)
def _box_marks(marks: str) -> tuple[bool, bool]:
    """Whether class and id words mark another story's box, and the page's footer
    (cached: the same class strings recur on every page)."""
    return bool(OTHER_STORY_BOX.search(marks)), bool(FOOTER_BOX.search(marks))


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


class _Body(NamedTuple):
    """The story's text blocks, the extractor that found them, whether a paywall cut
    them, and the element they were read from (None when they came from JSON-LD)."""

    blocks: list[str]
    path: str
    truncated: bool
    container: HtmlElement | None


class ArticlePage:
    """Extract an `Article` from an article response.

    Inputs, all from the spider so that the page object stays pure (no clock, no
    crawler, no state but caches of what it computed from them): the `response`;
    `section`, the listing the article was found in; `fetched_at`, when the response
    arrived; `teaser`, the text the listing showed for this article, if any.

    One property per item field, each trying its sources in the order it lists them;
    `to_item()` puts them together.
    """

    def __init__(
        self,
        response: TextResponse,
        *,
        section: str,
        fetched_at: datetime,
        teaser: str | None = None,
    ) -> None:
        self.response = response
        self._section = section
        self.fetched_at = fetched_at
        self.teaser = teaser

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

    @property
    def section(self) -> str:
        return self._section

    @cached_property
    def title(self) -> str | None:
        for raw in (
            as_text(self.jsonld.get("headline")),
            self._meta("og:title", "twitter:title"),
            self._first_text(TITLE),
            self._headline_in_title_tag(),
            self.metadata.title,
        ):
            title = clean_title(raw)
            if title and len(title) > 1:
                return self._uncut(title)
        return None

    def _uncut(self, title: str) -> str:
        """`title`, or the page's longer copy of it when that goes on from the same words:
        CMSs cut JSON-LD headlines to a length limit (110 characters for search
        engines), while og:title and <title> keep the whole headline."""
        for raw in (self._meta("og:title", "twitter:title"), self.metadata.title):
            whole = clean_title(raw) or ""
            if len(whole) > len(title) and whole.startswith(title) and whole[len(title)] == " ":
                return whole
        return title

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
            if not text or TJP_SITE_BLURB.search(text):
                continue
            # A description cut short with an ellipsis is the CMS's automatic excerpt of
            # the first paragraph, not a standfirst: only the markup can have one then.
            if text.endswith(_STORY_EXCERPT_END):
                return self._standfirst_markup()
            # So is one that merely repeats the first paragraph on a page whose header
            # shows no standfirst (a news brief).
            if self._opens_the_story(text) and self._head and self._standfirst is None:
                return None
            return text
        return self._standfirst_markup()

    def _opens_the_story(self, text: str) -> bool:
        blocks = self._body.blocks
        if not blocks:
            return False
        openings = [blocks[0]]
        if len(blocks[0]) == 1 and len(blocks) > 1:
            # A drop-cap letter set apart: the word it starts, or the word it is ("A").
            openings = [blocks[0] + blocks[1], f"{blocks[0]} {blocks[1]}"]
        key = comparison_key(text)
        return any(comparison_key(opening) == key for opening in openings)

    @cached_property
    def _head(self) -> SelectorList[Selector]:
        return self.selector.css(TJP_CURRENT_HEAD)

    @cached_property
    def _standfirst(self) -> str | None:
        head = self._head
        if not head:
            return None
        head_root = head[0].root
        for paragraph in head.css(STANDFIRST):
            classes = paragraph.attrib.get("class", "")
            if any(word in classes for word in NOT_STANDFIRST_CLASS_WORDS):
                continue
            # Share, gift and newsletter prompts sit in the head too; they are no standfirst.
            if _inside_furniture(paragraph.root, up_to=head_root):
                continue
            text = clean_text(" ".join(paragraph.css("::text").getall()))
            if len(text) > MIN_STANDFIRST_CHARS:
                return text
        return None

    @cached_property
    def _legacy_standfirst(self) -> str | None:
        """The standfirst of the older layouts: an element marked as one right after the
        headline (<div class="subtitle">), never the story's first paragraph."""
        for title in self.selector.css(", ".join(TJP_LEGACY_TITLE))[:1]:
            for sibling in title.root.itersiblings():
                if not isinstance(sibling.tag, str):
                    continue
                marks = f"{sibling.get('class', '')} {sibling.get('id', '')}".lower()
                if LEGACY_STANDFIRST.search(marks):
                    text = clean_text(sibling.text_content())
                    if len(text) > MIN_STANDFIRST_CHARS:
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
            for element in self.selector.xpath(TJP_OWN_BYLINE_XPATH):
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
                if css in TJP_TOP_OF_PAGE_DATES and "publish" not in line.lower():
                    top_of_page.append(line)
                else:
                    lines.append(line)
        lines.extend(moment for moment, text in self.metadata.times if not UPDATED.search(text))
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
        for text in self.selector.xpath(TJP_DATELINE_XPATH).getall():
            match = TJP_DATELINE.match(clean_text(text))
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

    @property
    def published_at(self) -> str | None:
        return isoformat(self.published)

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
            if UPDATED.search(text) or UPDATED.search(moment):
                found = parse_iso_datetime(moment)
                if found:
                    return found
        return None

    @property
    def modified_at(self) -> str | None:
        return isoformat(self.modified)

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

    def _story_image(self) -> str | None:
        """The first picture in or beside the story, for pages that name no lead image
        (older pages): not a logo, icon, avatar or tracking pixel."""
        container = self._body.container
        if container is None:
            return None
        parent = container.getparent()
        for image in (parent if parent is not None else container).iter("img"):
            src = (image.get("src") or image.get("data-src") or "").strip()
            if src and not NOT_A_PHOTO.search(src) and not _in_furniture(image):
                return src
        return None

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
        """Subscriber-only: the page says so, or a paywall cut the text (proof enough)."""
        return self._premium_declared() or self.is_truncated

    def _premium_declared(self) -> bool:
        free = self.jsonld.get("isAccessibleForFree")
        if isinstance(free, str):
            free = free.strip().lower() not in ("false", "0", "no")
        if isinstance(free, bool):
            return not free
        # No machine-readable flag: look for the badge. It sits next to the headline;
        # searching the whole page would find the "Premium" link in the site's
        # navigation on every page of the older layouts.
        scope = self._head or self.selector.css(", ".join(TITLE)).xpath("..")[:1]
        if any(
            PREMIUM_TEXT in clean_text(" ".join(e.css("::text").getall())).lower()
            for css in ALL_PREMIUM_BADGES
            for e in scope.css(css)
        ):
            return True
        # A badge of another class: a short element next to the headline reading "Premium".
        return any(
            clean_text(text).lower() == PREMIUM_TEXT
            for text in scope.xpath(".//*[not(self::a)]/text()").getall()
        )

    # --- body -------------------------------------------------------------------------
    @cached_property
    def body(self) -> str:
        return join_paragraphs(self._body.blocks)

    @property
    def word_count(self) -> int:
        return count_words(self.body)

    @property
    def is_truncated(self) -> bool:
        """A paywall cut the story's text in this response."""
        return self._body.truncated

    @property
    def extraction_path(self) -> str:
        return self._body.path

    @property
    def crawled_at(self) -> str:
        return self.fetched_at.astimezone(timezone.utc).isoformat(timespec="seconds")

    @cached_property
    def opening_copies(self) -> list[str]:
        """The page's other copies of the story's opening, for the drop-cap repair to
        compare the first words with: the start of JSON-LD `articleBody`, the
        descriptions, and the listing's teaser."""
        article_body = as_text(self.jsonld.get("articleBody")) or ""
        copies = (
            article_body[:OPENING_COPY_CHARS],
            as_text(self.jsonld.get("description")),
            self._meta("og:description"),
            self._meta("description"),
            self._meta("twitter:description"),
            self.teaser,
        )
        return unique([text for text in (clean_text(c or "") for c in copies) if text])

    def _container(self, selectors: tuple[str, ...]) -> HtmlElement | None:
        for css in selectors:
            found = self.selector.css(css)
            if found:
                return found[0].root
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

    @cached_property
    def _body(self) -> _Body:
        """Sources in order: the current layout's container, the older layout's,
        JSON-LD `articleBody`, the generic densest-text container."""
        for selectors, path in BODY:
            container = self._container(selectors)
            if container is not None:
                body = self._read(container, path)
                if body.blocks:
                    return body
        article_body = as_text(self.jsonld.get("articleBody"))
        if article_body and len(article_body) > GENERIC_MIN_CHARS:
            paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n|\r\n|\n", article_body)]
            blocks = [p for p in paragraphs if p]
            return _Body(blocks, "structured-data", self._paywall_without_text(), None)
        container = self._generic_container()
        if container is not None:
            body = self._read(container, "generic-fallback")
            if body.blocks:
                return body
        return _Body([], "generic-fallback", False, None)

    @staticmethod
    def _read(container: HtmlElement, path: str) -> _Body:
        inside, cut = _paywalls(container)
        stop = inside.__contains__ if inside else None
        return _Body(text_blocks(container, stop=stop), path, cut, container)

    def _paywall_without_text(self) -> bool:
        """Whether a paywall stands where the story should be, when the text came from
        JSON-LD: the same marks as on the markup path, looked for in a story container
        the page has but that showed no text, else anywhere on the page (outside a
        dialog, as on the markup path)."""
        for selectors, _ in BODY:
            container = self._container(selectors)
            if container is not None:
                return _paywalls(container)[1]
        return any(_story_paywall(e) for e in self.selector.root.xpath(_WALLS_ON_PAGE))

    # --- item -------------------------------------------------------------------------
    def to_item(self) -> Article:
        title = self.title
        if not title:
            raise PageParseError("no title found (json-ld, og:title, h1 and <title> all empty)")
        return Article(
            url=self.url,
            section=self.section,
            title=title,
            summary=self.summary,
            authors=self.authors,
            published_at=self.published_at,
            modified_at=self.modified_at,
            tags=self.tags,
            image_url=self.image_url,
            body=self.body,
            word_count=self.word_count,
            is_premium=self.is_premium,
            is_truncated=self.is_truncated,
            language=self.language,
            crawled_at=self.crawled_at,
            extraction_path=self.extraction_path,
            raw_body_chars=len(self.body),
            opening_copies=self.opening_copies,
        )
