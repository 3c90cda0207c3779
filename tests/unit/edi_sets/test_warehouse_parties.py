"""Warehouse sets (940, 945): depositors that name the ship-to as the consignee (N1*CN)."""

from __future__ import annotations

from crossdock.canonical import PartyRole
from crossdock.edi.sets import x940, x945
from tests.unit.edi_sets.envelope import one_set

WSO_CONSIGNEE = """
W05*N*SO-2001*PO-88
N1*CN*CORNER GROCERY*91*778
N3*12 HARBOR RD
N4*PORTLAND*ME*04101*US
N1*WH*NORTHSTAR*ZZ*WH9
LX*1
W01*10*CA**VN*FRIES-6
W76*10
"""

SHIPMENT_CONSIGNEE = """
W06*N*SO-2001*20261124*SHIP-1**PO-88
N1*SF*NORTHSTAR*ZZ*WH9
N1*CN*CORNER GROCERY*91*778
N4*PORTLAND*ME*04101
LX*1
W12*CC*10*10**CA**VN*FRIES-6
W03*10
"""


def test_a_940_consignee_without_a_ship_to_is_the_ship_to() -> None:
    result = x940.to_canonical(one_set("940", WSO_CONSIGNEE))
    ship_to = result.document.party(PartyRole.SHIP_TO)
    assert ship_to is not None and (ship_to.name, ship_to.id_code) == ("CORNER GROCERY", "778")
    assert ship_to.address is not None and ship_to.address.city == "PORTLAND"
    assert not [seg for seg in result.unmapped if seg.segment_id.startswith("N")]


def test_a_940_consignee_beside_a_ship_to_stays_unmapped() -> None:
    text = WSO_CONSIGNEE.replace("N1*WH*NORTHSTAR*ZZ*WH9", "N1*ST*DC 4*92*0004\nN1*WH*NORTHSTAR*ZZ*WH9")
    result = x940.to_canonical(one_set("940", text))
    assert [p.name for p in result.document.parties if p.role == PartyRole.SHIP_TO] == ["DC 4"]
    assert any(seg.raw.startswith("N1*CN") for seg in result.unmapped)


def test_a_945_consignee_without_a_ship_to_is_the_ship_to() -> None:
    result = x945.to_canonical(one_set("945", SHIPMENT_CONSIGNEE))
    shipment = result.document
    assert shipment.ship_to is not None and shipment.ship_to.name == "CORNER GROCERY"
    assert shipment.ship_from is not None and shipment.ship_from.id_code == "WH9"
