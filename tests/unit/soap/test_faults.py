"""Fault classification: business → BusinessError with the ERP's words and owner; busy → transient."""

from __future__ import annotations

import pytest
from lxml import etree

from crossdock.errors import BusinessError, Owner, TransientError
from crossdock.soap import ErpBusyError, ErpFault, ErpRefusedError, classify, parse_xml, read_fault

DETAIL = b"""<detail><e:ErpFault xmlns:e="urn:crossdock:erp:v1"><e:ErrorCode>ITEM_NOT_FOUND</e:ErrorCode>
<e:ErrorMessage>Item ITEM-9 does not exist.</e:ErrorMessage><e:Field>SalesOrder.SalesLines.SalesLine[2].ItemNo</e:Field>
</e:ErpFault></detail>"""


def test_the_detail_gives_code_message_and_field() -> None:
    fault = read_fault("soap:Client", "Item ITEM-9 does not exist.", parse_xml(DETAIL))
    assert fault == ErpFault(
        "Client", "Item ITEM-9 does not exist.", "ITEM_NOT_FOUND", "SalesOrder.SalesLines.SalesLine[2].ItemNo"
    )
    error = classify(fault, "CreateSalesOrder", Owner.INTEGRATION, key="PO-1")
    assert isinstance(error, ErpRefusedError) and error.owner is Owner.WAREHOUSE and error.key == "PO-1"
    assert str(error) == (
        "ERP CreateSalesOrder refused: ITEM_NOT_FOUND: Item ITEM-9 does not exist. "
        "(field SalesOrder.SalesLines.SalesLine[2].ItemNo)"
    )


@pytest.mark.parametrize(
    ("code", "owner"),
    [
        ("UNBALANCED_JOURNAL", Owner.FINANCE),
        ("CUSTOMER_NOT_FOUND", Owner.INTEGRATION),
        ("INSUFFICIENT_INVENTORY", Owner.WAREHOUSE),
        ("SOMETHING_ELSE", Owner.CUSTOMER_SERVICE),
    ],
)
def test_owner_follows_the_code_else_the_operation(code: str, owner: Owner) -> None:
    fault = ErpFault("Client", "no", code)
    error = classify(fault, "Op", Owner.CUSTOMER_SERVICE if code == "SOMETHING_ELSE" else Owner.INTEGRATION)
    assert isinstance(error, BusinessError) and error.owner is owner


def test_busy_codes_are_transient() -> None:
    assert isinstance(classify(ErpFault("Server", "locked", "RECORD_LOCKED"), "Op", Owner.INTEGRATION), ErpBusyError)


def test_an_erp_without_detail_is_judged_by_faultcode_and_words() -> None:
    # Dynamics NAV style: no detail, the message says it is locked: try again later.
    nav = read_fault(
        "a:Microsoft.Dynamics.Nav.Types.Exceptions.NavNCLDeadlockException",
        "Your activity was deadlocked with another user modifying the Sales Header table.",
        None,
    )
    assert isinstance(classify(nav, "Create", Owner.INTEGRATION), TransientError)
    # A Client fault is the caller's problem even if its words sound temporary.
    client = read_fault("soap:Client", "Field timeout must be positive", None)
    assert isinstance(classify(client, "Create", Owner.INTEGRATION), BusinessError)
    # A plain Server fault with a business message is a business error.
    server = read_fault("soap:Server", "The Customer does not exist. Identification fields and values: No.='X'", None)
    error = classify(server, "Create", Owner.INTEGRATION)
    assert isinstance(error, BusinessError) and "does not exist" in str(error)


def test_sap_style_detail_without_our_fields_keeps_the_faultstring() -> None:
    detail = etree.fromstring(
        b"<detail><StandardMessageFault><standard><faultText>Bad</faultText></standard></StandardMessageFault></detail>"
    )
    assert read_fault("soap:Server", "Web service processing error", detail).message == "Web service processing error"


def test_fault_texts_are_cut_to_a_few_kb() -> None:
    huge = "x" * (5 * 1024 * 1024)
    detail = parse_xml(
        f'<detail><e:ErpFault xmlns:e="urn:crossdock:erp:v1"><e:ErrorCode>{huge}</e:ErrorCode>'
        f"<e:ErrorMessage>{huge}</e:ErrorMessage><e:Field>{huge}</e:Field></e:ErpFault></detail>".encode()
    )
    fault = read_fault("soap:" + huge, huge, detail)
    assert len(fault.faultcode) < 300 and len(fault.error_code or "") < 300 and len(fault.field or "") < 300
    assert fault.message.startswith("x" * 2000) and fault.message.endswith(f"({len(huge) - 2000} more characters)")
    assert len(str(classify(fault, "GetItem", Owner.INTEGRATION))) < 4096
    assert read_fault(None, huge, None).message == fault.message
