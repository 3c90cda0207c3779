"""Real ERP WSDLs (../shared/corpus/wsdl) load with zeep OFFLINE and take a sales-order-like request
built through crossdock's mapping layer, without sending it.

Each WSDL is tried with the mapping written for it in tests/data/soap/corpus/<name>.yaml (when there
is one) and with the scaffold mapping crossdock derives from the WSDL itself, so WSDLs this test has
never seen are covered too. A WSDL whose schema is remote must fail fast with a ConfigError naming the
URL. Sockets are disabled for the whole test: any fetch would fail it with pytest-socket's error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lxml import etree
from pytest_socket import disable_socket, enable_socket

from crossdock.bridges.soap import RemoteFetchRefusedError
from crossdock.bridges.soap.inspect import inspect_wsdl, load_for_inspection
from crossdock.bridges.soap.mapping_check import check_mapping
from crossdock.bridges.soap.offline import build_message
from crossdock.bridges.soap.scaffold import scaffold_mapping
from crossdock.canonical import Order
from crossdock.soap import load_mapping, parse_xml, read_outline
from tests.conftest import CORPUS

WSDL_DIR = CORPUS / "wsdl"
MAPPINGS = Path(__file__).resolve().parents[1] / "data" / "soap" / "corpus"
WSDLS = sorted(WSDL_DIR.glob("*.wsdl")) if WSDL_DIR.is_dir() else []

ORDER = Order.model_validate(
    {
        "channel": "amazon",
        "external_id": "PO-CORPUS-4711",
        "ordered_at": "2026-11-20T10:00:00+00:00",
        "references": {"erp_customer_no": "C10000"},
        "notes": ["gift wrap"],
        "parties": [
            {
                "role": "ship_to",
                "name": "Ann Example",
                "address": {"lines": ["12 Main St"], "city": "Austin", "postal_code": "78701", "country": "US"},
            }
        ],
        "lines": [
            {"line_number": "1", "sku": "SKU-RED-1", "quantity": 3, "unit_price": "9.50", "description": "Red mug"},
            {"line_number": "2", "sku": "SKU-BLUE-2", "quantity": 1, "unit_of_measure": "PCS"},
        ],
    }
)


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


def _cases() -> list[object]:
    if not WSDLS:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no WSDL corpus at {WSDL_DIR}"))]
    cases: list[object] = []
    for path in WSDLS:
        if (MAPPINGS / f"{path.stem}.yaml").exists():
            cases.append(pytest.param(path, "written", id=f"{path.stem}-written"))
        cases.append(pytest.param(path, "scaffold", id=f"{path.stem}-scaffold"))
    return cases


def _text_values(data: bytes) -> list[str]:
    return [el.text for el in parse_xml(data).iter() if isinstance(el.tag, str) and el.text and el.text.strip()]


@pytest.mark.parametrize(("wsdl", "mapping_kind"), _cases())
def test_a_sales_order_request_builds_offline(wsdl: Path, mapping_kind: str) -> None:
    outline = read_outline(wsdl.read_bytes(), wsdl.name)
    if outline.remote_imports:
        # The negative case: its schema is on a remote host. It must fail fast, naming the URL.
        with pytest.raises(RemoteFetchRefusedError) as caught:
            load_for_inspection(str(wsdl))
        assert caught.value.url in outline.remote_imports
        assert caught.value.url in str(caught.value)
        return
    try:
        client, outline = load_for_inspection(str(wsdl))
    except RemoteFetchRefusedError as exc:
        # A remote import deeper down (in a local XSD): refused just as fast, naming the URL.
        assert exc.url.startswith(("http://", "https://", "ftp://")) and exc.url in str(exc)
        return
    assert client is not None, f"{wsdl.name} did not load with zeep"
    if mapping_kind == "written":
        mapping = load_mapping((MAPPINGS / f"{wsdl.stem}.yaml").read_bytes(), f"{wsdl.stem}.yaml")
    else:
        mapping = load_mapping(yaml.safe_dump(scaffold_mapping(inspect_wsdl(str(wsdl)))).encode(), "scaffold")
    assert check_mapping(inspect_wsdl(str(wsdl)), mapping) == []
    op = next(iter(mapping.operations.values()))
    message = build_message(client, outline, op, ORDER)
    root = etree.fromstring(message, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    described = outline.operation(op.operation)
    assert described is not None and described.input_element is not None
    input_name = etree.QName(described.input_element).localname
    assert any(etree.QName(el).localname == input_name for el in root.iter() if isinstance(el.tag, str))
    values = _text_values(message)
    sources = yaml.safe_dump(op.model_dump(mode="json"))
    if "external_id" in sources:
        assert "PO-CORPUS-4711" in values
    if "source: sku" in sources:
        assert {"SKU-RED-1", "SKU-BLUE-2"} <= set(values)
    if "ship_to" in sources:
        assert "Ann Example" in values or "Austin" in values
