"""Spider contracts for `scrapy check jakartapost`, the smoke test against the live site.

The callbacks' docstrings carry live `@url`s. `@on_base_url` (after `@url`) moves that
URL onto ``JAKARTAPOST_BASE_URL``, so the same contracts check a copy of the site when
the setting points at one, and the real site otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scrapy.contracts import Contract

if TYPE_CHECKING:
    from collections.abc import Callable


class OnBaseUrlContract(Contract):
    """Rebase the contract's request URL onto the spider's ``base_url``.

    @on_base_url
    """

    name = "on_base_url"

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        base = getattr(self.spider, "base_url", None)
        if base and args.get("url"):
            target = urlsplit(args["url"])
            root = urlsplit(base)
            args["url"] = urlunsplit((root.scheme, root.netloc, target.path, target.query, ""))
        return args
