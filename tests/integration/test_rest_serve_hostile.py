"""``crossdock rest serve`` as its own process against hostile clients: 1,000 slow connections with
the process's file limit at 256, a replay with fresh unsigned headers, forged deliveries (logged without
their body or signature), and a database without its schema (refused at start, exit 2). Real RabbitMQ,
real SQLite store, raw sockets on loopback; no worker (the message waits on the ``orders`` queue)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from crossdock.bridges.rest.signature import sign
from crossdock.store import Store
from tests.conftest import ROOT
from tests.fixtures.rabbitmq import Vhost
from tests.unit.rest.samples import shopify_order

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SECRET = "hostile-edge-secret"
EXAMPLES = ROOT / "examples"
SERVER_FILES = 256
"""The receiver's soft file limit: 1,000 slow clients could not all be accepted even if it wanted to."""
SLOW = 1000


def site(tmp_path: Path) -> Path:
    """flows.yaml with folder outbounds (nothing is delivered: the receiver only stores and enqueues)."""
    folder = tmp_path / "partners"
    folder.mkdir()
    flows = {
        "warehouse_partner": "northstar-3pl",
        "erp": {"endpoint": "http://127.0.0.1:9/erp", "read_timeout_s": 5},
        "channel_customers": {"shopify": "C10000"},
        "partners": [
            {"edi": str(EXAMPLES / "partners" / "northstar-3pl.yaml"), "outbound_folder": str(tmp_path / "out"),
             "erp_location_code": "MAIN"},
            {"edi": str(EXAMPLES / "partners" / "acme-retail.yaml"), "outbound_folder": str(tmp_path / "out"),
             "erp_customer_no": "C30000"},
        ],
    }  # fmt: skip
    (folder / "flows.yaml").write_text(yaml.safe_dump(flows))
    return folder


def environment(tmp_path: Path, amqp_url: str, db_url: str) -> dict[str, str]:
    tmp_path.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update({
        "CROSSDOCK_BROKER_URL": amqp_url, "CROSSDOCK_DATABASE_URL": db_url, "CROSSDOCK_DATA_DIR": str(tmp_path),
        "CROSSDOCK_CONFIG_DIR": str(site(tmp_path)), "CROSSDOCK_WEBHOOK_SECRET": SECRET,
    })  # fmt: skip
    return env


def low_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (SERVER_FILES, hard))


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.port = int(url.rsplit(":", 1)[1]) if url.startswith("http") else 0
        self.log = log

    def stop(self) -> str:
        """Stop it (SIGTERM, then SIGKILL) and return what it wrote on stderr (a file: a pipe nobody
        reads would fill with log lines and block the server)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        return self.log.read_text()


@pytest.fixture
def served(rabbitmq_vhost: Vhost, tmp_path: Path) -> Iterator[tuple[Served, Store]]:
    db_url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    store = Store.from_url(db_url)
    store.upgrade()
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "crossdock", "rest", "serve", "--port", "0", "--header-timeout", "60",
             "--body-timeout", "60"],
            env=environment(tmp_path, rabbitmq_vhost.amqp_url, db_url), stdout=subprocess.PIPE, stderr=stderr,
            text=True, cwd=ROOT, preexec_fn=low_file_limit,
        )  # fmt: skip
    assert process.stdout is not None
    server = Served(process, process.stdout.readline().strip(), log)
    try:
        assert server.url.startswith("http://127.0.0.1:"), server.stop()
        yield server, store
    finally:
        server.stop()
        process.stdout.close()
        store.close()


def signed(body: bytes, *, webhook_id: str, topic: str = "orders/create") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": sign(SECRET.encode(), body),
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": "example.myshopify.com",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def open_slow_connections(port: int, count: int) -> list[socket.socket]:
    """``count`` clients that start a request and never finish it: half stop inside the headers, half
    inside a declared 100 KB body. Non-blocking connects: the kernel queues what is not yet accepted."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 200:  # this test process holds the client ends
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 500), hard))
    clients = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        clients.append(sock)
    time.sleep(0.5)
    for n, sock in enumerate(clients):
        part = b"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\nX-Shopify-Topic: orders/cr"
        if n % 2:
            part = (b"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"X-Shopify-Hmac-Sha256: AAAA\r\nContent-Length: 100000\r\n\r\n{\"id\": ")  # fmt: skip
        with contextlib.suppress(OSError):  # not connected yet (still queued) or already closed by the server
            sock.send(part)
    return clients


def test_health_and_a_signed_webhook_answer_under_a_thousand_slow_connections(served: tuple[Served, Store]) -> None:
    server, store = served
    assert httpx.get(server.url + "/health", timeout=30).status_code == 200  # a loaded machine starts slowly
    # Given 1,000 clients holding requests open, against a process allowed 256 files
    clients = open_slow_connections(server.port, SLOW)
    try:
        # When /health is asked and a real delivery arrives
        started = time.monotonic()
        health = httpx.get(server.url + "/health", timeout=30)
        body = json.dumps(shopify_order()).encode()
        delivered = httpx.post(server.url + "/webhooks/shopify", content=body, headers=signed(body, webhook_id="w1"),
                               timeout=30)  # fmt: skip
        elapsed = time.monotonic() - started
        # Then both are answered (no timed assertion: the bound is the client's timeout)
        assert health.status_code == 200
        assert delivered.status_code == 200 and delivered.json()["status"] == "accepted", delivered.text
        print(f"answered under {SLOW} slow connections in {elapsed:.2f}s")
        # And the process is still alive and serving
        assert server.process.poll() is None
        assert httpx.get(server.url + "/health", timeout=30).status_code == 200
    finally:
        for sock in clients:
            sock.close()
    stored = store.raw.get(1)
    assert stored is not None and stored.ref.source == "webhook:shopify"
    log = server.stop()
    assert "connection refused: closed for a new connection" in log
    assert "Traceback" not in log


def test_a_replay_with_fresh_headers_is_refused_and_forgeries_are_logged(
    served: tuple[Served, Store], rabbitmq_vhost: Vhost
) -> None:
    server, store = served
    body = json.dumps(shopify_order()).encode()
    first = httpx.post(server.url + "/webhooks/shopify", content=body, headers=signed(body, webhook_id="w-1"))
    assert first.json()["status"] == "accepted"
    # A captured delivery sent again with a new delivery id, topic and time (none of them signed)
    replay = httpx.post(server.url + "/webhooks/shopify", content=body,
                        headers=signed(body, webhook_id="w-2", topic="orders/cancelled"))  # fmt: skip
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    # A forged delivery, and one with a log-injection attempt in its topic
    forged_body = b'{"customer": "Jane Victimson 42 Secret Lane"}'
    forged = dict(signed(forged_body, webhook_id="forged-7"), **{"X-Shopify-Hmac-Sha256": "Zm9yZ2Vk"})
    assert httpx.post(server.url + "/webhooks/shopify", content=forged_body, headers=forged).status_code == 401
    sneaky = [(k.encode(), v.encode()) for k, v in forged.items() if k != "X-Shopify-Topic"]
    sneaky.append((b"X-Shopify-Topic", b"orders/create\x85FAKE LOG LINE"))
    assert httpx.post(server.url + "/webhooks/shopify", content=b"{}", headers=sneaky).status_code == 401
    assert store.raw.get(2) is None
    assert rabbitmq_vhost.queue_counts("orders")[0] == 1
    log = server.stop()
    [line] = [ln for ln in log.splitlines() if "delivery forged-7" in ln and "orders/create;" in ln]
    assert "webhook refused: 401 bad_signature; remote 127.0.0.1:" in line
    assert "Jane" not in log and "Zm9yZ2Vk" not in log
    assert "FAKE LOG LINE" not in log.replace("'orders/create\\x85FAKE LOG LINE'", "")


def test_serve_refuses_to_start_on_a_database_without_its_schema(rabbitmq_vhost: Vhost, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "crossdock", "rest", "serve", "--port", "0"],
        env=environment(tmp_path, rabbitmq_vhost.amqp_url, db_url), capture_output=True, text=True, timeout=60,
        cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "never-migrated.db" in line and "crossdock db upgrade" in line
    assert result.stdout == ""
    assert not (tmp_path / "never-migrated.db").exists()
    # A database that exists but was never migrated (another tool created it) is refused the same way
    sqlite3.connect(tmp_path / "never-migrated.db").execute("CREATE TABLE unrelated (x)").connection.close()
    again = subprocess.run(
        [sys.executable, "-m", "crossdock", "rest", "serve", "--port", "0"],
        env=environment(tmp_path / "again", rabbitmq_vhost.amqp_url, db_url), capture_output=True, text=True,
        timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert again.returncode == 2, again.stderr
    [line] = again.stderr.strip().splitlines()
    assert line.startswith("error: ") and "crossdock db upgrade" in line and "Traceback" not in again.stderr
