"""Raw payloads, document links, exception work items and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

from itertools import pairwise

import pytest

from crossdock.errors import Owner
from crossdock.store import (
    AuditAction,
    DocRef,
    DocType,
    ItemStatus,
    Store,
    WorkItemNotFoundError,
    sha256_hex,
)
from crossdock.store.links import DocumentLinks

pytestmark = pytest.mark.integration

EDI = b"ISA*00*          *00*          *ZZ*ACME3PL        *ZZ*RETAILER       *260302*0900*U*00401*000000321*0*P*>~"


# --- raw payloads ------------------------------------------------------------------------------------


def test_raw_payload_round_trip(store: Store) -> None:
    ref = store.raw.put(
        EDI, source="sftp:acme-3pl", name="945_0001.edi", sender="ACME3PL", interchange_control="000000321"
    )
    assert ref.size == len(EDI) and ref.sha256 == sha256_hex(EDI) and ref.duplicate_of is None
    assert ref.received_at.tzinfo is not None
    payload = store.raw.get(ref.id)
    assert payload is not None and payload.content == EDI and payload.ref == ref
    assert store.raw.ref(ref.id) == ref
    assert store.raw.get(ref.id + 1000) is None


def test_binary_payloads_are_kept_byte_for_byte(store: Store) -> None:
    data = bytes(range(256)) * 64 + b"\x00\xff\r\n"
    ref = store.raw.put(data, source="erp", name="reply-1", content_type="text/xml")
    payload = store.raw.get(ref.id)
    assert payload is not None and payload.content == data


def test_same_file_again_is_flagged_and_kept(store: Store) -> None:
    first = store.raw.put(EDI, source="sftp:acme-3pl", name="945_0001.edi")
    again = store.raw.put(EDI, source="sftp:acme-3pl", name="945_0001.edi")
    assert again.id != first.id and again.duplicate_of == first.id
    # Same bytes under another name or source is a different file
    assert store.raw.put(EDI, source="sftp:acme-3pl", name="945_0002.edi").duplicate_of is None
    assert store.raw.put(EDI, source="sftp:other", name="945_0001.edi").duplicate_of is None
    seen = store.raw.seen_file("sftp:acme-3pl", "945_0001.edi", sha256_hex(EDI))
    assert seen is not None and seen.id == first.id
    assert store.raw.seen_file("sftp:acme-3pl", "945_0001.edi", sha256_hex(b"other")) is None


def test_same_interchange_under_a_new_name_is_flagged(store: Store) -> None:
    first = store.raw.put(EDI, source="sftp:acme-3pl", name="a.edi", sender="ACME3PL", interchange_control="000000321")
    resent = store.raw.put(EDI, source="sftp:acme-3pl", name="b.edi", sender="ACME3PL", interchange_control="000000321")
    assert resent.duplicate_of == first.id
    seen = store.raw.seen_interchange("ACME3PL", "000000321")
    assert seen is not None and seen.id == first.id
    assert store.raw.seen_interchange("ACME3PL", "000000322") is None
    assert store.raw.seen_interchange("OTHER", "000000321") is None


def test_a_reused_isa13_with_other_content_is_not_a_duplicate(store: Store) -> None:
    # Given an accepted interchange, and the sender's counter coming back to its ISA13 later
    first = store.raw.put(EDI, source="sftp:acme-3pl", name="a.edi", sender="ACME3PL", interchange_control="000000321")
    store.raw.mark_accepted(first.id)
    other = EDI + b"GS*SH~"
    reused = store.raw.put_once(
        other, source="sftp:acme-3pl", name="c.edi", sender="ACME3PL", interchange_control="000000321",
        warning="ISA13 000000321 reused",
    )  # fmt: skip
    # Then it is not a duplicate of the first, carries its warning, and the reuse is found
    assert reused.duplicate_of is None and reused.warning == "ISA13 000000321 reused"
    assert store.raw.seen_interchange("ACME3PL", "000000321", sha256=sha256_hex(other), accepted_only=True) is None
    earlier = store.raw.interchange_reused("ACME3PL", "000000321", sha256_hex(other))
    assert earlier is not None and earlier.id == first.id
    assert store.raw.interchange_reused("ACME3PL", "000000321", sha256_hex(EDI)) is None
    same = store.raw.seen_interchange("ACME3PL", "000000321", sha256=sha256_hex(EDI), accepted_only=True)
    assert same is not None and same.id == first.id


def test_put_once_is_idempotent_for_the_same_file(store: Store) -> None:
    first = store.raw.put_once(EDI, source="sftp:acme-3pl", name="a.edi", headers={"remote_path": "/out/a.edi"})
    again = store.raw.put_once(EDI, source="sftp:acme-3pl", name="a.edi")
    assert again == first and again.headers == {"remote_path": "/out/a.edi"}
    changed = store.raw.put_once(EDI + b"~", source="sftp:acme-3pl", name="a.edi")
    assert changed.id != first.id and changed.duplicate_of is None


def test_only_accepted_payloads_count_as_delivered(store: Store) -> None:
    # Given a file that was stored but whose hand-off failed
    ref = store.raw.put_once(EDI, source="sftp:acme-3pl", name="a.edi", sender="ACME3PL", interchange_control="321")
    assert store.raw.seen_file("sftp:acme-3pl", "a.edi", ref.sha256, accepted_only=True) is None
    assert store.raw.seen_interchange("ACME3PL", "321", accepted_only=True) is None
    assert store.raw.seen_file("sftp:acme-3pl", "a.edi", ref.sha256) is not None
    # When it is handed on
    assert store.raw.mark_accepted(ref.id)
    assert not store.raw.mark_accepted(ref.id)
    # Then it counts as delivered
    seen = store.raw.seen_interchange("ACME3PL", "321", accepted_only=True)
    assert seen is not None and seen.id == ref.id and seen.accepted_at is not None


# --- document links ----------------------------------------------------------------------------------


def test_links_are_undirected_and_stored_once(store: Store) -> None:
    order, erp = DocRef(DocType.MARKETPLACE_ORDER, "1001"), DocRef(DocType.ERP_ORDER, "SO-1")
    assert store.links.link(order, erp, message_id="m1")
    assert not store.links.link(order, erp)
    assert not store.links.link(erp, order)
    (link,) = store.links.connected(order).links
    assert {link.a, link.b} == {order, erp} and link.message_id == "m1"


def test_connected_set_from_any_id(store: Store) -> None:
    chain = [
        DocRef(DocType.MARKETPLACE_ORDER, "1001"),
        DocRef(DocType.ERP_ORDER, "SO-1"),
        DocRef(DocType.WAREHOUSE_ORDER, "W-1"),
        DocRef(DocType.SHIPMENT, "SH-1"),
        DocRef(DocType.PACKAGE, "PKG-1"),
        DocRef(DocType.INVOICE, "INV-1"),
        DocRef(DocType.RETURN, "RMA-1"),
        DocRef(DocType.SETTLEMENT_LINE, "ST-9/4"),
    ]
    for left, right in pairwise(chain):
        store.links.link(left, right)
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, "1002"), DocRef(DocType.ERP_ORDER, "SO-2"))
    for doc in chain:
        linked = store.links.connected(doc.doc_id)
        assert set(linked.documents) == set(chain)
        assert len(linked.links) == len(chain) - 1
    assert store.links.connected(chain[3]).documents == store.links.connected("SH-1").documents
    assert store.links.connected("nothing").documents == ()


def test_neighbours_are_one_hop_away_not_the_whole_set(store: Store) -> None:
    po, erp, shipment = (DocRef(DocType.PURCHASE_ORDER, "PO-1"), DocRef(DocType.ERP_ORDER, "SO-1"),
                         DocRef(DocType.SHIPMENT, "SH-1"))  # fmt: skip
    ours, theirs = DocRef(DocType.INTERCHANGE, "BUYER:000000001"), DocRef(DocType.INTERCHANGE, "3PL:000000007")
    store.links.link(ours, po)
    store.links.link(po, DocRef(DocType.ERP_ORDER, "SO-1", "10"))  # a line of the ERP order
    store.links.link(erp, shipment)
    store.links.link(theirs, shipment)
    assert store.links.neighbours(po) == [erp, ours]
    assert store.links.neighbours(po, DocType.INTERCHANGE) == [ours]  # not the 3PL's, two hops away
    assert store.links.neighbours(DocRef(DocType.ERP_ORDER, "SO-1", "20")) == [po, shipment]  # any line of it
    assert store.links.neighbours(DocRef(DocType.SHIPMENT, "nothing")) == []


def test_line_level_links_connect_their_documents(store: Store) -> None:
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, "1001", "1"), DocRef(DocType.ERP_ORDER, "SO-1", "10"))
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, "1001", "2"), DocRef(DocType.ERP_ORDER, "SO-1", "20"))
    linked = store.links.connected("SO-1")
    assert set(linked.documents) == {DocRef("marketplace_order", "1001"), DocRef("erp_order", "SO-1")}
    assert {(link.a.line, link.b.line) for link in linked.links} == {("10", "1"), ("20", "2")}


def test_same_id_under_two_types(store: Store) -> None:
    store.links.link(DocRef(DocType.PURCHASE_ORDER, "4500012345"), DocRef(DocType.ERP_ORDER, "SO-1"))
    store.links.link(DocRef(DocType.INVOICE, "4500012345"), DocRef(DocType.SETTLEMENT, "S-1"))
    assert [d.doc_type for d in store.links.find("4500012345")] == ["invoice", "purchase_order"]
    assert store.links.find("4500012345", DocType.INVOICE) == [DocRef("invoice", "4500012345")]
    assert len(store.links.connected("4500012345").documents) == 4
    assert len(store.links.connected(DocRef(DocType.INVOICE, "4500012345")).documents) == 2


def test_self_link_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="itself"):
        store.links.link(DocRef(DocType.SHIPMENT, "SH-1"), DocRef(DocType.SHIPMENT, "SH-1"))


def test_walk_stops_at_the_limit(store: Store) -> None:
    hub = DocRef(DocType.ERP_ORDER, "HUB")
    for i in range(12):
        store.links.link(hub, DocRef(DocType.SHIPMENT, f"SH-{i}"))
    linked = DocumentLinks(store.db).connected("HUB", limit=5)
    assert linked.truncated and len(linked.documents) == 5


# --- exception work items and the audit log ----------------------------------------------------------


def _open(store: Store, **extra: object) -> int:
    values: dict[str, object] = {
        "owner": Owner.WAREHOUSE,
        "error_class": "BusinessError",
        "error_message": "unknown SKU ABC-9 on PO 4500012345 line 2",
        "business_key": "4500012345",
        "message_id": "m1",
        "correlation_id": "C1",
        "actor": "warehouse.ship_notice",
        "queue": "crossdock.shipments",
    }
    values.update(extra)
    return store.exceptions.open(**values)  # type: ignore[arg-type]


def test_exception_item_lifecycle_with_audit(store: Store) -> None:
    # Given a business error parked for the warehouse team
    raw = store.raw.put(EDI, source="sftp:acme-3pl", name="856.edi")
    item_id = _open(store, raw_payload_id=raw.id)
    item = store.exceptions.get(item_id)
    assert item.status is ItemStatus.OPEN and item.owner is Owner.WAREHOUSE and item.raw_payload_id == raw.id
    assert item.resolved_by is None and item.notes == ()
    # When someone adds a note and then resolves it
    store.exceptions.add_note(item_id, "wh-lead", "asked the 3PL for the SKU map")
    resolved = store.exceptions.resolve(item_id, "alice@example.com", "SKU ABC-9 added to the map")
    # Then the item says who and when, with both notes, and is no longer listed as open
    assert resolved.status is ItemStatus.RESOLVED and resolved.resolved_by == "alice@example.com"
    assert resolved.resolved_at is not None and resolved.resolved_at >= resolved.created_at
    assert [n.text for n in resolved.notes] == ["asked the 3PL for the SKU map", "SKU ABC-9 added to the map"]
    assert store.exceptions.items() == []
    assert [i.id for i in store.exceptions.items(status=ItemStatus.RESOLVED)] == [item_id]
    # And the audit log has the note and the resolution, newest first
    entries = store.audit.entries(target=f"exception:{item_id}")
    assert [(e.action, e.who) for e in entries] == [("resolve", "alice@example.com"), ("note", "wh-lead")]
    assert entries[0].details["from"] == "open" and entries[0].details["to"] == "resolved"


def test_ignore_and_reopen(store: Store) -> None:
    item_id = _open(store)
    assert store.exceptions.ignore(item_id, "bob", "test order").status is ItemStatus.IGNORED
    reopened = store.exceptions.reopen(item_id, "carol")
    assert reopened.status is ItemStatus.OPEN and reopened.resolved_by is None and reopened.resolved_at is None
    actions = [e.action for e in store.audit.entries(target=f"exception:{item_id}")]
    assert actions == [AuditAction.REOPEN, AuditAction.IGNORE]
    with pytest.raises(ValueError, match="who"):
        store.exceptions.resolve(item_id, "")


def test_opening_twice_for_one_message_gives_one_item(store: Store) -> None:
    first = _open(store)
    assert _open(store) == first
    assert _open(store, actor="another.step") != first
    store.exceptions.resolve(first, "alice")
    assert _open(store) != first  # it failed again after being resolved: a new item


def test_items_filter_by_owner_and_key(store: Store) -> None:
    a = _open(store, message_id="m1")
    b = _open(store, message_id="m2", owner=Owner.FINANCE, business_key="SETTLE-7")
    c = _open(store, message_id="m3", owner=Owner.INTEGRATION, business_key=None)
    assert [i.id for i in store.exceptions.items()] == [c, b, a]
    assert [i.id for i in store.exceptions.items(owner=Owner.FINANCE)] == [b]
    assert [i.id for i in store.exceptions.items(business_key="4500012345")] == [a]
    assert [i.id for i in store.exceptions.items(limit=1)] == [c]


def test_unknown_item(store: Store) -> None:
    with pytest.raises(WorkItemNotFoundError, match="42"):
        store.exceptions.get(42)
    with pytest.raises(WorkItemNotFoundError):
        store.exceptions.resolve(42, "alice")


def test_long_error_messages_are_cut(store: Store) -> None:
    item = store.exceptions.get(_open(store, error_message="e" * 9000))
    assert len(item.error_message) == 4000


def test_audit_of_replays_and_purges(store: Store) -> None:
    store.audit.record("ops@example.com", AuditAction.REPLAY, "dlq:m7", {"queue": "crossdock.orders.XQ", "count": 1})
    store.audit.record("ops@example.com", AuditAction.PURGE, "queue:crossdock.orders.XQ", {"count": 12})
    store.audit.record("ops@example.com", AuditAction.REPLAY, "dlq:m8")
    replays = store.audit.entries(action=AuditAction.REPLAY)
    assert [e.target for e in replays] == ["dlq:m8", "dlq:m7"]
    assert replays[1].details == {"queue": "crossdock.orders.XQ", "count": 1} and replays[0].details == {}
    (purge,) = store.audit.entries(action="purge")
    assert purge.who == "ops@example.com" and purge.at.tzinfo is not None and purge.details["count"] == 12
    assert len(store.audit.entries(limit=2)) == 2
    with pytest.raises(ValueError):
        store.audit.record("", AuditAction.PURGE, "queue:x")
