from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import PartyRole, Shipment
from crossdock.edi.sets import x945
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import one_set

ADVICE = """
W06*F*SO-1001*20261124*SHP-9**PO-4471
N1*SF*NORTHSTAR COLUMBUS*9*0614141000005
N1*ST*STORE 12*92*0012
N1*WH*NORTHSTAR*ZZ*COL1
N9*BM*BOL-1
N9*CN*PRO-7
N9*2I*1Z999
N9*SN*SEAL-3
G62*11*20261124*8*1615*ES
G62*17*20261128
W27*M*UPSN*UPS GROUND
LX*1
MAN*GM*00006141410000000012
W12*CC*24*24*0*EA*012345678905*VN*TEE-M*LOT-1
G69*TEE SHIRT
N9*LI*1
W12*PR*12*10*2*EA**VN*HOODIE
N9*LI*2
LX*2
MAN*CP*1Z888
W12*CC*6*6**CA**VN*SOCKS*********UK*10012345678902
LX*3
W12*PR**1*1*EA**VN*GIFT
W03*41*38.5*LB***2*CT
"""


def test_945_maps_to_a_shipment() -> None:
    result = x945.to_canonical(one_set("945", ADVICE))
    shipment = result.document
    assert isinstance(shipment, Shipment)
    assert shipment.shipment_id == "SHP-9"
    assert shipment.shipped_at == datetime(2026, 11, 24, 21, 15, tzinfo=UTC)
    assert shipment.estimated_delivery == date(2026, 11, 28)
    assert shipment.ship_from is not None and shipment.ship_from.role == PartyRole.SHIP_FROM
    assert shipment.ship_to is not None and shipment.ship_to.id_code == "0012"
    assert shipment.party(PartyRole.WAREHOUSE) is not None
    assert (shipment.bill_of_lading, shipment.pro_number, shipment.tracking_numbers) == ("BOL-1", "PRO-7", ["1Z999"])
    assert shipment.references == {"SN": "SEAL-3"}
    assert (shipment.carrier_scac, shipment.carrier_name) == ("UPSN", "UPS GROUND")
    assert (shipment.total_weight, shipment.weight_unit, shipment.package_count) == (Decimal("38.5"), "LB", 2)
    (order,) = shipment.orders
    assert (order.order_ref, order.po_number) == ("SO-1001", "PO-4471")
    first, second = order.packages
    assert first.sscc == "006141410000000012"
    assert [(ln.line_number, ln.quantity_ordered, ln.quantity_shipped, ln.lot) for ln in first.lines] == [
        ("1", Decimal("24"), Decimal("24"), "LOT-1"),
        ("2", Decimal("12"), Decimal("10"), None),
    ]
    assert second.tracking_number == "1Z888"
    assert second.lines[0].gtin == "10012345678902"
    assert [ln.sku for ln in order.lines] == ["GIFT"]  # an LX without MAN is unpacked
    assert order.lines[0].quantity_ordered == Decimal("2")  # no W1202: shipped + W1204 difference
    assert shipment.partial is True
    assert result.unmapped == ()


def test_945_roundtrip() -> None:
    shipment = x945.to_canonical(one_set("945", ADVICE)).document
    body = "\n".join("*".join(seg.elements) for seg in x945.from_canonical(shipment))
    assert x945.to_canonical(one_set("945", body)).document == shipment


def test_945_warns_about_inconsistent_quantities_and_keeps_bad_marks() -> None:
    body = """
W06*F*SO-1*20261124*SHP-1
LX*1
MAN*GM*0000123456781234567891
W12*CC*10*8*1*EA**VN*A
W03*9
"""
    result = x945.to_canonical(one_set("945", body))
    messages = {w.location: w.message for w in result.warnings}
    assert "W12[1]/W1204" in messages and "W03[1]/W0301" in messages
    assert [u.raw for u in result.unmapped] == ["MAN*GM*0000123456781234567891"]
    assert result.document.partial is True


@pytest.mark.parametrize(
    ("body", "location", "field"),
    [
        ("W06*F*SO-1*CCYYMMDD*SHP-1\nLX*1\nW12*CC*1*1**EA**VN*A", "W06[1]/W0603", "shipped_at"),
        ("W06*F*SO-1*20261124*SHP-1\nLX*1\nW12*CC*1***EA**VN*A", "W12[1]/W1203", "orders[0].lines[0].quantity_shipped"),
        ("W06*F**20261124\nLX*1\nW12*CC*1*1**EA**VN*A", "W06[1]/W0604", "shipment_id"),
        ("W06*F*SO-1*20261124*SHP-1\nW03*0", "W12", "orders[0].lines"),
        (
            "W06*F*SO-1*20261124*SHP-1\nLX*1\nMAN*GM*006141410000000012\nW12*CC*1*-1**EA**VN*A",
            "W12[1]",
            "orders[0].packages[0].lines[0].quantity_shipped",
        ),
    ],
)
def test_945_errors_name_the_position(body: str, location: str, field: str) -> None:
    with pytest.raises(MappingError) as caught:
        x945.to_canonical(one_set("945", body))
    assert any(where == location and what.startswith(field) for where, what in caught.value.errors), caught.value.errors


def test_a_945_confirms_exactly_one_order() -> None:
    shipment = x945.to_canonical(one_set("945", ADVICE)).document
    two = shipment.model_copy(update={"orders": [*shipment.orders, *shipment.orders]})
    with pytest.raises(MappingError):
        x945.from_canonical(two)
