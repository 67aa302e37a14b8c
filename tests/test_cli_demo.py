"""`newscrawl demo`: the bundled site copy crawled end to end on 127.0.0.1."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from newscrawl.cli import main
from newscrawl.demo import crawl_command, summary
from tests.helpers import REPO, SITE, bundled_site_records, run_newscrawl

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1] / "newscrawl" / "schema" / "article.schema.json"
    ).read_text(encoding="utf-8")
)


def readme_demo_output() -> list[str]:
    """The demo output README.md shows under "Try it offline"."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    after = readme.split("then this summary on stdout", 1)[1]
    block = after.split("```\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def newest_expected() -> dict[str, Any]:
    """The newest article of the bundled copy, from the hand-written expected records."""
    records = list(bundled_site_records().values())
    return max(records, key=lambda r: datetime.fromisoformat(r["published_at"]))


def test_demo_prints_what_readme_shows(tmp_path):
    done = run_newscrawl(tmp_path, "demo")

    assert done.returncode == 0, done.stderr
    # README's example is the demo's real output, newest article included.
    assert done.stdout.splitlines() == readme_demo_output()
    newest = newest_expected()
    assert f"  title:        {newest['title']}" in done.stdout.splitlines()
    assert f"  authors:      {', '.join(newest['authors'])}" in done.stdout.splitlines()
    assert f"  published_at: {newest['published_at']}" in done.stdout.splitlines()
    serving, finished = done.stderr.splitlines()
    assert re.fullmatch(
        rf"newscrawl demo: serving {re.escape(str(SITE))} at http://127\.0\.0\.1:\d+, "
        r"crawling into data/demo/world\.jsonl",
        serving,
    )
    assert finished == "newscrawl demo: crawl finished, 16 articles"
    # State, lock and learned boilerplate went to a temporary directory, not under data/.
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["demo"]
    written = {p.name for p in (tmp_path / "data" / "demo").iterdir()}
    assert {"world.jsonl", "world.report.json"} <= written
    assert written <= {"world.jsonl", "world.report.json", "world.failures.jsonl"}
    lines = (tmp_path / "data" / "demo" / "world.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 16
    validator = Draft202012Validator(SCHEMA)
    for number, line in enumerate(lines, start=1):
        errors = [e.message for e in validator.iter_errors(json.loads(line))]
        assert errors == [], f"line {number}: {errors}"


def test_demo_state_stays_out_of_the_user_directory(tmp_path):
    command = crawl_command(
        "http://127.0.0.1:1", tmp_path / "o.jsonl", tmp_path / "state", verbose=False
    )

    assert f"NEWSCRAWL_STATE_PATH={tmp_path / 'state' / 'jakartapost.sqlite'}" in command
    assert command[command.index("-O") + 1] == str(tmp_path / "o.jsonl")


def test_missing_site_is_a_clear_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    assert main(["demo", "--site", "nowhere"]) == 2

    err = capsys.readouterr().err
    assert "no site copy at nowhere" in err
    assert "--site DIR" in err
    assert not (tmp_path / "data").exists()


def test_summary_shows_the_newest_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = " ".join(f"word{n}" for n in range(100))

    def record(url: str, published: str | None, title: str) -> str:
        fields = {"url": url, "title": title, "authors": ["A", "B"], "published_at": published}
        return json.dumps({**fields, "body": body}) + "\n"

    out = tmp_path / "w.jsonl"
    out.write_text(
        record("https://x/undated.html", None, "Undated")
        # 10:00+07:00 is 03:00 UTC: later than 02:30Z although it reads earlier.
        + record("https://x/b.html", "2024-05-01T10:00:00+07:00", "Tie, second URL")
        + record("https://x/z.html", "2024-05-01T02:30:00Z", "Earlier")
        + record("https://x/a.html", "2024-05-01T03:00:00Z", "Tie, first URL")
        + "not json\n",
        encoding="utf-8",
    )

    text = summary(out, 0)

    lines = text.splitlines()
    assert lines[:3] == [
        "Demo crawl finished with exit status 0.",
        "4 articles in w.jsonl",
        "1 line skipped, not article records ('newscrawl validate w.jsonl' says why)",
    ]
    assert lines[4:8] == [
        "Newest article:",
        "  title:        Tie, first URL",
        "  authors:      A, B",
        "  published_at: 2024-05-01T03:00:00Z",
    ]
    shown = text.split("  body:         ", 1)[1].split("\n", 1)[0]
    assert shown.endswith(" …")
    assert len(shown) <= 302
    assert body.startswith(shown[:-2])
