"""``crossdock queues`` against the real RabbitMQ: management API and AMQP passive declare."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from tests.fixtures.rabbitmq import MANAGEMENT, ProbeRun, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


def queues(env: dict[str, str]) -> dict[str, object]:
    result = CliRunner().invoke(app, ["queues", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_queues_over_amqp_report_ready_and_consumers(probe_run: ProbeRun) -> None:
    for n in range(3):
        probe_run.send(f"Q-{n}")
    report = queues(probe_run.env)
    assert report["source"] == "amqp"
    by_name = {q["queue"]: q for q in report["queues"]}  # type: ignore[union-attr]
    assert set(by_name) >= {"orders", "inventory", "settlements", "edi.inbound", "edi.outbound", "erp", "shipments"}
    assert by_name["orders"]["ready"] == 3
    assert by_name["orders"]["unacked"] is None
    assert by_name["orders"]["dead_letters"] == 0
    assert by_name["erp"]["exists"] is False


def test_queues_over_the_management_api_report_unacked(probe_run: ProbeRun) -> None:
    from tests.conftest import port_open

    if not port_open("127.0.0.1", 15672):
        from tests.conftest import service_unavailable

        service_unavailable("RabbitMQ management API not reachable on 127.0.0.1:15672")
    probe_run.send("SKU-SLOW", "slow")
    probe_run.start_worker(threads=1)
    wait_for((probe_run.markers / "slow-SKU-SLOW").exists, 60, message="the slow message to start")
    env = {**probe_run.env, "CROSSDOCK_RABBITMQ_MANAGEMENT_URL": MANAGEMENT}

    def orders() -> dict[str, object]:
        report = queues(env)
        assert report["source"] == "management"
        return next(q for q in report["queues"] if q["queue"] == "orders")  # type: ignore[union-attr]

    # the management API refreshes its counters every few seconds
    wait_for(lambda: orders()["unacked"] == 1 and orders()["consumers"] == 1, 30, message="stats refresh")
