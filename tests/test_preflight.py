"""Bad input from the user: a one-line error naming the problem, a non-zero exit, no
request made and nothing half-written."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from newscrawl.preflight import PreflightError, check_base_url, check_writable
from newscrawl.sitecopy import serve_site
from tests.helpers import run_crawl
from tests.test_faults_site import build_site

if TYPE_CHECKING:
    from pathlib import Path

    from tests.helpers import CrawlResult


# --- the checks ------------------------------------------------------------------------------


def test_a_writable_new_path_passes(tmp_path: Path) -> None:
    check_writable(str(tmp_path / "new" / "deeper" / "out.jsonl"), "output file")
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_a_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(PreflightError, match=r"plain is a file, not a folder"):
        check_writable(str(tmp_path / "plain" / "sub" / "out.jsonl"), "output file")


def test_a_template_is_checked_up_to_its_first_parameter(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(PreflightError, match="NEWSCRAWL_STATE_PATH"):
        check_writable(str(tmp_path / "plain" / "%(name)s.sqlite"), "NEWSCRAWL_STATE_PATH")
    check_writable(str(tmp_path / "data" / "%(name)s" / "%(run_id)s.jsonl"), "output file")


def test_a_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PreflightError, match="is a folder, not a file"):
        check_writable(str(tmp_path), "output file")


@pytest.mark.parametrize("value", ["", "www.thejakartapost.com", "ftp://example.org", "http://"])
def test_a_base_url_must_be_an_http_site_root(value: str) -> None:
    with pytest.raises(PreflightError, match="JAKARTAPOST_BASE_URL"):
        check_base_url(value)


# --- end to end -------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path):
    build_site(tmp_path / "site", ["a"])
    with serve_site(tmp_path / "site") as server:
        yield server


def _refused(result: CrawlResult, code: int, words: str) -> str:
    assert result.returncode == code, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if words in line]
    assert len(errors) == 1, result.stderr[-2000:]
    assert not result.output.exists()
    assert not list(result.output.parent.glob("out.*"))
    return errors[0]


@pytest.mark.parametrize(
    ("arg", "words"),
    [
        ("section=sport-betting", "unknown section 'sport-betting'"),
        ("since=last tuesday", "since='last tuesday' is not a date"),
        ("max_pages=-3", "max_pages='-3' must be at least 1"),
    ],
)
def test_bad_spider_arguments(site, tmp_path: Path, arg: str, words: str) -> None:
    result = run_crawl(site.base_url, tmp_path, arg)
    _refused(result, 2, words)
    assert site.request_log == []


def test_an_output_path_under_a_file(site, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    result = run_crawl(site.base_url, tmp_path, output=tmp_path / "plain" / "out.jsonl")
    line = _refused(result, 2, "is a file, not a folder")
    assert "output file" in line
    assert site.request_log == []


def test_an_output_path_that_is_a_folder(site, tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").mkdir()
    result = run_crawl(site.base_url, tmp_path)
    assert result.returncode == 2
    assert "output file" in result.stderr
    assert "is a folder, not a file" in result.stderr
    assert site.request_log == []


def test_a_state_path_under_a_file(site, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    result = run_crawl(
        site.base_url,
        tmp_path,
        settings={"NEWSCRAWL_STATE_PATH": str(tmp_path / "plain" / "state.sqlite")},
    )
    line = _refused(result, 2, "is a file, not a folder")
    assert "NEWSCRAWL_STATE_PATH" in line
    assert site.request_log == []


def test_a_base_url_that_is_not_a_site(site, tmp_path: Path) -> None:
    result = run_crawl("ftp://example.org", tmp_path)
    _refused(result, 2, "JAKARTAPOST_BASE_URL='ftp://example.org' is not an http(s) site root")


def test_a_corrupt_state_file(site, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    state.write_bytes(b"this was a state file until the disk filled up\x00\x13")
    result = run_crawl(site.base_url, tmp_path, settings={"NEWSCRAWL_STATE_PATH": str(state)})
    assert result.returncode != 0
    line = _refused(result, result.returncode, str(state))
    assert "crawl state" in line
    assert state.read_bytes().startswith(b"this was a state file")  # left as it was
    assert site.request_log == []


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("NEWSCRAWL_STATE_NOW", "next tuesday", "NEWSCRAWL_STATE_NOW='next tuesday' is not"),
        ("NEWSCRAWL_FAILED_RETRY_HOURS", "1,soon", "NEWSCRAWL_FAILED_RETRY_HOURS="),
    ],
)
def test_a_state_setting_that_cannot_be_read(
    site, tmp_path: Path, setting: str, value: str, words: str
) -> None:
    result = run_crawl(site.base_url, tmp_path, settings={setting: value})
    _refused(result, 2, words)
    assert site.request_log == []
