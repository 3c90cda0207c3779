"""The poll state file: saved atomically, read back exactly, and an unreadable file is a ConfigError
that names it (the poller never guesses where to start)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.bridges.rest.poll_state_file import PollStateFile
from crossdock.bridges.rest.polling import PollState
from crossdock.errors import ConfigError

STATE = PollState(datetime(2026, 11, 1, 8, 30, tzinfo=UTC), cursor="?cursor=abc&limit=10",
                  seen_at_watermark=frozenset({"PO-2", "PO-1"}))  # fmt: skip


def test_no_file_is_no_state_and_a_saved_state_reads_back(tmp_path: Path) -> None:
    file = PollStateFile(tmp_path / "rest" / "poll-walmart.json", "walmart")
    assert file.load() is None
    file.save(STATE)
    assert file.load() == STATE
    file.save(PollState(datetime(2026, 11, 2, tzinfo=UTC)))
    assert file.load() == PollState(datetime(2026, 11, 2, tzinfo=UTC))
    assert [p.name for p in file.path.parent.iterdir()] == ["poll-walmart.json"]  # no temporary left behind


def test_a_failed_save_leaves_the_previous_state_whole(tmp_path: Path) -> None:
    # Given a saved state, and a save whose rename cannot happen (the target became a non-empty folder)
    file = PollStateFile(tmp_path / "poll-amazon.json", "amazon")
    file.save(STATE)
    before = file.path.read_bytes()
    blocked = PollStateFile(tmp_path / "blocked", "amazon")
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "x").write_text("x")
    # When saving there fails
    with pytest.raises(ConfigError, match=r"cannot write poll state .*blocked"):
        blocked.save(PollState(datetime(2026, 12, 1, tzinfo=UTC)))
    # Then nothing half-written is left, and the other file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked", "poll-amazon.json"]
    assert file.path.read_bytes() == before and file.load() == STATE


def test_a_save_replaces_by_rename_never_in_place(tmp_path: Path) -> None:
    file = PollStateFile(tmp_path / "poll-amazon.json", "amazon")
    file.save(STATE)
    inode = os.stat(file.path).st_ino
    old = file.path.open("rb")  # a reader holding the old file keeps reading the old, whole content
    file.save(PollState(datetime(2026, 12, 1, tzinfo=UTC)))
    assert os.stat(file.path).st_ino != inode
    assert json.loads(old.read())["state"]["cursor"] == STATE.cursor
    old.close()


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b'{"format": 1, "channel": "amazon", "state": {"watermark": "2026-1', "Expecting|Unterminated"),
        (b"\xff\xfe", "utf-8|Expecting"),
        (b"[]", "not a format 1 poll state"),
        (b'{"format": 1, "channel": "amazon", "state": {}}', "KeyError"),
        (b'{"format": 1, "channel": "amazon", "state": {"watermark": "yesterday"}}', "isoformat|Invalid"),
        (b'{"format": 1, "channel": "amazon", "state": {"watermark": "2026-11-01T00:00:00"}}', "no UTC offset"),
    ],
)
def test_an_unreadable_file_is_a_config_error_naming_it(tmp_path: Path, content: bytes, detail: str) -> None:
    path = tmp_path / "poll-amazon.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=rf"poll state {path} is unreadable \((.*)({detail})") as caught:
        PollStateFile(path, "amazon").load()
    assert "delete it and pass --since" in str(caught.value)


def test_a_file_of_another_channel_is_refused(tmp_path: Path) -> None:
    PollStateFile(tmp_path / "state.json", "walmart").save(STATE)
    with pytest.raises(ConfigError, match=r"state\.json is for channel 'walmart', not 'amazon'"):
        PollStateFile(tmp_path / "state.json", "amazon").load()


def test_a_second_poller_of_the_same_state_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rest" / "poll-amazon.json"
    with PollStateFile(path, "amazon").exclusive():
        second = PollStateFile(path, "amazon")
        with pytest.raises(ConfigError, match=r"poll-amazon\.json is in use by another poller"), second.exclusive():
            pass
        with PollStateFile(tmp_path / "rest" / "poll-walmart.json", "walmart").exclusive():
            pass  # another channel's state is another lock
    with PollStateFile(path, "amazon").exclusive():  # released when the holder is done
        pass
