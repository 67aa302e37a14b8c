"""Site copies for the discovery tests, built from the bundled copy (fixtures/site).

Each builder copies the bundled site into a folder and changes only what its case is
about: the markup of the listing pages (headline cards, a list wrapper carrying an
entry class, <li>/<article>/<div> entries, every class renamed, stories shown only by
script), or the sitemaps (none, gzipped, an external entity). The article pages, the
page chrome and the listings' mess (mirror hosts, utm_* links, sponsored and other
sections' entries, an old slug, sidebars) stay as they are, so every copy holds the
same 16 articles the hand-written records in fixtures/expected describe.

The listing entries are read from the bundled pages with lxml: this is the copies'
input, taken from the pages as written, not from the code under test.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import re
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import html as lxml_html

from tests.helpers import SITE

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

LISTING = "world/latest"
PAGES = (1, 2, 3)
NEWS_SITEMAP = "world/news/sitemap.xml"


@dataclass(frozen=True)
class Entry:
    href: str
    title: str
    date: str | None
    teaser: str | None
    image: str | None


def read_entries(page: int) -> list[Entry]:
    """The entries of a bundled listing page's main list, as its markup gives them."""
    root = lxml_html.parse(str(SITE / LISTING / f"page-{page}.html")).getroot()
    box = root.find_class("tjp-latest-entries")[0]
    entries = []
    for node in box:
        link = node.find(".//a")
        title = node.find(".//h2")
        date = node.find(".//span[@class='date']")
        teaser = node.find(".//p")
        image = node.find(".//img")
        entries.append(
            Entry(
                href=link.get("href"),
                title=title.text_content().strip(),
                date=date.text.strip() if date is not None and date.text else None,
                teaser=teaser.text_content().strip() if teaser is not None else None,
                image=image.get("src") if image is not None else None,
            )
        )
    return entries


def copy_site(target: Path) -> Path:
    shutil.copytree(SITE, target)
    return target


def _esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def replace_list(target: Path, page: int, markup: str, above: str = "") -> None:
    """Put `markup` where the bundled page has its main list, and `above` before the
    page heading (where sites put headline cards)."""
    path = target / LISTING / f"page-{page}.html"
    text = path.read_text(encoding="utf-8")
    start = text.index('<div class="tjp-latest-entries">')
    end = text.index('<div class="tjp-pagination">')
    text = text[:start] + markup + "\n  " + text[end:]
    if above:
        heading = text.index('<h1 class="tjp-channel__title">')
        text = text[:heading] + above + "\n  " + text[heading:]
    path.write_text(text, encoding="utf-8")


# --- entry markup -----------------------------------------------------------------------
def div_entry(e: Entry) -> str:
    date = f'<span class="date">{_esc(e.date)}</span>' if e.date else ""
    return (
        f'<div class="post-row"><a class="post-row__thumb" href="{_esc(e.href)}">'
        f'<img src="{_esc(e.image)}" alt=""></a><div class="post-row__body">'
        f'<a href="{_esc(e.href)}"><h2 class="post-row__title">{_esc(e.title)}</h2></a>'
        f"<p>{_esc(e.teaser)}</p>{date}</div></div>"
    )


def li_entry(e: Entry, item_class: str = "tjp-list__item") -> str:
    date = f'<span class="date">{_esc(e.date)}</span>' if e.date else ""
    return (
        f'<li class="{item_class}"><a href="{_esc(e.href)}"><img src="{_esc(e.image)}" '
        f'alt=""></a><h3><a href="{_esc(e.href)}">{_esc(e.title)}</a></h3>'
        f"<p>{_esc(e.teaser)}</p>{date}</li>"
    )


def article_entry(e: Entry) -> str:
    date = f'<footer class="card-footer"><time>{_esc(e.date)}</time></footer>' if e.date else ""
    return (
        f'<article class="card"><header class="card-header"><a href="{_esc(e.href)}">'
        f'<img src="{_esc(e.image)}" alt=""></a></header><div class="card-body">'
        f'<h2 class="card-title"><a href="{_esc(e.href)}">{_esc(e.title)}</a></h2>'
        f'<p class="card-text">{_esc(e.teaser)}</p></div>{date}</article>'
    )


def headline_cards(entries: list[Entry]) -> str:
    """The newest stories as headline cards, in markup of their own."""
    main, *side = entries
    cards = [
        f'<div class="hl-main"><figure><a href="{_esc(main.href)}"><img src="{_esc(main.image)}" '
        f'alt=""></a></figure><h1 class="hl-main__title"><a href="{_esc(main.href)}">'
        f'{_esc(main.title)}</a></h1><p class="hl-main__lede">{_esc(main.teaser)}</p>'
        f'<span class="hl-main__time">{_esc(main.date)}</span></div>'
    ]
    cards += [
        f'<div class="hl-side"><a href="{_esc(e.href)}"><strong>{_esc(e.title)}</strong></a>'
        f"<small>{_esc(e.date)}</small></div>"
        for e in side
    ]
    return f'<section class="tjp-headline">{"".join(cards)}</section>'


# --- builders ---------------------------------------------------------------------------
def _relist(target: Path, render: Callable[[int, list[Entry]], tuple[str, str]]) -> Path:
    for page in PAGES:
        markup, above = render(page, read_entries(page))
        replace_list(target, page, markup, above)
    return target


def build_headline_block(target: Path) -> Path:
    """Page 1 shows its two newest stories as headline cards above the list, and no
    longer in it."""
    copy_site(target)

    def render(page: int, entries: list[Entry]) -> tuple[str, str]:
        if page != 1:
            body = "".join(div_entry(e) for e in entries)
            return f'<div class="tjp-latest-entries">{body}</div>', ""
        world = [e for e in entries if "/world/" in e.href][:2]
        rest = [e for e in entries if e not in world]
        body = "".join(div_entry(e) for e in rest)
        return f'<div class="tjp-latest-entries">{body}</div>', headline_cards(world)

    return _relist(target, render)


def build_wrapper_with_entry_class(target: Path) -> Path:
    """The list wrapper carries the class the site's entries use (div.listNews)."""
    copy_site(target)

    def render(page: int, entries: list[Entry]) -> tuple[str, str]:
        items = "".join(li_entry(e, "") for e in entries)
        return f'<ul class="listNews tjp-list">{items}</ul>', ""

    return _relist(target, render)


def build_mixed_entries(target: Path) -> Path:
    """Entries as <li> (page 1), <article> tiles (page 2) and <div> rows (page 3)."""
    copy_site(target)

    def render(page: int, entries: list[Entry]) -> tuple[str, str]:
        if page == 1:
            return f'<ol class="stream">{"".join(li_entry(e) for e in entries)}</ol>', ""
        if page == 2:
            return f'<div class="grid">{"".join(article_entry(e) for e in entries)}</div>', ""
        return f'<div class="rows">{"".join(div_entry(e) for e in entries)}</div>', ""

    return _relist(target, render)


_CLASS_OR_ID = re.compile(r'\b(class|id)="([^"]*)"')


def _opaque(token: str) -> str:
    return "x" + hashlib.sha1(token.encode(), usedforsecurity=False).hexdigest()[:7]


def build_renamed_classes(target: Path) -> Path:
    """A redesign that renames every class and id on the listing pages."""
    copy_site(target)
    for page in PAGES:
        path = target / LISTING / f"page-{page}.html"
        text = path.read_text(encoding="utf-8")
        text = _CLASS_OR_ID.sub(
            lambda m: f'{m[1]}="{" ".join(_opaque(t) for t in m[2].split())}"', text
        )
        path.write_text(text, encoding="utf-8")
    return target


def build_script_headlines(target: Path) -> Path:
    """Page 1 renders its two newest stories from a script (no links in the markup): a
    listing the crawler cannot read in full, which the news sitemap exposes."""
    copy_site(target)
    entries = read_entries(1)
    world = [e for e in entries if "/world/" in e.href][:2]
    rest = [e for e in entries if e not in world]
    blob = ", ".join(f'{{"title": "{e.title}", "path": "{e.href.split("?")[0]}"}}' for e in world)
    above = (
        '<div id="headline-root" data-widget="headlines"></div>'
        f'<script type="application/json" id="headline-data">[{blob}]</script>'
    )
    body = "".join(div_entry(e) for e in rest)
    replace_list(target, 1, f'<div class="tjp-latest-entries">{body}</div>', above)
    return target


def build_unreadable_listing(target: Path) -> Path:
    """Every listing page renders its list from a script: the listing shows nothing."""
    copy_site(target)
    for page in PAGES:
        replace_list(
            target,
            page,
            '<div id="latest-root" data-endpoint="/api/latest"></div>'
            "<noscript>Please enable JavaScript to see the latest news.</noscript>",
        )
    return target


def build_without_sitemaps(target: Path) -> Path:
    """No sitemap at all: no Sitemap line in robots.txt, no sitemap files."""
    copy_site(target)
    robots = target / "robots.txt"
    lines = [
        line
        for line in robots.read_text(encoding="utf-8").splitlines()
        if not line.lower().startswith("sitemap:")
    ]
    robots.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for sitemap in target.rglob("sitemap.xml*"):
        sitemap.unlink()
    return target


def build_gzipped_news_sitemap(target: Path) -> Path:
    """The index names a gzipped news sitemap (served as a plain binary file)."""
    copy_site(target)
    news = target / NEWS_SITEMAP
    news.with_name("sitemap.xml.gz").write_bytes(gzip.compress(news.read_bytes()))
    news.unlink()
    index = target / "sitemap.xml"
    text = index.read_text(encoding="utf-8").replace(
        "/world/news/sitemap.xml<", "/world/news/sitemap.xml.gz<"
    )
    index.write_text(text, encoding="utf-8")
    return target


def build_entity_sitemap(target: Path, secret: Path) -> Path:
    """The news sitemap declares an external entity naming a local file (`secret`) and
    uses it in a title and in a location."""
    copy_site(target)
    news = target / NEWS_SITEMAP
    text = news.read_text(encoding="utf-8")
    doctype = f'<!DOCTYPE urlset [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>\n'
    text = text.replace("<urlset", doctype + "<urlset", 1)
    text = text.replace("<news:title>Japan and", "<news:title>&secret; Japan and", 1).replace(
        "</urlset>", "  <url><loc>&secret;</loc></url>\n</urlset>"
    )
    news.write_text(text, encoding="utf-8")
    return target


def page_two_world_paths() -> list[str]:
    return [_path(e.href) for e in read_entries(2) if "/world/" in e.href]


def build_sitemap_of_page_two(target: Path) -> Path:
    """The news sitemap lists exactly the world articles of listing page 2 (and no
    others): a run may fetch them from the sitemap before it reads page 2."""
    copy_site(target)
    urls = page_two_world_paths()
    www = "https://www.thejakartapost.com"
    items = "".join(
        f"<url><loc>{www}{path}</loc><news:news><news:publication>"
        "<news:name>The Jakarta Post</news:name><news:language>en</news:language>"
        "</news:publication><news:publication_date>2025-01-01</news:publication_date>"
        "<news:title>x</news:title></news:news></url>"
        for path in urls
    )
    (target / NEWS_SITEMAP).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{items}</urlset>\n",
        encoding="utf-8",
    )
    return target


def _path(href: str) -> str:
    """The path of a listing link, whatever host it names."""
    return urlsplit(href.strip()).path
