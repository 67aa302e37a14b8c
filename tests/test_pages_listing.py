"""ListingPage: which links of a listing page are the section's own entries.

The bundled pages are checked against hand-written lists; the small inline pages pin
down one layout trait each (sidebar placement, nesting, wrapper classes).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from scrapy.http import HtmlResponse

from newscrawl.pages.listing import ListingPage
from tests.helpers import SITE

BASE = "http://127.0.0.1:8123"


def _entries(html: str | bytes, url: str = f"{BASE}/world/latest") -> list[str]:
    body = html.encode("utf-8") if isinstance(html, str) else html
    response = HtmlResponse(url=url, body=body, encoding="utf-8")
    return [e.url for e in ListingPage(response, section="world", base_url=BASE).entries()]


BUNDLED = {
    1: [
        "/world/2026/03/03/cambodia-thailand-agree-to-reopen-border-crossings.html",
        # linked on the newgelora mirror, with utm_* tracking
        "/world/2026/03/02/new-zealand-pledges-pacific-climate-fund-at-suva-forum.html",
        "/world/2026/01/15/what-a-brics-seat-means-for-indonesias-foreign-policy.html",
        "/world/2026/02/11/japan-and-australia-to-expand-joint-naval-patrols.html",
    ],
    2: [
        # slid down from page 1 while the crawl ran
        "/world/2026/02/11/japan-and-australia-to-expand-joint-naval-patrols.html",
        "/world/2025/11/20/philippines-vietnam-coast-guards-hold-first-joint-drill.html",
        "/world/2025/10/05/envoys-urge-restraint-as-mekong-dam-dispute-deepens.html",
        "/world/2025/09/02/g20-finance-chiefs-split-over-debt-relief.html",
        "/world/2025/06/14/asean-cannot-keep-looking-away.html",
        "/world/2025/04/08/us-tariffs-rattle-southeast-asian-exporters.html",
        "/world/2024/07/19/un-agency-warns-of-record-heat-across-asia.html",
    ],
    3: [
        # the same article again, through the mirror and without ".html"
        "/world/2024/07/19/un-agency-warns-of-record-heat-across-asia",
        # an old slug, redirected by the site (fixtures/site/_redirects.json)
        "/world/2024/12/02/thai-court-vote-recount.html",
        "/world/2022/08/03/russia-backs-myanmar-juntas-efforts-to-stabilise-country-lavrov.html",
        "/world/2021/06/30/malaysia-extends-lockdown-as-daily-cases-stay-high.html",
        "/news/2019/03/14/asean-foreign-ministers-seek-common-line-on-rohingya-returns.html",
        "/news/2018/11/12/port-moresby-readies-for-apec-summit-under-heavy-security.html",
        "/news/2012/05/10/ri-malaysia-agree-to-speed-up-border-talks.html",
    ],
}


@pytest.mark.parametrize("page", sorted(BUNDLED), ids=lambda n: f"page-{n}")
def test_bundled_listing_pages(page: int) -> None:
    html = (SITE / "world" / "latest" / f"page-{page}.html").read_bytes()
    assert _entries(html, f"{BASE}/world/latest?page={page}") == [BASE + p for p in BUNDLED[page]]


def test_entries_carry_title_and_listing_date() -> None:
    html = (SITE / "world" / "latest" / "page-2.html").read_bytes()
    response = HtmlResponse(url=f"{BASE}/world/latest?page=2", body=html, encoding="utf-8")
    entries = ListingPage(response, section="world", base_url=BASE).entries()
    mekong = entries[2]
    assert mekong.title == "Envoys urge restraint as Mekong dam dispute deepens"
    assert mekong.published is not None
    assert mekong.published.isoformat() == "2025-10-05"


def _entry(path: str, title: str = "A story") -> str:
    return (
        f'<div class="listNews"><div class="detailNews"><a href="{path}">'
        f'<h2 class="titleNews">{title}</h2></a><p>Teaser.</p></div></div>'
    )


A = "/world/2025/05/01/main-a.html"
B = "/world/2025/05/01/main-b.html"
S1 = "/world/2025/04/01/sidebar-one.html"
S2 = "/world/2025/04/02/sidebar-two.html"


def _page(inner: str) -> str:
    return f"<html><body><main>{inner}</main></body></html>"


def test_flat_sidebar_after_a_heading_in_the_same_parent() -> None:
    html = _page(
        f'<div class="col">{_entry(A)}{_entry(B)}<h3>Most viewed</h3>{_entry(S1)}{_entry(S2)}</div>'
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_sidebar_in_nested_boxes_with_a_heading_block() -> None:
    box = (
        f'<div class="box"><div class="box-head"><h3>Editor\'s picks</h3></div>'
        f'<div class="box-body"><ul><li>{_entry(S1)}</li><li>{_entry(S2)}</li></ul></div></div>'
    )
    html = _page(
        f'<div class="row"><div class="col-8">{_entry(A)}{_entry(B)}</div>'
        f'<div class="col-4">{box}</div></div>'
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_empty_main_list_with_full_sidebars_has_no_entries() -> None:
    html = _page(
        '<div class="row"><div class="col-8"><h1>World</h1><div class="tjp-latest-entries"></div>'
        "<p>No more articles.</p></div>"
        f'<aside class="col-4"><h3>Most viewed</h3>{_entry(S1)}</aside>'
        f'<div class="col-4"><h3>Editor\'s picks</h3>{_entry(S2)}</div></div>'
    )
    assert _entries(html) == []


def test_has_sidebar_layout_class_is_not_a_sidebar() -> None:
    html = _page(
        f'<div class="layout has-sidebar"><div class="layout__main">{_entry(A)}{_entry(B)}</div>'
        f'<aside class="layout__aside"><h3>Popular</h3>{_entry(S1)}</aside></div>'
        f"<footer><h3>More from The Jakarta Post</h3>{_entry(S2)}</footer>"
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_other_sections_sponsored_and_offsite_links_are_not_entries() -> None:
    html = _page(
        _entry(A)
        + _entry("/adv/2025/05/01/bali-resort-promo.html")
        + _entry("/indonesia/2025/05/01/jakarta-floods.html")
        + _entry("https://example.com/world/2025/05/01/elsewhere.html")
        + _entry(
            "https://www.thejakartapost.com/world/2025/05/01/main-b.html?utm_source=x&utm_medium=y"
        )
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_legacy_latest_detail_entries() -> None:
    html = _page(
        f'<div class="latestDetail"><a href="{A}"><h2 class="titleNews">A</h2></a>'
        '<span class="date">Mon, May 1, 2017</span></div>'
        '<div class="latestDetail"><a href="/news/2017/05/01/older.html">'
        '<h2 class="titleNews">B</h2></a></div>'
        f'<div class="mostPopular"><div class="latestDetail"><a href="{S1}">S</a></div></div>'
    )
    assert _entries(html) == [BASE + A, f"{BASE}/news/2017/05/01/older.html"]


# --- entries found by structure ---------------------------------------------------------
C = "/world/2025/05/02/headline-c.html"
D = "/world/2025/05/02/headline-d.html"


def _listing(html: str, now: datetime | None = None) -> ListingPage:
    response = HtmlResponse(url=f"{BASE}/world/latest", body=html.encode(), encoding="utf-8")
    return ListingPage(response, section="world", base_url=BASE, now=now)


def test_headline_cards_above_the_list_are_entries() -> None:
    cards = (
        f'<section class="top"><div class="lead"><a href="{C}"><img src="c.jpg"></a>'
        f'<h1><a href="{C}">Headline C</a></h1><p>Lede of C.</p></div>'
        f'<div class="second"><a href="{D}"><strong>Headline D</strong></a></div></section>'
    )
    html = _page(cards + f'<div class="list">{_entry(A)}{_entry(B)}</div>')
    entries = _listing(html).entries()
    assert [e.url for e in entries] == [BASE + C, BASE + D, BASE + A, BASE + B]
    assert entries[0].title == "Headline C"
    assert entries[0].teaser == "Lede of C."
    assert entries[1].title == "Headline D"


def test_a_wrapper_carrying_the_entry_class_is_a_container_not_an_entry() -> None:
    items = "".join(
        f'<li><a href="{path}"><h2>Story {n}</h2></a><p>Teaser {n}.</p></li>'
        for n, path in enumerate((A, B, C, D))
    )
    html = _page(f'<ul class="listNews">{items}</ul>')
    assert _entries(html) == [BASE + A, BASE + B, BASE + C, BASE + D]


@pytest.mark.parametrize(
    "template",
    [
        '<li class="x"><a href="{u}">{t}</a></li>',
        '<article><header class="card-header"><h2><a href="{u}">{t}</a></h2></header>'
        '<footer class="card-footer">by someone</footer></article>',
        '<div><div><a href="{u}"><img src="i.jpg"></a></div><h3><a href="{u}">{t}</a></h3></div>',
    ],
    ids=["li", "article", "div"],
)
def test_entries_in_any_markup(template: str) -> None:
    body = "".join(template.format(u=u, t=f"Story {n}") for n, u in enumerate((A, B, C)))
    entries = _listing(_page(f"<section>{body}</section>")).entries()
    assert [e.url for e in entries] == [BASE + A, BASE + B, BASE + C]
    assert [e.title for e in entries] == ["Story 0", "Story 1", "Story 2"]


def test_a_one_story_box_is_known_by_the_heading_inside_it() -> None:
    html = _page(
        f'<div class="row"><div class="c8">{_entry(A)}{_entry(B)}</div>'
        f'<div class="c4"><div class="box"><h3>Editor\'s picks</h3>'
        f'<a href="{S1}">Sidebar one</a></div></div></div>'
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_a_column_is_labelled_by_its_first_box() -> None:
    # Classes renamed: the second box has no heading and no telling class, but the
    # column it shares with a "Popular" box is a sidebar.
    html = _page(
        f'<div class="q1"><div class="q2"><h1>World</h1>{_entry(A)}{_entry(B)}</div>'
        f'<div class="q3"><div class="q4"><div class="q5"><h3>Popular</h3></div>{_entry(S1)}</div>'
        f'<div class="q6">{_entry(S2)}</div></div></div>'
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_an_article_in_both_the_list_and_a_sidebar_is_an_entry() -> None:
    html = _page(
        f"{_entry(A)}{_entry(B)}<aside><h3>Most viewed</h3>{_entry(A)}{_entry(S1)}</aside>"
    )
    assert _entries(html) == [BASE + A, BASE + B]


def test_entries_outside_the_section_are_counted_not_listed() -> None:
    html = _page(
        _entry(A)
        + _entry("/indonesia/2025/05/01/jakarta-floods.html")
        + _entry("/adv/2025/05/01/bali-resort-promo.html")
        + f"<aside>{_entry('/business/2025/05/01/sidebar-business.html')}</aside>"
    )
    listing = _listing(html)
    assert [e.url for e in listing.entries()] == [BASE + A]
    assert listing.outside_section() == 2  # the sidebar's is not in the main content


def test_relative_dates_are_measured_from_the_fetch_time() -> None:
    html = _page(
        f'<div class="listNews"><a href="{A}"><h2 class="titleNews">A</h2></a>'
        '<span class="date">3 hours ago</span></div>'
        f'<div class="listNews"><a href="{B}"><h2 class="titleNews">B</h2></a>'
        '<time datetime="2025-05-01T09:30:00+07:00">May 1</time></div>'
    )
    fetched = datetime(2025, 5, 2, 1, 0, tzinfo=timezone.utc)  # 08:00 in Jakarta
    a, b = _listing(html, now=fetched).entries()
    assert a.published == date(2025, 5, 2)
    assert a.published_at is None  # "3 hours ago" gives a day, not an instant
    assert b.published_at == datetime(2025, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    # Without a fetch time the page object reads no clock: the URL's day stands in.
    assert _listing(html).entries()[0].published == date(2025, 5, 1)
