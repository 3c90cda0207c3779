"""End to end on real servers: sshd (the partners' SFTP mailboxes), the ERP simulator over SOAP, SQLite,
and the in-memory broker with an in-process worker running the real flow steps.

An 850 lands in the buyer's SFTP inbound folder → polled, stored, enqueued → validated, 997 back to the
buyer → ERP sales order (once) → 940 to the 3PL with the store's control numbers; a 945 from the 3PL
posts the shipment to the ERP against that order.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.handlers.outbound import SftpOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.intake import inbound_message
from crossdock.actors.steps import sender
from crossdock.bridges.sftp import InboundPoller, PollReport, SftpSession, profile_from_dict
from crossdock.canonical import Envelope
from crossdock.edi import validate
from crossdock.edi.partners import load_partner_profile
from crossdock.edi.reader import X12Reader
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, ItemStatus, Store, sha256_hex
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.sshd import SshServer

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples"
ORDER_850 = EXAMPLES / "850_from_buyer.x12"
ADVICE_945 = EXAMPLES / "945_from_3pl.x12"
ITEM_MAP = {"CD-TEE-BLK-M": "ITEM-1", "CD-HOOD-GRY-L": "ITEM-2", "CD-SOCK-6PK": "ITEM-3"}
FOLDERS = ("inbound", "outbound", "archive", "error")


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@dataclass
class Rig:
    sshd: SshServer
    erp: ErpSimServer
    store: Store
    flows: EmbeddedFlows
    buyer: InboundPoller
    threepl: InboundPoller

    def folder(self, partner: str, name: str) -> Path:
        return self.sshd.sftp_root / partner / name

    def drop(self, partner: str, name: str, data: bytes) -> None:
        (self.folder(partner, "inbound") / name).write_bytes(data)

    def files(self, partner: str, folder: str = "outbound") -> list[Path]:
        return sorted(p for p in self.folder(partner, folder).iterdir() if not p.name.startswith("."))


def mailbox(sshd: SshServer, partner: str) -> dict[str, object]:
    folders = {}
    for name in FOLDERS:
        path = sshd.sftp_root / partner / name
        path.mkdir(parents=True, exist_ok=True)
        folders[name] = str(path)
    return sshd.profile_dict(partner, folders=folders)


def edi_profile(name: str):  # type: ignore[no-untyped-def]
    path = EXAMPLES / "partners" / f"{name}.yaml"
    return load_partner_profile(path.read_bytes(), name_hint=str(path))


@pytest.fixture
def rig(sshd: SshServer, erp: ErpSimServer, store: Store, tmp_path: Path) -> Iterator[Rig]:
    buyer_sftp = profile_from_dict(mailbox(sshd, "acme-retail"))
    threepl_sftp = profile_from_dict(mailbox(sshd, "northstar-3pl"))
    partners = (
        TradingPartner(edi_profile("acme-retail"), SftpOutbound(SftpSession(buyer_sftp)), erp_customer_no="C30000"),
        TradingPartner(edi_profile("northstar-3pl"), SftpOutbound(SftpSession(threepl_sftp)), erp_location_code="MAIN"),
    )
    ports = FlowPorts(store, erp_gateway(erp), partners, "northstar-3pl", "COL1", ITEM_MAP)
    settings = load_settings(
        environ={"CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_MAX_RETRIES": "1", "CROSSDOCK_MIN_BACKOFF_MS": "10"}
    )
    flows = EmbeddedFlows(settings, ports)
    buyer = InboundPoller(SftpSession(buyer_sftp), flows.sftp_sink)
    threepl = InboundPoller(SftpSession(threepl_sftp), flows.sftp_sink)
    try:
        yield Rig(sshd, erp, store, flows, buyer, threepl)
    finally:
        buyer.session.close()
        threepl.session.close()
        flows.close()


def poll(poller: InboundPoller) -> PollReport:
    """Poll until the files were looked at twice (the stability rule) and handled."""
    report = poller.poll_once()
    if report.waiting:
        report = poller.poll_once()
    return report


def control_numbers(data: bytes) -> tuple[str, str, str]:
    found = {seg.id: seg.elements for seg in X12Reader(io.BytesIO(data)).segments()}
    return found["ISA"][13], found["GS"][6], found["ST"][2]


@pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"])
def test_850_over_sftp_books_the_erp_order_once_sends_the_940_and_the_997(rig: Rig) -> None:
    # Given the buyer's 850 in its SFTP inbound folder
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    # When crossdock polls and the flows run
    report = poll(rig.buyer)
    assert [name for name, _ in report.accepted] == ["po_778812.x12"]
    rig.flows.settle()
    # Then the ERP has one sales order, the 3PL one 940 and the buyer one 997
    assert rig.erp.calls().get("CreateSalesOrder") == 1
    [order_940] = rig.files("northstar-3pl")
    assert re.fullmatch(r"northstar-3pl_940_000000001_\d{8}T\d{6}_\d+\.edi", order_940.name)
    data_940 = order_940.read_bytes()
    assert control_numbers(data_940) == ("000000001", "1", "0001")
    assert validate.validate(data_940).valid
    assert b"W05*N*PO-778812*PO-778812" in data_940 and b"NORTHSTAR3PL" in data_940
    [ack] = rig.files("acme-retail")
    assert ack.name.startswith("acme-retail_997_000000001_")
    data_997 = ack.read_bytes()
    assert b"AK1*PO*501" in data_997 and b"AK9*A*1*1*1" in data_997
    assert rig.files("acme-retail", "archive")[0].name == "po_778812.x12"
    # And the order is cross-referenced from PO to ERP order to the 940's control numbers
    linked = rig.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812"))
    [erp_order] = linked.ids(DocType.ERP_ORDER)
    assert linked.ids(DocType.WAREHOUSE_ORDER) == ["PO-778812"]
    assert "northstar-3pl:000000001" in linked.ids(DocType.INTERCHANGE)
    assert linked.ids(DocType.GROUP) == ["northstar-3pl:1"]
    assert rig.store.control_numbers.last("northstar-3pl", "isa") == 1
    assert rig.store.exceptions.items(status=ItemStatus.OPEN) == []
    assert erp_order.startswith("SO")


def test_replaying_the_inbound_message_makes_no_second_erp_order(rig: Rig) -> None:
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    [(_, ref)] = poll(rig.buyer).accepted
    rig.flows.settle()
    stored = rig.store.raw.ref(int(ref))
    assert stored is not None
    send = sender(rig.flows.broker)
    # When the same message is sent again (a redelivery), and as a fresh message (an operator's replay)
    envelope, document = inbound_message(stored, stored.source)
    send("edi.inbound", envelope, document)
    replay = Envelope(idempotency_key=f"replay-{ref}", source="operator", document_type="inbound_payload")
    send("edi.inbound", replay, document)
    # And the partner drops the very same file again
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    assert [name for name, _ in poll(rig.buyer).duplicates] == ["po_778812.x12"]
    rig.flows.settle()
    # Then there is still one ERP order and one 940
    assert rig.erp.calls().get("CreateSalesOrder") == 1
    assert len(rig.files("northstar-3pl")) == 1
    assert len(rig.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812")).ids(DocType.ERP_ORDER)) == 1


@pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"])
def test_a_reused_isa13_with_other_content_is_processed_with_a_warning(rig: Rig) -> None:
    # Given the buyer's 850 (ISA13 000000501) processed
    first = ORDER_850.read_bytes()
    rig.drop("acme-retail", "po_778812.x12", first)
    assert len(poll(rig.buyer).accepted) == 1
    rig.flows.settle()
    # When the buyer's counter comes back to 501 on another order (a reset, a wrap-around)
    second = first.replace(b"PO-778812", b"PO-778813")
    assert control_numbers(second)[0] == control_numbers(first)[0] == "000000501"
    rig.drop("acme-retail", "po_778813.x12", second)
    report = poll(rig.buyer)
    rig.flows.settle()
    # Then it is processed, not archived as a duplicate: its own ERP order, 940 and 997
    assert [name for name, _ in report.accepted] == ["po_778813.x12"] and report.duplicates == []
    assert rig.erp.calls().get("CreateSalesOrder") == 2
    assert len(rig.files("northstar-3pl")) == 2
    acks = [f.read_bytes() for f in rig.files("acme-retail")]
    assert len(acks) == 2 and all(b"AK9*A*1*1*1" in ack for ack in acks)
    # And the two interchanges are not linked to each other: each PO leads to its own ERP order (a 945
    # for PO-778813 posts against PO-778813's order)
    booked = rig.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778813")).ids(DocType.ERP_ORDER)
    earlier = rig.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812")).ids(DocType.ERP_ORDER)
    assert len(booked) == len(earlier) == 1 and booked != earlier
    assert rig.store.exceptions.items(status=ItemStatus.OPEN) == []
    # And the file's record carries the warning, naming the earlier file
    [(_, ref)] = report.accepted
    stored = rig.store.raw.ref(int(ref))
    assert stored is not None and stored.warning is not None
    assert "ISA13 000000501" in stored.warning and "po_778812.x12" in stored.warning
    first_ref = rig.store.raw.seen_file("sftp:acme-retail", "po_778812.x12", sha256_hex(first))
    assert first_ref is not None and first_ref.warning is None
    # And the second interchange sent once more is a duplicate of itself, journaled, not processed again
    rig.drop("acme-retail", "po_778813_again.x12", second)
    again = poll(rig.buyer)
    rig.flows.settle()
    assert [name for name, _ in again.duplicates] == ["po_778813_again.x12"] and again.accepted == []
    assert "po_778813.x12" in again.duplicates[0][1]
    assert rig.erp.calls().get("CreateSalesOrder") == 2 and len(rig.files("acme-retail")) == 2


@pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"])
def test_945_from_the_3pl_posts_the_shipment_against_the_erp_order(rig: Rig) -> None:
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    poll(rig.buyer)
    rig.flows.settle()
    # When the 3PL reports the shipment
    rig.drop("northstar-3pl", "945_7301.x12", ADVICE_945.read_bytes())
    assert len(poll(rig.threepl).accepted) == 1
    rig.flows.settle()
    # Then the ERP posted it once, and the tracking number leads back to the PO and the ERP order
    assert rig.erp.calls().get("PostShipment") == 1
    linked = rig.store.links.connected(DocRef(DocType.TRACKING_NUMBER, "1Z999AA10123456784"))
    assert linked.ids(DocType.SHIPMENT) == ["SHP-20261124-01"]
    assert linked.ids(DocType.PURCHASE_ORDER) == ["PO-778812"]
    assert len(linked.ids(DocType.ERP_ORDER)) == 1
    assert len(linked.ids("erp_shipment")) == 1
    # And the 3PL got a 997 for its 945 group
    acks = [p for p in rig.files("northstar-3pl") if "_997_" in p.name]
    assert len(acks) == 1 and b"AK1*SW*7301" in acks[0].read_bytes()


def test_a_broken_850_is_acknowledged_as_rejected_and_parked_with_its_raw_payload(rig: Rig) -> None:
    # Given an 850 whose only line has no quantity (PO102 is mandatory)
    broken = ORDER_850.read_bytes().replace(b"PO1*1*24*EA*", b"PO1*1**EA*")
    rig.drop("acme-retail", "po_broken.x12", broken)
    [(_, ref)] = poll(rig.buyer).accepted
    rig.flows.settle()
    # Then nothing reached the ERP or the 3PL, the buyer got a rejecting 997, and a person has the file
    assert rig.erp.calls().get("CreateSalesOrder") is None
    assert rig.files("northstar-3pl") == []
    [ack] = rig.files("acme-retail")
    assert b"AK5*R" in ack.read_bytes()
    [work] = rig.store.exceptions.items(status=ItemStatus.OPEN)
    assert work.raw_payload_id == int(ref)
    assert "850 0001" in work.error_message and "PO1" in work.error_message


class CrashBeforeSendError(Exception):
    pass


def test_a_poll_that_dies_between_store_and_enqueue_delivers_the_file_once_on_the_next_poll(rig: Rig) -> None:
    # Given a sink whose first hand-off dies after the file was stored and before it was sent
    sink = rig.flows.sftp_sink
    real_send, attempts = sink.send, []

    def dying_send(step: str, envelope: Envelope, document: object) -> None:
        attempts.append(step)
        if len(attempts) == 1:
            raise CrashBeforeSendError("killed between store and enqueue")
        real_send(step, envelope, document)  # type: ignore[arg-type]

    sink.send = dying_send  # type: ignore[method-assign]
    poller = InboundPoller(rig.buyer.session, sink)
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    with pytest.raises(CrashBeforeSendError):
        poll(poller)
    # The file stays in the inbound folder, stored but not accepted
    assert [p.name for p in rig.files("acme-retail", "inbound")] == ["po_778812.x12"]
    # When the next polls run
    report = poll(poller)
    assert [name for name, _ in report.accepted] == ["po_778812.x12"]
    assert poll(poller).accepted == []
    rig.flows.settle()
    # Then it was enqueued exactly once: one edi.inbound hop, one ERP order, one 940
    hops = [h for h in rig.store.trace("PO-778812").hops if h.actor == "edi.inbound"]
    assert len(hops) >= 1 and len({h.message_id for h in hops}) == 1
    assert len(attempts) == 2
    assert rig.erp.calls().get("CreateSalesOrder") == 1
    assert len(rig.files("northstar-3pl")) == 1


def test_an_erp_outage_is_retried_and_the_order_booked_once(rig: Rig) -> None:
    # Given the ERP answers 503 to the first create
    rig.erp.control("CreateSalesOrder", http_status=503, times=1)
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    poll(rig.buyer)
    rig.flows.settle()
    # Then the step was retried: one order in the ERP, one 940, the retry in the journal
    calls = rig.erp.calls()
    assert calls.get("CreateSalesOrder") == 2
    assert len(rig.files("northstar-3pl")) == 1
    statuses = [(h.actor, str(h.status)) for h in rig.store.trace("PO-778812").hops]
    assert ("orders.to_erp", "retried") in statuses and ("orders.to_erp", "succeeded") in statuses
    [erp_order] = rig.store.links.connected(DocRef(DocType.PURCHASE_ORDER, "PO-778812")).ids(DocType.ERP_ORDER)
    assert erp_order


def test_an_unknown_item_in_the_erp_parks_the_order_for_a_person(rig: Rig) -> None:
    # Given an 850 whose first line's SKU has no ERP item
    order = ORDER_850.read_bytes().replace(b"SK*CD-TEE-BLK-M", b"SK*CD-UNKNOWN-1")
    rig.drop("acme-retail", "po_778812.x12", order)
    poll(rig.buyer)
    rig.flows.settle()
    # Then no 940 went out and the integration team has a work item naming the item
    assert rig.files("northstar-3pl") == []
    [work] = rig.store.exceptions.items(status=ItemStatus.OPEN)
    assert work.actor == "orders.to_erp" and "CD-UNKNOWN-1" in work.error_message
