"""``crossdock worker`` runs real Dramatiq worker processes that consume and stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration

CROSSDOCK = Path(sys.executable).with_name("crossdock")


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


def test_crossdock_worker_consumes_and_stops_on_sigterm(probe_run: ProbeRun, tmp_path: Path) -> None:
    probe_run.send("SKU-CLI")
    env = {**os.environ, **probe_run.env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    args = [str(CROSSDOCK), "worker", "--processes", "1", "--threads", "2", "--app", "tests.reliability_app:boot"]
    with (tmp_path / "worker.log").open("wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "SKU-CLI" in probe_run.effects(), 60, message="the worker to process")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            raise
    assert code == 0, (tmp_path / "worker.log").read_text()
