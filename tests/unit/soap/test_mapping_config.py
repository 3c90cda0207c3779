"""Loading a mapping: every mistake is a ConfigError naming the file and the field."""

from __future__ import annotations

import pytest

from crossdock.errors import ConfigError
from crossdock.soap import default_mapping, load_mapping


def _load(request_yaml: str, document: str = "order") -> None:
    text = f"name: x\noperations:\n  create_sales_order:\n    operation: Op\n    document: {document}\n    request:\n"
    load_mapping((text + request_yaml).encode(), "erp.yaml")


def test_the_default_mapping_covers_every_logical_operation() -> None:
    mapping = default_mapping()
    assert {op.operation for op in mapping.operations.values()} == {
        "CreateSalesOrder",
        "GetSalesOrderByExternalRef",
        "CancelSalesOrder",
        "ChangeSalesOrder",
        "PostShipment",
        "CreateInvoice",
        "GetInvoiceByExternalRef",
        "CreateCreditMemo",
        "PostJournalEntry",
        "GetInventoryLevels",
        "GetItem",
        "CreateReturnAuthorization",
    }


@pytest.mark.parametrize(
    ("request_yaml", "message"),
    [
        ("      A.B: parties[role=ship_to].address.cty\n", "Address has no field 'cty'"),
        ("      A.B: external_idd\n", "Order has no field 'external_idd'"),
        ("      A.B: lines.sku\n", "cannot read 'sku'"),
        ("      A.B: currency[0]\n", "'currency' is not a list"),
        ("      A.B: parties[colour=red].name\n", "Party has no field 'colour'"),
        ("      A.L:\n        source: external_id\n        fields: {X: sku}\n", "needs a list source"),
        ("      A.L:\n        source: lines\n        fields: {X: skew}\n", "OrderLine has no field 'skew'"),
        ("      A.B: {source: external_id, const: X}\n", "exactly one of 'source' or 'const'"),
        ("      A.B: {source: external_id, fromat: date}\n", "create_sales_order.request.A.B.fromat"),
        ("      A.B: {source: external_id, format: yesno}\n", "format"),
        ("      A..B: external_id\n", "bad element name"),
        ("      A.B: lines[x\n", "bad segment"),
    ],
)
def test_config_errors_name_the_field(request_yaml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"erp\.yaml") as caught:
        _load(request_yaml)
    assert message in str(caught.value)
    assert "create_sales_order" in str(caught.value)


def test_nav_field_names_like_no_stay_names_not_booleans() -> None:
    text = b"name: x\noperations:\n  c:\n    operation: Create\n    request:\n      No: external_id\n"
    text += b"      On: {const: off}\n"
    rules = load_mapping(text).operation("c").request
    assert set(rules) == {"No", "On"}
    assert rules["On"].const == "off"


def test_an_unknown_document_type_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown canonical document type 'ordr'"):
        _load("      A: external_id\n", document="ordr")


def test_yaml_that_is_not_a_mapping_or_not_yaml() -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_mapping(b"name: [unclosed", "erp.yaml")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_mapping(b"- a list", "erp.yaml")
    with pytest.raises(ConfigError, match="operations"):
        load_mapping(b"name: x\n", "erp.yaml")


def test_asking_for_an_unmapped_operation_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"no operation 'create_order' \(known: .*create_sales_order"):
        default_mapping().operation("create_order")
