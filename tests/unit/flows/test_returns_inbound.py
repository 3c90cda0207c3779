"""The 3PL's 180 through ``edi.inbound``: acknowledged with a 997, linked to its return, and handed on
to ``returns.apply`` as the receipt; a 180 from a partner that is not our warehouse is a problem for a
person, not a receipt."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import EDI_INBOUND, MARKETPLACE_INBOUND
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.canonical import Channel, Envelope
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.inbound import InboundPayload
from crossdock.errors import BusinessError
from crossdock.store import DocRef, DocType, ItemFilter, Store
from tests.conftest import ROOT
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled

RECEIPT_180 = (ROOT / "examples" / "180_from_3pl.x12").read_bytes()
AT = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path) -> FlowPorts:
    return flow_ports(sqlite_store, MemoryErp(), tmp_path / "out")


def stored(store: Store, data: bytes, source: str, topic: str | None = None) -> InboundPayload:
    headers = {"X-Shopify-Topic": topic} if topic else None
    ref = store.raw.put_once(data, source=source, name="180.x12", headers=headers)
    return InboundPayload(payload_id=ref.id, source=source, name="180.x12", sha256=ref.sha256, size=ref.size)


def test_the_3pl_receipt_goes_to_returns_apply_and_is_acknowledged(ports: FlowPorts, tmp_path: Path) -> None:
    payload = stored(ports.store, RECEIPT_180, "sftp:northstar-3pl")
    envelope = Envelope(idempotency_key="k-180", source="test", document_type="inbound_payload", created_at=AT)
    [out] = settled(ports, call(ports, EDI_INBOUND, envelope, payload))
    assert out.step.name == "returns.apply" and isinstance(out.document, ReturnEventDocument)
    event = out.document
    assert (event.kind, event.channel, event.rma_number) == ("received", Channel.SHOPIFY, "SH-8119")
    assert [(line.sku, line.quantity, line.disposition.value) for line in event.lines] == [
        ("CD-TEE-BLK-M", Decimal(1), "restock"), ("CD-TEE-BLK-M", Decimal(1), "damaged"),
        ("CD-HOOD-GRY-L", Decimal(1), "destroy"),
    ]  # fmt: skip
    [ack] = sorted((tmp_path / "out" / "northstar-3pl").iterdir())
    assert b"AK1*AN*7401" in ack.read_bytes() and b"AK9*A*1*1*1" in ack.read_bytes()
    linked = ports.store.links.connected(DocRef(DocType.RETURN, "SH-8119"))
    assert linked.ids(DocType.INTERCHANGE) == ["NORTHSTAR3PL:000007401"]


def test_a_180_from_another_partner_is_a_problem_not_a_receipt(ports: FlowPorts) -> None:
    from_buyer = RECEIPT_180.replace(b"NORTHSTAR3PL   ", b"ACMERETAIL     ")
    from_buyer = from_buyer.replace(b"AN*NORTHSTAR3PL", b"AN*ACMERETAIL")
    payload = stored(ports.store, from_buyer, "sftp:acme-retail")
    envelope = Envelope(idempotency_key="k-180b", source="test", document_type="inbound_payload", created_at=AT)
    assert settled(ports, call(ports, EDI_INBOUND, envelope, payload)) == []
    [item] = ports.store.exceptions.find(ItemFilter(business_key=f"raw-payload:{payload.payload_id}"))
    assert "only the warehouse partner northstar-3pl reports returns" in item.error_message


DATA = ROOT / "tests" / "data" / "returns"


def test_a_shopify_refund_webhook_becomes_its_return_events(ports: FlowPorts) -> None:
    body = (DATA / "shopify_refund_return.json").read_bytes()
    payload = stored(ports.store, body, "webhook:shopify", "refunds/create")
    envelope = Envelope(idempotency_key="k-refund", source="test", document_type="inbound_payload", created_at=AT)
    authorized, refunded = call(ports, MARKETPLACE_INBOUND, envelope, payload)
    assert {authorized.step.name, refunded.step.name} == {"returns.apply"}
    assert isinstance(authorized.document, ReturnEventDocument) and authorized.document.kind == "authorized"
    assert isinstance(refunded.document, ReturnEventDocument) and refunded.document.amount == Decimal("-51.84")
    assert authorized.idempotency_key != refunded.idempotency_key
    # the same refund delivered again carries the same keys: the returns step applies it once
    again = call(ports, MARKETPLACE_INBOUND, envelope, stored(ports.store, body, "webhook:shopify", "refunds/create"))
    assert [out.idempotency_key for out in again] == [authorized.idempotency_key, refunded.idempotency_key]


def test_a_refund_with_nothing_coming_back_goes_nowhere(ports: FlowPorts) -> None:
    body = (DATA / "shopify_refund_cancel.json").read_bytes()
    payload = stored(ports.store, body, "webhook:shopify", "refunds/create")
    envelope = Envelope(idempotency_key="k-cancel", source="test", document_type="inbound_payload", created_at=AT)
    assert call(ports, MARKETPLACE_INBOUND, envelope, payload) == []


def test_a_refund_body_under_an_order_topic_is_no_return(ports: FlowPorts) -> None:
    """The topic header decides (the receiver stored it): a refund's body sent as ``orders/create`` is
    read as an order, and fails as one (parked), never applied as a return."""
    payload = stored(ports.store, (DATA / "shopify_refund_return.json").read_bytes(), "webhook:shopify",
                     "orders/create")  # fmt: skip
    envelope = Envelope(idempotency_key="k-x", source="test", document_type="inbound_payload", created_at=AT)
    with pytest.raises(BusinessError):
        call(ports, MARKETPLACE_INBOUND, envelope, payload)


def test_a_refund_topic_whose_body_is_no_refund_is_parked_naming_what_is_missing(ports: FlowPorts) -> None:
    payload = stored(ports.store, b'{"id": 1, "domain": "shop.example"}', "webhook:shopify", "refunds/create")
    envelope = Envelope(idempotency_key="k-y", source="test", document_type="inbound_payload", created_at=AT)
    with pytest.raises(BusinessError, match=r"refunds/create webhook 180\.x12: the body is no refund or return"):
        call(ports, MARKETPLACE_INBOUND, envelope, payload)
