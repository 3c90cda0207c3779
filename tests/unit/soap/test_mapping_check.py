"""Checking a mapping's target paths against a WSDL's types, offline."""

from __future__ import annotations

from pathlib import Path

from crossdock.bridges.soap.inspect import inspect_wsdl
from crossdock.bridges.soap.mapping_check import check_mapping
from crossdock.soap import contract, default_mapping, load_mapping

PACKAGED = str(Path(contract.__file__).parent / contract.WSDL_NAME)


def test_the_default_mapping_fits_the_packaged_wsdl() -> None:
    assert check_mapping(inspect_wsdl(PACKAGED), default_mapping()) == []


def test_every_kind_of_misfit_is_named_with_where_it_is() -> None:
    mapping = load_mapping(
        b"""
name: bad
operations:
  a:
    operation: CreateSalesOrder
    request:
      SalesOrder.CustomerNumber: external_id
      SalesOrder.SalesLines.SalesLine.ItemNo: external_id
      SalesOrder.ShipToAddress: external_id
      SalesOrder.CustomerNo: {source: lines, fields: {X: sku}}
      SalesOrder.SalesLines.SalesLine: {source: lines, fields: {Item: sku}}
  b:
    operation: CreateOrder
"""
    )
    problems = dict(check_mapping(inspect_wsdl(PACKAGED), mapping))
    assert set(problems) == {
        "operations.a.request.SalesOrder.CustomerNumber",
        "operations.a.request.SalesOrder.SalesLines.SalesLine.ItemNo",
        "operations.a.request.SalesOrder.ShipToAddress",
        "operations.a.request.SalesOrder.CustomerNo",
        "operations.a.request.SalesOrder.SalesLines.SalesLine.Item",
        "operations.b.operation",
    }
    assert "repeats: map it with a list rule" in problems["operations.a.request.SalesOrder.SalesLines.SalesLine.ItemNo"]
    assert "complex element" in problems["operations.a.request.SalesOrder.ShipToAddress"]
    assert "occurs at most once" in problems["operations.a.request.SalesOrder.CustomerNo"]
    assert "has: LineNo, ItemNo" in problems["operations.a.request.SalesOrder.SalesLines.SalesLine.Item"]
    assert "has: CancelSalesOrder" in problems["operations.b.operation"]
