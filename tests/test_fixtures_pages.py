"""Every page fixture case (fixtures/pages/) against its hand-checked item, field by field.

A case is a recorded page, its metadata and the item it must become (newscrawl.fixtures
describes the layout). An article case's item is the exported record: the page object's
raw item through the cleaning pipelines. Each field is its own test, so a change shows
exactly which fields of which pages it moved; `no_extra_fields` catches a field the
expected item does not know about (or one it names that the item lost).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from newscrawl.fixtures import ARTICLE_PAGE, Case, find_cases
from newscrawl.items import EXPORT_FIELDS
from tests.helpers import PAGE_CASES

CASES = find_cases(PAGE_CASES)


@cache
def _run(case: Case) -> Any:
    return case.run()


def _keys(value: Any) -> list[Any]:
    return list(value) if isinstance(value, dict) else list(range(len(value)))


FIELDS = [(case, key) for case in CASES for key in _keys(case.expected())]


def test_the_cases_cover_both_layouts_and_every_extraction_path() -> None:
    articles = [case for case in CASES if case.page_class == ARTICLE_PAGE]
    paths = {case.expected()["extraction_path"] for case in articles}
    assert paths >= {"current-layout", "legacy-layout", "generic-fallback"}


@pytest.mark.parametrize(("case", "field"), FIELDS, ids=[f"{c.name}-{k}" for c, k in FIELDS])
def test_field(case: Case, field: Any) -> None:
    assert _run(case)[field] == case.expected()[field]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_extra_fields(case: Case) -> None:
    assert _keys(_run(case)) == _keys(case.expected())


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.page_class == ARTICLE_PAGE], ids=lambda c: c.name
)
def test_an_article_case_names_every_exported_field_in_order(case: Case) -> None:
    assert list(case.expected()) == list(EXPORT_FIELDS)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_second_run_gives_the_same_item(case: Case) -> None:
    # The frozen time is the only clock a page sees, and a page object keeps no state.
    assert case.run() == _run(case)
