"""Invoices end to end on real servers: sshd (the partners' mailboxes), the ERP simulator over SOAP,
SQLite or PostgreSQL, the in-memory broker with an in-process worker running the real flow steps.

The buyer's 850 is booked, the 3PL's 945 posts the shipment, ``invoices.to_erp`` bills it in the ERP and
``invoices.to_buyer`` sends the buyer (configured with ``invoice: true``) an 810. Replays of the invoice
step, as an operator would send them (a fresh message), bill nothing twice and send no second 810."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.handlers.outbound import SftpOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.steps import sender
from crossdock.bridges.sftp import InboundPoller, SftpSession, profile_from_dict
from crossdock.canonical import Envelope, Shipment
from crossdock.edi import validate
from crossdock.edi.translate import translate
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, ItemStatus, Store
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.sshd import SshServer
from tests.integration.test_flows_edi import ADVICE_945, ITEM_MAP, ORDER_850, Rig, edi_profile, mailbox, poll

pytestmark = pytest.mark.integration


@pytest.fixture
def erp_file(tmp_path: Path) -> Iterator[ErpSimServer]:
    server = ErpSimServer(database=tmp_path / "erp.db").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rig(sshd: SshServer, erp_file: ErpSimServer, store: Store, tmp_path: Path) -> Iterator[Rig]:
    buyer_sftp = profile_from_dict(mailbox(sshd, "acme-retail"))
    threepl_sftp = profile_from_dict(mailbox(sshd, "northstar-3pl"))
    partners = (
        TradingPartner(edi_profile("acme-retail"), SftpOutbound(SftpSession(buyer_sftp)), erp_customer_no="C30000",
                       invoice=True),
        TradingPartner(edi_profile("northstar-3pl"), SftpOutbound(SftpSession(threepl_sftp)), erp_location_code="MAIN"),
    )  # fmt: skip
    ports = FlowPorts(store, erp_gateway(erp_file), partners, "northstar-3pl", "COL1", ITEM_MAP)
    settings = load_settings(
        environ={"CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_MAX_RETRIES": "1", "CROSSDOCK_MIN_BACKOFF_MS": "10"}
    )
    flows = EmbeddedFlows(settings, ports)
    buyer = InboundPoller(SftpSession(buyer_sftp), flows.sftp_sink)
    threepl = InboundPoller(SftpSession(threepl_sftp), flows.sftp_sink)
    try:
        yield Rig(sshd, erp_file, store, flows, buyer, threepl)
    finally:
        buyer.session.close()
        threepl.session.close()
        flows.close()


def _erp_invoices(erp: ErpSimServer) -> list[tuple[str, str, Decimal]]:
    assert erp.database is not None
    with sqlite3.connect(erp.database) as db:
        rows = db.execute("SELECT document_no, external_document_no, amount FROM posted_document"
                          " WHERE kind = 'invoice'").fetchall()  # fmt: skip
    return [(number, external, Decimal(amount)) for number, external, amount in rows]


@pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"])
def test_a_shipment_is_invoiced_once_and_the_buyer_gets_one_810_despite_replays(rig: Rig) -> None:
    # Given the buyer's PO booked and the 3PL's shipment of it posted
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    poll(rig.buyer)
    rig.flows.settle()
    rig.drop("northstar-3pl", "945_7301.x12", ADVICE_945.read_bytes())
    poll(rig.threepl)
    rig.flows.settle()
    # Then the ERP has one invoice for it, at the PO's prices: 24 x 12.50 + 10 x 28 + 6 x 54 as shipped,
    # less the hoodies' volume allowance for the 10 of 12 shipped (36.00 x 10 / 12)
    [(number, external, amount)] = _erp_invoices(rig.erp)
    assert (external, amount) == ("SHP-20261124-01", Decimal("874.00"))
    # When the invoice step is replayed twice as fresh messages (an operator's replays)
    shipment = _shipment()
    send = sender(rig.flows.broker)
    for n in (1, 2):
        send("invoices.to_erp", Envelope(idempotency_key=f"replay-{n}", source="operator",
                                         document_type="shipment"), shipment)  # fmt: skip
    rig.flows.settle()
    # Then still one invoice in the ERP (found by its reference before anything was posted) ...
    assert _erp_invoices(rig.erp) == [(number, external, amount)]
    assert rig.erp.calls().get("CreateInvoice") == 1
    # ... and the buyer has exactly one 810, valid, for that invoice, linked to the shipment and the PO
    [invoice_810] = [p for p in rig.files("acme-retail") if "_810_" in p.name]
    data = invoice_810.read_bytes()
    assert validate.validate(data).valid
    assert f"BIG*20261124*{number}*".encode() in data and b"TDS*87400~" in data
    linked = rig.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812"))
    assert linked.ids(DocType.INVOICE) == [number]
    assert rig.store.exceptions.items(status=ItemStatus.OPEN) == []


def _shipment() -> Shipment:
    """The shipment the 945 brings (the journal keeps no documents: read again from the 945)."""
    [result] = translate(ADVICE_945.read_bytes()).sets
    assert isinstance(result.document, Shipment)
    return result.document
