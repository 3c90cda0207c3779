"""``crossdock sftp check|poll|push`` against a real sshd, through the typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from crossdock.bridges.sftp import InboundPoller, MemorySink, SftpSession, load_profile
from crossdock.bridges.sftp.folder_sink import FolderSink
from crossdock.bridges.sftp.hostkeys import fingerprint_of_line
from crossdock.cli import app
from tests.fixtures.sshd import SshServer, interchange

pytestmark = pytest.mark.integration
runner = CliRunner()


def write_profile(sshd: SshServer, tmp_path: Path, **overrides: object) -> Path:
    path = tmp_path / "acme3pl.yaml"
    path.write_text(yaml.safe_dump(sshd.profile_dict(**overrides)))
    return path


def test_check_shows_the_pinned_key_and_folders(sshd: SshServer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sftp", "check", str(write_profile(sshd, tmp_path))])
    assert result.exit_code == 0, result.output
    assert fingerprint_of_line(sshd.host_public_key) in result.output
    assert f"inbound   {sshd.folder('inbound')}: 0 entries" in result.output


def test_check_with_a_changed_host_key_exits_2(sshd: SshServer, tmp_path: Path) -> None:
    profile = write_profile(sshd, tmp_path)
    sshd.new_host_key()
    sshd.restart()
    result = runner.invoke(app, ["sftp", "check", str(profile)])
    assert result.exit_code == 2
    assert "NOT pinned" in result.output


def test_poll_once_stores_journals_and_archives(sshd: SshServer, tmp_path: Path) -> None:
    (sshd.folder("inbound") / "ASN_31.edi").write_bytes(interchange(control=31))
    (sshd.folder("inbound") / "junk.txt").write_bytes(b"junk")
    out = tmp_path / "received"
    result = runner.invoke(
        app, ["sftp", "poll", str(write_profile(sshd, tmp_path, settle_s=0.2)), "--to", str(out), "--once", "--json"]
    )
    assert result.exit_code == 1, result.output  # one file was rejected
    report = json.loads(result.stdout.splitlines()[0])
    assert [name for name, _ in report["accepted"]] == ["ASN_31.edi"]
    assert [name for name, _ in report["rejected"]] == ["junk.txt"]
    events = [json.loads(line)["event"] for line in (out / "journal.jsonl").read_text().splitlines()]
    assert sorted(events) == ["enqueued", "rejected"]
    assert (sshd.folder("archive") / "ASN_31.edi").exists()
    # A second run of the CLI (a new process in real life) still knows the interchange: duplicate;
    # the same ISA13 with other content (a reused control number) is a new interchange
    (sshd.folder("inbound") / "ASN_31_again.edi").write_bytes(interchange(control=31))
    (sshd.folder("inbound") / "ASN_31_reused.edi").write_bytes(interchange(control=31, body="Y"))
    again = runner.invoke(
        app, ["sftp", "poll", str(write_profile(sshd, tmp_path, settle_s=0.2)), "--to", str(out), "--once", "--json"]
    )
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert [name for name, _ in report["duplicates"]] == ["ASN_31_again.edi"]
    assert [name for name, _ in report["accepted"]] == ["ASN_31_reused.edi"]
    assert report["busy"] is None and report["gone"] == []


def test_poll_skips_a_mailbox_another_poller_holds_and_says_busy(sshd: SshServer, tmp_path: Path) -> None:
    # Given another poller on this host holding the mailbox's lock in the same --to folder
    (sshd.folder("inbound") / "ASN_41.edi").write_bytes(interchange(control=41))
    profile_file = write_profile(sshd, tmp_path, settle_s=0.2)
    out = tmp_path / "received"
    mailbox = InboundPoller(SftpSession(load_profile(profile_file)), MemorySink()).mailbox  # no IO
    with FolderSink(out).hold(mailbox) as held:
        assert held
        # When the CLI polls
        busy = runner.invoke(app, ["sftp", "poll", str(profile_file), "--to", str(out), "--once"])
    # Then it says so, exits 0 and leaves the file for the poller holding the mailbox
    assert busy.exit_code == 0, busy.output
    assert busy.output.startswith("busy ") and "another poller" in busy.output
    assert (sshd.folder("inbound") / "ASN_41.edi").exists()
    done = runner.invoke(app, ["sftp", "poll", str(profile_file), "--to", str(out), "--once"])
    assert done.exit_code == 0 and "accepted  ASN_41.edi" in done.output, done.output


def test_push_names_the_file_from_the_pattern(sshd: SshServer, tmp_path: Path) -> None:
    doc = tmp_path / "asn.edi"
    doc.write_bytes(interchange(control=77))
    profile = write_profile(sshd, tmp_path, outbound_name="{partner}_{set}_{control:09d}.edi")
    result = runner.invoke(app, ["sftp", "push", str(profile), str(doc)])
    assert result.exit_code == 0, result.output
    assert (sshd.folder("outbound") / "acme3pl_856_000000077.edi").read_bytes() == doc.read_bytes()
    twice = runner.invoke(app, ["sftp", "push", str(profile), str(doc)])
    assert twice.exit_code == 1
    assert "already exists" in twice.output


def test_bad_profile_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("partner: acme\nhost: h\n")
    result = runner.invoke(app, ["sftp", "check", str(bad)])
    assert result.exit_code == 2
    assert "folders" in result.output and "user" in result.output


def test_poll_defaults_to_the_settings_data_dir(
    sshd: SshServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSDOCK_DATA_DIR", str(tmp_path / "var"))
    (sshd.folder("inbound") / "ASN_41.edi").write_bytes(interchange(control=41))
    result = runner.invoke(app, ["sftp", "poll", str(write_profile(sshd, tmp_path, settle_s=0.2)), "--once"])
    assert result.exit_code == 0, result.output
    assert "accepted  ASN_41.edi  sha256:" in result.output
    assert (tmp_path / "var" / "sftp" / "acme3pl" / "journal.jsonl").exists()
