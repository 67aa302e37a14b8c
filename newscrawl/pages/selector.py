"""The parsed tree every page object reads from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsel import Selector
from w3lib.encoding import html_body_declared_encoding

if TYPE_CHECKING:
    from scrapy.http import TextResponse


def page_selector(response: TextResponse) -> Selector:
    """A parsel selector of `response`'s body, owned by the caller.

    Not `response.selector`: Scrapy's selector points back at its response, a reference
    cycle that keeps each parsed tree (several MB) alive until the cyclic garbage
    collector runs, which doubled a crawl's peak RSS. This one is freed with the page
    object holding it. It is built from the bytes with the response's encoding, so the
    body is not decoded and encoded again on the way to lxml. parsel refuses an empty
    body, and an empty page is still a page (with no title), hence the stand-in.
    """
    return Selector(
        body=response.body or b"<html></html>",
        encoding=_encoding(response),
        type="html",
        # The page objects resolve links themselves (against the site root); the <base>
        # tag scan of get_base_url would decode the whole body once more for nothing.
        base_url=response.url,
    )


_UTF8 = frozenset({"utf-8", "utf8"})


def _encoding(response: TextResponse) -> str:
    """The response's encoding, unless it claims UTF-8 for bytes that are not: servers
    (and copies of the site) send "charset=utf-8" for old pages written in windows-1252,
    whose own <meta> says so. Decoding those as UTF-8 would fill the text with U+FFFD."""
    encoding = response.encoding
    if encoding.lower() not in _UTF8:
        return encoding
    try:
        response.body.decode("utf-8")
    except UnicodeDecodeError:
        declared = html_body_declared_encoding(response.body)
        if declared and declared.lower() not in _UTF8:
            return declared
        return "cp1252"
    return encoding
