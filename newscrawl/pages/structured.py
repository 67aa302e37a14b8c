"""Structured data a page declares about itself: JSON-LD and <meta> tags."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parsel import Selector

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
     "OpinionNewsArticle", "BlogPosting", "Report", "ReviewNewsArticle"}
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


def find_article_jsonld(selector: Selector) -> tuple[dict[str, Any] | None, list[str]]:
    """The page's NewsArticle node, if any, and a list of problems met on the way.

    Malformed blocks are skipped (and reported), never raised: JSON-LD is the first
    of several sources, not a requirement.
    """
    problems: list[str] = []
    for raw in selector.xpath(
        '//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]/text()'
    ).getall():
        if len(raw) > MAX_JSONLD_CHARS:
            problems.append("json-ld block too large")
            continue
        try:
            data = _loads_lenient(raw.strip())
        except (ValueError, RecursionError) as exc:
            problems.append(f"malformed json-ld: {exc.__class__.__name__}")
            continue
        for node in _walk_nodes(data):
            if _types(node) & ARTICLE_TYPES:
                return node, problems
    return None, problems


def meta_content(selector: Selector, *names: str) -> str | None:
    """First non-empty content of <meta property|name=...> among `names`, in order."""
    for name in names:
        value = selector.xpath(
            f'//meta[@property="{name}" or @name="{name}" or @itemprop="{name}"]/@content'
        ).get()
        if value and value.strip():
            return value.strip()
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
