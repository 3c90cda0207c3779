"""Flow handlers called directly (no broker): SQLite store, an in-memory ERP, real folder outbound."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import (
    EDI_INBOUND,
    MARKETPLACE_INBOUND,
    ORDERS_TO_ERP,
    ORDERS_TO_WAREHOUSE,
    OUTBOX_DELIVER,
    SHIPMENTS_TO_BUYER,
    SHIPMENTS_TO_ERP,
)
from crossdock.actors.handlers import edi_inbound
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.canonical import Envelope, Order, Shipment, idempotency_key
from crossdock.canonical.inbound import InboundPayload, OutboxDelivery
from crossdock.edi.translate import translate
from crossdock.edi.validate import validate
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocRef, DocType, ItemStatus, Store
from crossdock.store.sla import acknowledgments_after, overdue_documents
from tests.conftest import ROOT
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled
from tests.unit.rest.samples import amazon_items, amazon_order, shopify_order, walmart_order

ORDER_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
ADVICE_945 = (ROOT / "examples" / "945_from_3pl.x12").read_bytes()
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def erp() -> MemoryErp:
    return MemoryErp()


@pytest.fixture
def ports(sqlite_store: Store, erp: MemoryErp, tmp_path: Path) -> FlowPorts:
    return flow_ports(sqlite_store, erp, tmp_path / "out")


def stored(store: Store, data: bytes, name: str = "in.x12", source: str = "sftp:acme-retail") -> InboundPayload:
    ref = store.raw.put_once(data, source=source, name=name)
    return InboundPayload(payload_id=ref.id, source=source, name=name, sha256=ref.sha256, size=ref.size)


def envelope(kind: str, key: str = "k-1") -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type=kind, created_at=AT)


def outbox(tmp_path: Path, partner: str) -> list[Path]:
    folder = tmp_path / "out" / partner
    return sorted(folder.iterdir()) if folder.exists() else []


def run_order_through(ports: FlowPorts) -> Outgoing:
    [out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), stored(ports.store, ORDER_850)))
    return out


def send_940(ports: FlowPorts) -> Order:
    """The buyer's 850 read and sent to the 3PL as a 940 (interchange and group 1 of northstar-3pl)."""
    order = run_order_through(ports).document
    assert isinstance(order, Order)
    settled(ports, call(ports, ORDERS_TO_WAREHOUSE, envelope("order"), order))
    return order


def test_an_850_goes_on_as_an_order_for_the_erp_customer_and_is_acknowledged(ports: FlowPorts, tmp_path: Path) -> None:
    out = run_order_through(ports)
    assert out.step is ORDERS_TO_ERP
    assert isinstance(out.document, Order)
    assert out.document.external_id == "PO-778812"
    assert out.document.references["erp_customer_no"] == "C30000"
    [ack] = outbox(tmp_path, "acme-retail")
    assert b"ST*997*0001" in ack.read_bytes() and b"AK9*A*1*1*1" in ack.read_bytes()
    assert ports.store.control_numbers.last("acme-retail", "isa") == 1


def test_an_850_asking_for_a_ta1_gets_it_with_its_997(ports: FlowPorts, tmp_path: Path) -> None:
    asking = ORDER_850.replace(b"*000000501*0*P*>", b"*000000501*1*P*>", 1)
    assert asking != ORDER_850
    settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), stored(ports.store, asking)))
    [ack] = outbox(tmp_path, "acme-retail")
    assert b"~\nTA1*000000501*261120*0930*A*000~\nGS*FA*" in ack.read_bytes().replace(b"\r\n", b"\n")


def test_the_order_key_is_the_same_whatever_file_carried_it(ports: FlowPorts) -> None:
    first = run_order_through(ports)
    [again] = settled(
        ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-2"), stored(ports.store, ORDER_850, "b.x12"))
    )
    assert first.idempotency_key == again.idempotency_key


def test_orders_to_erp_books_once_and_links_po_to_erp_order(ports: FlowPorts, erp: MemoryErp) -> None:
    order = run_order_through(ports).document
    [out] = call(ports, ORDERS_TO_ERP, envelope("order"), order)
    [again] = call(ports, ORDERS_TO_ERP, envelope("order"), order)
    assert erp.creates == 1
    [booked] = erp.orders.values()
    assert [line.sku for line in booked.lines] == ["ITEM-1", "ITEM-2", "ITEM-3"]
    assert booked.references["erp_location_code"] == "MAIN"
    assert isinstance(out.document, Order)
    assert out.step is ORDERS_TO_WAREHOUSE
    assert out.document.references["erp_order_no"] == again.document.references["erp_order_no"] == "SO00001"
    # the 940 keeps our SKUs: only the ERP's view is mapped
    assert [line.sku for line in out.document.lines] == ["CD-TEE-BLK-M", "CD-HOOD-GRY-L", "CD-SOCK-6PK"]
    linked = ports.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812"))
    assert linked.ids(DocType.ERP_ORDER) == ["SO00001"]


def test_an_unknown_item_is_a_business_error_not_a_crash(ports: FlowPorts, erp: MemoryErp) -> None:
    erp.items.discard("ITEM-3")
    order = run_order_through(ports).document
    with pytest.raises(BusinessError, match="ITEM-3"):
        call(ports, ORDERS_TO_ERP, envelope("order"), order)


def test_orders_to_warehouse_renders_consecutive_940s_with_the_store_numbers(ports: FlowPorts, tmp_path: Path) -> None:
    order = run_order_through(ports).document
    assert isinstance(order, Order)
    settled(ports, call(ports, ORDERS_TO_WAREHOUSE, envelope("order", "a"), order))
    second = order.model_copy(update={"external_id": "PO-2"})
    settled(ports, call(ports, ORDERS_TO_WAREHOUSE, envelope("order", "b"), second))
    files = outbox(tmp_path, "northstar-3pl")
    assert [f.name.split("_")[2] for f in files] == ["000000001", "000000002"]
    assert b"GS*OW*CROSSDOCK*NORTHSTAR3PL" in files[1].read_bytes() and b"*2*X*004010" in files[1].read_bytes()
    assert "northstar-3pl:2:0002" in ports.store.links.connected(DocRef(DocType.WAREHOUSE_ORDER, "PO-2")).ids(
        DocType.TRANSACTION_SET
    )


def test_a_940_leaves_only_after_its_step_committed_and_a_rolled_back_step_leaves_nothing(
    ports: FlowPorts, tmp_path: Path
) -> None:
    """The step's numbers, outbox row and links roll back together; nothing was written before the commit."""
    order = run_order_through(ports).document
    assert isinstance(order, Order)
    message = envelope("order")
    # Given the step running inside its idempotency claim's transaction, as the middleware runs it
    claim = SqlMessageStore(ports.store).claim(ORDERS_TO_WAREHOUSE.name, message.idempotency_key, message.message_id)
    assert claim is not None
    [delivery] = call(ports, ORDERS_TO_WAREHOUSE, message, order, session=claim.connection)
    # Then the step asks for the delivery after its commit, and no file exists yet
    assert delivery.step is OUTBOX_DELIVER and delivery.after_commit
    assert outbox(tmp_path, "northstar-3pl") == []
    # When the step fails after that, the claim rolls back: numbers, outbox row, links, the mark
    claim.rollback()
    assert ports.store.control_numbers.last("northstar-3pl", "isa") is None
    assert ports.store.outbox.entries(set_id="940") == []
    # Then the redelivered message records the 940 once more with the same numbers, delivered once
    settled(ports, call(ports, ORDERS_TO_WAREHOUSE, message, order))
    [entry] = ports.store.outbox.entries(set_id="940")
    [file] = outbox(tmp_path, "northstar-3pl")
    assert (entry.status, entry.isa_control, entry.location) == ("delivered", 1, str(file))
    assert file.name == f"northstar-3pl_940_000000001_20261120T100000_{entry.id}.edi"
    wso, links = DocRef(DocType.WAREHOUSE_ORDER, "PO-778812"), ports.store.links
    assert [r.doc_id for r in links.neighbours(wso, DocType.INTERCHANGE)] == ["northstar-3pl:000000001"]
    assert [r.doc_id for r in links.neighbours(wso, "outbox")] == [str(entry.id)]


def test_an_outbox_row_is_delivered_once_however_often_it_is_sent(ports: FlowPorts, tmp_path: Path) -> None:
    order = run_order_through(ports).document
    [delivery] = call(ports, ORDERS_TO_WAREHOUSE, envelope("order"), order)
    assert isinstance(delivery.document, OutboxDelivery)
    for _ in range(3):
        settled(ports, [delivery])
    assert len(outbox(tmp_path, "northstar-3pl")) == 1
    assert [e.status for e in ports.store.outbox.entries(set_id="940")] == ["delivered"]


def test_another_file_under_a_documents_name_holds_the_row_for_a_person(ports: FlowPorts, tmp_path: Path) -> None:
    # Given a 940 recorded, and another file already under its name on the 3PL side
    order = run_order_through(ports).document
    [delivery] = call(ports, ORDERS_TO_WAREHOUSE, envelope("order"), order)
    [entry] = ports.store.outbox.entries(set_id="940")
    folder = tmp_path / "out" / "northstar-3pl"
    folder.mkdir(parents=True)
    (folder / entry.file_name).write_bytes(b"someone else's file")
    # When it is delivered, then it is a business error for the integration owner keyed by the row
    with pytest.raises(BusinessError, match="other content") as caught:
        settled(ports, [delivery])
    assert caught.value.owner is Owner.INTEGRATION and caught.value.key == f"outbox:{entry.id}"
    # and the row is held, not delivered, and the other file is left alone
    assert ports.store.outbox.entries(status="held")[0].id == entry.id
    assert (folder / entry.file_name).read_bytes() == b"someone else's file"
    # After the other file was moved away, delivering it again works
    (folder / entry.file_name).unlink()
    settled(ports, [delivery])
    assert [e.status for e in ports.store.outbox.entries(set_id="940")] == ["delivered"]
    assert ports.store.outbox.counts() == {"pending": 0, "held": 0, "delivered": 2}  # with the 850's 997


def test_a_945_posts_the_shipment_to_the_booked_order(ports: FlowPorts, erp: MemoryErp) -> None:
    order = run_order_through(ports).document
    call(ports, ORDERS_TO_ERP, envelope("order"), order)
    payload = stored(ports.store, ADVICE_945, "945.x12", "sftp:northstar-3pl")
    [out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-945"), payload))
    assert out.step is SHIPMENTS_TO_ERP and isinstance(out.document, Shipment)
    call(ports, SHIPMENTS_TO_ERP, envelope("shipment"), out.document)
    posted = erp.shipments["SHP-20261124-01"]
    assert posted.references["erp_order_no"] == "SO00001"
    assert [line.sku for line in posted.orders[0].lines] == ["ITEM-1", "ITEM-2", "ITEM-3"]
    linked = ports.store.links.connected(DocRef(DocType.TRACKING_NUMBER, "1Z999AA10123456784"))
    assert linked.ids(DocType.PURCHASE_ORDER) == ["PO-778812"]


def ship_the_order(ports: FlowPorts) -> Outgoing:
    """The 850 booked, the 3PL's 945 received and posted to the ERP: returns what ``to_erp`` sends on."""
    order = run_order_through(ports).document
    call(ports, ORDERS_TO_ERP, envelope("order"), order)
    payload = stored(ports.store, ADVICE_945, "945.x12", "sftp:northstar-3pl")
    [out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-945"), payload))
    assert isinstance(out.document, Shipment)
    [to_buyer, _invoice] = call(ports, SHIPMENTS_TO_ERP, envelope("shipment", out.idempotency_key), out.document)
    return to_buyer


def test_a_shipped_po_gets_its_buyer_an_856_that_validates_and_reads_back(ports: FlowPorts, tmp_path: Path) -> None:
    # Given the buyer's PO booked and shipped by the 3PL
    out = ship_the_order(ports)
    assert out.step is SHIPMENTS_TO_BUYER and isinstance(out.document, Shipment)
    # When the ship notice step runs
    sent = call(ports, SHIPMENTS_TO_BUYER, envelope("shipment", out.idempotency_key), out.document)
    assert settled(ports, sent) == []
    # Then the buyer (not the 3PL) has an 856 next to the 997 of its 850
    asn_files = [p for p in outbox(tmp_path, "acme-retail") if "_856_" in p.name]
    assert [p for p in outbox(tmp_path, "northstar-3pl") if "_856_" in p.name] == []
    [asn_file] = asn_files
    data = asn_file.read_bytes()
    assert b"ISA*00*          *00*          *ZZ*CROSSDOCK      *ZZ*ACMERETAIL     *" in data
    report = validate(data)
    assert report.valid, report.all_issues()
    [result] = translate(data).sets
    notice = result.document
    assert isinstance(notice, Shipment) and notice.shipment_id == "SHP-20261124-01"
    assert [o.po_number for o in notice.orders] == ["PO-778812"]
    assert notice.tracking_numbers == ["1Z999AA10123456784"]
    shipped = {(line.gtin, line.quantity_shipped) for o in notice.orders for p in o.packages for line in p.lines}
    assert shipped == {("012345678905", 24), ("012345678912", 10), ("4006381333931", 6)}
    # And the 856's envelope numbers are the buyer's next ones, linked to the shipment and so to the PO
    isa = ports.store.control_numbers.last("acme-retail", "isa")
    assert isa == 2  # 1 went to the 997 of the 850
    linked = ports.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812"))
    assert f"acme-retail:{isa:09d}" in linked.ids(DocType.INTERCHANGE)


def test_no_856_for_an_order_that_came_from_no_x12_partner(ports: FlowPorts, tmp_path: Path) -> None:
    out = ship_the_order(ports)
    assert isinstance(out.document, Shipment)
    [order] = out.document.orders
    stranger = out.document.model_copy(
        update={"orders": [order.model_copy(update={"po_number": "SHOP-1001", "order_ref": "SHOP-1001"})]}
    )
    assert settled(ports, call(ports, SHIPMENTS_TO_BUYER, envelope("shipment"), stranger)) == []
    assert [p for p in outbox(tmp_path, "acme-retail") if "_856_" in p.name] == []


def test_no_856_for_a_buyer_configured_without_asns(ports: FlowPorts, tmp_path: Path) -> None:
    out = ship_the_order(ports)
    quiet = dataclasses.replace(
        ports, partners=tuple(dataclasses.replace(p, asn=p.name != "acme-retail") for p in ports.partners)
    )
    settled(quiet, call(quiet, SHIPMENTS_TO_BUYER, envelope("shipment"), out.document))
    assert [p for p in outbox(tmp_path, "acme-retail") if "_856_" in p.name] == []


def test_a_shipment_for_an_order_never_booked_goes_to_the_warehouse_team(ports: FlowPorts) -> None:
    shipment = translate(ADVICE_945).sets[0].document
    assert isinstance(shipment, Shipment)
    with pytest.raises(BusinessError) as caught:
        call(ports, SHIPMENTS_TO_ERP, envelope("shipment"), shipment)
    assert caught.value.owner is Owner.WAREHOUSE and "PO-778812" in str(caught.value)


def test_an_unknown_sender_is_a_business_error(ports: FlowPorts) -> None:
    data = ORDER_850.replace(b"ACMERETAIL     ", b"SOMEONEELSE    ").replace(b"*ACMERETAIL*", b"*SOMEONEELSE*")
    with pytest.raises(BusinessError, match="SOMEONEELSE"):
        settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), stored(ports.store, data)))


def test_garbage_is_a_business_error_naming_the_file(ports: FlowPorts) -> None:
    with pytest.raises(BusinessError, match=r"junk\.x12"):
        settled(
            ports,
            call(ports, EDI_INBOUND, envelope("inbound_payload"), stored(ports.store, b"hello world", "junk.x12")),
        )


def inbound_997(status: str, group: int = 1) -> bytes:
    body = [f"AK1*OW*{group}", "AK2*940*0001", f"AK5*{status}", f"AK9*{status}*1*1*{1 if status == 'A' else 0}"]
    segments = [
        "ISA*00*          *00*          *ZZ*NORTHSTAR3PL   *ZZ*CROSSDOCK      *261121*0900*U*00401*000000088*0*P*>",
        "GS*FA*NORTHSTAR3PL*CROSSDOCK*20261121*0900*88*X*004010",
        "ST*997*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*88",
        "IEA*1*000000088",
    ]
    return ("~\n".join(segments) + "~\n").encode()


def test_an_inbound_997_is_linked_to_our_group_and_not_acknowledged(ports: FlowPorts, tmp_path: Path) -> None:
    send_940(ports)
    payload = stored(ports.store, inbound_997("A"), "997.x12", "sftp:northstar-3pl")
    assert settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-997"), payload)) == []
    linked = ports.store.links.connected(DocRef(DocType.WAREHOUSE_ORDER, "PO-778812"))
    assert linked.ids(edi_inbound.ACKNOWLEDGMENT) == ["NORTHSTAR3PL:000000088:1:accepted"]
    assert [p for p in outbox(tmp_path, "northstar-3pl") if "_997_" in p.name] == []  # never an ack of an ack
    assert ports.store.exceptions.items() == []


def test_a_940_waits_for_its_997_until_the_3pl_acknowledges_it(ports: FlowPorts) -> None:
    send_940(ports)
    later = datetime.now(UTC) + timedelta(days=2)
    [waiting] = overdue_documents(ports.store, acknowledgments_after(24), now=later)
    assert (waiting.party, waiting.waiting.detail["group_control_number"]) == ("northstar-3pl", "1")
    assert waiting.waiting.subject == DocRef(DocType.GROUP, "northstar-3pl:1") and waiting.waiting.key == "PO-778812"
    payload = stored(ports.store, inbound_997("A"), "997.x12", "sftp:northstar-3pl")
    settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-997"), payload))
    assert overdue_documents(ports.store, acknowledgments_after(24), now=later) == []


def inbound_ta1(status: str, note: str = "000") -> bytes:
    isa = "ISA*00*          *00*          *ZZ*NORTHSTAR3PL   *ZZ*CROSSDOCK      *261121*0900*U*00401*000000090*0*P*>"
    return f"{isa}~\nTA1*000000001*261120*1000*{status}*{note}~\nIEA*0*000000090~\n".encode()


def test_a_ta1_is_linked_to_our_interchange_and_a_rejection_opens_a_work_item(ports: FlowPorts, tmp_path: Path) -> None:
    # Given our 940 went out as interchange 1
    send_940(ports)
    # When the 3PL's TA1 accepts it: linked, nothing sent back, nothing for a person
    accepted = stored(ports.store, inbound_ta1("A"), "ta1-a.x12", "sftp:northstar-3pl")
    assert settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-ta1-a"), accepted)) == []
    linked = ports.store.links.connected(DocRef(DocType.WAREHOUSE_ORDER, "PO-778812"))
    assert "NORTHSTAR3PL:TA1:000000001:accepted" in linked.ids(DocType.ACKNOWLEDGMENT)
    assert [p for p in outbox(tmp_path, "northstar-3pl") if "_997_" in p.name] == []
    assert ports.store.exceptions.items() == []
    # And when a TA1 rejects it, a work item says which interchange and why
    rejected = stored(ports.store, inbound_ta1("R", "001"), "ta1-r.x12", "sftp:northstar-3pl")
    settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-ta1-r"), rejected))
    [work] = ports.store.exceptions.items(status=ItemStatus.OPEN)
    assert "rejected our interchange 000000001: TA105 001" in work.error_message
    assert work.raw_payload_id == rejected.payload_id


def test_a_rejecting_997_opens_a_work_item(ports: FlowPorts) -> None:
    payload = stored(ports.store, inbound_997("R"), "997.x12", "sftp:northstar-3pl")
    settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-997"), payload))
    [work] = ports.store.exceptions.items(status=ItemStatus.OPEN)
    assert "rejected our group 1" in work.error_message and work.raw_payload_id == payload.payload_id


def test_a_shopify_webhook_becomes_an_order_for_the_channel_customer(ports: FlowPorts) -> None:
    payload = stored(ports.store, json.dumps(shopify_order()).encode(), "wh-1", "webhook:shopify")
    [out] = call(ports, MARKETPLACE_INBOUND, envelope("inbound_payload"), payload)
    assert out.step is ORDERS_TO_ERP and isinstance(out.document, Order)
    assert out.document.channel == "shopify" and out.document.references["erp_customer_no"] == "C10000"


def test_a_webhook_body_that_is_not_json_is_a_business_error(ports: FlowPorts) -> None:
    payload = stored(ports.store, b"{not json", "wh-2", "webhook:shopify")
    with pytest.raises(BusinessError, match="not JSON"):
        call(ports, MARKETPLACE_INBOUND, envelope("inbound_payload"), payload)


def test_marketplace_party_ids_are_left_out_of_the_940(ports: FlowPorts, tmp_path: Path) -> None:
    payload = stored(ports.store, json.dumps(shopify_order()).encode(), "wh-1", "webhook:shopify")
    [out] = call(ports, MARKETPLACE_INBOUND, envelope("inbound_payload"), payload)
    assert isinstance(out.document, Order)
    assert any(p.id_qualifier and len(p.id_qualifier) > 2 for p in out.document.parties)
    settled(ports, call(ports, ORDERS_TO_WAREHOUSE, envelope("order"), out.document))
    [order_940] = outbox(tmp_path, "northstar-3pl")
    assert b"customer_id" not in order_940.read_bytes()


def test_a_file_with_interchanges_from_two_partners_acknowledges_each_to_its_sender(
    ports: FlowPorts, tmp_path: Path
) -> None:
    stranger = ORDER_850.replace(b"ACMERETAIL     ", b"SOMEONEELSE    ").replace(b"*ACMERETAIL*", b"*SOMEONEELSE*")
    data = ORDER_850 + ADVICE_945 + stranger
    outs = settled(
        ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), stored(ports.store, data, "bundle.x12"))
    )
    assert [o.step for o in outs] == [ORDERS_TO_ERP, SHIPMENTS_TO_ERP]
    assert b"AK1*PO*501" in outbox(tmp_path, "acme-retail")[0].read_bytes()
    assert b"AK1*SW*7301" in outbox(tmp_path, "northstar-3pl")[0].read_bytes()
    [work] = ports.store.exceptions.items()
    assert "interchange 000000501 from SOMEONEELSE: no trading partner" in work.error_message
    linked = ports.store.links.connected(DocRef(DocType.SHIPMENT, "SHP-20261124-01"))
    assert linked.ids(DocType.INTERCHANGE) == ["NORTHSTAR3PL:000007301"]


@pytest.mark.parametrize("channel", ["amazon", "walmart"])
def test_a_polled_order_becomes_an_order_for_orders_to_erp(ports: FlowPorts, channel: str) -> None:
    body = {"Order": amazon_order(), "OrderItems": amazon_items()} if channel == "amazon" else walmart_order()
    payload = stored(ports.store, json.dumps(body).encode(), "order:1", f"poll:{channel}")
    [out] = call(ports, MARKETPLACE_INBOUND, envelope("inbound_payload"), payload)
    assert out.step is ORDERS_TO_ERP and isinstance(out.document, Order)
    assert out.document.channel == channel
    order = out.document
    assert out.idempotency_key == idempotency_key("order", channel, order.external_id, order.purpose.value)


def test_a_payload_from_no_marketplace_source_is_a_business_error(ports: FlowPorts) -> None:
    payload = stored(ports.store, json.dumps(shopify_order()).encode(), "x", "sftp:acme-retail")
    with pytest.raises(BusinessError, match="no marketplace source"):
        call(ports, MARKETPLACE_INBOUND, envelope("inbound_payload"), payload)
