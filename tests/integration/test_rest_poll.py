"""``crossdock rest poll``: the Amazon and Walmart order pollers as their own processes, against the
marketplace simulator on loopback, storing each order in the database (SQLite and PostgreSQL) and
sending it to ``marketplace.inbound`` on the real RabbitMQ (no worker here: the messages wait on the
``orders`` queue). The poll state lives in a file between runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.flows import call
from crossdock.actors.graph import MARKETPLACE_INBOUND, ORDERS_TO_ERP
from crossdock.actors.intake import inbound_message
from crossdock.actors.wiring import build_ports
from crossdock.canonical import Order
from crossdock.cli import app
from crossdock.store import RawRef, Store
from tests.conftest import ROOT
from tests.fixtures.marketplace import RunningSim
from tests.fixtures.rabbitmq import Vhost

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXAMPLES = ROOT / "examples"
SINCE = "2023-01-01T00:00:00Z"
TOKENS = {"CROSSDOCK_AMAZON_TOKEN": "Atza|poll-secret-token", "CROSSDOCK_WALMART_TOKEN": "wm-poll-secret-token"}


def write_site(tmp_path: Path, sim_url: str, *, marketplaces: tuple[str, ...] = ("amazon", "walmart")) -> Path:
    site = tmp_path / "partners"
    site.mkdir(exist_ok=True)
    entries: dict[str, Any] = {
        "amazon": {"base_url": sim_url, "token_env": "CROSSDOCK_AMAZON_TOKEN", "marketplace_id": "ATVPDKIKX0DER",
                   "page_size": 10, "timeout_s": 5},
        "walmart": {"base_url": sim_url, "token_env": "CROSSDOCK_WALMART_TOKEN", "page_size": 10, "timeout_s": 5},
    }  # fmt: skip
    flows = {
        "warehouse_partner": "northstar-3pl",
        "erp": {"endpoint": "http://127.0.0.1:9/erp", "read_timeout_s": 5},  # never called by a producer
        "channel_customers": {"amazon": "C20000", "walmart": "C30000"},
        "partners": [
            {"edi": str(EXAMPLES / "partners" / "acme-retail.yaml"), "outbound_folder": "out/acme-retail"},
            {"edi": str(EXAMPLES / "partners" / "northstar-3pl.yaml"), "outbound_folder": "out/northstar-3pl"},
        ],
        "marketplaces": {name: entries[name] for name in marketplaces},
    }
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    return site


def environment(tmp_path: Path, site: Path, broker_url: str | None, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update({"CROSSDOCK_DATABASE_URL": db_url, "CROSSDOCK_CONFIG_DIR": str(site),
                "CROSSDOCK_DATA_DIR": str(tmp_path / "data"), **TOKENS})  # fmt: skip
    if broker_url is not None:
        env["CROSSDOCK_BROKER_URL"] = broker_url
    return env


def poll(env: dict[str, str], channel: str, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run ``crossdock rest poll --channel CHANNEL --once --json ARGS``; its exit code, reports, stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "crossdock", "rest", "poll", "--channel", channel, "--once", "--json", *args],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    for secret in TOKENS.values():
        assert secret not in result.stdout + result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.returncode, reports, result.stderr


def stored(store: Store) -> list[RawRef]:
    refs = []
    for payload_id in range(1, 1000):
        ref = store.raw.ref(payload_id)
        if ref is None:
            break
        refs.append(ref)
    return refs


def seeded_ids(sim: RunningSim, channel: str) -> list[str]:
    key = "AmazonOrderId" if channel == "amazon" else "purchaseOrderId"
    return sorted(str(order[key]) for order in getattr(sim.state, channel))


@pytest.mark.parametrize(("db_backend", "channel"), [("postgresql", "amazon"), ("sqlite", "walmart")])
def test_poll_once_stores_and_queues_each_seeded_order_once(
    channel: str, rabbitmq_vhost: Vhost, marketplace_sim: RunningSim, migrated_db_url: str, tmp_path: Path
) -> None:
    # Given a site whose flows.yaml points the channel at the simulator (25 seeded orders, pages of 10)
    site = write_site(tmp_path, marketplace_sim.url)
    env = environment(tmp_path, site, rabbitmq_vhost.amqp_url, migrated_db_url)
    store = Store.from_url(migrated_db_url)
    try:
        # When the poller runs once from a date before every order
        code, [report], stderr = poll(env, channel, "--since", SINCE)

        # Then every order is stored once, keyed by channel and order id, and one message each waits
        assert code == 0, stderr
        assert report["handed"] == 25 and report["caught_up"] and report["cursor"] is None
        refs = stored(store)
        assert sorted(ref.name.removeprefix("order:") for ref in refs) == seeded_ids(marketplace_sim, channel)
        assert {ref.source for ref in refs} == {f"poll:{channel}"}
        assert all(ref.accepted_at is not None for ref in refs)
        assert rabbitmq_vhost.queue_counts("orders")[0] == 25
        state = json.loads((tmp_path / "data" / "rest" / f"poll-{channel}.json").read_text())
        assert state["channel"] == channel and state["state"]["watermark"] == report["watermark"]

        # And a second run resumes from the saved state and hands over nothing
        code, [again], stderr = poll(env, channel, "--since", SINCE)
        assert code == 0, stderr
        assert again["handed"] == 0 and again["watermark"] == report["watermark"]
        assert "--since ignored" in stderr
        assert len(stored(store)) == 25 and rabbitmq_vhost.queue_counts("orders")[0] == 25

        # And the flow step turns a polled order into an Order for orders.to_erp, for the channel's customer
        ports = build_ports(load_flow_config(site / "flows.yaml"), store, marketplaces={})
        envelope, document = inbound_message(refs[0], refs[0].source)
        [out] = call(ports, MARKETPLACE_INBOUND, envelope, document)
        assert out.step is ORDERS_TO_ERP and isinstance(out.document, Order)
        assert out.document.channel == channel and out.document.external_id == refs[0].name.removeprefix("order:")
        assert out.document.references["erp_customer_no"] == ("C20000" if channel == "amazon" else "C30000")
        assert out.document.lines
        ports.close()
    finally:
        store.close()


@pytest.mark.parametrize(("channel", "calls_before_page_2"), [("amazon", 11), ("walmart", 1)])
def test_a_poll_that_fails_after_a_page_continues_from_its_checkpoint(
    channel: str, calls_before_page_2: int, rabbitmq_vhost: Vhost, marketplace_sim: RunningSim, tmp_path: Path
) -> None:
    # Given a marketplace that refuses the second page once (Amazon: page 1 is 1 getOrders + 10 getOrderItems)
    path = "/orders/v0/orders" if channel == "amazon" else "/v3/orders"
    marketplace_sim.fault(kind="status", status=400, channel=channel, path_contains=path, skip=calls_before_page_2)
    db_url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    store = Store.from_url(db_url)
    store.upgrade()
    env = environment(tmp_path, write_site(tmp_path, marketplace_sim.url), rabbitmq_vhost.amqp_url, db_url)
    try:
        # When the poll fails after page 1
        code, [failed], stderr = poll(env, channel, "--since", SINCE)
        assert code == 1, stderr
        assert failed["handed"] == 10 and failed["error"] and failed["cursor"] is not None
        assert len(stored(store)) == 10

        # Then a restarted poller continues from the saved cursor: the other 15, none twice
        code, [resumed], stderr = poll(env, channel)
        assert code == 0, stderr
        assert resumed["handed"] == 15 and resumed["caught_up"]
        names = sorted(ref.name.removeprefix("order:") for ref in stored(store))
        assert names == seeded_ids(marketplace_sim, channel)
        assert rabbitmq_vhost.queue_counts("orders")[0] == 25
    finally:
        store.close()


def test_the_service_polls_until_sigterm_and_exits_cleanly(
    rabbitmq_vhost: Vhost, marketplace_sim: RunningSim, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    Store.from_url(db_url).upgrade()
    env = environment(tmp_path, write_site(tmp_path, marketplace_sim.url), rabbitmq_vhost.amqp_url, db_url)
    service = subprocess.Popen(
        [sys.executable, "-m", "crossdock", "rest", "poll", "--channel", "walmart", "--since", SINCE,
         "--interval", "60", "--metrics-port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert service.stdout is not None and service.stderr is not None
        first = service.stdout.readline()
        assert first.startswith("walmart: 25 new orders"), first
        # Its metrics port says it caught up just now, with the orders it handed over
        metrics_url = service.stderr.readline().strip().removeprefix("metrics on ")
        scraped = httpx.get(metrics_url, timeout=5).text
        assert 'crossdock_polls_total{channel="walmart",outcome="caught_up"} 1.0' in scraped
        assert 'crossdock_poll_orders_total{channel="walmart"} 25.0' in scraped
        lag = next(line for line in scraped.splitlines() if line.startswith("crossdock_poll_lag_seconds{"))
        assert float(lag.split()[-1]) < 30
        # A second poller of the same state is refused while the service holds it
        second = CliRunner().invoke(app, ["rest", "poll", "--channel", "walmart", "--once"], env=env)
        assert second.exit_code == 2 and "in use by another poller" in second.stderr
        # When it is asked to stop while it sleeps until the next poll
        service.send_signal(signal.SIGTERM)
        _, err = service.communicate(timeout=20)
    finally:
        if service.poll() is None:
            service.kill()
            service.communicate(timeout=10)
    # Then it stops at once, cleanly
    assert service.returncode == 0, err
    assert rabbitmq_vhost.queue_counts("orders")[0] == 25


def test_configuration_problems_exit_2_naming_what_is_missing(
    rabbitmq_vhost: Vhost, marketplace_sim: RunningSim, tmp_path: Path
) -> None:
    # In process (the command as the CLI calls it; each case stops before any poll)
    db_url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    site = write_site(tmp_path, marketplace_sim.url, marketplaces=("amazon",))
    env: dict[str, str | None] = {k: v for k, v in os.environ.items() if k.startswith("CROSSDOCK_")}
    env = {**dict.fromkeys(env), **environment(tmp_path, site, rabbitmq_vhost.amqp_url, db_url)}
    runner = CliRunner()

    def run(*args: str, **changes: str | None) -> tuple[int, str]:
        result = runner.invoke(app, ["rest", "poll", "--once", *args], env={**env, **changes})
        output = result.stdout + result.stderr
        assert all(secret not in output for secret in TOKENS.values())
        return result.exit_code, " ".join(output.split())

    code, out = run("--channel", "amazon", CROSSDOCK_BROKER_URL=None)
    assert code == 2 and "needs CROSSDOCK_BROKER_URL" in out  # the in-memory broker is refused
    code, out = run("--channel", "walmart")
    assert code == 2 and "marketplaces.walmart is not configured" in out
    code, out = run("--channel", "amazon", CROSSDOCK_AMAZON_TOKEN=None)
    assert code == 2 and "CROSSDOCK_AMAZON_TOKEN (token_env) is not set" in out
    state = tmp_path / "data" / "rest" / "poll-amazon.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text('{"format": 1, "channel": "amazon", "state": {"watermark": ')
    code, out = run("--channel", "amazon")
    assert code == 2 and f"poll state {state} is unreadable" in out
    code, out = run("--channel", "amazon", "--since", "yesterday")
    assert code == 2 and "not an ISO 8601 date-time" in out
    assert marketplace_sim.state.requests["amazon"] == 0  # each was refused before any call
