"""Article identity and the site's URL scheme."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SITE_DOMAIN = "thejakartapost.com"
#: Where the site's articles live; every record's `url` is on this root.
SITE_ROOT = "https://www.thejakartapost.com"

# Query keys that track a click and say nothing about which article it is.
_TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "_ga",
        "igshid",
        "source",
        "amp",
    }
)


def strip_tracking(url: str) -> str:
    """`url` without utm_* and other click-tracking parameters, and without a fragment."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_KEYS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def is_site_host(host: str, base_host: str) -> bool:
    host = host.lower()
    return host == base_host.lower() or host == SITE_DOMAIN or host.endswith("." + SITE_DOMAIN)


def rebase(url: str, base_url: str) -> str | None:
    """`url` moved onto `base_url`'s host if it belongs to the site (www, a mirror, the
    base itself), tracking removed; None for other hosts and non-http(s) schemes."""
    parts = urlsplit(url)
    base = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if not is_site_host(parts.hostname, base.hostname or ""):
        return None
    cleaned = urlsplit(strip_tracking(url))
    return urlunsplit((base.scheme, base.netloc, cleaned.path or "/", cleaned.query, ""))


def is_site_url(url: str) -> bool:
    """Whether `url` is on thejakartapost.com or one of its hosts (www, mirrors)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and is_site_host(parts.hostname or "", SITE_DOMAIN)


def on_site_root(url: str) -> str:
    """`url`'s path and query on `SITE_ROOT`: a page served by a mirror, an http:// link
    or a copy of the site (loopback) names the same article as the www URL."""
    parts = urlsplit(url)
    root = urlsplit(SITE_ROOT)
    return urlunsplit((root.scheme, root.netloc, parts.path or "/", parts.query, ""))


def article_identity(url: str) -> str:
    """The key two copies of one article share: canonical URL, tracking stripped."""
    parts = urlsplit(strip_tracking(url))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


_ARTICLE_PATH = re.compile(
    r"^/(?P<section>[a-z0-9-]+(?:/[a-z0-9-]+)*?)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/[^/]+?(?:\.html?)?/?$",
    re.IGNORECASE,
)
#: Before 2020 every article lived under /news/ whatever its section.
LEGACY_ARTICLE_ROOT = "news"
SPONSORED_ROOTS = frozenset({"adv", "advertorial", "sponsored"})


def article_section(path: str) -> str | None:
    """Section path of an article URL path ("world", "news", "business/companies")."""
    match = _ARTICLE_PATH.match(path)
    return match["section"].lower() if match else None


def is_section_article(url: str, section: str) -> bool:
    """Whether `url` is an article of `section` (or of the pre-2020 /news/ scheme)."""
    path = urlsplit(url).path
    found = article_section(path)
    if found is None:
        return False
    root = found.split("/", 1)[0]
    if root in SPONSORED_ROOTS:
        return False
    return found in (section, LEGACY_ARTICLE_ROOT) or found.startswith(section + "/")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: Sections of thejakartapost.com the spider knows; sub-sections ("business/companies")
#: are accepted below any of them.
KNOWN_SECTIONS = (
    "world", "indonesia", "business", "opinion", "culture", "lifestyle", "sports",
    "science", "tech", "environment", "academia", "multimedia", "travel", "paper",
)  # fmt: skip


_PAGE_SUFFIX = re.compile(r"\.html?$", re.IGNORECASE)


def article_key(url: str) -> str:
    """What two links to one article share on a page: the path, without a trailing
    slash or ".html" (the site answers both spellings)."""
    path = urlsplit(url).path.rstrip("/")
    return _PAGE_SUFFIX.sub("", path) or "/"


# --- sitemaps -------------------------------------------------------------------------
#: The section sitemaps the site publishes (observed 2026-05): recent articles with
#: Google News data, and the whole archive.
NEWS_SITEMAP_PATH = "/{section}/news/sitemap.xml"
ARCHIVE_SITEMAP_PATH = "/{section}/web/sitemap.xml"
_SITEMAP_TOKEN = re.compile(r"[/._-]+")
_YEAR_TOKEN = re.compile(r"^(?:19|20)\d\d$")
_ARCHIVE_TOKENS = frozenset({"web", "archive", "archives", "all", "full"})


def sitemap_section(url: str) -> str | None:
    """The section a sitemap URL belongs to ("world" for /world/news/sitemap.xml,
    "business" for /sitemaps/business-news.xml), or None for a site-wide one."""
    tokens = [t for t in _SITEMAP_TOKEN.split(urlsplit(url).path.lower()) if t]
    return next((t for t in tokens if t in KNOWN_SECTIONS), None)


def sitemap_kind(url: str) -> str:
    """What a sitemap URL says it holds: "news" (recent articles), "archive" (the whole
    archive, or one year of it) or "unknown" (an index, or a name that does not say)."""
    tokens = {t for t in _SITEMAP_TOKEN.split(urlsplit(url).path.lower()) if t}
    if "news" in tokens:
        return "news"
    if tokens & _ARCHIVE_TOKENS or any(_YEAR_TOKEN.match(t) for t in tokens):
        return "archive"
    return "unknown"
