"""``crossdock rest serve``: the webhook receiver as its own process, storing each verified body in the
database and sending it to ``marketplace.inbound`` on the real RabbitMQ (no worker here: the message must
wait on the ``orders`` queue). The marketplace simulator signs and delivers the webhooks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.marketplace import WEBHOOK_SECRET, RunningSim
from tests.fixtures.rabbitmq import Vhost, wait_for
from tests.fixtures.sshd import SshServer
from tests.integration.test_flows_rabbitmq import site_store_and_env, write_site

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_served_receiver_stores_and_queues_signed_webhooks_once(
    rabbitmq_vhost: Vhost,
    marketplace_sim: RunningSim,
    sshd: SshServer,
    erp: ErpSimServer,
    tmp_path: Path,
) -> None:
    # Given a crossdock site on RabbitMQ and the receiver started as its own process
    site = write_site(tmp_path, sshd, erp)
    store, site_env = site_store_and_env(tmp_path, site, rabbitmq_vhost.amqp_url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")},
        **site_env,
        "CROSSDOCK_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "crossdock", "rest", "serve", "--port", "0", "--metrics-port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert server.stdout is not None and server.stderr is not None
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), server.stderr.read()
        metrics_url = server.stderr.readline().strip().removeprefix("metrics on ")
        assert metrics_url.startswith("http://127.0.0.1:") and metrics_url.endswith("/metrics"), metrics_url
        wait_for(lambda: httpx.get(url + "/openapi.json", timeout=2).status_code == 200, 20, message="receiver up")

        # When the marketplace delivers a signed order webhook, then retries the same delivery
        body = {"url": url + "/webhooks/shopify", "secret": WEBHOOK_SECRET, "webhook_id": "wh-77"}
        for _ in range(2):
            response = marketplace_sim.control.post("/_sim/webhooks", json=body)
            response.raise_for_status()
            assert [int(d["status"]) for d in response.json()["deliveries"]] == [200]
        # And a forged one arrives
        forged = httpx.post(url + "/webhooks/shopify", content=b"{}",
                            headers={"X-Shopify-Hmac-Sha256": "AAAA", "Content-Type": "application/json"})

        # Then the body is stored once and one message waits for marketplace.inbound on the orders lane
        assert forged.status_code == 401
        assert rabbitmq_vhost.queue_counts("orders")[0] == 1
        first = store.raw.get(1)
        assert first is not None and first.ref.source == "webhook:shopify"
        assert store.raw.get(2) is None
        # And the metrics port counts the refusal by status and reason, the retry as a duplicate
        scraped = httpx.get(metrics_url, timeout=5).text
        assert 'crossdock_webhooks_refused_total{reason="bad_signature",status="401"} 1.0' in scraped
        assert 'crossdock_webhooks_total{outcome="accepted"} 1.0' in scraped
        assert 'crossdock_webhooks_total{outcome="duplicate"} 1.0' in scraped
    finally:
        server.terminate()
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate(timeout=10)
        store.close()


def test_serve_without_a_site_configuration_is_a_config_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update({"CROSSDOCK_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/%2F", "CROSSDOCK_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "crossdock", "rest", "serve", "--port", "0"],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert "CROSSDOCK_CONFIG_DIR" in result.stderr
