"""Run files: written as .part, fsynced before the state hears of them, salvaged."""

from __future__ import annotations

from newscrawl.feeds import DurableFileFeedStorage, SyncedLineFile
from newscrawl.state.salvage import salvage_folder


def line(n: int) -> bytes:
    return b'{"url": "https://www.thejakartapost.com/world/a%d", "version": 1}\n' % n


def test_lines_reach_the_sink_only_after_a_sync(tmp_path):
    seen: list[list[bytes]] = []
    f = SyncedLineFile(tmp_path / "run.jsonl.part", 2, seen.append)
    f.write(line(1))
    assert seen == []
    f.write(line(2)[:10])
    f.write(line(2)[10:])
    assert seen == [[line(1).rstrip(b"\n"), line(2).rstrip(b"\n")]]
    f.write(line(3))
    f.close()
    assert seen[-1] == [line(3).rstrip(b"\n")]
    assert (tmp_path / "run.jsonl.part").read_bytes() == line(1) + line(2) + line(3)


def test_overwrite_renames_and_append_keeps_earlier_lines(tmp_path):
    target = tmp_path / "out.jsonl"
    for overwrite, expected in ((True, line(1)), (False, line(1) + line(2))):
        storage = DurableFileFeedStorage(str(target), feed_options={
            "format": "jsonlines", "overwrite": overwrite})
        f = storage.open(None)
        f.write(line(1) if overwrite else line(2))
        assert not target.exists() or target.read_bytes() == line(1)
        storage.store(f)
        assert target.read_bytes() == expected
        assert not storage.part.exists()


def test_salvage_cuts_the_partial_line_and_commits_the_rest(tmp_path):
    (tmp_path / "run1.jsonl.part").write_bytes(line(1) + line(2) + line(3)[:17])
    (tmp_path / "empty.jsonl.part").write_bytes(line(4)[:5])
    (tmp_path / "out.jsonl.part").write_bytes(line(5))
    (tmp_path / "notes.txt.part").write_bytes(b"left alone")
    committed: list[bytes] = []
    reserved = {tmp_path / "out.jsonl"}  # this run writes out.jsonl itself
    found = salvage_folder(tmp_path, reserved=reserved, sink=committed.extend)

    assert (tmp_path / "run1.jsonl").read_bytes() == line(1) + line(2)
    assert not (tmp_path / "empty.jsonl.part").exists()
    assert not (tmp_path / "empty.jsonl").exists()
    recovered = [p for p in found if p.name.startswith("out.recovered-")]
    assert len(recovered) == 1
    assert recovered[0].suffix == ".jsonl"
    assert recovered[0].read_bytes() == line(5)
    assert (tmp_path / "notes.txt.part").exists()
    assert sorted(committed) == sorted(x.rstrip(b"\n") for x in (line(1), line(2), line(5)))


def test_salvage_folds_a_killed_runs_lines_into_its_O_file(tmp_path):
    world = tmp_path / "world.jsonl"
    world.write_bytes(line(1) + line(2))
    newer = line(2).replace(b'"version": 1', b'"version": 2')
    (tmp_path / "world.jsonl.part").write_bytes(newer + line(3) + line(4)[:12])
    committed: list[bytes] = []
    found = salvage_folder(tmp_path, reserved={world}, sink=committed.extend,
                           merged=frozenset({world}))
    assert found == [world]
    assert world.read_bytes() == line(1) + newer + line(3)
    assert sorted(committed) == sorted(x.rstrip(b"\n") for x in (newer, line(3)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["world.jsonl"]
