"""The 860 purchase order change: validated by our pyx12 map, translated to an amendment Order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from crossdock.canonical import OrderPurpose, PartyRole
from crossdock.edi.sets import x860
from crossdock.edi.translate import translate
from crossdock.edi.validate import validate
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import interchange, one_set

CHANGE = """
BCH*04*SA*PO-4471*REL-2*3*20261120**CT-9***20261122
REF*DP*038
PER*BD*PAT BUYER*TE*5550001111
DTM*097*20261122*1415*ES
DTM*002*20261130
N1*ST*STORE 12*92*0012
N4*TORONTO*ON*M5V 2T6*CAN
POC*1*QD*10*10*EA*12.5*PE*UP*012345678905*SK*TEE-M
PID*F****TEE SHIRT
POC*2*DI**0*CA***VN*V-22
POC*3*AI*6*6*EA*30**SK*HOODIE-L
POC*4*PC*24*24*EA*11**SK*CAP
CTT*4
"""


def test_an_860_validates_against_our_pyx12_map() -> None:
    report = validate(interchange("860", CHANGE))
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    assert report.sets()[0].set_id == "860"


def test_an_005010_860_validates_too() -> None:
    data = interchange("860", CHANGE).replace(b"*00401*", b"*00501*").replace(b"*X*004010~", b"*X*005010~")
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]


def test_an_860_change_is_an_order_of_the_changed_lines_with_their_new_quantities() -> None:
    # Given a buyer's change: a quantity decrease, a deleted line, an added line and a price change
    result = x860.to_canonical(one_set("860", CHANGE))
    order = result.document

    # Then it is a change of PO-4471 carrying only the changed lines, each with its quantity as it now stands
    assert order.purpose is OrderPurpose.CHANGE
    assert order.external_id == "PO-4471"
    assert order.channel == "edi"
    assert order.line_changes_only is True
    assert [(line.line_number, line.quantity) for line in order.lines] == [
        ("1", Decimal(10)), ("2", Decimal(0)), ("3", Decimal(6)), ("4", Decimal(24))]  # fmt: skip
    first, deleted, added, repriced = order.lines
    assert (first.gtin, first.sku, first.unit_price, first.description) == ("012345678905", "TEE-M", Decimal("12.5"),
                                                                            "TEE SHIRT")  # fmt: skip
    assert (deleted.vendor_part_number, deleted.unit_of_measure) == ("V-22", "CA")
    assert added.sku == "HOODIE-L"
    assert repriced.unit_price == Decimal(11)
    # and the header: the as-of time from DTM*097 with its time code, the PO's date, references, parties
    assert order.updated_at == datetime(2026, 11, 22, 14, 15, tzinfo=timezone(timedelta(hours=-5)))
    assert order.ordered_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert order.references == {"release_number": "REL-2", "change_sequence": "3", "contract_number": "CT-9",
                                 "DP": "038"}  # fmt: skip
    assert order.requested_delivery_date is not None
    assert order.party(PartyRole.SHIP_TO) is not None
    assert order.party(PartyRole.BUYER) is not None and order.party(PartyRole.BUYER).contact_name == "PAT BUYER"


def test_without_dtm_097_the_change_is_as_of_bch11_then_of_its_group() -> None:
    body = CHANGE.replace("DTM*097*20261122*1415*ES\n", "")
    assert x860.to_canonical(one_set("860", body)).document.updated_at == datetime(2026, 11, 22, tzinfo=UTC)
    no_bch11 = body.replace("***20261122\n", "\n")
    result = x860.to_canonical(one_set("860", no_bch11))
    # GS04/GS05 of the test envelope: 20261120 0930, taken as UTC
    assert result.document.updated_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert any("GS04/GS05" in w.message for w in result.warnings)


def test_a_cancellation_without_poc_cancels_the_whole_po() -> None:
    order = x860.to_canonical(one_set("860", "BCH*01*SA*PO-4471**4*20261120\nDTM*097*20261123")).document
    assert order.purpose is OrderPurpose.CANCELLATION
    assert order.lines == []
    assert order.line_changes_only is False
    assert order.updated_at == datetime(2026, 11, 23, tzinfo=UTC)


def test_a_cancellation_of_some_lines_lists_them_with_quantity_0() -> None:
    order = x860.to_canonical(one_set("860", "BCH*01*SA*PO-4471**4*20261120\nPOC*2*DI**0*EA***SK*A")).document
    assert order.purpose is OrderPurpose.CANCELLATION
    assert order.line_changes_only is True
    assert [(line.line_number, line.quantity) for line in order.lines] == [("2", Decimal(0))]


def test_a_no_change_line_is_left_out_with_a_warning() -> None:
    body = "BCH*04*SA*PO-1**1*20261120\nPOC*1*NC*5*5*EA***SK*A\nPOC*2*QI*9*9*EA***SK*B"
    result = x860.to_canonical(one_set("860", body))
    assert [line.line_number for line in result.document.lines] == ["2"]
    assert any(w.location == "POC[1]/POC02" for w in result.warnings)



def test_a_line_party_after_a_no_change_line_is_not_taken_for_the_order_ship_to() -> None:
    body = ("BCH*04*SA*PO-1**1*20261120\nN1*ST*HEADER STORE*92*0001\nPOC*1*NC*5*5*EA***SK*A\n"
            "N1*ST*LINE STORE*92*0002\nPOC*2*QI*9*9*EA***SK*B")  # fmt: skip
    result = x860.to_canonical(one_set("860", body))
    assert [p.name for p in result.document.parties if p.role is PartyRole.SHIP_TO] == ["HEADER STORE"]

@pytest.mark.parametrize(
    ("body", "location", "problem"),
    [
        ("BCH*00*SA*PO-1**1*20261120\nPOC*1*QI*9*9*EA***SK*A", "BCH[1]/BCH01", "not an amendment"),
        ("BCH*04*SA***1*20261120\nPOC*1*QI*9*9*EA***SK*A", "BCH[1]/BCH03", "purchase order number"),
        ("BCH*04*SA*PO-1**1*20261120\nPOC*1*RS*9*9*EA***SK*A", "POC[1]/POC02", "change type 'RS'"),
        ("BCH*04*SA*PO-1**1*20261120\nPOC*1*PC****7**SK*A", "POC[1]/POC03", "POC03 is required"),
        ("BCH*04*SA*PO-1**1*20261120\nPOC**QI*9*9*EA***SK*A", "POC[1]/POC01", "names the line"),
        ("BCH*04*SA*PO-1**1*20261120\nPOC*1*QI*9*9*EA", "POC[1]/POC08", "item identifier"),
        ("BCH*04*SA*PO-1**1*20261120", "POC", "at least one POC"),
        ("BCH*04*SA*PO-1**1*20261120\nPOC*1*QI*9*9*EA***SK*A\nPOC*1*QD*2*2*EA***SK*A", "POC[2]/POC01", "twice"),
        ("BCH*04*SA*PO-1**1*20261120*****20261399\nPOC*1*QI*9*9*EA***SK*A", "BCH[1]/BCH11", "month must be"),
    ],
)
def test_what_an_order_cannot_express_is_a_mapping_error_naming_segment_and_element(
    body: str, location: str, problem: str
) -> None:
    with pytest.raises(MappingError) as caught:
        x860.to_canonical(one_set("860", body))
    assert any(where == location and problem in what for where, what in caught.value.errors), caught.value.errors


def test_translate_dispatches_860s() -> None:
    result = translate(interchange("860", CHANGE))
    assert [(s.set_id, s.status, type(s.document).__name__) for s in result.sets] == [("860", "translated", "Order")]
