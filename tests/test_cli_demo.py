"""`newscrawl demo`: the bundled site copy crawled end to end on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from newscrawl.cli import main
from newscrawl.demo import crawl_command, summary

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1] / "newscrawl" / "schema" / "article.schema.json"
    ).read_text(encoding="utf-8")
)


def test_demo_crawls_the_bundled_site(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    status = main(["demo"])

    out = capsys.readouterr().out
    assert status == 0, out
    output = tmp_path / "data" / "demo" / "world.jsonl"
    assert output.exists()
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines
    validator = Draft202012Validator(SCHEMA)
    for number, line in enumerate(lines, start=1):
        errors = [e.message for e in validator.iter_errors(json.loads(line))]
        assert errors == [], f"line {number}: {errors}"
    assert f"{len(lines)} articles in data/demo/world.jsonl" in out
    assert f"  title:        {json.loads(lines[0])['title']}" in out
    # State, lock and learned boilerplate went to a temporary directory, not under data/.
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["demo"]


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


def test_summary_shows_the_first_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = " ".join(f"word{n}" for n in range(100))
    record = {
        "title": "T",
        "authors": ["A", "B"],
        "published_at": "2024-05-01T10:00:00+07:00",
        "body": body,
    }
    out = tmp_path / "w.jsonl"
    out.write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n", encoding="utf-8")

    text = summary(out, 0)

    assert "2 articles in w.jsonl" in text
    assert "  authors:      A, B" in text
    shown = text.split("  body:         ", 1)[1].split("\n", 1)[0]
    assert shown.endswith(" …")
    assert len(shown) <= 302
    assert body.startswith(shown[:-2])
