"""The peak-day plan of ``crossdock rehearse``: arrivals over the compressed day, and the options it refuses."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from crossdock.actors.rehearsal import BURST_SHARE, Plan
from crossdock.cli import app


def test_the_day_brings_every_order_once_with_the_burst_in_the_middle() -> None:
    plan = Plan(orders_per_day=1_000, burst=5, erp_outage_s=10, minutes=2, tick_s=1)
    arrivals = plan.arrivals()
    assert len(arrivals) == 120 and arrivals[-1] == 1_000
    per_tick = [b - a for a, b in zip([0, *arrivals], arrivals, strict=False)]
    assert all(n >= 0 for n in per_tick)
    # the middle tenth of the day runs at about five times the rate of its first tick
    middle = per_tick[60]
    assert 4 * per_tick[0] <= middle <= 6 * max(1, per_tick[0])
    burst_ticks = [t for t in range(120) if per_tick[t] > 2 * per_tick[0]]
    assert len(burst_ticks) == pytest.approx(120 * BURST_SHARE, abs=1)
    assert burst_ticks[0] > 40 and burst_ticks[-1] < 80


def test_a_day_without_a_burst_arrives_evenly() -> None:
    arrivals = Plan(orders_per_day=60, burst=1, erp_outage_s=0, minutes=1).arrivals()
    assert arrivals == list(range(1, 61))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--orders-per-day", "2"], "--orders-per-day"),
        (["--orders-per-day", "100", "--burst", "0.5"], "--burst"),
        (["--orders-per-day", "100", "--minutes", "1", "--erp-outage", "60"], "--erp-outage"),
        (["--orders-per-day", "100", "--erp-outage", "-1"], "--erp-outage"),
        (["--orders-per-day", "100", "--minutes", "0"], "--minutes"),
        (["--burst", "3"], "--orders-per-day"),
    ],
)
def test_the_command_refuses_bad_options_in_one_line(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, ["rehearse", *args, "--json"])
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_the_command_says_it_runs_on_embedded_defaults_when_a_broker_is_configured() -> None:
    env = {"CROSSDOCK_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/%2F"}
    result = CliRunner().invoke(app, ["rehearse", "--orders-per-day", "40"], env=env)
    assert result.exit_code == 2
    assert "embedded defaults" in result.output and result.output.count("\n") == 1
