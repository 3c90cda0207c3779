"""kill -9 of a worker process in the middle of a message: redelivered, effect exactly once."""

from __future__ import annotations

import os
import signal

import pytest

from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration


def test_kill9_mid_message_is_redelivered_and_takes_effect_once(probe_run: ProbeRun) -> None:
    # Given a worker that has written the effect of a message (uncommitted) and is still busy with it
    probe_run.send("SKU-CRASH", "slow")
    first = probe_run.start_worker(threads=1)
    marker = probe_run.markers / "slow-SKU-CRASH"
    wait_for(marker.exists, 60, message="the slow message to start")
    victim = int(marker.read_text())
    assert victim != first.pid  # the worker child process, not dramatiq's supervisor
    assert probe_run.effects() == {}

    # When that worker process is killed with SIGKILL
    os.kill(victim, signal.SIGKILL)
    first.wait(30)

    # Then a new worker gets the redelivered message and the effect happens exactly once
    probe_run.start_worker(threads=1)
    wait_for(lambda: "SKU-CRASH" in probe_run.effects(), 60, message="the redelivered message")
    effects = probe_run.effects()
    assert list(effects) == ["SKU-CRASH"]
    assert effects["SKU-CRASH"][1] != victim
    assert probe_run.journal() == ["succeeded"]
    assert probe_run.vhost.queue_counts("orders")[0] == 0
    assert probe_run.vhost.queue_counts("orders.XQ")[0] == 0
