"""Journal, cross-references and trace over a realistic chain, on SQLite and PostgreSQL:

marketplace order 5550001001 (Shopify webhook) → ERP sales order SO-77001 → 940 warehouse order
W-77001 in interchange 000000905 → (later, its own correlation) 945 from the 3PL: shipment SH-1 with
tracking number 1Z999AA10123456784 → tracking update back to the marketplace.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crossdock.store import DocRef, DocType, HopStatus, JournalEvent, Store, sha256_hex

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORDER, ERP, WHS, SHIPMENT, TRACKING = "5550001001", "SO-77001", "W-77001", "SH-1", "1Z999AA10123456784"
PO = "4500012345"  # the customer PO the ERP carries on the sales order


def _hop(
    store: Store,
    minute: int,
    message: str,
    correlation: str,
    actor: str,
    status: HopStatus,
    keys: object = (),
    causation: str | None = None,
    raw: int | None = None,
) -> None:
    store.journal.record(
        JournalEvent(
            message_id=message,
            correlation_id=correlation,
            causation_id=causation,
            idempotency_key=f"{actor}:{message}",
            actor=actor,
            queue=f"crossdock.{actor.split('.')[0]}",
            status=status,
            started_at=T0 + timedelta(minutes=minute),
            finished_at=T0 + timedelta(minutes=minute, milliseconds=250),
            raw_payload_id=raw,
            business_keys=keys,  # type: ignore[arg-type]
        )
    )


@pytest.fixture
def chain(store: Store) -> Store:
    webhook = b'{"id": 5550001001, "line_items": [{"sku": "ABC-1", "quantity": 2}]}'
    raw = store.raw.put(webhook, source="webhook:shopify", name="order-5550001001", content_type="application/json")
    # Correlation C1: the order goes to the ERP and to the warehouse.
    receive = "marketplace.receive_order"
    _hop(store, 0, "m1", "C1", receive, HopStatus.RECEIVED, {"marketplace_order": ORDER}, raw=raw.id)
    _hop(store, 1, "m1", "C1", receive, HopStatus.SUCCEEDED, {"marketplace_order": ORDER})
    _hop(store, 2, "m2", "C1", "erp.post_order", HopStatus.RECEIVED, {"marketplace_order": ORDER}, "m1")
    _hop(store, 3, "m2", "C1", "erp.post_order", HopStatus.FAILED, causation="m1")
    _hop(store, 4, "m2", "C1", "erp.post_order", HopStatus.RETRIED, causation="m1")
    _hop(store, 6, "m2", "C1", "erp.post_order", HopStatus.SUCCEEDED, {"erp_order": ERP}, "m1")
    _hop(
        store, 7, "m3", "C1", "warehouse.send_940", HopStatus.SUCCEEDED,
        [("warehouse_order", WHS), ("isa13", "000000905"), ("gs06", "905"), ("st02", "0001")], "m2",
    )  # fmt: skip
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, ORDER), DocRef(DocType.ERP_ORDER, ERP), message_id="m2")
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, ORDER, "1"), DocRef(DocType.ERP_ORDER, ERP, "10"))
    store.links.link(DocRef(DocType.ERP_ORDER, ERP), DocRef(DocType.PURCHASE_ORDER, PO), message_id="m2")
    store.links.link(DocRef(DocType.ERP_ORDER, ERP), DocRef(DocType.WAREHOUSE_ORDER, WHS), message_id="m3")
    store.links.link(DocRef(DocType.WAREHOUSE_ORDER, WHS), DocRef(DocType.INTERCHANGE, "000000905"))
    # Correlation C2: the 3PL's 945 arrives as its own file, hours later.
    keys_945 = {"warehouse_order": WHS, "isa13": "000000321"}
    _hop(store, 300, "m10", "C2", "warehouse.receive_945", HopStatus.SUCCEEDED, keys_945)
    store.links.link(DocRef(DocType.WAREHOUSE_ORDER, WHS), DocRef(DocType.SHIPMENT, SHIPMENT))
    store.links.link(DocRef(DocType.SHIPMENT, SHIPMENT), DocRef(DocType.TRACKING_NUMBER, TRACKING))
    push = "marketplace.push_tracking"
    _hop(store, 301, "m11", "C2", push, HopStatus.SUCCEEDED, {"tracking_number": TRACKING}, "m10")
    # An unrelated order that must never show up.
    _hop(store, 5, "m99", "C9", receive, HopStatus.SUCCEEDED, {"marketplace_order": "5550001002"})
    store.links.link(DocRef(DocType.MARKETPLACE_ORDER, "5550001002"), DocRef(DocType.ERP_ORDER, "SO-77002"))
    return store


@pytest.mark.parametrize(
    "key", [ORDER, PO, ERP, WHS, TRACKING, SHIPMENT, "C1", "C2", "m11", "905", "000000905", "321", "0001"]
)
def test_trace_from_any_key_finds_the_whole_story(chain: Store, key: str) -> None:
    result = chain.trace(key)
    assert result.found
    assert result.correlation_ids == ("C1", "C2")
    assert [h.started_at for h in result.hops] == sorted(h.started_at for h in result.hops)
    assert [(h.message_id, h.status) for h in result.hops] == [
        ("m1", HopStatus.RECEIVED),
        ("m1", HopStatus.SUCCEEDED),
        ("m2", HopStatus.RECEIVED),
        ("m2", HopStatus.FAILED),
        ("m2", HopStatus.RETRIED),
        ("m2", HopStatus.SUCCEEDED),
        ("m3", HopStatus.SUCCEEDED),
        ("m10", HopStatus.SUCCEEDED),
        ("m11", HopStatus.SUCCEEDED),
    ]
    assert result.documents.ids(DocType.ERP_ORDER) == [ERP]
    assert result.documents.ids(DocType.TRACKING_NUMBER) == [TRACKING]
    assert result.documents.ids(DocType.MARKETPLACE_ORDER) == [ORDER]
    assert result.documents.ids(DocType.PURCHASE_ORDER) == [PO]
    assert ("tracking_number", TRACKING) in result.keys and ("isa13", "000000905") in result.keys


def test_trace_hops_carry_queue_duration_and_raw_payload(chain: Store) -> None:
    first = chain.trace(ORDER).hops[0]
    assert first.queue == "crossdock.marketplace" and first.actor == "marketplace.receive_order"
    assert first.duration_ms == pytest.approx(250.0)
    assert first.raw_payload_id is not None
    payload = chain.raw.get(first.raw_payload_id)
    assert payload is not None and payload.ref.sha256 == sha256_hex(payload.content)
    assert b"5550001001" in payload.content


def test_trace_of_an_unknown_key_is_empty(chain: Store) -> None:
    result = chain.trace("no-such-thing")
    assert not result.found and result.hops == () and result.correlation_ids == ()


def test_unrelated_order_traces_alone(chain: Store) -> None:
    result = chain.trace("SO-77002")
    assert result.correlation_ids == ("C9",)
    assert result.documents.ids(DocType.MARKETPLACE_ORDER) == ["5550001002"]


def test_journal_reads(chain: Store) -> None:
    assert [h.status for h in chain.journal.hops("m2")] == [
        HopStatus.RECEIVED,
        HopStatus.FAILED,
        HopStatus.RETRIED,
        HopStatus.SUCCEEDED,
    ]
    assert chain.journal.keys("m3") == {
        "gs06": ["905"],
        "isa13": ["000000905"],
        "st02": ["0001"],
        "warehouse_order": [WHS],
    }
    failed = chain.journal.recent(status=HopStatus.FAILED)
    assert [h.message_id for h in failed] == ["m2"]
    assert [h.message_id for h in chain.journal.recent(actor="erp.post_order", limit=2)] == ["m2", "m2"]
    chain.journal.add_keys("m11", "C2", {"tracking_number": ["1ZSECOND", TRACKING]})
    assert chain.journal.keys("m11") == {"tracking_number": [TRACKING, "1ZSECOND"]}
    assert chain.trace("1ZSECOND").correlation_ids == ("C1", "C2")


def test_journal_keeps_errors_bounded(store: Store) -> None:
    store.journal.record(
        JournalEvent(
            message_id="m", correlation_id="c", actor="a", queue="q", status=HopStatus.DEAD_LETTERED,
            error_class="TransientError", error_message="x" * 10_000, retries=5,
        )
    )  # fmt: skip
    (hop,) = store.journal.hops("m")
    assert hop.error_class == "TransientError" and hop.retries == 5
    assert hop.error_message is not None and len(hop.error_message) == 4000
    assert hop.started_at.tzinfo is not None and hop.finished_at is None and hop.duration_ms is None


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT correlation_id FROM message_keys WHERE value IN ('1Z999AA10123456784', 'x')", "ix_message_keys_value"),
        ("SELECT * FROM journal WHERE correlation_id IN ('C1', 'C2') ORDER BY started_at", "ix_journal_correlation_id"),
        ("SELECT * FROM journal WHERE message_id = 'm1'", "ix_journal_message_id"),
        ("SELECT * FROM document_links WHERE a_id = 'SO-77001'", "ix_document_links_a_id"),
        ("SELECT * FROM document_links WHERE b_id = 'SO-77001'", "ix_document_links_b_id"),
        ("SELECT * FROM raw_payloads WHERE sender = 'ACME' AND interchange_control = '905'", "ix_raw_payloads_sender"),
    ],
)
def test_trace_lookups_use_indexes_not_scans(chain: Store, query: str, index: str) -> None:
    with chain.db.engine.connect() as conn:
        if chain.db.backend == "sqlite":
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
        else:  # tiny tables: forbid sequential scans so the plan shows whether an index can serve it
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {query}"))
    assert index in plan, plan
