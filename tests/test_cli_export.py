"""`newscrawl export` and `newscrawl stats` on run files from real crawls of a small site copy.

Two crawls of a three-article site, with one article corrected in between, give two
run files. Versions and crawl times are then set by hand (the incremental layer that
numbers versions is not assumed here), and two more run files are written by hand:
a later one holding a stale copy, and one cut short by a crash. The expected table is
picked record by record from those files in the test, not computed by the exporter.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
import pytest

from newscrawl.cli import main
from newscrawl.items import EXPORT_FIELDS
from newscrawl.sitecopy import serve_site
from tests.helpers import read_jsonl, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

CANONICAL = "https://www.thejakartapost.com"
PARAGRAPH = (
    "Officials from both countries met for a third day of talks on trade, security and "
    "fishing rights in the disputed waters, and said they expected to sign an agreement "
    "before the end of the month if the remaining questions were settled."
)


@dataclass(frozen=True)
class Story:
    path: str
    headline: str
    published: str
    modified: str
    author: str
    tags: tuple[str, ...]
    lead: str

    @property
    def url(self) -> str:
        return CANONICAL + self.path


# Slugs sort the other way round from publication; C is published before B as an
# instant although its date reads later.
A = Story("/world/2024/05/01/zebra-crossing-talks.html", "Zebra crossing talks open",
          "2024-05-01T09:00:00+07:00", "2024-05-01T09:30:00+07:00", "Alice Lee",
          ("Asia", "trade"), "The first round of talks opened on Wednesday.")  # fmt: skip
B = Story("/world/2024/05/02/mango-export-row.html", "Mango export row deepens",
          "2024-05-02T20:00:00+00:00", "2024-05-02T21:00:00+00:00", "AFP",
          ("trade",), "Exporters said the new rules would hurt growers.")  # fmt: skip
C = Story("/world/2024/05/03/apple-harvest-fails.html", "Apple harvest fails",
          "2024-05-03T01:00:00+07:00", "2024-05-03T01:00:00+07:00", "Reuters",
          ("climate",), "Farmers blamed the late frost for the losses.")  # fmt: skip
CORRECTION = "Correction: an earlier version of this story misnamed the ministry."


def article_html(story: Story, *, modified: str | None = None, extra: str = "") -> str:
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline,
        "description": f"{story.lead} More inside.",
        "datePublished": story.published,
        "dateModified": modified or story.modified,
        "author": [{"@type": "Person", "name": story.author}],
        "keywords": list(story.tags),
        "isAccessibleForFree": True,
        "inLanguage": "en",
    }
    paragraphs = "".join(
        f"<p>{text}</p>" for text in (story.lead, PARAGRAPH, PARAGRAPH, extra) if text
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{story.headline} - World - The Jakarta Post</title>"
        f"<link rel='canonical' href='{story.url}'>"
        f"<script type='application/ld+json'>{json.dumps(jsonld)}</script></head>"
        "<body><main><article><div class='tjp-single__head'>"
        f"<h1 class='tjp-title tjp-title--single'>{story.headline}</h1></div>"
        f"<div class='tjp-single__content'>{paragraphs}</div></article></main></body></html>"
    )


def listing_html(stories: list[Story]) -> str:
    entries = "".join(
        f"<div class='listNews'><div class='detailNews'><a href='{s.path}'>"
        f"<h2 class='titleNews'>{s.headline}</h2></a></div></div>"
        for s in stories
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>World</title></head>"
        f"<body><main><div class='tjp-latest-entries'>{entries}</div></main></body></html>"
    )


def build_site(root: Path) -> None:
    for story in (A, B, C):
        page = root / story.path.lstrip("/")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article_html(story), encoding="utf-8")
    listing = root / "world" / "latest" / "page-1.html"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(listing_html([C, B, A]), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


def crawl(site: Path, workdir: Path, output: Path) -> list[dict[str, Any]]:
    workdir.mkdir()
    with serve_site(site) as server:
        result = run_crawl(server.base_url, workdir, output=output)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.records


def rewrite(path: Path, records: list[dict[str, Any]], tail: str = "") -> None:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text + tail, encoding="utf-8")


@dataclass
class Runs:
    folder: Path
    first: dict[str, dict[str, Any]]
    second: dict[str, dict[str, Any]]
    stale: dict[str, Any]
    recrawl: dict[str, Any]

    @property
    def expected(self) -> list[dict[str, Any]]:
        """The latest version of each article, picked by hand, in publication order."""
        return [self.recrawl, self.second[C.url], self.second[B.url]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    tmp = tmp_path_factory.mktemp("runs")
    site = tmp / "site"
    build_site(site)
    folder = tmp / "data" / "jakartapost" / "world"
    folder.mkdir(parents=True)

    first_path = folder / "20240510T000000Z.jsonl"
    first = {r["url"]: r for r in crawl(site, tmp / "crawl1", first_path)}
    assert set(first) == {A.url, B.url, C.url}

    page = site / B.path.lstrip("/")
    page.write_text(
        article_html(B, modified="2024-05-04T08:00:00+07:00", extra=CORRECTION), encoding="utf-8"
    )
    second_path = folder / "20240511T000000Z.jsonl"
    second = {r["url"]: r for r in crawl(site, tmp / "crawl2", second_path)}
    assert CORRECTION in second[B.url]["body"]
    assert CORRECTION not in first[B.url]["body"]

    # Versions and crawl times by hand: B was corrected, so its second copy is version 2.
    for record in first.values():
        record.update(version=1, crawled_at="2024-05-10T00:00:00+00:00")
    for url, record in second.items():
        record.update(version=2 if url == B.url else 1, crawled_at="2024-05-11T00:00:00+00:00")
    rewrite(first_path, list(first.values()))
    rewrite(second_path, list(second.values()))

    # A later run file (by name and crawl time) with a stale, version-1 copy of B.
    stale = {**first[B.url], "crawled_at": "2024-05-12T00:00:00+00:00", "title": "Stale copy"}
    rewrite(folder / "20240512T000000Z.jsonl", [stale])
    # A crash: A re-crawled (complete line), then a version 3 of B cut off mid-record.
    recrawl = {**second[A.url], "crawled_at": "2024-05-13T00:00:00+00:00"}
    cut = json.dumps({**second[B.url], "version": 3, "title": "Never finished"})
    rewrite(folder / "20240513T000000Z.jsonl", [recrawl], tail=cut[: len(cut) // 2])

    # Files beside runs that are not run files: a crawl report is already there.
    (folder / "20240511T000000Z.failures.jsonl").write_text(
        json.dumps({"url": CANONICAL + "/world/x.html", "stage": "article", "reason": "HTTP 500"})
        + "\n",
        encoding="utf-8",
    )
    rewrite(folder / "20240514T000000Z.jsonl.part", [{**second[C.url], "version": 9}])
    return Runs(folder, first, second, stale, recrawl)


def export(runs: Runs, tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"table.{fmt}"
    assert main(["export", str(runs.folder.parent), "-o", str(out), *extra]) == 0
    return out


def test_export_keeps_exactly_the_latest_version(runs, tmp_path, capsys):
    out = export(runs, tmp_path, "jsonl")

    table = read_jsonl(out)
    assert table == runs.expected
    assert [r["url"] for r in table] == [A.url, C.url, B.url]
    assert table[2]["version"] == 2
    assert CORRECTION in table[2]["body"]
    err = capsys.readouterr().err
    truncated = runs.folder / "20240513T000000Z.jsonl"
    assert f"{truncated}:2: warning: last line is incomplete" in err
    # 9 lines - 1 skipped - 5 older versions - 0 outside the range = 3 exported
    assert err.splitlines()[-1] == (
        f"newscrawl: exported 3 articles to {out}: 9 lines read from 4 files, "
        "1 skipped (1 cut short), 5 older versions dropped, 0 outside --since/--until"
    )


def test_csv_round_trip(runs, tmp_path):
    out = export(runs, tmp_path, "csv")

    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))

    # Read back by the documented rules: "; " lists, true/false, empty cell = null.
    def parsed(row: dict[str, str]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name in EXPORT_FIELDS:
            cell = row[name]
            if name in ("authors", "tags", "quality_flags"):
                record[name] = cell.split("; ") if cell else []
            elif name in ("word_count", "version"):
                record[name] = int(cell)
            elif name in ("is_premium", "is_truncated"):
                record[name] = {"true": True, "false": False}[cell]
            else:
                record[name] = (
                    cell if cell or name not in ("summary", "modified_at", "image_url") else None
                )
        return record

    assert list(rows[0]) == list(EXPORT_FIELDS)
    assert [parsed(row) for row in rows] == runs.expected


def test_parquet_round_trip(runs, tmp_path):
    out = export(runs, tmp_path, "parquet")

    rows = pq.read_table(out).to_pylist()

    def as_stored(record: dict[str, Any]) -> dict[str, Any]:
        stored = dict(record)
        for name in ("published_at", "modified_at", "crawled_at"):
            value = record[name]
            stored[name] = datetime.fromisoformat(value) if value else None
        return stored

    assert [list(row) for row in rows] == [list(EXPORT_FIELDS)] * 3
    assert rows == [as_stored(r) for r in runs.expected]  # aware datetimes compare as instants


def test_since_until_select_by_publication_instant(runs, tmp_path):
    # B was published 2024-05-02T20:00Z, i.e. 2024-05-03 03:00 in site time.
    out = export(runs, tmp_path, "jsonl", "--since", "2024-05-03", "--until", "2024-05-03")
    assert [r["url"] for r in read_jsonl(out)] == [C.url, B.url]

    out = export(runs, tmp_path, "jsonl", "--until", "2024-05-02T19:00:00Z")
    assert [r["url"] for r in read_jsonl(out)] == [A.url, C.url]


def test_explicit_part_file_is_merged(runs, tmp_path):
    out = tmp_path / "with-part.jsonl"
    part = runs.folder / "20240514T000000Z.jsonl.part"

    assert main(["export", "-q", str(runs.folder), str(part), "-o", str(out)]) == 0

    by_url = {r["url"]: r for r in read_jsonl(out)}
    assert by_url[C.url]["version"] == 9


def test_export_to_stdout_is_quiet_with_q(runs, capsys):
    assert main(["export", "-q", str(runs.folder), "-o", "-"]) == 0

    out, err = capsys.readouterr()
    assert [json.loads(line) for line in out.splitlines()] == runs.expected
    # -q silences progress and the summary, not problems with the input.
    assert err.splitlines() == [
        f"{runs.folder / '20240513T000000Z.jsonl'}:2: warning: last line is incomplete "
        "(a crashed or running write?); skipped"
    ]


def test_invalid_records_are_skipped_and_reported(runs, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    rewrite(bad, [{**runs.second[A.url], "version": 7, "word_count": -1}])
    out = tmp_path / "t.jsonl"

    assert main(["export", "-q", str(runs.folder), str(bad), "-o", str(out)]) == 0

    assert read_jsonl(out) == runs.expected
    assert (
        f"{bad}:1: word_count: -1 is less than the minimum of 1 (record skipped)"
        in capsys.readouterr().err
    )


def test_stats_json_counts_latest_versions(runs, capsys):
    assert main(["stats", "--json", "-q", str(runs.folder)]) == 0

    data = json.loads(capsys.readouterr().out)
    assert data["input"]["files"] == 4
    assert data["input"]["records_read"] == 8
    assert data["input"]["older_versions_dropped"] == 5
    assert data["articles"] == 3
    assert data["per_day"] == {"2024-05-01": 1, "2024-05-03": 2}
    assert data["authors"] == {"AFP": 1, "Alice Lee": 1, "Reuters": 1}
    assert data["tags"] == {"trade": 2, "Asia": 1, "climate": 1}
    assert data["premium_share"] == 0.0
    assert data["word_count"]["max"] == runs.second[B.url]["word_count"]


def test_stats_table(runs, capsys):
    assert main(["stats", str(runs.folder)]) == 0

    out = capsys.readouterr().out
    assert "articles              3" in out
    assert "2024-05-03  2  ##############################" in out


def test_validate_run_folder(runs, capsys):
    assert main(["validate", str(runs.folder)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{runs.folder / '20240513T000000Z.jsonl'}:2: warning: last line is incomplete "
        "(a crashed or running write?); skipped"
    ]
