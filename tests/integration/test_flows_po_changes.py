"""Buyer PO changes and acknowledgments end to end on real servers: sshd (the partners' SFTP mailboxes),
the ERP simulator over SOAP, SQLite, and the in-memory broker with an in-process worker running the real
flow steps.

The buyer asks for 855s: its 850 over SFTP is booked once and acknowledged once (an 855 next to its 997,
however often the PO comes); its 860 change gets a 997 and reaches the amend route (orders.amend), which
changes the ERP order and sends the 3PL a 940 change once, however often the 860 comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.handlers.outbound import SftpOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.bridges.sftp import InboundPoller, SftpSession, profile_from_dict
from crossdock.edi import validate
from crossdock.edi.reader import read_transaction_sets
from crossdock.settings import load_settings
from crossdock.store import ItemStatus, Store, sha256_hex
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.sshd import SshServer
from tests.integration.test_flows_edi import ITEM_MAP, ORDER_850, Rig, edi_profile, mailbox, poll

pytestmark = pytest.mark.integration

ISA = "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *261122*1000*U*00401*000000502*0*P*>~"
CHANGE_860 = ISA + """
GS*PC*ACMERETAIL*CROSSDOCK*20261122*1000*502*X*004010~
ST*860*0001~
BCH*04*SA*PO-778812**1*20261120~
DTM*097*20261122*1000~
POC*2*QD*6*6*EA***SK*CD-HOOD-GRY-L~
CTT*1~
SE*6*0001~
GE*1*502~
IEA*1*000000502~
"""
CHANGE_860_AGAIN = CHANGE_860.replace("000000502", "000000512")


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def rig(sshd: SshServer, erp: ErpSimServer, store: Store, tmp_path: Path) -> Iterator[Rig]:
    buyer_sftp = profile_from_dict(mailbox(sshd, "acme-retail"))
    threepl_sftp = profile_from_dict(mailbox(sshd, "northstar-3pl"))
    partners = (
        TradingPartner(edi_profile("acme-retail"), SftpOutbound(SftpSession(buyer_sftp)), erp_customer_no="C30000",
                       ack_855=True),
        TradingPartner(edi_profile("northstar-3pl"), SftpOutbound(SftpSession(threepl_sftp)), erp_location_code="MAIN"),
    )  # fmt: skip
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


def changes(rig: Rig) -> set[str]:
    """The ``edi.inbound`` keys of the two 860 files."""
    keys = set()
    for name, data in (("change_1.x12", CHANGE_860), ("change_1_again.x12", CHANGE_860_AGAIN)):
        found = rig.store.raw.seen_file("sftp:acme-retail", name, sha256_hex(data.encode()))
        assert found is not None
        keys.add(f"raw-payload:{found.id}")
    return keys


def sent_to_buyer(rig: Rig, set_id: str) -> list[bytes]:
    return [p.read_bytes() for p in rig.files("acme-retail") if f"_{set_id}_" in p.name]


def test_a_po_is_acknowledged_once_and_its_860_goes_on_as_a_change(rig: Rig) -> None:
    # Given the buyer's 850 in its SFTP inbound folder, for a buyer that asks for 855s
    rig.drop("acme-retail", "po_778812.x12", ORDER_850.read_bytes())
    poll(rig.buyer)
    rig.flows.settle()

    # Then the ERP has the order and the buyer an 855 that accepts it, valid by our map
    assert rig.erp.calls().get("CreateSalesOrder") == 1
    [ack_855] = sent_to_buyer(rig, "855")
    assert validate.validate(ack_855).valid
    (ts,) = read_transaction_sets(ack_855)
    bak = ts.segments[0].elements
    assert bak[1:4] == ["00", "AD", "PO-778812"] and bak[8].startswith("SO")
    assert [seg[1] for seg in ts.segments if seg.id == "ACK"] == ["IA", "IA", "IA"]

    # When the same PO comes again in another interchange (the buyer resent it with a new ISA13)
    again = ORDER_850.read_bytes().replace(b"*000000501*", b"*000000511*")
    rig.drop("acme-retail", "po_778812_resent.x12", again)
    poll(rig.buyer)
    rig.flows.settle()
    # Then it is acknowledged by a 997 but neither booked nor acknowledged by an 855 a second time
    assert rig.erp.calls().get("CreateSalesOrder") == 1
    assert len(sent_to_buyer(rig, "855")) == 1
    assert len(sent_to_buyer(rig, "997")) == 2

    # When the buyer changes the PO with an 860, twice the same change (a new ISA13 the second time)
    rig.drop("acme-retail", "change_1.x12", CHANGE_860.encode())
    poll(rig.buyer)
    rig.flows.settle()
    rig.drop("acme-retail", "change_1_again.x12", CHANGE_860_AGAIN.encode())
    poll(rig.buyer)
    rig.flows.settle()

    # Then each 860 is accepted in its 997 and no work item is opened
    acks_860 = [data for data in sent_to_buyer(rig, "997") if b"AK2*860*0001" in data]
    assert len(acks_860) == 2 and all(b"AK5*A" in data for data in acks_860)
    assert rig.store.exceptions.items(status=ItemStatus.OPEN) == []
    # and the change went on from edi.inbound, once (where edi.inbound sends orders: orders.to_erp
    # today, an amend step once amendments are routed) and succeeded there
    journal = rig.store.journal.recent(limit=500)
    inbound = {h.message_id for h in journal if h.actor == "edi.inbound" and h.idempotency_key in changes(rig)}
    handed_on = [h for h in journal if h.causation_id in inbound]
    assert {h.status.value for h in handed_on} <= {"received", "succeeded", "duplicate"}, handed_on
    assert "succeeded" in {h.status.value for h in handed_on}
    # the amend route applied it once: the ERP order changed, the 3PL told with a 940 change (W0501 R)
    assert rig.erp.calls().get("ChangeSalesOrder") == 1
    changes_940 = [p.read_bytes() for p in rig.files("northstar-3pl") if b"W05*R*PO-778812" in p.read_bytes()]
    assert len(changes_940) == 1
    [change_940] = changes_940
    # the whole order as it now stands: line 2 down to 6, lines 1 and 3 as ordered
    assert b"W01*24*EA*012345678905" in change_940 and b"W01*6*EA*012345678912" in change_940
    # still one 855: a change is no new purchase order
    assert len(sent_to_buyer(rig, "855")) == 1
