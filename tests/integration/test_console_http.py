"""The ops console over real HTTP (uvicorn on loopback) with a real store (SQLite and PostgreSQL) and,
for replays and reprocessing, real RabbitMQ: every page and action needs a login, a role that allows
it and a CSRF token; every action is audited under the user; viewers see payloads with PII masked."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import generate_latest

from crossdock.actors.intake import inbound_message
from crossdock.bridges.rest.serving import ServerThread
from crossdock.broker import codec
from crossdock.broker.lanes import Lane, dead_letter_queue
from crossdock.canonical.availability import StockUpdate
from crossdock.console import ConsoleContext, create_app, load_console_config
from crossdock.console.config import ConsoleConfig, hash_password
from crossdock.console.metrics import registry_for
from crossdock.errors import Owner
from crossdock.settings import Settings
from crossdock.store import (
    AttemptKind,
    DocRef,
    DocType,
    HopStatus,
    ItemStatus,
    JournalEvent,
    LetterStatus,
    NewDeadLetter,
    Store,
)
from crossdock.store.sla import DEFAULT, Deadlines
from tests.fixtures.outbox import send
from tests.fixtures.rabbitmq import Vhost

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
KEYS = {"external_id": "PO-1", "interchange_control_number": "000000501"}
SECRET = "s" * 48
CUSTOMER = "Jane Q. Customer"
PAGES = ("/", "/overview/panel", "/exceptions", "/exceptions/1", "/dead-letters", "/trace?key=PO-1", "/partners")
X12_850 = (
    "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *261120*0930*U*00401*000000501*0*P*>~"
    "GS*PO*ACMERETAIL*CROSSDOCK*20261120*0930*501*X*004010~ST*850*0001~BEG*00*SA*PO-1**20261120~"
    f"N1*ST*{CUSTOMER}*92*0007~N3*12 Elm Street~N4*Springfield*IL*62701*US~SE*6*0001~GE*1*501~IEA*1*000000501~"
)


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


def config_file(tmp_path: Path, password_hash: str, extra: str = "") -> Path:
    path = tmp_path / "console.yaml"
    users = "\n".join(
        f"  - {{name: {name}, role: {role}, password_hash: '{password_hash}'}}"
        for name, role in (("ana", "operator"), ("vic", "viewer"), ("fin", "finance"))
    )
    path.write_text(f"secure_cookies: false\nusers:\n{users}\n{extra}")
    return path


@dataclass
class Console:
    url: str
    store: Store
    items: dict[str, int]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)

    def login(self, name: str, password: str = PASSWORD) -> contextlib.closing[httpx.Client]:
        client = self.client()
        response = client.post("/login", data={"username": name, "password": password, "csrf_token": csrf(client)})
        assert response.status_code == 303, response.text
        return contextlib.closing(client)

    def item(self, key: str) -> ItemStatus:
        return self.store.exceptions.get(self.items[key]).status


def csrf(client: httpx.Client, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def seed(store: Store) -> dict[str, int]:
    """A parked EDI order (its 850 file and the parked message), a finance item, a dead letter, links."""
    ref = store.raw.put(X12_850.encode(), source="sftp:acme-retail", name="850.x12", sender="ACMERETAIL",
                        interchange_control="000000501", content_type="application/edi-x12")  # fmt: skip
    envelope, document = inbound_message(ref, ref.source)
    order = {"channel": "edi", "external_id": "PO-1", "ship_to": {"role": "ship_to", "name": CUSTOMER}}
    message = {"envelope": json.loads(envelope.model_dump_json()), "document": order}
    parked = store.raw.put(json.dumps(message).encode(), source="sftp:acme-retail", name=envelope.message_id,
                           content_type="application/json")  # fmt: skip
    first = store.raw.put(codec.encode(envelope, document).encode(), source="sftp:acme-retail",
                          name=envelope.correlation_id, content_type="application/json")  # fmt: skip
    store.journal.record(JournalEvent(envelope.message_id, envelope.correlation_id, "edi.inbound", "edi.inbound",
                                      HopStatus.SUCCEEDED, raw_payload_id=first.id, business_keys=KEYS))  # fmt: skip
    store.journal.record(JournalEvent("m2", envelope.correlation_id, "orders.to_erp", "erp", HopStatus.PARKED,
                                      causation_id=envelope.message_id, error_message="no ERP customer"))  # fmt: skip
    common = {"error_class": "MappingError", "correlation_id": envelope.correlation_id}
    items = {
        "edi": store.exceptions.open(
            owner=Owner.INTEGRATION,
            error_message="no ERP customer for channel edi",
            business_key="external_id=PO-1",
            message_id="m2",
            actor="orders.to_erp",
            queue="erp",
            raw_payload_id=parked.id,
            idempotency_key="order:edi:PO-1",
            channel="edi",
            **common,
        ),
        "other": store.exceptions.open(
            owner=Owner.WAREHOUSE,
            error_message="unknown SKU",
            business_key="external_id=PO-2",
            message_id="m3",
            actor="orders.to_warehouse",
            queue="edi.outbound",
            raw_payload_id=parked.id,
            channel="edi",
            **common,
        ),
        "finance": store.exceptions.open(
            owner=Owner.FINANCE,
            error_class="SettlementMismatch",
            error_message="fee differs",
            business_key="settlement_id=S-9",
        ),
    }
    store.dead_letters.record(NewDeadLetter(message_id="d" * 32, queue=Lane.ORDERS.value, actor="orders.to_erp",
                                            reason="max retries", body=b'{"queue_name": "orders", "args": []}',
                                            business_key="external_id=PO-3"))  # fmt: skip
    store.links.link(DocRef(DocType.PURCHASE_ORDER, "PO-1"), DocRef(DocType.INTERCHANGE, "ACMERETAIL:000000501"))
    store.links.link(DocRef(DocType.PURCHASE_ORDER, "PO-1"), DocRef(DocType.ERP_ORDER, "SO-1"))
    store.links.link(DocRef(DocType.WAREHOUSE_ORDER, "PO-1"), DocRef(DocType.GROUP, "northstar-3pl:7"))
    store.links.link(DocRef(DocType.GROUP, "northstar-3pl:7"), DocRef(DocType.ACKNOWLEDGMENT, "NS:9:7:A"))
    return items


def run_console(store: Store, config: ConsoleConfig, broker_url: str | None = None) -> Iterator[Console]:
    items = seed(store)
    settings = Settings(broker_url=broker_url, network_timeout_s=10)
    with ServerThread(create_app(ConsoleContext(store, settings, config))) as server:
        yield Console(server.url, store, items)


@pytest.fixture
def console(store: Store, tmp_path: Path, password_hash: str) -> Iterator[Console]:
    config = load_console_config(config_file(tmp_path, password_hash), {"CROSSDOCK_CONSOLE_SECRET": SECRET})
    yield from run_console(store, config)


def test_every_page_and_action_needs_a_login(console: Console) -> None:
    with console.client() as anonymous:
        for page in PAGES:
            response = anonymous.get(page)
            assert response.status_code == 303 and response.headers["location"] == "/login", page
        assert anonymous.get("/overview/panel", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/login"
        token = csrf(anonymous)
        response = anonymous.post("/exceptions/action", data={"ids": console.items["edi"], "action": "resolve",
                                                             "note": "x", "csrf_token": token})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"] == "/login"
        assert (
            anonymous.post("/login", data={"username": "ana", "password": "wrong", "csrf_token": token}).status_code
            == 401
        )
        assert (
            anonymous.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": token}).status_code
            == 401
        )
        assert anonymous.get("/health").text == "ok" and anonymous.get("/static/htmx-2.0.11.min.js").status_code == 200
    assert console.item("edi") is ItemStatus.OPEN
    assert [e.who for e in console.store.audit.entries(action="login")] == []
    assert sorted(e.details["user"] for e in console.store.audit.entries(action="login_failed")) == ["ana", "nobody"]


def test_five_failed_logins_lock_the_name_for_a_while(console: Console) -> None:
    with console.client() as client:
        token = csrf(client)
        for _ in range(5):
            wrong = client.post("/login", data={"username": "ana", "password": "guess", "csrf_token": token})
            assert wrong.status_code == 401
        right = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token})
        assert right.status_code == 429 and client.get("/").status_code == 303
    with console.login("vic"):  # another name is not locked
        pass
    assert len(console.store.audit.entries(action="login_refused")) == 1


def test_every_page_renders_for_each_role_and_only_viewers_see_pii_masked(console: Console) -> None:
    for name in ("vic", "ana", "fin"):
        with console.login(name) as client:
            for page in (*PAGES, f"/exceptions/{console.items['edi']}", f"/dead-letters/{'d' * 32}", "/trace?key=SO-1",
                         "/exceptions?status=any&owner=integration&age=%3C1h&channel=edi"):  # fmt: skip
                response = client.get(page)
                assert response.status_code == 200, (name, page, response.text[:500])
                assert response.headers["x-frame-options"] == "DENY" and "default-src 'self'" in response.headers[
                    "content-security-policy"]  # fmt: skip
            detail = client.get(f"/exceptions/{console.items['edi']}").text
            if name == "vic":
                assert CUSTOMER not in detail and "Elm Street" not in detail and "[masked]" in detail
            else:
                assert CUSTOMER in detail and "Elm Street" in detail
            assert "N4*" in detail and "\nN3*" in detail  # the 850 one segment per line
    assert sorted(e.who for e in console.store.audit.entries(action="login")) == ["ana", "fin", "vic"]


def test_the_overview_trace_and_partner_pages_show_the_store(console: Console) -> None:
    with console.login("vic") as client:
        overview = client.get("/").text
        assert "integration" in overview and "warehouse" in overview and "finance" in overview
        assert "no broker URL" in overview and 'hx-trigger="every 15s"' in overview
        assert "acme-retail" in overview and "850.x12" in overview and "accepted" in overview
        trace = client.get("/trace?key=PO-1").text
        assert "orders.to_erp" in trace and "erp_order" in trace and "SO-1" in trace and "<svg" in trace
        assert f"/exceptions/{console.items['edi']}" in trace
        by_file = client.get("/trace?key=1").text  # the 850's raw payload id: traced through its ISA13
        assert 'Raw payload <a href="/raw/1">1</a>' in by_file and "orders.to_erp" in by_file
        raw = client.get("/raw/1").text
        assert "850.x12" in raw and "\nN3*" in raw and "Elm Street" not in raw and "[masked]" in raw
        assert client.get("/raw/999").status_code == 404
        fresh = client.get("/exceptions", params={"age": "<1h"}).text
        old = client.get("/exceptions", params={"age": ">1h"}).text
        assert f'href="/exceptions/{console.items["edi"]}"' in fresh and "No items match" in old
        partners = client.get("/partners").text
        assert "northstar-3pl" in partners and "accepted" in partners
        assert '<a href="/raw/1">850.x12</a>' in partners and "000000501" in partners
        letters = client.get("/dead-letters").text
        assert "d" * 16 in letters and "max retries" in letters


def test_resolve_and_ignore_single_and_bulk_with_a_note_are_audited_under_the_user(console: Console) -> None:
    with console.login("ana") as client:
        token = csrf(client, "/exceptions")
        response = client.post("/exceptions/action", data={"ids": [console.items["edi"]], "action": "resolve",
                                                           "note": "customer mapped", "csrf_token": token,
                                                           "next": f"/exceptions/{console.items['edi']}"})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"] == f"/exceptions/{console.items['edi']}"
        assert "resolved 1" in client.get(response.headers["location"]).text
        both = [console.items["other"], console.items["finance"]]
        response = client.post("/exceptions/action", data={"ids": both, "action": "ignore", "note": "test orders",
                                                           "csrf_token": token})  # fmt: skip
        assert response.status_code == 303
        again = client.post("/exceptions/action", data={"ids": [console.items["edi"]], "action": "resolve",
                                                        "note": "twice", "csrf_token": token})  # fmt: skip
        assert "already resolved" in client.get(again.headers["location"]).text
    assert console.item("edi") is ItemStatus.RESOLVED
    assert console.item("other") is console.item("finance") is ItemStatus.IGNORED
    audit = {(e.action, e.target): e for e in console.store.audit.entries(limit=20)}
    resolved = audit[("resolve", f"exception:{console.items['edi']}")]
    assert resolved.who == "ana" and resolved.details["note"] == "customer mapped"
    assert audit[("ignore", f"exception:{console.items['finance']}")].who == "ana"
    assert [n.text for n in console.store.exceptions.get(console.items["edi"]).notes] == ["customer mapped"]


def test_every_action_needs_the_csrf_token_and_this_site_as_origin(console: Console) -> None:
    with console.login("ana") as client:
        token = csrf(client, "/exceptions")
        form = {"ids": [console.items["edi"]], "action": "resolve", "note": "n"}
        assert client.post("/exceptions/action", data=form).status_code == 403
        assert client.post("/exceptions/action", data={**form, "csrf_token": "forged"}).status_code == 403
        evil = client.post("/exceptions/action", data={**form, "csrf_token": token},
                           headers={"Origin": "https://evil.example"})  # fmt: skip
        assert evil.status_code == 403
        assert client.post("/dead-letters/replay", data={"ids": "d" * 32, "note": "n"}).status_code == 403
        assert client.post("/logout", data={}).status_code == 403
        with console.client() as other:  # another session's token is no good either
            assert (
                other.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}).status_code
                == 403
            )
        # htmx sends the token as a header
        ok = client.post("/exceptions/action", data=form, headers={"X-CSRF-Token": token})
        assert ok.status_code == 303
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/").status_code == 303  # logged out
    assert console.item("edi") is ItemStatus.RESOLVED
    assert len(console.store.audit.entries(action="resolve")) == 1


def test_no_write_without_a_role_that_allows_it(console: Console) -> None:
    cases = [("vic", "resolve", "finance"), ("vic", "replay", "edi"), ("fin", "resolve", "edi"),
             ("fin", "replay", "finance"), ("fin", "reprocess", "finance")]  # fmt: skip
    for user, action, item in cases:
        with console.login(user) as client:
            token = csrf(client, "/exceptions")
            response = client.post("/exceptions/action", data={"ids": [console.items[item]], "action": action,
                                                               "note": "n", "csrf_token": token})  # fmt: skip
            assert response.status_code == 403, (user, action, item)
            # one item the role may not touch refuses the whole bulk action
            both = [console.items["finance"], console.items["edi"]]
            bulk = client.post("/exceptions/action", data={"ids": both, "action": "resolve", "note": "n",
                                                           "csrf_token": token})  # fmt: skip
            assert bulk.status_code == 403
            assert client.post("/dead-letters/replay", data={"ids": "d" * 32, "note": "n",
                                                             "csrf_token": token}).status_code == 403  # fmt: skip
    assert {console.item(k) for k in console.items} == {ItemStatus.OPEN}
    assert console.store.audit.entries(action="resolve") == []
    with console.login("fin") as client:  # finance closes its own items
        token = csrf(client, "/exceptions")
        response = client.post("/exceptions/action", data={"ids": [console.items["finance"]], "action": "resolve",
                                                           "note": "fee agreed", "csrf_token": token})  # fmt: skip
        assert response.status_code == 303
        assert client.post("/exceptions/action", data={"ids": [console.items["finance"]], "action": "ignore",
                                                       "note": "", "csrf_token": token}).status_code == 400  # fmt: skip
    assert console.item("finance") is ItemStatus.RESOLVED
    assert [e.who for e in console.store.audit.entries(action="resolve")] == ["fin"]


def test_login_cookie_is_httponly_samesite_strict_and_secure_by_default(
    store: Store, tmp_path: Path, password_hash: str
) -> None:
    path = config_file(tmp_path, password_hash)
    path.write_text(path.read_text().replace("secure_cookies: false\n", ""))
    config = load_console_config(path, {"CROSSDOCK_CONSOLE_SECRET": SECRET})
    for running in run_console(store, config):
        with running.client() as client:
            cookie = client.get("/login").headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


def test_reverse_proxy_header_mode_trusts_only_the_configured_proxy(
    store: Store, tmp_path: Path, password_hash: str
) -> None:
    path = config_file(tmp_path, password_hash, "proxy: {user_header: X-Forwarded-User, trusted: [127.0.0.1]}\n")
    config = load_console_config(path, {"CROSSDOCK_CONSOLE_SECRET": SECRET})
    untrusting = replace(config, proxy=replace(config.proxy, trusted=()))  # type: ignore[arg-type]
    for running in run_console(store, config):
        with running.client() as client:
            assert client.get("/", headers={"X-Forwarded-User": "vic"}).status_code == 200
            assert client.get("/", headers={"X-Forwarded-User": "mallory"}).status_code == 303
            assert client.get("/").status_code == 303
    for running in run_console(Store(store.db), untrusting):
        with running.client() as client:
            assert client.get("/", headers={"X-Forwarded-User": "vic"}).status_code == 303


@pytest.fixture
def console_with_broker(
    store: Store, tmp_path: Path, password_hash: str, rabbitmq_vhost: Vhost
) -> Iterator[tuple[Console, Vhost]]:
    with rabbitmq_vhost.connection() as connection:
        channel = connection.channel()
        for queue in (Lane.ERP.value, Lane.EDI_INBOUND.value, Lane.EDI_OUTBOUND.value, Lane.ORDERS.value,
                      dead_letter_queue(Lane.ORDERS.value)):  # fmt: skip
            channel.queue_declare(queue, durable=True)
    config = load_console_config(config_file(tmp_path, password_hash), {"CROSSDOCK_CONSOLE_SECRET": SECRET})
    for running in run_console(store, config, rabbitmq_vhost.amqp_url):
        yield running, rabbitmq_vhost


def test_replay_reprocess_and_dead_letter_replay_publish_to_rabbitmq_and_are_audited(
    console_with_broker: tuple[Console, Vhost],
) -> None:
    console, vhost = console_with_broker
    with console.login("ana") as client:
        token = csrf(client, "/exceptions")
        overview = client.get("/").text
        assert "no broker URL" not in overview and "cannot read queues" not in overview

        # When an operator replays the parked order, then reprocesses it from its 850
        replay = client.post("/exceptions/action", data={"ids": [console.items["edi"]], "action": "replay",
                                                         "note": "customer mapped", "csrf_token": token})  # fmt: skip
        assert replay.status_code == 303, replay.text
        reprocess = client.post("/exceptions/action", data={"ids": [console.items["edi"]], "action": "reprocess",
                                                            "note": "from the file", "csrf_token": token})  # fmt: skip
        assert reprocess.status_code == 303, reprocess.text
        assert "reprocessed 1: payload" in client.get("/exceptions").text

        # And replays the dead letter (journaled only: the broker's copy is gone)
        letters = client.post("/dead-letters/replay", data={"ids": "d" * 32, "note": "ERP back",
                                                            "csrf_token": token})  # fmt: skip
        assert letters.status_code == 303, letters.text

    # Then each message is on its queue, the item stays open with both requests in its history
    assert vhost.queue_counts(Lane.ERP.value)[0] == 1
    assert vhost.queue_counts(Lane.EDI_INBOUND.value)[0] == 1
    assert vhost.queue_counts(Lane.ORDERS.value)[0] == 1
    item = console.store.exceptions.get(console.items["edi"])
    assert item.status is ItemStatus.OPEN
    assert [(a.kind, a.who) for a in item.attempts][1:] == [(AttemptKind.REPLAY, "ana"), (AttemptKind.REPROCESS, "ana")]
    actions = {(e.action, e.who) for e in console.store.audit.entries(limit=20)}
    assert {("replay", "ana"), ("reprocess", "ana")} <= actions
    dlq = console.store.audit.entries(target=f"dlq:{'d' * 32}")
    assert dlq[0].who == "ana" and dlq[0].details["note"] == "ERP back"
    assert console.store.dead_letters.letters(status=LetterStatus.REPLAYED)[0].acted_by == "ana"


def late_and_lagging(store: Store) -> None:
    """A 940 delivered and never acknowledged nor shipped; an ERP figure and an 846 applied, a quantity
    owed to Shopify."""
    send(store, "northstar-3pl", "940", 8, DocRef(DocType.WAREHOUSE_ORDER, "PO-5"), {"warehouse_order": "PO-5"})
    as_of = datetime.now(UTC) - timedelta(hours=3)
    with store.db.write() as session:
        erp = StockUpdate("SKU-1", "COL1", 5, as_of, source="erp")
        store.inventory.apply(session, [erp, StockUpdate("SKU-2", "COL1", 7, as_of, 88, "846:northstar-3pl:ADV-1")])
        store.inventory.record_computed(session, "shopify", {"SKU-1": 5}, at=as_of)


def test_the_overview_shows_overdue_documents_by_kind_and_inventory_lag(store: Store, tmp_path: Path,
                                                                         password_hash: str) -> None:  # fmt: skip
    late_and_lagging(store)
    config = load_console_config(config_file(tmp_path, password_hash), {"CROSSDOCK_CONSOLE_SECRET": SECRET})
    later = datetime.now(UTC) + timedelta(days=4)
    settings = Settings(network_timeout_s=10)
    with ServerThread(create_app(ConsoleContext(store, settings, config, clock=lambda: later))) as server:
        console = Console(server.url, store, {})
        with console.login("vic") as client:
            panel = client.get("/overview/panel").text
            # the 940 is late for its 997 (a day) and its 945 (three days), each a row of its kind
            assert re.search(r'id="overdue-940-997">.*?<td>1</td>', panel, re.S)
            assert re.search(r'id="overdue-940-945">.*?<td>1</td>', panel, re.S)
            assert 'href="/trace?key=PO-5"' in panel and "northstar-3pl" in panel
            # inventory lag: each source's newest figure, and what Shopify is owed
            assert "<td>erp</td>" in panel and "<td>846:northstar-3pl</td>" in panel
            assert re.search(r"<td>shopify</td><td>1</td>\s*<td>4\.1 d</td>", panel)
            assert "overdue" in client.get("/partners").text
    # a partner's own deadline puts its 997 back in time: nothing of that kind on the overview
    relaxed = Deadlines({"940-997": timedelta(days=10)})
    app = create_app(ConsoleContext(store, settings, config, lambda: later, relaxed))
    with ServerThread(app) as server, Console(server.url, store, {}).login("vic") as client:
        assert 'id="overdue-940-997"' not in client.get("/").text


def test_business_gauges_for_prometheus(store: Store) -> None:
    seed(store)
    now = datetime.now(UTC) + timedelta(days=2)
    text = generate_latest(registry_for(store, lambda: now, deadlines=DEFAULT)).decode()
    assert 'crossdock_open_exceptions{owner="integration"} 1.0' in text
    assert 'crossdock_open_exceptions{owner="finance"} 1.0' in text
    assert 'crossdock_open_exceptions{owner="customer_service"} 0.0' in text
    assert 'crossdock_dead_letters_waiting{queue="orders"} 1.0' in text
    assert 'crossdock_overdue_documents{kind="940-997",party=""} 0.0' in text
    late_and_lagging(store)
    text = generate_latest(registry_for(store, lambda: now, deadlines=DEFAULT)).decode()
    assert 'crossdock_overdue_documents{kind="940-997",party="northstar-3pl"} 1.0' in text
    assert 'crossdock_overdue_documents{kind="940-945",party=""} 0.0' in text  # not yet: due after three days
    ages = dict(re.findall(r'crossdock_inventory_source_age_seconds\{source="([^"]+)"\} ([0-9.e+]+)', text))
    assert set(ages) == {"erp", "846:northstar-3pl"} and float(ages["erp"]) > 2 * 86_400
    push = re.search(r'crossdock_inventory_push_lag_seconds\{channel="shopify"\} ([0-9.e+]+)', text)
    assert push and float(push.group(1)) > 2 * 86_400


def test_an_unreachable_store_is_a_503_page_not_a_server_error(tmp_path: Path, password_hash: str) -> None:
    config = load_console_config(config_file(tmp_path, password_hash), {"CROSSDOCK_CONSOLE_SECRET": SECRET})
    down = Store.from_url("postgresql+psycopg://crossdock@127.0.0.1:1/nowhere")
    try:
        app = create_app(ConsoleContext(down, Settings(), config))
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            token = csrf(client)
            login = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token})
            assert login.status_code == 503 and "store (database) cannot be reached" in login.text
    finally:
        down.close()
