from datetime import date
from decimal import Decimal

import pytest

from crossdock.canonical import OrderPurpose, PartyRole, WarehouseShippingOrder
from crossdock.edi.sets import x850, x940
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import one_set

WSO = """
W05*N*SO-1001*PO-4471
N9*SI*SHIP-77
N1*ST*STORE 12*92*0012
N3*1 MAIN ST
N4*COLUMBUS*OH*43215*USA
N1*DE*CROSSDOCK GOODS*9*0614141000005
N1*WH*NORTHSTAR COLUMBUS*ZZ*COL1
N9*DP*042
G62*10*20261124
G62*02*20261128
G62*01*20261205
NTE*WHI*USE CHEP PALLETS
W66*PP*M***UPS GROUND*****UPSN
LX*1
W01*24*EA*012345678905*VN*TEE-M*BP*B-1******LOT-9
G69*TEE SHIRT
N9*LI*0010
W20*6
LX*2
W01*6*CA**VN*SOCKS*UK*10012345678902
W76*30*120*LB
"""


def test_940_maps_to_a_warehouse_shipping_order() -> None:
    result = x940.to_canonical(one_set("940", WSO))
    wso = result.document
    assert isinstance(wso, WarehouseShippingOrder)
    assert (wso.order_ref, wso.po_number, wso.shipment_id, wso.purpose) == (
        "SO-1001",
        "PO-4471",
        "SHIP-77",
        OrderPurpose.ORIGINAL,
    )
    assert (wso.warehouse_code, wso.depositor_code) == ("COL1", "0614141000005")
    assert wso.party(PartyRole.SELLER) is not None  # DE depositor
    ship_to = wso.party(PartyRole.SHIP_TO)
    assert ship_to is not None and ship_to.address is not None and ship_to.address.country == "US"
    assert (wso.requested_ship_date, wso.requested_delivery_date, wso.cancel_after) == (
        date(2026, 11, 24),
        date(2026, 11, 28),
        date(2026, 12, 5),
    )
    assert wso.references == {"DP": "042"}
    assert wso.notes == ["USE CHEP PALLETS"]
    assert wso.shipping_method is not None
    assert (wso.shipping_method.carrier, wso.shipping_method.routing) == ("UPSN", "UPS GROUND")
    first, second = wso.lines
    assert (first.line_number, first.quantity, first.gtin, first.sku, first.buyer_part_number, first.lot) == (
        "0010",
        Decimal("24"),
        "012345678905",
        "TEE-M",
        "B-1",
        "LOT-9",
    )
    assert first.description == "TEE SHIRT"
    assert (second.line_number, second.gtin, second.unit_of_measure) == ("2", "10012345678902", "CA")
    assert [u.raw for u in result.unmapped] == ["W20*6"]
    assert {w.location for w in result.warnings} >= {"W76[1]/W7602"}


def test_940_roundtrip() -> None:
    wso = x940.to_canonical(one_set("940", WSO)).document
    body = "\n".join("*".join(seg.elements) for seg in x940.from_canonical(wso))
    assert x940.to_canonical(one_set("940", body)).document == wso


def test_an_order_renders_as_a_940_for_the_3pl() -> None:
    order_body = """
BEG*00*SA*PO-9**20261120
DTM*002*20261128
N1*ST*STORE 12*92*0012
PO1*1*3*EA*4.5*PE*UP*012345678905*SK*TEE-M
PID*F****TEE
CTT*1
"""
    order = x850.to_canonical(one_set("850", order_body)).document
    body = "\n".join("*".join(seg.elements) for seg in x940.from_canonical(order))
    wso = x940.to_canonical(one_set("940", body)).document
    assert (wso.order_ref, wso.po_number, wso.requested_delivery_date) == ("PO-9", "PO-9", date(2026, 11, 28))
    assert [(ln.sku, ln.gtin, ln.quantity, ln.description) for ln in wso.lines] == [
        ("TEE-M", "012345678905", Decimal("3"), "TEE")
    ]


@pytest.mark.parametrize(
    ("body", "location", "field"),
    [
        ("W05*N*SO-1\nLX*1\nW01**EA*012345678905", "W01[1]/W0101", "lines[0].quantity"),
        ("W05*N\nLX*1\nW01*1*EA*012345678905", "W05[1]/W0502", "order_ref"),
        ("W05*N*SO-1\nW76*0", "W01", "lines"),
        ("W05*N*SO-1\nG62*10*2026-11-24\nW01*1*EA*012345678905", "G62[1]/G6202", "requested_ship_date"),
        ("W05*N*SO-1\nW01*1*EA**ZZ*WHAT", "W01[1]/W0103", "lines[0]"),
    ],
)
def test_940_errors_name_the_position(body: str, location: str, field: str) -> None:
    with pytest.raises(MappingError) as caught:
        x940.to_canonical(one_set("940", body))
    assert any(where == location and what.startswith(field) for where, what in caught.value.errors), caught.value.errors


def test_a_confirmation_cannot_be_a_940() -> None:
    wso = x940.to_canonical(one_set("940", WSO)).document.model_copy(update={"purpose": OrderPurpose.CONFIRMATION})
    with pytest.raises(MappingError) as caught:
        x940.from_canonical(wso)
    assert caught.value.errors[0][0] == "W05/W0501"


def test_a_collect_payment_method_is_reported() -> None:
    body = "W05*N*SO-1\nW66*CC*M***UPS GROUND*****UPSN\nW01*1*EA*012345678905"
    result = x940.to_canonical(one_set("940", body))
    assert [w.location for w in result.warnings] == ["W66[1]/W6601"]
