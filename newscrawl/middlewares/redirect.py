"""Keep redirects on the site: refuse, visibly, any redirect that would leave it.

Scrapy follows a redirect to any host, and when the spider sets `allowed_domains`
the off-site hop is dropped by the offsite filter without reaching the request's
errback, so the article would vanish from both output and failures. This middleware
sits in front of `RedirectMiddleware` (its `process_response` runs first) and raises
`IgnoreRequest` for a Location or meta refresh pointing at another host or at a
non-http(s) URL; the spider's errback then reports the page failed with that reason.

It also stops a redirect loop at its first repeat: Scrapy would follow it until the
duplicate filter silently drops the request that comes back to an URL already asked for.

On-site means the host of ``JAKARTAPOST_BASE_URL`` or any host of thejakartapost.com
(www, mirrors), the same rule `newscrawl.urls.rebase` applies to links.

Stats: ``newscrawl/redirect/refused/offsite``, ``newscrawl/redirect/refused/scheme``,
``newscrawl/redirect/refused/loop``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from newscrawl.urls import is_site_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class OnSiteRedirectMiddleware:
    crawler: Crawler

    def __init__(self, base_host: str, meta_refresh_max_delay: float) -> None:
        self.base_host = base_host
        self.meta_refresh_max_delay = meta_refresh_max_delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured
        base_host = urlsplit(settings.get("JAKARTAPOST_BASE_URL") or "").hostname
        if not base_host:
            raise NotConfigured("JAKARTAPOST_BASE_URL has no host")
        middleware = cls(base_host, settings.getfloat("METAREFRESH_MAXDELAY"))
        middleware.crawler = crawler
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_redirect", False):
            return response
        target = self._target(request, response)
        if target is not None:
            self._check(request, target)
        return response

    def _target(self, request: Request, response: Response) -> str | None:
        if response.status in REDIRECT_STATUSES and "Location" in response.headers:
            location = (response.headers.get("Location") or b"").decode("latin-1").strip()
            if location.startswith("//"):
                location = f"{urlsplit(request.url).scheme}:{location}"
            return urljoin(request.url, location)
        if isinstance(response, HtmlResponse):
            interval, url = get_meta_refresh(response)
            if url and interval is not None and interval < self.meta_refresh_max_delay:
                return url
        return None

    def _check(self, request: Request, target: str) -> None:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            kind, reason = "scheme", f"redirect to a non-http(s) URL refused: {target}"
        elif not parts.hostname or not is_site_host(parts.hostname, self.base_host):
            kind, reason = "offsite", f"redirect to another host refused: {target}"
        elif urldefrag(target)[0] in {
            urldefrag(url)[0] for url in [*request.meta.get("redirect_urls", []), request.url]
        }:
            kind, reason = "loop", f"redirect loop: {request.url} -> {target}"
        else:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/redirect/refused/{kind}")
        logger.info(
            "Not following %(url)s: %(reason)s",
            {"url": request.url, "reason": reason},
            extra={"spider": self.crawler.spider},
        )
        raise IgnoreRequest(reason)
