"""The published JSON Schema and the Article item describe the same record."""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources

import jsonschema
import pytest

from newscrawl.items import EXPORT_FIELDS, Article


@pytest.fixture(scope="module")
def schema():
    text = resources.files("newscrawl").joinpath("schema/article.schema.json").read_text("utf-8")
    return json.loads(text)


def _article(**changes):
    record = Article(
        url="https://www.thejakartapost.com/world/2025/04/08/a.html", section="world",
        title="A title", summary=None, authors=[], published_at="2025-04-08T16:06:36+07:00",
        modified_at=None, tags=[], image_url=None, body="One.\n\nTwo.", word_count=2,
        is_premium=False, is_truncated=False, language="en",
        crawled_at="2026-11-26T10:00:00+00:00", extraction_path="current-layout",
        content_hash="0" * 64,
    )
    data = {k: v for k, v in asdict(record).items() if k in EXPORT_FIELDS}
    data.update(changes)
    return data


def test_schema_lists_exactly_the_exported_fields(schema):
    assert list(schema["properties"]) == list(EXPORT_FIELDS)
    assert set(schema["required"]) == set(EXPORT_FIELDS)
    assert "raw_body_chars" not in EXPORT_FIELDS


def test_a_complete_record_is_valid(schema):
    jsonschema.validate(_article(), schema)


@pytest.mark.parametrize(
    "changes",
    [
        {"published_at": "2025-04-08"},  # an instant needs time and offset
        {"published_at": "2025-04-08T16:06:36"},
        {"body": ""},
        {"authors": "AFP"},
        {"extraction_path": "guess"},
        {"extra": 1},
    ],
)
def test_bad_records_are_rejected(schema, changes):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_article(**changes), schema)
