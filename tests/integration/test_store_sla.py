"""Deadlines for the next expected document (``crossdock.store.sla``) on SQLite and PostgreSQL, and
``crossdock sla overdue`` / ``crossdock acks overdue`` as an operator runs them. The store is filled
as the steps fill it: outbox rows delivered, and the links ``x12_out``, ``edi.inbound`` and
``shipments.to_erp`` write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.actors.sla_config import SlaConfig
from crossdock.cli import app
from crossdock.errors import Owner
from crossdock.store import DocRef, DocType, ItemStatus, Store
from crossdock.store.base import utcnow
from crossdock.store.sla import DEFAULT, Deadlines, acknowledgments_after, open_work_items, overdue_documents
from tests.fixtures.outbox import acknowledge, send

pytestmark = pytest.mark.integration

NOW_PLUS = timedelta(days=4)


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def sent(store: Store) -> None:
    """Three 940s to the 3PL (the second acknowledged), an 856 to a buyer and an 810 to it (acknowledged)."""
    for gs, po in ((1, "PO-1"), (2, "PO-2"), (3, "PO-3")):
        send(store, "northstar-3pl", "940", gs, DocRef(DocType.WAREHOUSE_ORDER, po), {"warehouse_order": po})
    send(store, "acme-retail", "856", 7, DocRef(DocType.SHIPMENT, "SHP-9"), {"shipment": "SHP-9"})
    send(store, "acme-retail", "810", 8, DocRef(DocType.INVOICE, "INV-1"), {"invoice": "INV-1"})
    acknowledge(store, "northstar-3pl", 2)
    acknowledge(store, "acme-retail", 8)


def listed(store: Store, deadlines: Deadlines = DEFAULT, after: timedelta = NOW_PLUS) -> list[tuple[str, str, str]]:
    return [(o.kind.name, o.party, o.waiting.key) for o in overdue_documents(store, deadlines, now=utcnow() + after)]


def test_a_940_without_its_997_past_its_deadline_is_listed_and_one_with_it_is_not(store: Store) -> None:
    sent(store)
    acks = acknowledgments_after(24)
    assert listed(store, acks, timedelta(hours=23)) == []
    assert listed(store, acks) == [
        ("940-997", "northstar-3pl", "PO-1"), ("940-997", "northstar-3pl", "PO-3"), ("856-997", "acme-retail", "SHP-9")
    ]  # fmt: skip
    found = overdue_documents(store, acks, now=utcnow() + NOW_PLUS)
    assert [o.waiting.sent_at for o in found] == sorted(o.waiting.sent_at for o in found)  # oldest first
    assert found[0].to_dict(utcnow())["group_control_number"] == "1"
    assert found[0].due_at == found[0].waiting.sent_at + timedelta(hours=24)
    # no 945 was posted for any of the three 940s: each is late for its 945 after three days
    assert sorted(k for k in listed(store) if k[0] == "940-945") == [
        ("940-945", "northstar-3pl", "PO-1"), ("940-945", "northstar-3pl", "PO-2"), ("940-945", "northstar-3pl", "PO-3")
    ]  # fmt: skip


def test_a_945_posted_against_the_order_ends_the_wait_for_it(store: Store) -> None:
    sent(store)
    po = DocRef(DocType.PURCHASE_ORDER, "PO-1")
    store.links.link(DocRef(DocType.WAREHOUSE_ORDER, "PO-1"), po)  # orders.to_warehouse
    store.links.link(po, DocRef(DocType.ERP_ORDER, "SO-1"))  # orders.to_erp
    assert ("940-945", "northstar-3pl", "PO-1") in listed(store)
    store.links.link(DocRef(DocType.SHIPMENT, "SHP-1"), DocRef(DocType.ERP_ORDER, "SO-1"))  # shipments.to_erp
    assert ("940-945", "northstar-3pl", "PO-1") not in listed(store)


def test_deadlines_per_partner_and_off(store: Store) -> None:
    sent(store)
    deadlines = Deadlines({"940-997": timedelta(days=10)}, {("940-997", "northstar-3pl"): timedelta(hours=1)})
    assert listed(store, deadlines, timedelta(hours=2)) == [("940-997", "northstar-3pl", "PO-1"),
                                                           ("940-997", "northstar-3pl", "PO-3")]  # fmt: skip
    assert listed(store, Deadlines({"940-997": None})) == []
    assert listed(store, acknowledgments_after(1), timedelta(days=31)) == []  # past the lookback


def test_a_posted_shipment_waits_for_its_invoice(store: Store) -> None:
    shipment = DocRef(DocType.SHIPMENT, "SHP-5")
    store.links.link(shipment, DocRef("erp_shipment", "SH-SHP-5"))  # posted by shipments.to_erp
    store.links.link(shipment, DocRef(DocType.ERP_ORDER, "SO-5"))
    store.links.link(DocRef(DocType.ERP_ORDER, "SO-5"), DocRef(DocType.MARKETPLACE_ORDER, "5100"))
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, "5100"), DocRef(DocType.CHANNEL_ORDER, "shopify:5100"))
    invoices = DEFAULT.only({"shipment-invoice"})
    assert listed(store, invoices, timedelta(hours=23)) == []
    assert listed(store, invoices) == [("shipment-invoice", "shopify", "SHP-5")]
    store.links.link(shipment, DocRef(DocType.INVOICE, "INV-5"))  # invoices.to_erp
    assert listed(store, invoices) == []


def test_a_walmart_order_booked_waits_for_its_acknowledgment_once_switched_on(store: Store) -> None:
    order = DocRef(DocType.MARKETPLACE_ORDER, "1796277083022")
    store.links.link(order, DocRef(DocType.ERP_ORDER, "SO-9"))  # orders.to_erp
    store.links.link(order, DocRef(DocType.CHANNEL_ORDER, "walmart:1796277083022"))
    assert [k for k in listed(store) if k[0] == "order-acknowledgment"] == []  # off by default
    walmart = SlaConfig.model_validate({"channels": {"walmart": {"order-acknowledgment": "4h"}}})
    deadlines = walmart.to_deadlines(marketplaces=["walmart"])
    assert listed(store, deadlines, timedelta(hours=3)) == []
    late = overdue_documents(store, deadlines, now=utcnow() + timedelta(hours=5))
    assert [(o.kind.name, o.party, o.waiting.key) for o in late] == [
        ("order-acknowledgment", "walmart", "1796277083022")]  # fmt: skip
    [item] = [store.exceptions.get(i) for i in open_work_items(store, late, now=utcnow())]
    assert item.channel == "walmart" and item.code == "overdue:order-acknowledgment"
    store.links.link(order, DocRef("marketplace_ack", "walmart:1796277083022"))  # orders.acknowledge
    assert listed(store, deadlines, timedelta(hours=5)) == []


def test_open_items_twice_opens_one_item_per_overdue_document(store: Store) -> None:
    sent(store)
    now = utcnow() + NOW_PLUS
    found = overdue_documents(store, DEFAULT, now=now)
    assert len(found) == 6  # PO-1, PO-3 and SHP-9 without 997; PO-1, PO-2, PO-3 without 945
    opened = open_work_items(store, found, now=now)
    assert len(opened) == 6
    again = overdue_documents(store, DEFAULT, now=now)
    assert sorted(o.work_item for o in again if o.work_item) == sorted(opened)
    assert open_work_items(store, again, now=now) == []
    items = {(i.code, i.business_key): i for i in store.exceptions.items(status=ItemStatus.OPEN)}
    assert len(items) == 6
    po1 = items[("overdue:940-997", "PO-1")]
    assert po1.owner is Owner.INTEGRATION and po1.error_class == "AcknowledgmentOverdue"
    assert po1.error_message.startswith("no 997 from northstar-3pl for our group 1 (940 PO-1): sent ")
    assert items[("overdue:940-945", "PO-2")].owner is Owner.WAREHOUSE
    # the item is in the order's trace
    assert str(po1.id) in store.links.connected(DocRef(DocType.WAREHOUSE_ORDER, "PO-1")).ids(DocType.WORK_ITEM)
    # an item a person resolved settles its document: not listed, no new item
    store.exceptions.resolve(po1.id, "ops", "the 3PL confirmed by mail")
    later = overdue_documents(store, DEFAULT, now=now)
    assert ("940-997", "PO-1") not in {(o.kind.name, o.waiting.key) for o in later} and len(later) == 5
    assert open_work_items(store, later, now=now) == []


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_sla_and_acks_overdue_commands(store: Store, migrated_db_url: str, tmp_path: Path) -> None:
    sent(store)
    env: dict[str, str | None] = {"CROSSDOCK_DATABASE_URL": migrated_db_url, "CROSSDOCK_CONFIG": None,
                                  "CROSSDOCK_CONFIG_DIR": None, "CROSSDOCK_PARTNERS_PATH": None}  # fmt: skip

    def run(*args: str) -> Result:
        result = CliRunner().invoke(app, list(args), env=env)
        assert not isinstance(result.exception, AssertionError | TypeError | AttributeError), result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    # one run as the operator runs it: nothing overdue yet (deadlines of a day and more)
    quiet = subprocess.run([sys.executable, "-m", "crossdock", "sla", "overdue"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120, env={**os.environ, "CROSSDOCK_DATABASE_URL": migrated_db_url,
                                                        "CROSSDOCK_CONFIG_DIR": ""})  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    listed = run("acks", "overdue", "--hours", "0", "--open-items", "--json")
    assert listed.code == 1, listed.stderr  # found a problem: overdue groups
    report = json.loads(listed.stdout)
    assert sorted(g["group_control_number"] for g in report["overdue"]) == ["1", "3", "7"]
    assert {g["partner"] for g in report["overdue"]} == {"northstar-3pl", "acme-retail"}
    assert len(report["opened_work_items"]) == 3
    assert all(g["work_item"] in report["opened_work_items"] for g in report["overdue"])
    again = json.loads(run("acks", "overdue", "--hours", "0", "--open-items", "--json").stdout)
    assert again["opened_work_items"] == [] and len(again["overdue"]) == 3
    # sla overdue with its deadlines from flows.yaml: the 940s' 945s too, one item each
    flows = tmp_path / "config"
    flows.mkdir()
    (flows / "flows.yaml").write_text(
        "warehouse_partner: northstar-3pl\nerp: {endpoint: 'http://127.0.0.1:9/erp'}\n"
        "partners: [{edi: partners/x.yaml, outbound_folder: out}]\n"
        "sla: {deadlines: {940-997: 0s, 856-997: 0s, 940-945: 0s}, partners: {acme-retail: {856-997: off}}}\n"
    )
    env["CROSSDOCK_CONFIG_DIR"] = str(flows)
    table = run("sla", "overdue", "--format", "tsv")
    assert table.code == 1, table.stderr
    rows = [line.split("\t") for line in table.stdout.splitlines()[1:]]
    assert sorted((r[0], r[2]) for r in rows) == [("940-945", "PO-1"), ("940-945", "PO-2"), ("940-945", "PO-3"),
                                                  ("940-997", "PO-1"), ("940-997", "PO-3")]  # fmt: skip
    opened = json.loads(run("sla", "overdue", "--open-items", "--json").stdout)["opened_work_items"]
    assert len(opened) == 3  # the 945s' (the 997s' have theirs)
    assert json.loads(run("sla", "overdue", "--open-items", "--json").stdout)["opened_work_items"] == []
    only = json.loads(run("sla", "overdue", "--kind", "940-945", "--party", "northstar-3pl", "--json").stdout)
    assert {o["kind"] for o in only["overdue"]} == {"940-945"} and len(only["overdue"]) == 3
    bad = run("sla", "overdue", "--kind", "940-998")
    assert bad.code == 2 and "940-998" in bad.stderr and "Traceback" not in bad.stderr
    (flows / "flows.yaml").write_text((flows / "flows.yaml").read_text().replace("940-945: 0s", "940-945: soon"))
    broken = run("sla", "overdue")
    assert broken.code == 2 and "940-945" in broken.stderr and len(broken.stderr.strip().splitlines()) == 1
