"""``crossdock rehearse``: a small peak day with an ERP outage in the middle, on embedded defaults (the ERP
and marketplace simulators and the webhook receiver listen on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.cli import app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEYS = {"orders_received", "throughput_orders_per_s", "outage", "slowest_step", "steps", "hop_statuses",
        "queue_depths", "counts", "count_check", "drained_after_day_s", "wall_s"}  # fmt: skip


def test_a_day_with_an_erp_outage_drains_after_it_and_every_order_counts_once(tmp_path: Path) -> None:
    # Given a 20-second day of 40 orders with a burst of 4x and the ERP answering 503 for 6 s in the middle
    args = ["rehearse", "--orders-per-day", "40", "--burst", "4", "--erp-outage", "6", "--minutes", "0.34",
            "--breaker-cooldown", "2", "--json", "--workdir", str(tmp_path / "w")]  # fmt: skip
    # When the rehearsal runs
    result = CliRunner().invoke(app, args)
    # Then the count check passed and the report has every figure
    assert result.exit_code == 0, result.output[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report.keys() >= KEYS
    check = report["count_check"]
    brief = {k: v for k, v in report.items() if k not in ("queue_depths", "steps")}
    assert check["ok"], brief
    assert check["ok"] and check["lost"] == 0 and check["erp_doubled"] == [] and check["sent_twice_to_3pl"] == []
    # every order of the day arrived (the bad inputs add one PO for an unknown item), each booked once
    # unless its buyer cancelled it before it was booked (the outage holds bookings back)
    assert report["orders_issued"] == 40 and check["never_received"] == []
    assert report["orders_received"] == 41
    assert 40 - report["cancellations_sent"] <= report["counts"]["erp_orders"] <= 40
    # the outage really happened: ERP steps waited (retried) through it, then the queues drained
    assert report["outage"]["end_s"] - report["outage"]["start_s"] >= 5.5
    assert report["hop_statuses"].get("retried", 0) > 0, brief
    assert report["outage"]["drain_s"] is not None, brief
    assert report["slowest_step"]["step"] in report["steps"] and "orders.to_erp" in report["steps"]
    depths = report["queue_depths"]
    assert max(depths["total"]) > 0 and "erp" in depths["lanes"]
    assert report["throughput_orders_per_s"] > 0
