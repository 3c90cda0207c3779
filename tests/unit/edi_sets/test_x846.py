"""X12 846 inventory advice ⇄ InventoryAdvice: mapping, round trip, validation by crossdock's own maps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import InventoryAdvice
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.sets import x846
from crossdock.edi.translate import render, translate
from crossdock.edi.validate import validate
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import interchange, one_set

ADVICE = """
BIA*00*MM*INV-20261201-01*20261201*1430
N1*WH*NORTHSTAR COLUMBUS*92*COL1
LIN*1*VN*CD-TEE-BLK-M*UP*012345678905
PID*F****BLACK TEE M
QTY*17*120*EA
QTY*33*110*EA
LIN*2*SK*CD-MUG
QTY*33*7*EA
LIN*3*VN*CD-HOODIE
QTY*17*0*EA
QTY*02*4*EA
CTT*3
"""
PROFILE = PartnerProfile(name="partner", sender_id="CROSSDOCK", receiver_id="PARTNER01")


def test_an_846_maps_to_an_inventory_advice() -> None:
    translation = x846.to_canonical(one_set("846", ADVICE))
    advice = translation.document
    assert advice.advice_id == "INV-20261201-01"
    assert advice.as_of == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert advice.location == "COL1"
    tee, mug, hoodie = advice.lines
    assert (tee.sku, tee.gtin, tee.description, tee.on_hand, tee.available) == (
        "CD-TEE-BLK-M", "012345678905", "BLACK TEE M", Decimal(120), Decimal(110)
    )  # fmt: skip
    assert (mug.on_hand, mug.available) == (Decimal(7), Decimal(7))
    assert hoodie.on_hand == 0
    messages = [w.message for w in translation.warnings]
    assert any("QTY*33 available taken as on hand" in m for m in messages)
    assert any("QTY01='02'" in m for m in messages)
    assert [u.segment_id for u in translation.unmapped] == ["QTY", "CTT"]
    assert [level.location for level in advice.levels("ELSEWHERE")] == ["COL1"] * 3


def test_an_846_without_location_takes_the_receivers_and_errors_name_the_segment() -> None:
    body = "BIA*00*MM*INV-2*20261201\nLIN*1*VN*A\nQTY*17*5*EA"
    advice = x846.to_canonical(one_set("846", body)).document
    assert advice.location is None
    assert advice.levels("MAIN")[0].location == "MAIN"
    with pytest.raises(MappingError) as caught:
        x846.to_canonical(one_set("846", "BIA*00*MM*INV-3*20261301\nLIN*1*ZZ*A\nQTY*17*x*EA"))
    text = str(caught.value.errors)
    assert "BIA[1]/BIA04" in text and "LIN[1]" in text and "QTY[1]/QTY02" in text


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_an_846_validates_and_round_trips(version: str) -> None:
    data = interchange("846", ADVICE).replace(b"*X*004010", b"*X*" + version.encode())
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    advice = translate(data).sets[0].document
    assert isinstance(advice, InventoryAdvice)
    out = render("846", advice, PROFILE, InMemoryControlNumbers(), now=datetime(2026, 12, 1, tzinfo=UTC))
    again = validate(out)
    assert again.valid, [(i.segment_id, i.message) for i in again.all_issues() if i.is_error]
    assert translate(out).sets[0].document == advice
