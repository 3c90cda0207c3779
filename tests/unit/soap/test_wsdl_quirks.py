"""WSDL shapes met in real legacy ERPs, each in a small WSDL written for these tests
(tests/data/soap/quirks): loaded offline (sockets are disabled in unit tests), inspected, scaffolded and
turned into a request without sending it, or refused with a ConfigError naming the file and problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from typer.testing import CliRunner

from crossdock.bridges.soap import HardenedTransport, RemoteFetchRefusedError, bind_service, load_wsdl
from crossdock.bridges.soap.inspect import (
    MAX_DEPTH,
    MAX_FIELDS,
    FieldInfo,
    OperationInfo,
    PortInfo,
    WsdlReport,
    inspect_wsdl,
    load_for_inspection,
)
from crossdock.bridges.soap.mapping_check import check_mapping
from crossdock.bridges.soap.offline import build_message
from crossdock.bridges.soap.scaffold import scaffold_mapping
from crossdock.canonical import Order
from crossdock.cli import app
from crossdock.errors import ConfigError
from crossdock.soap import load_mapping, read_outline
from crossdock.soap.schemas import is_well_known, read_well_known

QUIRKS = Path(__file__).resolve().parents[2] / "data" / "soap" / "quirks"
ORDER = Order.model_validate(
    {
        "channel": "edi",
        "external_id": "PO-QUIRK-1",
        "ordered_at": "2026-11-20T10:00:00Z",
        "references": {"erp_customer_no": "C30000"},
        "lines": [
            {"line_number": "1", "sku": "ITEM-1", "quantity": 3, "unit_price": "9.50"},
            {"line_number": "2", "sku": "ITEM-2", "quantity": 1},
        ],
    }
)


def _scaffold_message(path: Path) -> tuple[bytes, dict[str, Any]]:
    client, outline = load_for_inspection(str(path))
    assert client is not None
    report = inspect_wsdl(str(path))
    scaffold = scaffold_mapping(report)
    mapping = load_mapping(yaml.safe_dump(scaffold).encode(), "scaffold")
    assert check_mapping(report, mapping) == []
    op = next(iter(mapping.operations.values()))
    return build_message(client, outline, op, ORDER), scaffold


def _texts(message: bytes, name: str) -> list[str]:
    root = etree.fromstring(message)
    return [el.text or "" for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == name]


def test_rpc_encoded_loads_offline_with_the_soap_encoding_schema_crossdock_carries() -> None:
    path = QUIRKS / "rpc_encoded_orders.wsdl"
    outline = read_outline(path.read_bytes(), path.name)
    assert {"http://schemas.xmlsoap.org/soap/encoding/", "http://schemas.xmlsoap.org/wsdl/"} <= set(outline.imports)
    assert outline.remote_imports == ()  # carried, not fetched
    described = outline.operation("createOrder")
    assert described is not None and described.input_element == "{urn:example:legacy:orders}createOrder"

    (port,) = inspect_wsdl(str(path)).ports
    fields = {f.name: f for f in next(op for op in port.operations if op.name == "createOrder").input}
    assert list(fields) == ["callContext", "header", "lines"]
    lines = fields["lines"]  # a soapenc:Array of OrderLine: one element holding a list of items
    assert lines.max_occurs == "unbounded" and [c.name for c in lines.children] == ["itemCode", "quantity", "unitPrice"]

    message, scaffold = _scaffold_message(path)
    assert scaffold["operations"]["create_sales_order"]["operation"] == "createOrder"
    assert _texts(message, "customerPoNumber") == ["PO-QUIRK-1"]
    assert _texts(message, "soldToCustomer") == ["C30000"]
    assert _texts(message, "itemCode") == ["ITEM-1", "ITEM-2"]


def test_only_the_well_known_schemas_are_served_locally_any_other_remote_import_is_refused() -> None:
    assert is_well_known("https://schemas.xmlsoap.org/soap/encoding")
    assert is_well_known("http://www.w3.org/2001/xml.xsd")
    assert not is_well_known("http://schemas.xmlsoap.org/soap/encoding/?x=1")
    assert not is_well_known("http://erp.example.invalid/soap/encoding/")
    transport = HardenedTransport(connect_timeout=1, read_timeout=1)
    assert transport.load("http://schemas.xmlsoap.org/soap/encoding/") == read_well_known(
        "http://schemas.xmlsoap.org/soap/encoding/"
    )
    with pytest.raises(RemoteFetchRefusedError) as caught:
        transport.load("http://erp.example.invalid/schemas/orders.xsd")
    assert caught.value.url == "http://erp.example.invalid/schemas/orders.xsd"


def test_http_get_ports_are_left_out_and_soap_11_is_preferred() -> None:
    path = QUIRKS / "asmx_ports.wsdl"
    report = inspect_wsdl(str(path))
    assert [(p.port, p.soap) for p in report.ports] == [("OrderServiceSoap12", "1.2"), ("OrderServiceSoap", "1.1")]
    message, scaffold = _scaffold_message(path)
    entry = scaffold["operations"]["create_sales_order"]
    assert (entry["service"], entry["port"]) == ("OrderService", "OrderServiceSoap")
    assert etree.QName(etree.fromstring(message)).namespace == "http://schemas.xmlsoap.org/soap/envelope/"
    assert _texts(message, "CustomerPONumber") == ["PO-QUIRK-1"]
    assert _texts(message, "ItemNumber") == ["ITEM-1", "ITEM-2"]

    client = load_wsdl(path, HardenedTransport(connect_timeout=1, read_timeout=1))
    with pytest.raises(ConfigError, match=r"no SOAP port .*OrderServiceHttpGet \(HttpGetBinding\)"):
        bind_service(client, "http://127.0.0.1:9/x", port="OrderServiceHttpGet")


def test_a_binding_imported_from_another_wsdl_binds_and_builds() -> None:
    message, _ = _scaffold_message(QUIRKS / "split_binding.wsdl")
    assert _texts(message, "PurchaseOrderNumber") == ["PO-QUIRK-1"]
    assert _texts(message, "SoldToParty") == ["C30000"]
    assert _texts(message, "Material") == ["ITEM-1", "ITEM-2"]


def test_required_attributes_are_filled_by_the_scaffold() -> None:
    message, scaffold = _scaffold_message(QUIRKS / "sap_gdt_ids.wsdl")
    request = scaffold["operations"]["create_sales_order"]["request"]
    assert "SalesOrder.actionCode" in request and "SalesOrder.BuyerID.schemeID" in request
    root = etree.fromstring(message, parser=etree.XMLParser(remove_comments=True))
    (order,) = (el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "SalesOrder")
    assert order.get("actionCode")
    assert _texts(message, "BuyerID") == ["PO-QUIRK-1"]  # SAP: the buyer's own document number
    assert _texts(message, "ProductID") == ["ITEM-1", "ITEM-2"]
    quantities = [el for el in root.iter() if etree.QName(el).localname == "RequestedQuantity"]
    assert [q.text for q in quantities] == ["3", "1"] and all(q.get("unitCode") for q in quantities)


def test_a_wsdl_zeep_cannot_model_is_a_config_error_naming_it_also_in_the_cli() -> None:
    path = QUIRKS / "unreadable_header.wsdl"
    with pytest.raises(ConfigError, match=r"unreadable_header\.wsdl.*SessionHeader"):
        inspect_wsdl(str(path))
    result = CliRunner().invoke(app, ["soap", "inspect", str(path)])
    assert result.exit_code == 2, result.output
    assert "unreadable_header.wsdl" in result.output and "SessionHeader" in result.output


def test_a_body_of_one_string_element_is_a_field_and_a_parameterless_operation_still_scaffolds() -> None:
    path = QUIRKS / "string_body.wsdl"
    (port,) = inspect_wsdl(str(path)).ports
    operations = {op.name: op for op in port.operations}
    assert [(f.name, f.type, f.min_occurs) for f in operations["SubmitOrderXml"].input] == [("orderXml", "string", 1)]
    message, _ = _scaffold_message(path)
    assert _texts(message, "orderXml") == ["X"]  # a filler for a person to replace

    only_parameterless = inspect_wsdl(str(path))
    only_parameterless.ports[0].operations[:] = [operations["GetVersion"]]
    scaffold = scaffold_mapping(only_parameterless)
    assert scaffold["operations"]["create_sales_order"] == {
        "operation": "GetVersion",
        "document": "order",
        "request": {},
    }
    client, outline = load_for_inspection(str(path))
    mapping = load_mapping(yaml.safe_dump(scaffold).encode(), "scaffold")
    envelope = build_message(client, outline, mapping.operations["create_sales_order"], ORDER)
    assert "GetVersion" in {etree.QName(el).localname for el in etree.fromstring(envelope).iter()}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a /dev/zero device")
def test_an_include_naming_a_device_is_refused_not_read() -> None:
    with pytest.raises(ConfigError, match=r"local file /dev/zero, outside the folders"):
        load_for_inspection(str(QUIRKS / "device_include.wsdl"))
    # even from a folder the operator allowed, a device is never read
    with pytest.raises(ConfigError, match=r"device_include\.wsdl.*/dev/zero is not a regular file"):
        load_for_inspection(str(QUIRKS / "device_include.wsdl"), allowed_dirs=["/dev"])
    with pytest.raises(ConfigError, match="/dev/zero is not a regular file"):
        inspect_wsdl("/dev/zero")


def test_required_repeated_groups_without_telling_names_are_still_filled() -> None:
    message, scaffold = _scaffold_message(QUIRKS / "sap_pi_required_groups.wsdl")
    request = scaffold["operations"]["create_sales_order"]["request"]
    assert request["HEADER"]["source"] == "lines" and request["DATA.ROW"]["source"] == "lines"
    assert len(_texts(message, "HEADER")) == 2 and len(_texts(message, "ROW")) == 2


def test_the_scaffold_fills_one_alternative_of_a_choice_and_the_check_refuses_two() -> None:
    path = QUIRKS / "choice_alternatives.wsdl"
    (operation,) = inspect_wsdl(str(path)).ports[0].operations
    fields = {f.name: f for f in operation.input}
    assert fields["CustomerNo"].choice == fields["CustomerName"].choice is not None
    message, scaffold = _scaffold_message(path)
    request = scaffold["operations"]["create_sales_order"]["request"]
    assert "CustomerNo" in request and "CustomerName" not in request
    assert set(request["Line"]["fields"]) == {"ItemNo", "Quantity"}  # the telling alternative, not the first
    assert _texts(message, "ItemNo") == ["ITEM-1", "ITEM-2"] and _texts(message, "GTIN") == []

    both = dict(scaffold["operations"]["create_sales_order"], request=request | {"CustomerName": {"const": "A"}})
    mapping = load_mapping(yaml.safe_dump({"name": "both", "operations": {"create_sales_order": both}}).encode(), "m")
    ((where, problem),) = check_mapping(inspect_wsdl(str(path)), mapping)
    assert where.endswith(("request.CustomerName", "request.CustomerNo")) and "alternatives" in problem


def test_a_wcf_single_wsdl_scaffolds_on_the_basic_http_port_with_erp_style_names() -> None:
    message, scaffold = _scaffold_message(QUIRKS / "wcf_single_wsdl.wsdl")
    entry = scaffold["operations"]["create_sales_order"]
    assert entry["port"] == "BasicHttpBinding_ISalesOrderService"
    assert entry["request"]["order.CustomerRequisitionNumber"] == {"source": "external_id"}
    assert entry["request"]["order.CustomerAccount"] == {"source": "references.erp_customer_no"}
    assert set(entry["request"]["order.Lines.SalesLine"]["fields"]) == {"ItemId", "SalesQty", "SalesPrice"}
    assert _texts(message, "SalesQty") == ["3", "1"] and _texts(message, "SalesPrice") == ["9.50"]


def test_inspect_text_lists_a_named_type_once_per_operation_and_shows_soap_versions() -> None:
    result = CliRunner().invoke(app, ["soap", "inspect", str(QUIRKS / "sap_gdt_ids.wsdl")])
    assert result.exit_code == 0, result.output
    assert "SOAP 1.1" in result.output
    assert result.output.count("schemeID") == 1  # PartyID's fields under BuyerID only
    assert "SellerID: PartyID [0..1]: fields as above" in result.output
    result = CliRunner().invoke(app, ["soap", "inspect", str(QUIRKS / "choice_alternatives.wsdl")])
    assert "CustomerNo: string [1..1] (choice-1)" in result.output


def test_types_that_fan_out_are_inspected_within_a_field_budget(tmp_path: Path) -> None:
    # 8 fields per type, 6 levels: 8**6 = 262144 leaves if every path were listed.
    levels = [
        f'<xsd:complexType name="T{level}"><xsd:sequence>'
        + "".join(f'<xsd:element name="f{n}" type="tns:T{level + 1}"/>' for n in range(8))
        + "</xsd:sequence></xsd:complexType>"
        for level in range(6)
    ]
    levels.append('<xsd:simpleType name="T6"><xsd:restriction base="xsd:string"/></xsd:simpleType>')
    source = (QUIRKS / "choice_alternatives.wsdl").read_text()
    start = source.index('<xsd:element name="CreateOrder">')
    end = source.index('<xsd:element name="CreateOrderResponse">')
    wide = source[:start] + '<xsd:element name="CreateOrder" type="tns:T0"/>' + "".join(levels) + source[end:]
    (tmp_path / "wide.wsdl").write_text(wide)
    (operation,) = inspect_wsdl(str(tmp_path / "wide.wsdl")).ports[0].operations

    def count(fields: list[FieldInfo]) -> int:
        return sum(1 + count(f.children) for f in fields)

    assert MAX_FIELDS <= count(operation.input) <= MAX_FIELDS + 8 * MAX_DEPTH


def test_document_style_type_parts_name_their_body_elements() -> None:
    path = QUIRKS / "document_type_parts.wsdl"
    described = read_outline(path.read_bytes(), path.name).operation("submitOrder")
    assert described is not None and described.input_element == "order"
    (operation,) = inspect_wsdl(str(path)).ports[0].operations
    assert operation.input_element is None  # not zeep's stand-in, the SOAP Body
    assert [f.name for f in operation.input] == ["order", "channel"]
    message, _ = _scaffold_message(path)
    assert _texts(message, "orderNumber") == ["PO-QUIRK-1"]
    assert _texts(message, "itemNumber") == ["ITEM-1", "ITEM-2"]
    assert "order" in {etree.QName(el).localname for el in etree.fromstring(message).iter()}


def test_the_outline_of_a_split_wsdl_follows_its_local_wsdl_import() -> None:
    path = QUIRKS / "split_binding.wsdl"
    assert read_outline(path.read_bytes(), path.name).operation("SalesOrderCreateRequestConfirmation_In") is None
    _, outline = load_for_inspection(str(path))
    described = outline.operation("SalesOrderCreateRequestConfirmation_In")
    assert described is not None
    assert described.input_element == "{urn:example:split:orders:interface}SalesOrderCreateRequest"
    assert not outline.abstract and outline.bindings == {"SalesOrderBinding": "SalesOrderCreateRequestConfirmation_In"}


def test_only_an_address_country_is_taken_for_the_ship_to_country() -> None:
    def report(*names: str) -> WsdlReport:
        fields = [FieldInfo(name, "string", 1, 1) for name in names]
        operation = OperationInfo("Create", "{urn:x}Create", [FieldInfo("Item", "Item", 1, 1, fields)])
        return WsdlReport("x.wsdl", "urn:x", False, [PortInfo("S", "P", "B", None, [operation])], {})

    request = scaffold_mapping(report("Country_Region_of_Origin_Code", "Ship_to_Country_Region_Code"))
    rules = request["operations"]["create_sales_order"]["request"]
    assert rules["Item.Ship_to_Country_Region_Code"] == {"source": "parties[role=ship_to].address.country"}
    assert rules["Item.Country_Region_of_Origin_Code"] == {"const": "X"}  # required, nothing telling


def test_a_wsdl_without_any_operation_input_is_a_config_error_for_the_scaffold() -> None:
    port = PortInfo("S", "P", "B", None, [OperationInfo("Ping", None, [])])
    empty = WsdlReport("empty.wsdl", "urn:x", False, [port], {})
    with pytest.raises(ConfigError, match=r"empty\.wsdl: no operation with an input to map \(operations: Ping\)"):
        scaffold_mapping(empty)


def test_a_file_url_loads_like_a_path_with_its_relative_imports() -> None:
    report = inspect_wsdl((QUIRKS / "split_binding.wsdl").resolve().as_uri())
    assert [op.name for op in report.ports[0].operations] == ["SalesOrderCreateRequestConfirmation_In"]


def test_a_binding_without_a_service_is_bound_directly() -> None:
    path = QUIRKS / "binding_only.wsdl"
    report = inspect_wsdl(str(path))
    assert report.ports == [] and not report.abstract
    message, scaffold = _scaffold_message(path)
    assert scaffold["operations"]["create_sales_order"]["operation"] == "SalesOrderCreateRequestConfirmation_In"
    assert _texts(message, "ProductID") == ["ITEM-1", "ITEM-2"]
    client = load_wsdl(path, HardenedTransport(connect_timeout=1, read_timeout=1))
    with pytest.raises(ConfigError, match="no service"):
        bind_service(client, "http://127.0.0.1:9/x", service="SalesOrderService")
