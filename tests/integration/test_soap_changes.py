"""ChangeSalesOrder end to end: crossdock's gateway → hardened zeep → the ERP simulator over HTTP.

The simulator's order lines are read back from its SQLite file (the ERP's own state), never from what
the gateway returned."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crossdock.canonical import Order, Shipment
from crossdock.errors import BusinessError
from crossdock.soap import ErpRefusedError
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def erp_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ErpSimServer]:
    server = ErpSimServer(database=tmp_path_factory.mktemp("erp-changes") / "erp.db").start()
    try:
        yield server
    finally:
        server.stop()


def _order(external_id: str, lines: list[dict[str, Any]], **extra: Any) -> Order:
    return Order.model_validate({
        "channel": "edi",
        "external_id": external_id,
        "ordered_at": "2026-11-20T14:30:00+00:00",
        "references": {"erp_customer_no": "C30000"},
        "lines": lines,
        **extra,
    })  # fmt: skip


def _booked(server: ErpSimServer) -> tuple[Any, str, str]:
    gateway = erp_gateway(server)
    external = f"PO-{uuid.uuid4().hex[:10]}"
    lines = [
        {"line_number": "1", "sku": "ITEM-1", "quantity": 4, "unit_price": "89.00"},
        {"line_number": "2", "sku": "ITEM-2", "quantity": 2, "unit_price": "24.50"},
    ]
    ref = gateway.create_sales_order(_order(external, lines))
    return gateway, external, ref.document_no


def _erp_lines(server: ErpSimServer, document_no: str) -> dict[str, tuple[Decimal, Decimal]]:
    assert server.database is not None
    with sqlite3.connect(server.database) as db:
        rows = db.execute(
            "SELECT item_no, quantity, unit_price FROM sales_line WHERE document_no = ? ORDER BY line_no",
            (document_no,),
        ).fetchall()
    return {item: (Decimal(quantity), Decimal(price)) for item, quantity, price in rows}


def _change(external: str, lines: list[dict[str, Any]], *, only: bool = True) -> Order:
    return _order(external, lines, purpose="change", line_changes_only=only)


def _one(external: str, sku: str, quantity: int, line: str = "1") -> Order:
    """A change of one line."""
    return _change(external, [{"line_number": line, "sku": sku, "quantity": quantity}])


def test_a_change_sets_quantities_cancels_a_line_and_adds_one(erp_file: ErpSimServer) -> None:
    gateway, external, document_no = _booked(erp_file)
    # Given a change: line 1 down to 3, line 2 cancelled, a new item
    change = _change(external, [
        {"line_number": "1", "sku": "ITEM-1", "quantity": 3, "unit_price": "89.00"},
        {"line_number": "2", "sku": "ITEM-2", "quantity": 0},
        {"line_number": "3", "sku": "ITEM-3", "quantity": 1, "unit_price": "32.00"},
    ])  # fmt: skip
    # When it is sent twice (a retry)
    first = gateway.change_sales_order(document_no, change)
    second = erp_gateway(erp_file).change_sales_order(document_no, change)
    # Then the ERP order is changed once: the same lines and amount after both
    expected = {"ITEM-1": (Decimal(3), Decimal("89.00")), "ITEM-2": (Decimal(0), Decimal("24.50")),
                "ITEM-3": (Decimal(1), Decimal("32.00"))}  # fmt: skip
    assert _erp_lines(erp_file, document_no) == expected
    assert first == second
    assert (first.status, first.amount) == ("Open", Decimal("299.00"))


def test_a_whole_order_change_cancels_the_lines_it_leaves_out(erp_file: ErpSimServer) -> None:
    gateway, external, document_no = _booked(erp_file)
    change = _change(external, [{"line_number": "1", "sku": "ITEM-1", "quantity": 5}], only=False)
    gateway.change_sales_order(document_no, change)
    assert _erp_lines(erp_file, document_no) == {
        "ITEM-1": (Decimal(5), Decimal("89.00")),
        "ITEM-2": (Decimal(0), Decimal("24.50")),
    }


def test_cancelling_every_line_cancels_the_order(erp_file: ErpSimServer) -> None:
    gateway, external, document_no = _booked(erp_file)
    change = _order(external, [{"line_number": "1", "sku": "ITEM-1", "quantity": 0},
                               {"line_number": "2", "sku": "ITEM-2", "quantity": 0}],
                    purpose="cancellation")  # fmt: skip
    assert gateway.change_sales_order(document_no, change).status == "Cancelled"
    found = gateway.find_sales_order(_order(external, [{"line_number": "1", "sku": "ITEM-1", "quantity": 1}]))
    assert found is not None and found.status == "Cancelled"


def _shipment(document_no: str, quantity: int) -> Shipment:
    return Shipment.model_validate({
        "shipment_id": f"SHP-{uuid.uuid4().hex[:8]}",
        "shipped_at": datetime(2026, 11, 21, 9, 0, tzinfo=UTC).isoformat(),
        "references": {"erp_order_no": document_no},
        "orders": [{"lines": [{"line_number": "1", "sku": "ITEM-1", "quantity_shipped": quantity}]}],
    })  # fmt: skip


def test_a_change_to_a_cancelled_order_is_refused(erp_file: ErpSimServer) -> None:
    gateway, external, document_no = _booked(erp_file)
    gateway.cancel_sales_order(document_no)
    with pytest.raises(ErpRefusedError, match="cannot be changed because its Status is Cancelled") as caught:
        gateway.change_sales_order(document_no, _one(external, "ITEM-1", 1, "1"))
    assert caught.value.code == "STATUS_ERROR"


def test_a_change_to_a_fully_shipped_order_is_refused_and_below_shipped_too(erp_file: ErpSimServer) -> None:
    gateway, external, document_no = _booked(erp_file)
    # Given 2 of the 4 ITEM-1 shipped: less than 2 is refused, more is fine
    gateway.post_shipment(_shipment(document_no, 2))
    with pytest.raises(BusinessError, match="less than the 2 already shipped"):
        gateway.change_sales_order(document_no, _one(external, "ITEM-1", 1, "1"))
    gateway.change_sales_order(document_no, _change(external, [{"line_number": "2", "sku": "ITEM-2", "quantity": 0},
                                                               {"line_number": "1", "sku": "ITEM-1", "quantity": 2}]))
    # When every line is shipped (ITEM-1: 2 of 2; ITEM-2 cancelled), no change is taken any more
    with pytest.raises(ErpRefusedError, match="fully shipped"):
        gateway.change_sales_order(document_no, _one(external, "ITEM-1", 3, "1"))
    assert _erp_lines(erp_file, document_no)["ITEM-1"] == (Decimal(2), Decimal("89.00"))


def test_a_change_naming_another_orders_reference_or_an_unknown_item_is_refused(erp_file: ErpSimServer) -> None:
    gateway, external, document_no = _booked(erp_file)
    with pytest.raises(ErpRefusedError, match="has External Document No"):
        gateway.change_sales_order(document_no, _one("PO-OTHER", "ITEM-1", 1, "1"))
    with pytest.raises(BusinessError, match="Item ITEM-9 does not exist"):
        gateway.change_sales_order(document_no, _one(external, "ITEM-9", 1, "9"))
    with pytest.raises(BusinessError, match="SO-999999 does not exist"):
        gateway.change_sales_order("SO-999999", _one(external, "ITEM-1", 1, "1"))
    # a refused change changed nothing
    assert _erp_lines(erp_file, document_no)["ITEM-1"] == (Decimal(4), Decimal("89.00"))


def test_the_simulator_keeps_changes_across_a_restart(tmp_path: Path) -> None:
    server = ErpSimServer(database=tmp_path / "erp.db").start()
    try:
        gateway, external, document_no = _booked(server)
        gateway.change_sales_order(document_no, _one(external, "ITEM-1", 1, "1"))
    finally:
        server.stop()
    again = ErpSimServer(database=tmp_path / "erp.db").start()
    try:
        assert _erp_lines(again, document_no)["ITEM-1"] == (Decimal(1), Decimal("89.00"))
        gateway = erp_gateway(again)
        change = _one(external, "ITEM-1", 2, "1")
        assert gateway.change_sales_order(document_no, change).amount == Decimal("227.00")
    finally:
        again.stop()
