"""Deterministic synthetic copy of the world section, in the site's shape and page weight.

`generate_site(root, n)` writes `n` article pages and the listing pages that link them,
20 entries a page, newest first, in the folder layout `newscrawl.sitecopy` and the
benchmark nginx config both serve:

* ``world/latest/page-<K>.html`` for ``/world/latest?page=K`` (page 1 also ``/world/latest``),
  including one final listing page with no entries, which ends the pagination;
* ``world/YYYY/MM/DD/<slug>.html`` for each article;
* ``robots.txt``.

Pages follow the 2024-2026 layout described in docs (head with Open Graph and JSON-LD
NewsArticle, header chrome with the search box twice, `div.tjp-single__head`, a body
opening with a drop cap, ad slots, "Read also" lines, popular-article lists, a
newsletter box, figures, sidebars, footer). Each article page weighs 60-120 KB, most of
it the realistic furniture of a news site (inline scripts, menus, sidebar entries), and
has 8-25 story paragraphs. Article *i* depends only on (seed, i), never on `n`, so the
first 2,000 articles of a 20,000-article site are the 2,000-article site.
"""

from __future__ import annotations

import argparse
import html
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

GENERATOR_VERSION = 1
PAGE_SIZE = 20
SECTION = "world"
SITE = "https://www.thejakartapost.com"
WIB = timezone(timedelta(hours=7))
NEWEST = datetime(2026, 5, 1, 10, 0, tzinfo=WIB)
# One article every 37 minutes: 20,000 articles span about 17 months.
SPACING = timedelta(minutes=37)
MIN_ARTICLE_BYTES = 60_000
MAX_ARTICLE_BYTES = 120_000

ROBOTS = "User-agent: *\nDisallow: /search\nDisallow: /amp/\n"

# --- word banks ---------------------------------------------------------------------------
PLACE_LIST = [
    "Myanmar", "Thailand", "Vietnam", "Cambodia", "Laos", "Malaysia", "Singapore",
    "the Philippines", "Brunei", "Timor-Leste", "Japan", "China", "Taiwan", "India",
    "Pakistan", "Bangladesh", "Sri Lanka", "Nepal", "Australia", "New Zealand",
    "Papua New Guinea", "Fiji", "Ukraine", "Russia", "Poland", "Germany", "France",
    "Britain", "Turkey", "Iran", "Iraq", "Israel", "Lebanon", "Egypt", "Sudan", "Kenya",
    "Nigeria", "Brazil", "Argentina", "Mexico", "Canada", "the United States",
    "South Korea", "North Korea", "Mongolia", "Kazakhstan", "Saudi Arabia", "Qatar",
]
ACTORS = [
    "the foreign minister", "the prime minister", "the president", "the defence ministry",
    "the central bank", "the ruling coalition", "opposition lawmakers", "the military",
    "rights groups", "election officials", "the trade ministry", "the coast guard",
    "diplomats", "aid agencies", "the United Nations", "ASEAN leaders", "the G20",
    "the World Bank", "the IMF", "police", "protesters", "local officials", "analysts",
    "regional governments", "the health ministry", "a government spokesperson",
]
VERBS = [
    "said", "warned", "announced", "confirmed", "denied", "signalled", "urged",
    "called for", "rejected", "welcomed", "criticised", "proposed", "agreed to",
    "pledged", "vowed to review", "questioned", "backed", "postponed", "approved",
]
OBJECTS = [
    "a new round of talks", "the ceasefire proposal", "tighter export controls",
    "the disputed election results", "a humanitarian corridor", "emergency funding",
    "the maritime boundary agreement", "sanctions on senior officials",
    "a plan to cut fuel subsidies", "the free trade agreement", "the peace framework",
    "a joint military exercise", "the refugee resettlement scheme", "visa-free travel",
    "new climate targets", "the nuclear deal", "a review of the security pact",
    "stricter border checks", "the investment package", "debt restructuring terms",
]
CLAUSES = [
    "after weeks of tense negotiations", "despite mounting pressure at home",
    "ahead of a regional summit next month", "amid rising food and energy prices",
    "following deadly clashes near the border", "as talks stalled in the capital",
    "in a statement released late on Tuesday", "during a visit to the region",
    "citing concerns over civilian casualties", "as markets reacted nervously",
    "while lawmakers debated the budget", "after a court ruling last week",
    "as thousands rallied in the streets", "in the wake of the typhoon",
]
ATTRIBUTIONS = [
    "according to state media", "Reuters reported", "officials told reporters",
    "a senior diplomat said", "the agency said in a statement", "local media reported",
    "according to a government document seen by AFP", "two sources familiar with the matter said",
    "analysts said", "an official who asked not to be named said",
]
EXTRAS = [
    "The move is likely to strain ties with neighbouring countries.",
    "Critics say the measure does little to address the underlying causes of the crisis.",
    "It was not immediately clear when the decision would take effect.",
    "The ministry did not respond to a request for comment.",
    "Prices of staple goods have risen sharply since the start of the year.",
    "More than 1,200 people have been displaced by the fighting, the agency said.",
    "The talks are expected to resume after the holiday.",
    "Turnout in the previous vote was just over 60 percent.",
    "Both sides have accused each other of violating earlier agreements.",
    "Investors are watching closely for signs of a policy shift.",
]
FIRST_NAMES = ["Dio", "Yvette", "Nur", "Ahmad", "Kevin", "Tenggara", "Radhiyya", "Marchio",
               "Fikri", "Sarah", "Made", "Ismira", "Bambang", "Aditya", "Rizki", "Ursula"]
LAST_NAMES = ["Suhenda", "Tanamal", "Setyawan", "Gunawan", "Indraswari", "Lutfi", "Mambor",
              "Irfani", "Nurdiana", "Susanto", "Hadi", "Wijaya", "Purba", "Siregar"]
WIRES = ["AFP", "Reuters", "AP", "Kyodo", "Xinhua", "dpa"]
OTHER_SECTIONS = ["indonesia", "business", "opinion", "culture", "indonesia/politics",
                  "business/markets", "culture/entertainment"]
MENU = {
    "Indonesia": ["Politics", "Society", "Jakarta", "Archipelago", "Environment", "Health"],
    "Business": ["Companies", "Markets", "Economy", "Regulation", "Tech", "Energy"],
    "Opinion": ["Editorial", "Commentary", "Analysis", "Letters", "Columns"],
    "World": ["Asia & Pacific", "Americas", "Europe", "Middle East & Africa", "ASEAN"],
    "Culture": ["Art", "Books", "Entertainment", "Food", "Lifestyle", "Travel"],
    "Sports": ["Football", "Badminton", "Motorsport", "Tennis", "More sports"],
    "Multimedia": ["Video", "Photos", "Podcasts", "Graphics"],
}


@dataclass(frozen=True)
class ArticleMeta:
    """What a listing needs to know about article `index` (0 is the newest)."""

    index: int
    title: str
    slug: str
    published: datetime
    teaser: str

    @property
    def path(self) -> str:
        return f"/{SECTION}/{self.published:%Y/%m/%d}/{self.slug}.html"


@dataclass(frozen=True)
class SiteSummary:
    root: Path
    articles: int
    listing_pages: int  # including the final, empty one
    article_bytes: int


def _rng(seed: int, kind: str, index: int) -> random.Random:
    return random.Random(f"{seed}:{kind}:{index}")


def _sentence(rng: random.Random) -> str:
    actor = rng.choice(ACTORS)
    place = rng.choice(PLACE_LIST)
    text = (
        f"{actor[0].upper()}{actor[1:]} in {place} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(CLAUSES)}, {rng.choice(ATTRIBUTIONS)}."
    )
    if rng.random() < 0.35:
        text += " " + rng.choice(EXTRAS)
    return text


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def article_meta(index: int, seed: int = 7) -> ArticleMeta:
    rng = _rng(seed, "meta", index)
    place = rng.choice(PLACE_LIST)
    title = (
        f"{place[0].upper()}{place[1:]} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(CLAUSES)}"
    )
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    slug = "-".join(words[:10]) + f"-{index}"
    teaser = _sentence(rng)
    return ArticleMeta(index, title, slug, NEWEST - index * SPACING, teaser)


# --- shared chrome ------------------------------------------------------------------------
def _nav() -> str:
    parts = ['<nav class="tjp-nav tjp-nav--main" aria-label="Main"><ul class="tjp-nav__list">']
    for top, subs in MENU.items():
        slug = top.lower()
        parts.append(
            f'<li class="tjp-nav__item tjp-nav__item--has-sub"><a class="tjp-nav__link" '
            f'href="/{slug}">{top}</a><ul class="tjp-nav__sub">'
        )
        for sub in subs:
            sub_slug = "".join(c if c.isalnum() else "-" for c in sub.lower()).strip("-")
            parts.append(
                f'<li class="tjp-nav__sub-item"><a class="tjp-nav__sub-link" '
                f'href="/{slug}/{sub_slug}">{html.escape(sub)}</a></li>'
            )
        parts.append("</ul></li>")
    parts.append("</ul></nav>")
    return "".join(parts)


NAV = _nav()
ICONS = "".join(
    f'<svg class="tjp-icon tjp-icon--{name}" viewBox="0 0 24 24" aria-hidden="true">'
    f'<path d="M{i} 2.5c-5.2 '
    f'0-9.5 4.3-9.5 9.5s4.3 9.5 9.5 9.5 9.5-4.3 9.5-9.5S{i + 5}.2 2.5 12 2.5zm0 17.1c-4.2 '
    f'0-7.6-3.4-7.6-7.6S7.8 '
    f'4.4 12 4.4s7.6 3.4 7.6 7.6-3.4 7.6-7.6 7.6z"/></svg>'
    for i, name in enumerate(["search", "menu", "close", "user", "facebook", "x", "whatsapp",
                              "telegram", "linkedin", "mail", "link", "gift", "bookmark"])
)
HEADER = (
    '<header class="tjp-header"><div class="tjp-header__top"><div class="container">'
    '<a class="tjp-logo" href="/"><img src="https://www.thejakartapost.com/images/logo.svg" '
    'alt="The Jakarta Post" width="220" height="32"></a>'
    '<div class="tjp-header__actions"><a class="tjp-btn tjp-btn--subscribe" href="/subscribe">'
    'Subscribe</a><a class="tjp-btn tjp-btn--login" href="/login">Log in</a></div></div></div>'
    f"{NAV}"
    '<div class="tjp-search tjp-search--desktop"><form action="/search" role="search">'
    '<input type="text" name="q" placeholder="Search" aria-label="Search"></form>'
    '<div class="tjp-search__empty"><p>Can\'t find what you\'re looking for?</p>'
    '<a href="/search">View all search results</a></div></div>'
    '<div class="tjp-search tjp-search--mobile"><div class="tjp-search__empty">'
    '<p>Can\'t find what you\'re looking for?</p><a href="/search">View all search results</a>'
    f'</div></div><div class="tjp-icons" hidden>{ICONS}</div></header>'
)
FOOTER_LINKS = ["About us", "Contact", "Advertise", "Careers", "Privacy policy",
                "Terms of use", "Subscription FAQ", "Newsletter", "Archive", "Sitemap",
                "RSS", "Corrections", "Code of ethics", "Jakpost Guide", "Events"]
FOOTER = (
    '<div class="tjp-app-promo"><p>Get the best experience—faster access, exclusive features, '
    'and a seamless way to stay updated.</p><a href="https://play.google.com/store/apps/details?'
    'id=com.thejakartapost">Download the app</a></div><footer class="tjp-footer">'
    '<div class="container"><div class="tjp-footer__menu">'
    + "".join(
        f'<a class="tjp-footer__link" href="/{"-".join(t.lower().split())}">{t}</a>'
        for t in FOOTER_LINKS
    )
    + '</div><div class="tjp-footer__social"><a href="https://facebook.com/jakpost">Facebook</a>'
    '<a href="https://x.com/jakpost">X</a><a href="https://instagram.com/jakpost">Instagram</a>'
    '<a href="https://youtube.com/jakpost">YouTube</a></div><p class="tjp-footer__copy">&copy; '
    "2026 The Jakarta Post. All rights reserved.</p></div></footer>"
)
TAG_MANAGER = (
    "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
    "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?"
    "'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;"
    "f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-5WQ7PV');</script>"
)
STYLESHEETS = "".join(
    f'<link rel="stylesheet" href="/assets/css/{name}.min.css?v=5.2.1">'
    for name in ("tjp", "tjp-single", "tjp-print", "vendor-swiper", "vendor-fonts")
)


def _ad_config(rng: random.Random, slots: list[str]) -> str:
    defs = "".join(
        f"googletag.defineSlot('/21701538/tjp_world_{slot}',[[300,250],[336,280],[728,90]],"
        f"'div-gpt-ad-{slot}').setTargeting('pos','{slot}').addService(googletag.pubads());"
        for slot in slots
    )
    keyvalues = json.dumps({"section": SECTION, "pagetype": "article",
                            "kw": rng.sample(OBJECTS, 4), "seg": rng.randint(100, 999)})
    return (
        "<script>window.googletag=window.googletag||{cmd:[]};googletag.cmd.push(function(){"
        f"{defs}googletag.pubads().enableSingleRequest();googletag.pubads().collapseEmptyDivs();"
        f"googletag.pubads().setTargeting('tjp',{keyvalues});googletag.enableServices();}});</script>"
    )


def _sidebar_entry(meta: ArticleMeta, section: str, rank: int) -> str:
    path = meta.path.replace(f"/{SECTION}/", f"/{section}/", 1)
    return (
        f'<div class="listNews tjp-sidebar__entry"><span class="tjp-rank">{rank}</span>'
        f'<div class="imageNews"><a href="{path}"><img loading="lazy" '
        f'src="https://img.jakpost.net/c/{meta.published:%Y/%m/%d}/{meta.index}_small.jpg" '
        f'alt="" width="120" height="80"></a></div><div class="detailNews">'
        f'<a href="{path}"><h2 class="titleNews">{html.escape(meta.title)}</h2></a>'
        f'<span class="date">{meta.published:%a, %B %-d, %Y}</span></div></div>'
    )


def _sidebar(rng: random.Random, seed: int, heading: str, css: str, count: int) -> str:
    entries = "".join(
        _sidebar_entry(article_meta(rng.randint(0, 50_000), seed), rng.choice(OTHER_SECTIONS),
                       k + 1)
        for k in range(count)
    )
    return f'<div class="{css}"><h3 class="tjp-sidebar__title">{heading}</h3>{entries}</div>'


# --- article pages ------------------------------------------------------------------------
def _byline(rng: random.Random) -> tuple[list[dict[str, str]], str, str | None]:
    """JSON-LD authors, the byline shown, and the wire credit that ends the text (if any)."""
    roll = rng.random()
    if roll < 0.2:
        wire = rng.choice(WIRES)
        return [{"@type": "Organization", "name": wire}], wire, f"({wire})"
    if roll < 0.25:
        return [{"@type": "Organization", "name": "Editorial board"}], "Editorial board", None
    names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
             for _ in range(rng.randint(1, 3))]
    shown = (" and ".join(names) if len(names) < 3 else f"{names[0]}, {names[1]} and {names[2]}")
    return ([{"@type": "Person", "name": n} for n in names], f"{shown} (The Jakarta Post)", None)


def _head(meta: ArticleMeta, rng: random.Random, summary: str, authors: list[dict[str, str]],
          keywords: list[str], premium: bool, slots: list[str]) -> str:
    url = SITE + meta.path
    image = f"https://img.jakpost.net/c/{meta.published:%Y/%m/%d}/{meta.index}_large.jpg"
    published = meta.published.isoformat()
    modified = (meta.published + timedelta(minutes=rng.randint(1, 300))).isoformat()
    page_title = html.escape(f"{meta.title} - World - The Jakarta Post")
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": meta.title,
        "description": summary,
        "image": [image],
        "datePublished": published,
        "dateModified": modified,
        "author": authors,
        "publisher": {"@type": "Organization", "name": "The Jakarta Post",
                      "logo": {"@type": "ImageObject", "url": f"{SITE}/images/logo.png"}},
        "isAccessibleForFree": not premium,
        "articleSection": "World",
        "keywords": keywords,
        "inLanguage": "en",
    }
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "World", "item": f"{SITE}/world"}]}
    names = ", ".join(a["name"] for a in authors)
    escaped_summary = html.escape(summary)
    return (
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><title>{page_title}</title>'
        f'<meta name="description" content="{escaped_summary}">'
        f'<meta name="keywords" content="{html.escape(", ".join(keywords))}">'
        f'<meta name="author" content="{html.escape(names)}">'
        '<meta property="og:type" content="article">'
        f'<meta property="og:title" content="{page_title}">'
        f'<meta property="og:description" content="{escaped_summary}">'
        f'<meta property="og:url" content="{url}"><meta property="og:image" content="{image}">'
        '<meta property="og:site_name" content="The Jakarta Post">'
        f'<meta property="article:published_time" content="{published}">'
        f'<meta property="article:modified_time" content="{modified}">'
        '<meta name="twitter:card" content="summary_large_image">'
        f'<meta name="twitter:title" content="{page_title}">'
        f'<meta name="twitter:image" content="{image}">'
        f'<link rel="canonical" href="{url}"><link rel="amphtml" href="{SITE}/amp{meta.path}">'
        f"{STYLESHEETS}"
        f'<script type="application/ld+json">{json.dumps(crumbs)}</script>'
        f'<script type="application/ld+json">{json.dumps(jsonld, indent=2)}</script>'
        f"{TAG_MANAGER}{_ad_config(rng, slots)}"
        '<script>window.dataLayer=window.dataLayer||[];dataLayer.push('
        + json.dumps({"pageType": "article", "section": SECTION, "articleId": meta.index,
                      "premium": premium})
        + ");"
        "</script></head>"
    )


def _body(meta: ArticleMeta, rng: random.Random, seed: int, summary: str, credit: str | None,
          premium: bool) -> tuple[str, list[str]]:
    """The story container and the ad slot ids it uses."""
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(8, 25))]
    # The standfirst very often comes back word for word as a body paragraph.
    if rng.random() < 0.6:
        paragraphs.insert(1, summary)
    if credit:
        paragraphs[-1] += f" {credit}"
    first = paragraphs[0]
    parts = [
        '<div class="tjp-single__content">'
        f'<div class="tjp-opening"><h1 class="tjp-opening__char">{first[0]}</h1>'
        f'<p class="tjp-opening__txt">{html.escape(first[1:])}</p></div>'
    ]
    slots = []
    paywall_at = rng.randint(3, 5) if premium and rng.random() < 0.5 else None
    for k, text in enumerate(paragraphs[1:], start=1):
        if paywall_at is not None and k == paywall_at:
            parts.append(
                '<div class="tjp-paywall"><h3>Continue reading</h3><p>This is a premium article. '
                'Subscribe to read the full story.</p><a href="/subscribe">Subscribe now</a></div>'
            )
            break
        parts.append(f"<p>{html.escape(text)}</p>")
        if k % 4 == 1:
            slot = f"{meta.index}-{k}"
            slots.append(slot)
            parts.append(
                f'<div class="tjp-single__content-ads"><div id="div-gpt-ad-{slot}"><script>'
                f"googletag.cmd.push(function(){{googletag.display('div-gpt-ad-{slot}');}});"
                '</script></div><p class="ads-label">Advertisement</p></div>'
            )
        if k == 3:
            other = article_meta(meta.index + 3, seed)
            parts.append(
                f'<p><strong>Read also:</strong> <a href="{other.path}">'
                f"{html.escape(other.title)}</a></p>"
            )
        if k == 5:
            links = "".join(
                f'<li><a href="/{rng.choice(OTHER_SECTIONS)}/2026/04/{d:02d}/story-{d}.html">'
                f"{html.escape(article_meta(meta.index + 40 + d, seed).title)}</a></li>"
                for d in range(1, 6)
            )
            parts.append(
                f'<div class="tjp-single__content-list"><h3>Popular</h3><ul>{links}</ul></div>'
            )
        if k == 6 and rng.random() < 0.5:
            parts.append(
                '<figure class="tjp-single__figure"><img loading="lazy" '
                f'src="https://img.jakpost.net/c/{meta.published:%Y/%m/%d}/{meta.index}_{k}.jpg" '
                'alt="" width="800" height="533">'
                f"<figcaption>{html.escape(_sentence(rng))} <span class=\"tjp-credit\">"
                f"({rng.choice(WIRES)}/{rng.choice(LAST_NAMES)})</span></figcaption></figure>"
            )
        if k == 7:
            parts.append(
                '<div class="tjp-newsletter-box"><h4>Your weekly briefing</h4><p>Sign up for our '
                "newsletter and get the week's top stories in your inbox.</p><form>"
                '<input type="email" placeholder="Email"><button>Subscribe</button></form></div>'
            )
        if k == 8 and rng.random() < 0.4:
            parts.append(f"<h2>{html.escape(rng.choice(CLAUSES).capitalize())}</h2>")
        if k == 9 and rng.random() < 0.3:
            items = "".join(f"<li>{html.escape(_sentence(rng))}</li>" for _ in range(3))
            parts.append(f"<ul>{items}</ul>")
    parts.append("</div>")
    return "".join(parts), slots


def article_html(index: int, seed: int = 7) -> tuple[str, str]:
    """(URL path, page HTML) of article `index`; a pure function of (index, seed)."""
    meta = article_meta(index, seed)
    rng = _rng(seed, "article", index)
    summary = meta.teaser
    authors, byline, credit = _byline(rng)
    premium = rng.random() < 0.15
    keywords = rng.sample(["Russia", "Myanmar", "ASEAN", "diplomacy", "trade", "elections",
                           "conflict", "climate", "economy", "China", "US", "security"], 5)
    body, slots = _body(meta, rng, seed, summary, credit, premium)
    published = meta.published
    badge = '<span class="tjp-premium">Premium</span>' if premium else ""
    single_head = (
        '<div class="tjp-single__head"><ul class="tjp-breadcrumb">'
        '<li class="tjp-breadcrumb__list-item"><a href="/world">World</a></li>'
        '<li class="tjp-breadcrumb__list-item">'
        '<a href="/world/asia-pacific">Asia &amp; Pacific</a></li>'
        f'</ul>{badge}<h1 class="tjp-title tjp-title--single">{html.escape(meta.title)}</h1>'
        f'<p class="tjp-single__head-lead">{html.escape(summary)}</p>'
        '<div class="tjp-meta"><div class="tjp-meta__label">'
        f"<span>{html.escape(byline)}</span></div>"
        f'<div class="tjp-meta__date"><span class="created">{published:%a, %B %-d, %Y}</span>'
        f'<span class="created">Published on {published:%b}. {published.day}, '
        f"{published.year}</span>"
        f'<span class="created">Published on {published.isoformat()}</span></div></div>'
        '<div class="tjp-share"><p class="tjp-share__text">Quickly share this news with your '
        "network—keep everyone informed with just a single click!</p>"
        '<a class="tjp-share__btn" href="https://www.facebook.com/sharer.php">Facebook</a>'
        '<a class="tjp-share__btn" href="https://twitter.com/intent/tweet">X</a>'
        '<a class="tjp-share__btn" href="https://wa.me/">WhatsApp</a></div>'
        '<figure class="tjp-single__image"><img src="https://img.jakpost.net/c/'
        f'{published:%Y/%m/%d}/{index}_large.jpg" alt="" width="1200" height="800"><figcaption>'
        f'{html.escape(_sentence(rng))} <span class="tjp-credit">({rng.choice(WIRES)})</span>'
        "</figcaption></figure></div>"
    )
    after = (
        '<div class="tjp-single__tags">'
        + "".join(f'<a href="/tag/{k.lower()}">{k}</a> ' for k in keywords)
        + '</div><div class="tjp-feedback"><p>Share your experiences, suggestions, and any issues '
        "you've encountered on The Jakarta Post. We're here to listen.</p>"
        '<div class="tjp-feedback__thanks"><p>Thank you for sharing your thoughts. We appreciate '
        'your feedback.</p></div></div><div class="tjp-gift"><p>Share the best of The Jakarta Post '
        "with friends, family, or colleagues. As a subscriber, you can gift 3 to 5 articles each "
        "month that anyone can read—no subscription needed!</p></div>"
    )
    main_top = (
        '<body class="tjp-body tjp-body--single">' + HEADER
        + '<main class="tjp-main"><div class="container"><div class="row"><div class="col-lg-8">'
        f'<article class="tjp-single">{single_head}{body}{after}</article></div>'
        '<aside class="col-lg-4 tjp-sidebar">'
        + _sidebar(rng, seed, "Most viewed", "tjp-most-viewed", 10)
        + _sidebar(rng, seed, "Editor's picks", "tjp-editors-pick", 6)
    )
    head = _head(meta, rng, summary, authors, keywords, premium, slots)
    page_tail = "</aside></div></div>" + "</main>" + FOOTER + "</body></html>"
    page_head = f'<!DOCTYPE html><html lang="en">{head}'
    # The rest of the weight is what real pages carry: more sidebar boxes of entries.
    target = rng.randint(MIN_ARTICLE_BYTES + 1_000, MAX_ARTICLE_BYTES - 3_000)
    size = len((page_head + main_top + page_tail).encode())
    extra = []
    boxes = 0
    while size < target and boxes < 200:
        box = _sidebar(rng, seed, "More from The Jakarta Post", "tjp-more-stories", 4)
        extra.append(box)
        size += len(box.encode())
        boxes += 1
    return meta.path, page_head + main_top + "".join(extra) + page_tail


# --- listing pages ------------------------------------------------------------------------
def listing_html(page: int, n_articles: int, seed: int = 7) -> str:
    """Listing page `page` (1-based) of a site of `n_articles`; past the end it is empty."""
    rng = _rng(seed, "listing", page)
    first = (page - 1) * PAGE_SIZE
    entries = []
    for index in range(first, min(first + PAGE_SIZE, n_articles)):
        meta = article_meta(index, seed)
        link = f"{meta.path}?utm_source=latest&amp;utm_medium=list"
        entries.append(
            '<div class="listNews"><div class="imageNews">'
            f'<a href="{link}"><img src="https://img.jakpost.net/c/{meta.published:%Y/%m/%d}/'
            f'{index}_small.jpg" alt="" loading="lazy"></a></div><div class="detailNews">'
            f'<a href="{link}"><h2 class="titleNews">{html.escape(meta.title)}</h2></a>'
            f"<p>{html.escape(meta.teaser)}</p>"
            f'<span class="date">{meta.published:%a, %B %-d, %Y}</span></div></div>'
        )
        if index % 37 == 5:
            entries.append(
                '<div class="listNews sponsored"><div class="detailNews"><a href="/adv/2026/04/'
                f'0{index % 9 + 1}/partner-story-{index}.html"><h2 class="titleNews">Partner '
                "content: discover Bali this season</h2></a><p>Sponsored</p></div></div>"
            )
    if entries:
        body = f'<div class="tjp-latest-entries">{"".join(entries)}</div>'
    else:
        body = '<div class="tjp-latest-entries"><p>No more articles.</p></div>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Latest World News - The Jakarta Post</title>"
        '<meta property="og:title" content="Latest World News - The Jakarta Post">'
        f'<link rel="canonical" href="{SITE}/world/latest">{STYLESHEETS}{TAG_MANAGER}</head>'
        '<body class="tjp-body tjp-body--channel">' + HEADER
        + '<main class="tjp-main"><div class="container"><div class="row">'
        '<div class="col-lg-8 tjp-latest-list"><h1 class="tjp-channel__title">World</h1>'
        f"{body}</div>"
        '<aside class="col-lg-4 tjp-sidebar">'
        + _sidebar(rng, seed, "Most viewed", "tjp-most-viewed", 10)
        + _sidebar(rng, seed, "Editor's picks", "tjp-editors-pick", 6)
        + "</aside></div></div></main>" + FOOTER + "</body></html>"
    )


def listing_pages(n_articles: int) -> int:
    """Listing pages of a site of `n_articles`, counting the final empty one."""
    return -(-n_articles // PAGE_SIZE) + 1


def generate_site(root: Path, n_articles: int, seed: int = 7) -> SiteSummary:
    """Write the site copy into `root` (created if needed); returns what was written."""
    root = Path(root)
    (root / SECTION / "latest").mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text(ROBOTS, encoding="utf-8")
    total = 0
    made: set[Path] = set()
    for index in range(n_articles):
        path, page = article_html(index, seed)
        target = root / path.lstrip("/")
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        data = page.encode("utf-8")
        target.write_bytes(data)
        total += len(data)
    pages = listing_pages(n_articles)
    for page in range(1, pages + 1):
        (root / SECTION / "latest" / f"page-{page}.html").write_text(
            listing_html(page, n_articles, seed), encoding="utf-8"
        )
    stamp = {"generator": GENERATOR_VERSION, "articles": n_articles, "seed": seed,
             "listing_pages": pages, "article_bytes": total}
    (root / "_site.json").write_text(json.dumps(stamp), encoding="utf-8")
    return SiteSummary(root, n_articles, pages, total)


def cached_site(root: Path, n_articles: int, seed: int = 7) -> SiteSummary:
    """`generate_site`, skipped when `root` already holds this very site."""
    stamp_path = Path(root) / "_site.json"
    if stamp_path.exists():
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if (stamp.get("generator"), stamp.get("articles"), stamp.get("seed")) == (
            GENERATOR_VERSION, n_articles, seed
        ):
            return SiteSummary(Path(root), n_articles, stamp["listing_pages"],
                               stamp["article_bytes"])
    return generate_site(root, n_articles, seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic copy of the world section.")
    parser.add_argument("root", type=Path, help="folder to write the site into")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    summary = generate_site(args.root, args.articles, args.seed)
    print(f"{summary.articles} articles, {summary.listing_pages} listing pages, "
          f"{summary.article_bytes / summary.articles / 1024:.1f} KiB per article on average")


if __name__ == "__main__":
    main()
