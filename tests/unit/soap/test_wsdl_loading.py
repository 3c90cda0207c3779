"""Loading and inspecting WSDLs offline (sockets are disabled in unit tests: any fetch would fail
with pytest-socket's error, not with crossdock's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from crossdock.bridges.soap import RemoteFetchRefusedError
from crossdock.bridges.soap.inspect import inspect_wsdl, load_for_inspection
from crossdock.bridges.soap.offline import build_message
from crossdock.canonical import Order
from crossdock.errors import ConfigError, MappingError
from crossdock.soap import HostileXmlError, contract, default_mapping, load_mapping, parse_xml, read_outline

DATA = Path(__file__).resolve().parents[2] / "data" / "soap"
PACKAGED = Path(contract.__file__).parent / contract.WSDL_NAME
ORDER = Order.model_validate(
    {
        "channel": "edi",
        "external_id": "PO-77",
        "ordered_at": "2026-11-20T10:00:00Z",
        "references": {"erp_customer_no": "C30000"},
        "lines": [
            {"line_number": "1", "sku": "ITEM-1", "quantity": 3},
            {"line_number": "2", "sku": "ITEM-2", "quantity": 1},
        ],
    }
)


def test_the_hardened_parser_refuses_doctype_and_bad_xml() -> None:
    with pytest.raises(HostileXmlError, match="DOCTYPE"):
        parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    with pytest.raises(HostileXmlError, match="not well-formed"):
        parse_xml(b"<a>")


def test_the_packaged_wsdl_is_concrete_with_every_mapped_operation() -> None:
    report = inspect_wsdl(str(PACKAGED))
    assert not report.abstract
    (port,) = report.ports
    assert (port.service, port.port) == ("CrossdockErpService", "SalesAndFinancePort")
    operations = {op.name: op for op in port.operations}
    assert {"CreateSalesOrder", "CreateCreditMemo", "CreateReturnAuthorization", "GetItem"} <= set(operations)
    assert set(operations) == {op.operation for op in default_mapping().operations.values()}  # each one mapped
    (sales_order,) = operations["CreateSalesOrder"].input
    fields = {f.name: f for f in sales_order.children}
    assert fields["CustomerNo"].type == "Code20" and fields["CustomerNo"].min_occurs == 1
    (line,) = fields["SalesLines"].children
    assert (line.name, line.max_occurs) == ("SalesLine", "unbounded")
    assert "ItemNo" in {f.name for f in line.children}


def test_an_abstract_wsdl_is_reported_as_such_with_its_fields() -> None:
    report = inspect_wsdl(str(DATA / "abstract.wsdl"))
    assert report.abstract and report.ports == []
    (operation,) = report.port_types["SalesOrderCreate_In"]
    assert operation.input_element == "{urn:example:orders}SalesOrderCreateRequest"
    (order,) = operation.input
    assert [f.name for f in order.children] == ["BuyerID", "Item"]


def test_a_remote_include_fails_fast_naming_the_url() -> None:
    url = "http://erp.example.invalid:8005/webservices/SOAProvider/plsql/pkg/GET.xsd"
    with pytest.raises(RemoteFetchRefusedError, match=r"erp\.example\.invalid:8005") as caught:
        load_for_inspection(str(DATA / "remote_include.wsdl"))
    assert caught.value.url == url
    assert isinstance(caught.value, ConfigError)


def test_a_wsdl_with_a_dtd_is_refused() -> None:
    with pytest.raises(ConfigError, match="DOCTYPE"):
        inspect_wsdl(str(DATA / "dtd.wsdl"))


def test_a_local_relative_import_loads_and_a_user_mapping_builds_its_message() -> None:
    client, outline = load_for_inspection(str(DATA / "local" / "service.wsdl"))
    assert client is not None and not outline.abstract
    mapping = load_mapping(
        b"""
name: local
operations:
  create_sales_order:
    operation: Create
    document: order
    request:
      Header.CustomerRef: {source: references.erp_customer_no, required: true}
      Header.OrderDate: {source: ordered_at, format: date}
      Line: {source: lines, fields: {Sku: sku, Qty: {source: quantity, format: decimal}}}
""",
        "local.yaml",
    )
    envelope = etree.fromstring(build_message(client, outline, mapping.operation("create_sales_order"), ORDER))
    ns = {"o": "urn:example:local"}
    assert envelope.findtext(".//o:Create/o:Header/o:CustomerRef", namespaces=ns) == "C30000"
    assert [q.text for q in envelope.findall(".//o:Line/o:Qty", namespaces=ns)] == ["3", "1"]


def test_the_abstract_wsdl_still_builds_its_input_element() -> None:
    client, outline = load_for_inspection(str(DATA / "abstract.wsdl"))
    assert client is not None
    mapping = load_mapping(
        b"""
name: abstract
operations:
  create_sales_order:
    operation: SalesOrderCreate_In
    request:
      SalesOrder.BuyerID: references.erp_customer_no
      SalesOrder.Item: {source: lines, fields: {ProductID: sku, Quantity: {source: quantity, format: decimal}}}
""",
    )
    element = etree.fromstring(build_message(client, outline, mapping.operation("create_sales_order"), ORDER))
    assert etree.QName(element).localname == "SalesOrderCreateRequest"
    assert [e.text for e in element.iter("ProductID")] == ["ITEM-1", "ITEM-2"]


def test_a_field_the_wsdl_does_not_have_is_a_mapping_error() -> None:
    client, outline = load_for_inspection(str(DATA / "local" / "service.wsdl"))
    assert client is not None
    text = b"name: x\noperations:\n  c:\n    operation: Create\n    request:\n      Header.Colour: {const: red}\n"
    mapping = load_mapping(text)
    with pytest.raises(MappingError, match="Create request does not fit the WSDL"):
        build_message(client, outline, mapping.operation("c"), ORDER)


def test_outline_lists_imports_and_bindings() -> None:
    outline = read_outline(PACKAGED.read_bytes())
    assert outline.imports == ("erp.xsd",) and outline.remote_imports == ()
    assert outline.bindings == {"SalesAndFinanceBinding": "SalesAndFinancePort"}
    with pytest.raises(ConfigError, match=r"not a WSDL 1\.1 document"):
        read_outline(b"<schema/>", "x.xsd")
