"""Starter mappings for WSDLs crossdock has never seen, built through the same mapping layer.

The WSDLs under tests/data/soap/kinds were written for these tests in the shapes real ERPs generate
(a Dynamics NAV SalesOrder page, an Oracle EBS ISG PL/SQL service with a SOAP header and a SOAP 1.2
port), plus the local and abstract ones used elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lxml import etree

from crossdock.bridges.soap.inspect import inspect_wsdl, load_for_inspection
from crossdock.bridges.soap.mapping_check import check_mapping
from crossdock.bridges.soap.offline import build_message
from crossdock.bridges.soap.scaffold import pick_operation, scaffold_mapping
from crossdock.canonical import Order
from crossdock.soap import load_mapping

DATA = Path(__file__).resolve().parents[2] / "data" / "soap"
ORDER = Order.model_validate(
    {
        "channel": "walmart",
        "external_id": "WM-5550001",
        "ordered_at": "2026-11-20T10:00:00-06:00",
        "references": {"erp_customer_no": "C20000"},
        "parties": [{"role": "ship_to", "name": "Bo Example", "address": {"city": "Tulsa", "country": "US"}}],
        "lines": [
            {"line_number": "1", "sku": "SKU-A", "quantity": 2, "unit_price": "5.00"},
            {"line_number": "2", "sku": "SKU-B", "quantity": 1},
        ],
    }
)
WSDLS = {
    "nav_page_salesorder": (DATA / "kinds" / "nav_page_salesorder.wsdl", "Create", True),
    "oracle_isg_local": (DATA / "kinds" / "oracle_isg_local.wsdl", "PROCESS_ORDER", True),
    "local": (DATA / "local" / "service.wsdl", "Create", True),
    "abstract": (DATA / "abstract.wsdl", "SalesOrderCreate_In", True),
}


@pytest.mark.parametrize("name", sorted(WSDLS))
def test_the_scaffold_maps_the_create_operation_and_its_lines(name: str) -> None:
    path, operation, has_lines = WSDLS[name]
    report = inspect_wsdl(str(path))
    assert pick_operation(report).name == operation
    mapping = load_mapping(yaml.safe_dump(scaffold_mapping(report)).encode(), f"scaffold of {name}")
    assert check_mapping(report, mapping) == []
    client, outline = load_for_inspection(str(path))
    assert client is not None
    message = build_message(client, outline, mapping.operation("create_sales_order"), ORDER)
    texts = {el.text for el in etree.fromstring(message).iter() if isinstance(el.tag, str) and el.text}
    if has_lines:
        assert {"SKU-A", "SKU-B"} <= texts
    assert "WM-5550001" in texts or name in ("local", "abstract")


def test_nav_header_fields_are_matched_by_name() -> None:
    rules = scaffold_mapping(inspect_wsdl(str(WSDLS["nav_page_salesorder"][0])))["operations"]["create_sales_order"]
    request = rules["request"]
    assert request["SalesOrder.External_Document_No"] == {"source": "external_id"}
    assert request["SalesOrder.Sell_to_Customer_No"] == {"source": "references.erp_customer_no"}
    assert request["SalesOrder.Order_Date"] == {"source": "ordered_at", "format": "date"}
    lines = request["SalesOrder.SalesLines.Sales_Order_Line"]["fields"]
    assert lines["No"] == {"source": "sku"} and lines["Quantity"]["source"] == "quantity"


def test_oracle_datetime_keeps_the_timestamp_and_numeric_fields_get_no_text() -> None:
    report = inspect_wsdl(str(WSDLS["oracle_isg_local"][0]))
    request = scaffold_mapping(report)["operations"]["create_sales_order"]["request"]
    assert request["P_HEADER_REC.ORDERED_DATE"] == {"source": "ordered_at"}
    assert "P_HEADER_REC.SOLD_TO_ORG_ID" not in request  # a decimal: the text customer number cannot go there
    assert request["P_LINE_TBL.P_LINE_TBL_ITEM"]["fields"]["LINE_NUMBER"] == {"source": "$index", "format": "decimal"}
