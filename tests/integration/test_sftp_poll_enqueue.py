"""``crossdock sftp poll --enqueue``: the poller as its own process hands inbound files to the store and
to the ``edi.inbound`` queue on the real RabbitMQ (no worker here: the message must wait on the queue)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost
from tests.fixtures.sshd import SshServer
from tests.integration.test_flows_rabbitmq import site_store_and_env, write_site

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def poll(site: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """One ``--once`` poll; again while the file is reported as still being written (a fresh file may
    need a second look), at most three times."""
    args = [sys.executable, "-m", "crossdock", "sftp", "poll", str(site / "acme-retail.sftp.yaml"), "--once",
            "--enqueue", "--json"]  # fmt: skip
    for _ in range(3):
        result = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        [report] = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        if not report["waiting"]:
            break
    return result, report


def test_poll_enqueue_stores_then_queues_then_archives(
    rabbitmq_vhost: Vhost, sshd: SshServer, erp: ErpSimServer, tmp_path: Path
) -> None:
    # Given a buyer's 850 in its inbound folder and a crossdock site configured for RabbitMQ
    site = write_site(tmp_path, sshd, erp)
    # Each --once run is a new process with no memory of an earlier look: give new files a short
    # second look within the run (settle_s), as a scheduled one-shot poller would be configured.
    profile_file = site / "acme-retail.sftp.yaml"
    profile_file.write_text(yaml.safe_dump({**yaml.safe_load(profile_file.read_text()), "settle_s": 0.5}))
    store, env = site_store_and_env(tmp_path, site, rabbitmq_vhost.amqp_url)
    order_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
    buyer = sshd.sftp_root / "acme-retail"
    (buyer / "inbound" / "po.x12").write_bytes(order_850)

    # When the poller runs once as its own process
    _, report = poll(site, env)

    # Then the file is stored (accepted), one message waits on edi.inbound, and the file is archived
    assert len(report["accepted"]) == 1, report
    sha256 = hashlib.sha256(order_850).hexdigest()
    stored = store.raw.seen_file("sftp:acme-retail", "po.x12", sha256, accepted_only=True)
    assert stored is not None
    payload = store.raw.get(stored.id)
    assert payload is not None and payload.content == order_850
    assert rabbitmq_vhost.queue_counts("edi.inbound")[0] == 1
    assert not (buyer / "inbound" / "po.x12").exists()
    assert (buyer / "archive" / "po.x12").read_bytes() == order_850

    # And the same file dropped again is archived as a duplicate without a second message
    (buyer / "inbound" / "po-again.x12").write_bytes(order_850)
    _, report = poll(site, env)
    assert report["accepted"] == [] and len(report["duplicates"]) == 1, report
    assert rabbitmq_vhost.queue_counts("edi.inbound")[0] == 1
    store.close()


def test_poll_enqueue_refuses_the_in_memory_broker(sshd: SshServer, erp: ErpSimServer, tmp_path: Path) -> None:
    site = write_site(tmp_path, sshd, erp)
    (sshd.sftp_root / "acme-retail" / "inbound" / "po.x12").write_bytes(b"ISA")
    env = {"CROSSDOCK_CONFIG_DIR": str(site), "CROSSDOCK_DATA_DIR": str(tmp_path)}
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    result = subprocess.run(
        [sys.executable, "-m", "crossdock", "sftp", "poll", str(site / "acme-retail.sftp.yaml"), "--once", "--enqueue"],
        env={**env_clean, **env}, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert "CROSSDOCK_BROKER_URL" in result.stderr
    assert (sshd.sftp_root / "acme-retail" / "inbound" / "po.x12").exists()


def test_the_scheduler_sftp_poll_job_stores_and_queues(
    rabbitmq_vhost: Vhost, sshd: SshServer, erp: ErpSimServer, tmp_path: Path
) -> None:
    # Given a site whose flows.yaml schedules the buyer's mailbox, and an 850 in it
    site = write_site(tmp_path, sshd, erp)
    profile_file = site / "acme-retail.sftp.yaml"
    profile_file.write_text(yaml.safe_dump({**yaml.safe_load(profile_file.read_text()), "settle_s": 0.5}))
    flows = yaml.safe_load((site / "flows.yaml").read_text())
    flows["schedule"] = [{"job": "sftp-poll", "partner": "acme-retail", "every": "1m"}]
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    store, env = site_store_and_env(tmp_path, site, rabbitmq_vhost.amqp_url)
    order_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
    (sshd.sftp_root / "acme-retail" / "inbound" / "po.x12").write_bytes(order_850)

    # When the job runs as the scheduler runs it
    args = [sys.executable, "-m", "crossdock", "scheduler", "run-job", "sftp-poll:acme-retail", "--json"]
    result = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, cwd=ROOT)

    # Then the run is recorded ok, the file stored and one message waits on edi.inbound
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["outcome"] == "ok" and run["detail"].startswith("1 accepted"), run
    stored = store.raw.seen_file("sftp:acme-retail", "po.x12", hashlib.sha256(order_850).hexdigest())
    assert stored is not None
    assert rabbitmq_vhost.queue_counts("edi.inbound")[0] == 1
    assert [r.outcome for r in store.scheduler_runs.runs(job="sftp-poll:acme-retail")] == ["ok"]

    # And an unknown job name is a configuration error (exit 2), in one line
    args[5] = "sftp-poll:nobody"
    result = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2 and "no scheduled job 'sftp-poll:nobody'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    store.close()
