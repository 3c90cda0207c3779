from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import PartyRole, Shipment
from crossdock.edi.sets import x856
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import one_set

HEAD = "BSN*00*ASN-1*20261124*1200*0001\n"

PICK_AND_PACK = (
    HEAD
    + """
HL*1**S
TD1*CTN25*2****G*40.5*LB
TD5**2*FDEG**FEDEX GROUND*******G2
REF*BM*BOL-1
REF*CN*PRO-1
REF*2I*TRACK-A
REF*DP*042
DTM*011*20261124*1530*CS
DTM*017*20261128
N1*SF*VENDOR WH*9*0614141000005
N4*RENO*NV*89501*USA
N1*ST*ACME DC 7*92*0007
N1*BY*ACME*92*0001
HL*2*1*O
PRF*PO-1***20261120
REF*VN*SO-1
N1*Z7*STORE 12*92*0012
HL*3*2*P
MAN*GM*00006141410000000012
TD1*CTN25*1****G*20*LB
HL*4*3*I
LIN*1*UP*012345678905*SK*TEE-M*BP*B-1
SN1**24*EA**24*EA
PID*F****TEE SHIRT
REF*LT*LOT-1
HL*5*2*P
MAN*CP*1Z999
HL*6*5*I
LIN**UP*012345678912*PL*2
SN1**10*EA**12*EA
CTT*6
"""
)


def test_pick_and_pack_asn() -> None:
    result = x856.to_canonical(one_set("856", PICK_AND_PACK))
    shipment = result.document
    assert isinstance(shipment, Shipment)
    assert shipment.shipment_id == "ASN-1"
    assert shipment.shipped_at == datetime(2026, 11, 24, 21, 30, tzinfo=UTC)
    assert shipment.estimated_delivery == date(2026, 11, 28)
    assert (shipment.package_count, shipment.total_weight, shipment.weight_unit) == (2, Decimal("40.5"), "LB")
    assert (shipment.carrier_scac, shipment.carrier_name, shipment.service_level) == ("FDEG", "FEDEX GROUND", "G2")
    assert (shipment.bill_of_lading, shipment.pro_number, shipment.tracking_numbers) == ("BOL-1", "PRO-1", ["TRACK-A"])
    assert shipment.references == {"DP": "042"}
    assert shipment.ship_from is not None and shipment.ship_from.address is not None
    assert shipment.ship_from.address.country == "US"
    assert shipment.party(PartyRole.BUYER) is not None
    (order,) = shipment.orders
    assert (order.po_number, order.po_date, order.order_ref) == ("PO-1", date(2026, 11, 20), "SO-1")
    assert [p.role for p in order.parties] == [PartyRole.MARK_FOR]
    first, second = order.packages
    assert (first.sscc, first.packaging_code, first.weight) == ("006141410000000012", "CTN25", Decimal("20"))
    (line,) = first.lines
    assert (line.line_number, line.gtin, line.sku, line.buyer_part_number, line.description, line.lot) == (
        "1",
        "012345678905",
        "TEE-M",
        "B-1",
        "TEE SHIRT",
        "LOT-1",
    )
    assert second.tracking_number == "1Z999"
    assert second.lines[0].line_number == "2"  # from the PL qualifier
    assert shipment.partial is True
    assert result.unmapped == ()


def test_ship_from_is_the_sf_party_not_its_shipper_alias_nor_a_second_party() -> None:
    body = PICK_AND_PACK.replace("N1*SF*", "N1*SH*ACME SHIPPER\nN1*SF*", 1)
    assert body != PICK_AND_PACK
    result = x856.to_canonical(one_set("856", body))
    shipment = result.document
    assert shipment.ship_from is not None and shipment.ship_from.name != "ACME SHIPPER"
    assert all(p.role not in (PartyRole.SHIP_FROM, PartyRole.SHIP_TO) for p in shipment.parties)
    assert any("N1*SH before it is not" in w.message for w in result.warnings)


def test_856_roundtrip() -> None:
    shipment = x856.to_canonical(one_set("856", PICK_AND_PACK)).document
    body = "\n".join("*".join(seg.elements) for seg in x856.from_canonical(shipment))
    assert x856.to_canonical(one_set("856", body)).document == shipment


def test_tare_pack_item_hierarchy_gives_pallet_sscc() -> None:
    body = (
        HEAD
        + """
HL*1**S
HL*2*1*O
PRF*PO-2
HL*3*2*T
MAN*GM*00006141410000000029
HL*4*3*P
MAN*GM*00006141410000000012
HL*5*4*I
LIN**UP*012345678905
SN1**1*EA
HL*6*3*P
MAN*GM*00006141410000000036
HL*7*6*I
LIN**UP*012345678912
SN1**2*EA
"""
    )
    shipment = x856.to_canonical(one_set("856", body)).document
    packages = shipment.orders[0].packages
    assert [(p.sscc, p.pallet_sscc) for p in packages] == [
        ("006141410000000012", "006141410000000029"),
        ("006141410000000036", "006141410000000029"),
    ]
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    written = "\n".join("*".join(seg.elements) for seg in x856.from_canonical(shipment, issued_at=now))
    assert "HL*3*2*T*1" in written
    assert x856.to_canonical(one_set("856", written)).document == shipment


@pytest.mark.parametrize(
    "hierarchy",
    [
        # S/O/I: items directly under the order
        "HL*1**S\nHL*2*1*O\nPRF*PO-3\nHL*3*2*I\nLIN**SK*A\nSN1**1*EA\nHL*4*2*I\nLIN**SK*B\nSN1**2*EA",
        # S/P/I: no order level
        "HL*1**S\nHL*2*1*P\nMAN*GM*006141410000000012\nHL*3*2*I\nLIN**SK*A\nSN1**1*EA\nHL*4*2*I\nLIN**SK*B\nSN1**2*EA",
        # S/T/I: a tare that is itself the package
        "HL*1**S\nHL*2*1*T\nMAN*GM*006141410000000012\nHL*3*2*I\nLIN**SK*A\nSN1**1*EA\nHL*4*2*I\nLIN**SK*B\nSN1**2*EA",
        # S/O/I/P: standard pack, the pack below its item
        "HL*1**S\nHL*2*1*O\nHL*3*2*I\nLIN**SK*A\nSN1**1*EA\nHL*4*3*P\nMAN*GM*006141410000000012\n"
        "HL*5*2*I\nLIN**SK*B\nSN1**2*EA\nHL*6*5*P\nMAN*GM*006141410000000029",
        # levels out of order: the tree follows HL02, not the order of appearance
        "HL*1**S\nHL*2*1*O\nPRF*PO-3\nHL*4*3*I\nLIN**SK*A\nSN1**1*EA\nHL*3*2*P\nHL*5*3*I\nLIN**SK*B\nSN1**2*EA",
    ],
)
def test_hierarchy_variants_all_yield_the_two_items(hierarchy: str) -> None:
    shipment = x856.to_canonical(one_set("856", HEAD + hierarchy)).document
    skus = sorted(line.sku or "" for order in shipment.orders for line in order.all_lines)
    assert skus == ["A", "B"]


def test_items_are_placed_by_parent_pointer_not_by_position() -> None:
    body = (
        HEAD
        + """
HL*1**S
HL*2*1*O
PRF*PO-1
HL*3*1*O
PRF*PO-2
HL*4*2*I
LIN**SK*FOR-PO-1
SN1**1*EA
HL*5*3*I
LIN**SK*FOR-PO-2
SN1**1*EA
"""
    )
    shipment = x856.to_canonical(one_set("856", body)).document
    assert [(o.po_number, [ln.sku for ln in o.lines]) for o in shipment.orders] == [
        ("PO-1", ["FOR-PO-1"]),
        ("PO-2", ["FOR-PO-2"]),
    ]


def test_missing_parent_pointer_falls_back_to_the_level_with_a_warning() -> None:
    body = HEAD + "HL*1**S\nHL*2**O\nPRF*PO-1\nHL*3**I\nLIN**SK*A\nSN1**1*EA"
    result = x856.to_canonical(one_set("856", body))
    assert result.document.orders[0].lines[0].sku == "A"
    assert {w.location for w in result.warnings} >= {"HL[2]/HL02", "HL[3]/HL02"}


def test_unknown_levels_and_bad_labels_are_kept_and_reported() -> None:
    body = HEAD + "HL*1**S\nHL*2*1*O\nHL*3*2*Q\nREF*ZZ*X\nHL*4*2*P\nMAN*GM*0000123456781234567891\nHL*5*4*I\nSN1**1*EA"
    result = x856.to_canonical(one_set("856", body))
    kept = {u.raw for u in result.unmapped}
    assert kept == {"REF*ZZ*X", "MAN*GM*0000123456781234567891"}
    assert any("'Q'" in w.message for w in result.warnings)


@pytest.mark.parametrize(
    ("body", "location", "field"),
    [
        ("HL*1**S\nHL*2*9*O", "HL[2]/HL02", "hierarchy"),
        ("HL*1**S\nHL*1*1*O", "HL[2]/HL01", "hierarchy"),
        ("HL*1**S\nHL*2*3*O\nHL*3*2*P", "HL[2]/HL02", "hierarchy"),
        ("HL*1**S\nHL*2*1*I\nLIN**SK*A", "HL[2]", "lines.quantity_shipped"),
        ("HL*1**S\nHL*2*1*I\nLIN**SK*A\nSN1**x*EA", "SN1[1]/SN102", "quantity_shipped"),
        ("HL*1**S\nDTM*011*20261324\nHL*2*1*I\nSN1**1*EA", "DTM[1]/DTM02", "shipped_at"),
        ("HL*1**S", "HL", "orders"),
        ("HL*1**S\nHL*2*1*O\nHL*3*2*P\nHL*4*3*I\nSN1**-2*EA", "HL[4]", "orders[0].packages[0].lines[0]"),
    ],
)
def test_856_errors_name_the_position(body: str, location: str, field: str) -> None:
    with pytest.raises(MappingError) as caught:
        x856.to_canonical(one_set("856", HEAD + body))
    assert any(where == location and what.startswith(field) for where, what in caught.value.errors), caught.value.errors


def test_no_bsn_is_an_error() -> None:
    with pytest.raises(MappingError) as caught:
        x856.to_canonical(one_set("856", "HL*1**S\nHL*2*1*I\nSN1**1*EA"))
    assert caught.value.errors[0][0] == "BSN"


def test_outbound_asn_needs_a_date() -> None:
    shipment = x856.to_canonical(one_set("856", PICK_AND_PACK)).document.model_copy(update={"shipped_at": None})
    with pytest.raises(MappingError):
        x856.from_canonical(shipment)
    segments = x856.from_canonical(shipment, issued_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert segments[0].elements[:5] == ["BSN", "00", "ASN-1", "20261124", "0800"]


def test_standard_pack_puts_each_item_in_its_pack() -> None:
    body = HEAD + (
        "HL*1**S\nHL*2*1*O\nHL*3*2*I\nLIN**SK*A\nSN1**1*EA\nHL*4*3*P\nMAN*GM*006141410000000012\n"
        "HL*5*2*I\nLIN**SK*B\nSN1**2*EA\nHL*6*5*P\nMAN*GM*006141410000000029\nHL*7*5*P"
    )
    result = x856.to_canonical(one_set("856", body))
    order = result.document.orders[0]
    assert [(p.sscc, [ln.sku for ln in p.lines]) for p in order.packages] == [
        ("006141410000000012", ["A"]),
        ("006141410000000029", []),
        (None, []),
    ]
    assert [ln.sku for ln in order.lines] == ["B"]  # two packs below B: not itemised, reported
    assert any("not itemised" in w.message for w in result.warnings)
