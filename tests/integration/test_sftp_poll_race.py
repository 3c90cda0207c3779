"""Two pollers on one mailbox against a real sshd: with the shared mailbox lock one polls and the other
reports ``busy``; without it (pollers that do not share a lock), the one that loses the race for a file
reports it under ``gone`` and carries on, and the file is stored and handed on once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from crossdock.bridges.sftp import InboundFile, InboundPoller, MemorySink, PollReport, SftpSession, profile_from_dict
from crossdock.store import Store
from crossdock.store.models import RawPayloadRow
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost
from tests.fixtures.sshd import SshServer, interchange
from tests.integration.test_flows_rabbitmq import write_site

pytestmark = pytest.mark.integration


@dataclass
class InterleavingSink(MemorySink):
    """A real :class:`MemorySink` that, while it hands on its first file, lets ``other`` poll the same
    mailbox: the other poller's whole poll happens inside this one's."""

    other: InboundPoller | None = None
    other_reports: list[PollReport] = field(default_factory=list)

    def enqueue(self, ref: str, item: InboundFile) -> None:
        super().enqueue(ref, item)
        if self.other is not None:
            other, self.other = self.other, None
            self.other_reports.append(other.poll_once())


def _poller(sshd: SshServer, sink: MemorySink, *, lock: MemorySink | None = None) -> tuple[SftpSession, InboundPoller]:
    session = SftpSession(profile_from_dict(sshd.profile_dict()))
    return session, InboundPoller(session, sink, lock=lock)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_pollers_without_a_shared_lock_lose_races_without_raising(sshd: SshServer) -> None:
    # Given three files, and two pollers that each looked once (so all three are complete on the next look)
    files = {f"ASN_{n}.edi": interchange(control=n) for n in (1, 2, 3)}
    for name, data in files.items():
        (sshd.folder("inbound") / name).write_bytes(data)
    shared = MemorySink()  # one store behind both, as the database is
    first_sink = InterleavingSink(stored=shared.stored, queue=shared.queue)
    second_sink = InterleavingSink(stored=shared.stored, queue=shared.queue)
    first_session, first = _poller(sshd, first_sink)
    second_session, second = _poller(sshd, second_sink)
    with first_session, second_session:
        assert first.poll_once().waiting == sorted(files) and second.poll_once().waiting == sorted(files)
        # When the second poller polls the whole mailbox while the first hands on its first file
        first_sink.other = second
        report = first.poll_once()
    [other] = first_sink.other_reports
    # Then the second took all three; the first reports the file it handed on and the two it could not
    # read as gone, and raised nothing
    assert [name for name, _ in other.accepted] == ["ASN_1.edi", "ASN_2.edi", "ASN_3.edi"]
    assert report.accepted == [] and [name for name, _ in report.gone] == ["ASN_1.edi", "ASN_2.edi", "ASN_3.edi"]
    assert "another poller archived it first" in report.gone[0][1]
    assert "another poller took it" in report.gone[1][1]
    assert report.rejected == [] and shared.rejected == [] and first_sink.rejected == []
    # And every file is archived once, stored once (one ref per content)
    assert names(sshd.folder("archive")) == sorted(files) and names(sshd.folder("inbound")) == []
    assert sorted(shared.stored.values()) == sorted(files.values())
    assert names(sshd.folder("error")) == []


def test_with_a_shared_lock_the_second_poller_reports_busy(sshd: SshServer) -> None:
    # Given two pollers sharing one mailbox lock
    (sshd.folder("inbound") / "ASN_4.edi").write_bytes(interchange(control=4))
    lock = MemorySink()
    first_sink, second_sink = InterleavingSink(), InterleavingSink()
    first_session, first = _poller(sshd, first_sink, lock=lock)
    second_session, second = _poller(sshd, second_sink, lock=lock)
    with first_session, second_session:
        first.poll_once()
        second.poll_once()
        # When the second polls while the first is in the middle of its poll
        first_sink.other = second
        report = first.poll_once()
        # Then the second did nothing and said why; the first took the file
        [busy] = first_sink.other_reports
        assert busy.busy is not None and "another poller" in busy.busy and busy.accepted == busy.gone == []
        assert [name for name, _ in report.accepted] == ["ASN_4.edi"] and report.busy is None
        assert second_sink.queue == []
        # And once the first is done, the second polls again (nothing left)
        after = second.poll_once()
    assert after.busy is None and after.accepted == [] and names(sshd.folder("archive")) == ["ASN_4.edi"]


# --- `crossdock sftp poll --enqueue` as two OS processes, on RabbitMQ and the store ------------------------


def _site(
    tmp_path: Path, sshd: SshServer, erp: ErpSimServer, db_url: str, amqp_url: str
) -> tuple[Path, dict[str, str]]:
    site = write_site(tmp_path, sshd, erp)
    profile_file = site / "acme-retail.sftp.yaml"
    profile = yaml.safe_load(profile_file.read_text())
    profile_file.write_text(yaml.safe_dump({**profile, "settle_s": 0.3, "poll_interval_s": 0.2}))
    env = {
        "CROSSDOCK_BROKER_URL": amqp_url,
        "CROSSDOCK_DATABASE_URL": db_url,
        "CROSSDOCK_CONFIG_DIR": str(site),
        "CROSSDOCK_DATA_DIR": str(tmp_path),
    }
    return site, env


def _start_poller(site: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "crossdock", "sftp", "poll", str(site / "acme-retail.sftp.yaml"), "--enqueue",
               "--json", *args]  # fmt: skip
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)  # fmt: skip


def _finish(proc: subprocess.Popen[str]) -> list[dict[str, Any]]:
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_two_poller_processes_on_one_mailbox_store_and_queue_each_file_once(
    rabbitmq_vhost: Vhost, sshd: SshServer, erp: ErpSimServer, tmp_path: Path, migrated_db_url: str, store: Store
) -> None:
    # Given 20 buyer files in one mailbox, and two poller processes started on it at the same moment
    site, env = _site(tmp_path, sshd, erp, migrated_db_url, rabbitmq_vhost.amqp_url)
    inbound = sshd.sftp_root / "acme-retail" / "inbound"
    files = {f"po_{n:02}.x12": interchange("BUYER", control=n, set_id="850") for n in range(1, 21)}
    for name, data in files.items():
        (inbound / name).write_bytes(data)
    pollers = [_start_poller(site, env, "--max-polls", "4") for _ in range(2)]
    reports = [report for proc in pollers for report in _finish(proc)]
    # Then each file was accepted by exactly one poll of one of them, and none was lost in a race
    accepted = sorted(name for report in reports for name, _ in report["accepted"])
    assert accepted == sorted(files), reports
    assert [report["gone"] for report in reports if report["gone"]] == []
    # And the store holds each file once and RabbitMQ one message per file; every file is archived
    with store.db.read() as session:
        per_name = dict(session.execute(
            select(RawPayloadRow.name, func.count()).group_by(RawPayloadRow.name)
        ).all())  # fmt: skip
    assert per_name == dict.fromkeys(files, 1)
    assert rabbitmq_vhost.queue_counts("edi.inbound")[0] == len(files)
    assert sorted(p.name for p in (sshd.sftp_root / "acme-retail" / "archive").iterdir()) == sorted(files)
    assert list(inbound.iterdir()) == []


@pytest.mark.slow
def test_a_poller_process_finds_the_mailbox_held_by_another_and_carries_on(
    rabbitmq_vhost: Vhost, sshd: SshServer, erp: ErpSimServer, tmp_path: Path, migrated_db_url: str, store: Store
) -> None:
    # Given another poller (this test, in its own process) holding the mailbox's lock in the store
    site, env = _site(tmp_path, sshd, erp, migrated_db_url, rabbitmq_vhost.amqp_url)
    inbound = sshd.sftp_root / "acme-retail" / "inbound"
    (inbound / "po.x12").write_bytes(interchange("BUYER", control=5, set_id="850"))
    profile = yaml.safe_load((site / "acme-retail.sftp.yaml").read_text())
    mailbox = f"mailbox:sftp://{profile['user']}@{profile['host']}:{profile['port']}{profile['folders']['inbound']}"
    with store.locks.hold(mailbox) as held:
        assert held
        # When a poller process polls twice
        reports = _finish(_start_poller(site, env, "--max-polls", "2"))
    # Then both polls say the mailbox is busy, touch nothing, and the process ends normally
    assert len(reports) == 2 and all("another poller" in (report["busy"] or "") for report in reports), reports
    assert all(report["accepted"] == [] for report in reports)
    assert [p.name for p in inbound.iterdir()] == ["po.x12"]
    assert rabbitmq_vhost.queue_counts("edi.inbound")[0] == 0
    # And once the lock is free, the next poll takes the file
    [report] = _finish(_start_poller(site, env, "--once"))
    assert report["busy"] is None and [name for name, _ in report["accepted"]] == ["po.x12"], report
    assert rabbitmq_vhost.queue_counts("edi.inbound")[0] == 1
