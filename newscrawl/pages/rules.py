"""Every rule the page objects read a page by, in one place.

Two kinds, kept apart:

* **General web rules** hold on any news site: what HTML elements and ARIA roles mean,
  and the class/id words content-management systems everywhere give to ads, share bars,
  sidebars and paywalls. They are written as *words*, matched whole inside class and id
  values split on spaces, "-" and "_", so a rule names an idea ("related"), not one
  template's spelling of it.
* **The Jakarta Post's own markup**: the class names of its current (2024-2026) layout,
  of the 2016-2022 layout and of the 2009-2015 pages (fixtures/README.md shows each),
  with the layout they belong to. Selectors are tried in the order written: most
  specific first.

Listing pages (`newscrawl.pages.listing`) and article pages (`newscrawl.pages.article`,
`newscrawl.pages.blocks`) read the same tables: a word added to `BOX_WORDS` hides a box
of other stories from the listing, from the article's metadata and from its text alike,
and a paywall mark counts on every extraction path (`tests/test_pages_rules.py`).

Not here: the site's URL scheme (`newscrawl/urls.py`), the text formats of titles,
bylines and dates (`newscrawl/pages/fields.py`), and the boilerplate phrases the cleaning
pipelines remove (`newscrawl/data/boilerplate_phrases.txt`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern finding any of `words` (regex fragments) as a whole word of a class or
    id value: bounded by the start or end, a space, "-" or "_"."""
    return re.compile(r"(?:^|[\s_-])(?:" + "|".join(words) + r")(?:$|[\s_-])")


# =====================================================================================
# General web rules
# =====================================================================================

# --- HTML elements ------------------------------------------------------------------
#: Elements that start a block of text of their own (a paragraph, a heading, a list
#: item). Inline markup inside one is joined without a separator, so a drop-cap letter
#: in a <span> stays on its word; two of these never run together.
BLOCK_TAGS = frozenset(
    """p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre
    table thead tbody tr td th caption hgroup address center""".split()
)
#: Never story text, whatever their class says: code, media, forms, and the elements
#: HTML defines as content apart from the main flow.
SKIPPED_TAGS = frozenset(
    """script style noscript template iframe object embed video audio canvas svg math
    picture img figure figcaption form button input select textarea label nav aside
    link meta head title""".split()
)
#: Tables inside a story are data, not paragraphs: read cell by cell they would come
#: out as a run of one-word "paragraphs". (Not furniture: old pages lay out the whole
#: story in a table, so a table above the text must not disqualify it.)
DATA_TAGS = frozenset({"table"})

#: Content apart from the page's story wherever it sits: sidebars and menus. Titles,
#: dates and bylines inside them belong to other stories.
OTHER_CONTENT_TAGS = frozenset({"aside", "nav"})
#: The page's banner. Never story text, and on a listing page chrome; but templates
#: without an <article> element put the story's own head (headline, byline, date) in a
#: <header> as well, so an article's metadata is still read inside one.
BANNER_TAGS = frozenset({"header"})
#: The page's footer: never story text. Inside sectioning content it is that content's
#: own foot (a story's tags or author bio, HTML-AAM maps it to the contentinfo landmark
#: only at page level); outside, it is the site's, and its dates and names are not the
#: story's.
FOOTER_TAGS = frozenset({"footer"})
SECTIONING_TAGS = frozenset({"article", "aside", "main", "nav", "section"})
#: The page's banner and footer: never story text, and on a listing page chrome when
#: they hold a whole entry (inside an entry they are the card's own header or footer).
LANDMARK_TAGS = BANNER_TAGS | FOOTER_TAGS
#: ARIA landmarks that are never the story: a sidebar box, menus, the page header and
#: footer, a search form.
FURNITURE_ROLES = frozenset({"complementary", "navigation", "banner", "contentinfo", "search"})
#: Overlays: what a dialog says (a login or subscribe modal kept in every page's
#: chrome) is about the site, not about this story's text.
DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
DIALOG_WORDS = _words_pattern(("modal", "dialog", "popup", "overlay", "lightbox"))

# --- class/id words: furniture inside a story container -----------------------------
#: Words that mark page furniture inside an article container: ads, promotions, lists
#: of other stories, prompts, share and comment widgets, captions and credits, tags
#: and bylines (metadata, read by their own rules, never body text). Matched as whole
#: words, so "loads" or "shadow" never hit.
FURNITURE_WORDS = frozenset(
    """ad ads advert adverts advertisement advertorial adsbygoogle banner sponsor
    sponsored promo promotion related recommended recommendation popular mostviewed
    newsletter subscribe subscription paywall premiumbox share sharing social caption credit
    credits gift feedback search breadcrumb breadcrumbs tags tag widget comments comment
    embed tweet twitter instagram byline toolbar signup pullquote bio paging pagination
    pager keywords print email""".split()
)
#: Whole class tokens that are furniture although their words are innocent: embedded
#: posts as their platforms' scripts mark them, and the usual names of "read also"
#: lines, author boxes, pull quotes and text-size controls.
FURNITURE_TOKENS = frozenset(
    """twitter-tweet instagram-media tiktok-embed fb-post read-also related-list author-box
    author-bio pull-quote change-size changesize font-size fontsize text-size resize""".split()
)
#: Furniture words this long are also recognised at the start of a run-together class
#: word ("relatedNews", "newsletterSignup"); shorter ones ("ad", "tag") must match
#: whole, or "adjacent" and "tagline" would go.
FURNITURE_PREFIX_MIN_LENGTH = 5
#: Words never used as prefixes: "commentary" names opinion pieces, which are stories.
FURNITURE_NOT_PREFIXES = ("comment",)

# --- class/id words: boxes of other stories, and page chrome ------------------------
#: Boxes that list other stories: sidebars, rails, "most viewed", "editor's picks",
#: related and sponsored lists, comment threads. On a listing page their entries are
#: not the section's list; on an article page their titles, dates and bylines are not
#: this story's, and inside the story container their text is no story text. (Regex
#: fragments, matched as whole words of a class or id value.)
BOX_WORDS = (
    r"sidebar", r"side-bar", r"aside", r"rail", r"widget",
    r"most-?viewed", r"mostviewed", r"most-?popular", r"popular", r"trending",
    r"editors?-?picks?", r"editors?-?choice", r"recommend\w*", r"related\w*",
    r"sponsor\w*", r"advertorial", r"comments?", r"comment-\w+", r"disqus",
)  # fmt: skip
#: Page chrome by class: menus and ads, never this story's ...
NAV_WORDS = (r"nav", r"menu")
AD_WORDS = (r"promo", r"ads?", r"advert\w*")
#: ... and the page's banner and footer, read like the <header> and <footer> elements
#: (BANNER_TAGS, FOOTER_TAGS).
BANNER_WORDS = (r"header",)
FOOTER_WORDS = (r"footer",)
CHROME_WORDS = NAV_WORDS + AD_WORDS + BANNER_WORDS + FOOTER_WORDS
#: A listing's furniture around an entry: boxes of other stories and chrome. Inside an
#: entry, chrome words name the card's own parts ("card-header", "entry-footer"), so
#: only the box words count there.
FURNITURE_MARKS = _words_pattern(BOX_WORDS + CHROME_WORDS)
BOX_MARKS = _words_pattern(BOX_WORDS)
#: Headings that name a box of other stories when its classes do not.
SIDEBAR_HEADING = re.compile(
    r"most\s+(?:viewed|popular|read|shared|commented)|popular|trending|editor'?s?'?\s*(?:pick|choice)|"
    r"recommended|related|sponsored|advertorial|partner\s+content|you\s+may\s+(?:also\s+)?like|"
    r"more\s+from|in\s+case\s+you\s+missed|top\s+news\s+this\s+week",
    re.IGNORECASE,
)

# --- paywalls and premium marks ----------------------------------------------------
#: A paywall block: the page shows no more of the story after it. One rule for every
#: extraction path, so a story is truncated or not whatever its text was read from.
PAYWALL_WORDS = (r"paywall", r"premium-wall", r"subscribe-wall", r"subscriber-wall")
#: Every paywall mark above contains "wall": an XPath prefilter on that keeps the
#: Python check to a few candidates instead of every element.
PAYWALL_XPATH_HINT = "wall"
#: A premium badge by class; one of another class is recognised by its text.
PREMIUM_BADGE = (".premium-badge", ".badge-premium", "[class*='premium']")
PREMIUM_TEXT = "premium"

# --- pictures ----------------------------------------------------------------------
#: Pictures that are page furniture, not a story's photo.
NOT_A_PHOTO = re.compile(
    r"logo|icon|avatar|sprite|pixel|spacer|banner|/ads?/|\.svg(?:$|\?)|\.gif(?:$|\?)", re.I
)

# --- bylines, dates, tags, standfirsts in generic markup ---------------------------
#: The usual class names of a byline, most specific first: a name element before the
#: block that also holds role and place.
GENERIC_BYLINE = (
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
GENERIC_DATE_LINES = (".date", ".posted", ".published")
#: Topic links shown with a story.
GENERIC_TAG_LINKS = (".topics a", ".tags a", "a[rel='tag']")
#: A standfirst in the story's header: a <p>, or any element whose class says so.
STANDFIRST = (
    "p, [class*='summary'], [class*='standfirst'], [class*='lead'], [class*='excerpt'], "
    "[class*='desc']"
)
#: Header elements that are no standfirst although they are paragraphs.
NOT_STANDFIRST_CLASS_WORDS = ("meta", "date", "created", "author", "breadcrumb")
#: The class names older templates give the standfirst right after the headline.
LEGACY_STANDFIRST = re.compile(r"subtitle|sub-title|summary|standfirst|excerpt|lead|intro|deck")
#: A modification line ("Updated ...") is not the publication date.
UPDATED = re.compile(r"updat|modif|diperbarui", re.IGNORECASE)

# --- thresholds --------------------------------------------------------------------
#: Longer "bylines" are author bios or boxes of related stories, not a list of names.
MAX_BYLINE_CHARS = 150
#: A standfirst is a sentence at least; shorter header lines are labels.
MIN_STANDFIRST_CHARS = 30
#: A news brief can be two short paragraphs; below this, the densest block of text on
#: an unknown page is more likely a widget than a story.
GENERIC_MIN_CHARS = 120
#: Of a JSON-LD `articleBody`, the start is kept as a copy of the story's opening (the
#: drop-cap repair compares it with the body's first words); more is never needed.
OPENING_COPY_CHARS = 300

# =====================================================================================
# The Jakarta Post
# =====================================================================================

# --- article pages -----------------------------------------------------------------
#: Story containers: current layout, then the 2016-2022 layout (and the names its
#: older templates give the same box).
TJP_CURRENT_BODY = ("div.tjp-single__content", "[class*='tjp-single__content']")
TJP_LEGACY_BODY = ("div.detailNews", "div.news-content", "div.show-define-text", "div#news-content")
#: Headlines: current layout, then 2016-2022.
TJP_CURRENT_TITLE = ("h1.tjp-title--single", "h1.tjp-title", ".tjp-single__head h1")
TJP_LEGACY_TITLE = ("h1.title-large", ".title-large", "h1.title")
#: The current layout's story header: headline, breadcrumb, byline, dates, standfirst.
TJP_CURRENT_HEAD = "div.tjp-single__head"
#: Bylines: the current layout's label, then the older layouts' name elements.
TJP_BYLINE = (".tjp-meta__label", ".tjp-author", "span.name-author", ".name-post")
#: Date lines: current layout (".created" shows up to three lines), then 2016-2022
#: (`span.day` followed by `span.time`).
TJP_DATE_LINES = (".created", ".tjp-meta__date", "span.day")
#: Current-layout date lines that, unless they say "Published", show the day at the top
#: of the page, which is not always the day of publication.
TJP_TOP_OF_PAGE_DATES = frozenset({".created", ".tjp-meta__date"})
#: Topic links: current layout, then the older pages' "Topik" box (Indonesian).
TJP_TAG_LINKS = (".tjp-single__tags a", ".tjp-tags a", ".topik a")
#: The story's paywall block and premium badge.
TJP_PAYWALL_TOKENS = ("tjp-paywall",)
TJP_PREMIUM_BADGE = (".tjp-premium",)
#: Boxes inside the current layout's container that are never story text: lists of
#: popular/related stories, the newsletter box, the paywall, ad slots.
TJP_FURNITURE_TOKENS = frozenset(
    {"tjp-single__content-list", "tjp-newsletter-box", "tjp-paywall", "tjp-single__content-ads"}
)
#: "Read also" lines in Indonesian ("baca juga"), as the site's CMS sometimes marks them.
TJP_FURNITURE_WORDS = frozenset({"readalso", "bacajuga"})
#: The section labels an old byline box may show instead of a name.
TJP_SECTION_LABEL_EXTRAS = ("news", "asia pacific", "asia-pacific")
#: Every page without a description of its own carries this one ("The Jakarta Post -
#: Indonesia's leading English language daily newspaper ...").
TJP_SITE_BLURB = re.compile(
    r"jakarta\s*post\b.{0,80}\b(?:newspaper|daily|news portal)", re.IGNORECASE
)
#: "(The Jakarta Post)" after a name: the paper's own byline, in whatever markup.
TJP_OWN_BYLINE_XPATH = (
    "//body//*[not(self::script) and not(self::title)]"
    "[contains(., '(The Jakarta Post)')][not(*[contains(., '(The Jakarta Post)')])]"
)
#: A 2009-2015 dateline: byline | section | date, as one short text node
#: ("Ina Parlina, The Jakarta Post, Jakarta | World | Mon, October 20 2014").
TJP_DATELINE_XPATH = "//body//text()[contains(., '|')][string-length(normalize-space()) < 200]"
TJP_DATELINE = re.compile(
    r"^(?P<byline>[^|]{3,120}?)\s*\|\s*[A-Za-z][\w &]{1,30}?\s*\|\s*(?P<date>.+)$"
)

# --- listing pages -----------------------------------------------------------------
#: Entries are found by the page's structure (`newscrawl.pages.listing`); the title
#: markup of the current and the 2016-2022 listings only helps to read an entry's title.
TITLE_SELECTOR = ".titleNews, .title, h1, h2, h3, h4"
#: Elements that hold an entry's date: <time>, or any whose class names a date or a time
#: ("date", "post-row__date", "created", "posted", "publish", "time-ago").
DATE_CLASS_WORDS = ("date", "time", "created", "posted", "publish", "day")
#: The listing entries' class words: an entry box on an article page is another story.
TJP_ENTRY_WORDS = ("listnews", "latestdetail")

# =====================================================================================
# Combined tables, as the readers use them
# =====================================================================================

#: Article metadata: other stories' boxes (sidebars, lists, listing entries), menus
#: and ads ...
OTHER_STORY_BOX = _words_pattern(BOX_WORDS + NAV_WORDS + AD_WORDS + TJP_ENTRY_WORDS)
#: ... and the page's footer (outside sectioning content only, see FOOTER_TAGS).
FOOTER_BOX = _words_pattern(FOOTER_WORDS)
PAYWALL = _words_pattern(PAYWALL_WORDS + TJP_PAYWALL_TOKENS)
ALL_FURNITURE_WORDS = FURNITURE_WORDS | TJP_FURNITURE_WORDS | frozenset(TJP_ENTRY_WORDS)
ALL_FURNITURE_TOKENS = FURNITURE_TOKENS | TJP_FURNITURE_TOKENS
BODY = (TJP_CURRENT_BODY, "current-layout"), (TJP_LEGACY_BODY, "legacy-layout")
TITLE = TJP_CURRENT_TITLE + TJP_LEGACY_TITLE
BYLINE = TJP_BYLINE + GENERIC_BYLINE
DATE_LINES = TJP_DATE_LINES + GENERIC_DATE_LINES
TAG_LINKS = TJP_TAG_LINKS + GENERIC_TAG_LINKS
ALL_PREMIUM_BADGES = TJP_PREMIUM_BADGE + PREMIUM_BADGE
