"""Structured data a page declares about itself: JSON-LD and <meta> tags."""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "Report",
        "ReviewNewsArticle",
    }
)

# Raw control characters are the usual way CMS-made JSON-LD breaks json.loads.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f]")
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
# Bound on how much JSON-LD is worth parsing: a real block is a few KB.
MAX_JSONLD_CHARS = 512 * 1024


def _loads_lenient(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        repaired = _TRAILING_COMMA.sub(r"\1", _CONTROL_CHARS.sub(" ", raw))
        return json.loads(repaired)


def _walk_nodes(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 8:
        return []
    if isinstance(data, list):
        return [n for item in data for n in _walk_nodes(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    nodes = [data]
    for key in ("@graph", "mainEntity"):
        if key in data:
            nodes.extend(_walk_nodes(data[key], depth + 1))
    return nodes


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def find_article_jsonld(
    blocks: Iterable[str], canonical: str | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """The page's own NewsArticle among its JSON-LD `blocks`, and the problems met.

    A page may also describe other stories (a related article, a live blog's parent):
    the node whose url or mainEntityOfPage names the page's `canonical` URL wins, else
    the first article node. Malformed blocks are skipped (and reported), never raised:
    JSON-LD is the first of several sources, not a requirement.
    """
    problems: list[str] = []
    found: list[dict[str, Any]] = []
    for raw in blocks:
        if len(raw) > MAX_JSONLD_CHARS:
            problems.append("json-ld block too large")
            continue
        try:
            data = _loads_lenient(raw.strip())
        except (ValueError, RecursionError) as exc:
            problems.append(f"malformed json-ld: {exc.__class__.__name__}")
            continue
        found.extend(node for node in _walk_nodes(data) if _types(node) & ARTICLE_TYPES)
    if not found:
        return None, problems
    own = _path(canonical)
    chosen = next((node for node in found if own and own in _node_paths(node)), found[0])
    return _unescaped(chosen), problems


def _path(url: str | None) -> str | None:
    return urlsplit(url.strip()).path.rstrip("/") or None if url else None


def _node_paths(node: dict[str, Any]) -> set[str | None]:
    return {_path(as_text(node.get(key))) for key in ("url", "mainEntityOfPage", "@id")}


def _unescaped(value: Any, depth: int = 0) -> Any:
    """`value` with HTML entities decoded in its strings: some CMSs escape the JSON-LD
    text for HTML ("Trade &amp; security") although a script's content is never parsed
    as HTML."""
    if depth > 8:
        return value
    if isinstance(value, str):
        return html.unescape(value) if "&" in value else value
    if isinstance(value, list):
        return [_unescaped(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _unescaped(item, depth + 1) for key, item in value.items()}
    return value


@dataclass
class PageMetadata:
    """What a page says about itself in <meta>, <link>, <title>, <time> and JSON-LD.

    Gathered in one walk over those few tags (lxml picks them out in C), so each field
    of the article reads a dict instead of querying the whole document again.
    """

    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    title: str | None = None
    jsonld_blocks: list[str] = field(default_factory=list)
    #: (datetime attribute, visible text) of each <time>, in page order
    times: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, root: HtmlElement) -> PageMetadata:
        found = cls()
        for element in root.iter("meta", "link", "script", "title", "time"):
            tag = element.tag
            if tag == "meta":
                content = (element.get("content") or "").strip()
                if content:
                    for attribute in ("property", "name", "itemprop"):
                        key = (element.get(attribute) or "").strip().lower()
                        if key:
                            found.meta.setdefault(key, content)
            elif tag == "link":
                rel = (element.get("rel") or "").lower().split()
                if found.canonical is None and "canonical" in rel:
                    found.canonical = element.get("href")
            elif tag == "script":
                if "ld+json" in (element.get("type") or "").lower() and element.text:
                    found.jsonld_blocks.append(element.text)
            elif tag == "title":
                if found.title is None:
                    found.title = element.text_content()
            elif element.get("datetime"):
                found.times.append((element.get("datetime", ""), element.text_content()))
        return found

    def first(self, *names: str) -> str | None:
        """Content of the first of `names` the page has (as property, name or itemprop)."""
        for name in names:
            value = self.meta.get(name.lower())
            if value:
                return value
        return None


def as_text(value: Any) -> str | None:
    """A JSON-LD value that should be text: strings pass, lists give their first text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            text = as_text(item)
            if text:
                return text
    if isinstance(value, dict):
        for key in ("name", "url", "@id"):
            text = as_text(value.get(key))
            if text:
                return text
    return None


def jsonld_image_url(value: Any) -> str | None:
    """The URL of a JSON-LD `image`: a string, an ImageObject, or a list of either.

    An ImageObject that is only a reference ({"@id": "...#primaryimage"}) names a node,
    not a picture, and gives nothing here.
    """
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            url = jsonld_image_url(item)
            if url:
                return url
    if isinstance(value, dict):
        for key in ("url", "contentUrl"):
            url = as_text(value.get(key))
            if url:
                return url
    return None


def as_names(value: Any) -> list[tuple[str, bool]]:
    """Names from a JSON-LD author value, each with whether it is an organisation."""
    if isinstance(value, str):
        return [(value, False)] if value.strip() else []
    if isinstance(value, list):
        return [n for item in value for n in as_names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = as_text(name)
        if isinstance(name, str) and name.strip():
            return [(name, "Organization" in _types(value))]
    return []
