from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import Order, OrderPurpose, PartyRole
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.sets import x850
from crossdock.edi.sets.mapping import Lookups
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import interchange, one_set

ORDER = """
BEG*00*DS*PO-4471*REL-2*20261120*CT-9
CUR*BY*CAD
REF*DP*038
REF*IA*V-77
PER*BD*PAT BUYER*TE*5550001111*FX*5550002222
SAC*A*C310***1250**********SPRING PROMO
SAC*C*D240***995**********FREIGHT
SAC*N**ZZ*OHRO
ITD*01*15**********NET 60
DTM*010*20261124
DTM*002*261128
DTM*001*20261205
DTM*004*20261120*1430*ES
TD5**2*UPSN**UPS GROUND*******CG
TXI*ST*12.40*8.25*CD*OH-FRANK
N9*L1**BUYER MESSAGE
MSG*CALL BEFORE DELIVERY
N1*ST*STORE 12*92*0012
N2*RECEIVING DEPT
N3*1 MAIN ST*SUITE 4
N3*BUILDING C
N4*TORONTO*ON*M5V 2T6*CAN
PER*CN*SAM STORE*EM*sam@store.example
N1*BY*THE BUYER CO*9*123456789
N1*ZZ*MYSTERY PARTY
N3*2 SIDE ST
N1*BT*ACCOUNTS*92*0001
REF*VR*IN-THE-LOOP
PO1*1*24*EA*12.5*PE*UP*012345678905*SK*TEE-M*BP*B-1
PID*F****TEE SHIRT
PO4*6*1*EA
SAC*A*C310***300
TXI*ST*0.99*8.25
PO1**12*CA**PE*IB*0835209881*VN*V-22
CTP*RS*FCP*28.5
PID*F*08***BOOK
CTT*2*36
AMT*TT*960
"""


def test_850_maps_header_parties_lines_and_totals() -> None:
    # Given a realistic 850 with a bit of everything
    result = x850.to_canonical(one_set("850", ORDER))
    order = result.document

    # Then the header is mapped
    assert isinstance(order, Order)
    assert (order.external_id, order.purpose, order.order_type, order.currency) == (
        "PO-4471",
        OrderPurpose.ORIGINAL,
        "DS",
        "CAD",
    )
    assert order.references == {"release_number": "REL-2", "contract_number": "CT-9", "DP": "038", "IA": "V-77"}
    assert order.ordered_at == datetime(2026, 11, 20, 19, 30, tzinfo=UTC)  # DTM*004 with ES time code
    assert (order.requested_ship_date, order.requested_delivery_date, order.cancel_after) == (
        date(2026, 11, 24),
        date(2026, 11, 28),
        date(2026, 12, 5),
    )
    assert order.shipping_method is not None
    assert (order.shipping_method.carrier, order.shipping_method.routing, order.shipping_method.service_level) == (
        "UPSN",
        "UPS GROUND",
        "CG",
    )
    assert [(d.code, d.amount, d.description) for d in order.discounts] == [("C310", Decimal("12.50"), "SPRING PROMO")]
    assert [(f.kind, f.amount) for f in order.fees] == [("D240", Decimal("9.95"))]
    assert [(t.kind, t.amount, t.rate, t.jurisdiction) for t in order.taxes] == [
        ("sales", Decimal("12.40"), Decimal("0.0825"), "OH-FRANK")
    ]
    assert order.notes == ["CALL BEFORE DELIVERY"]
    assert order.totals is not None and order.totals.total == Decimal("960")

    # And the parties, with N2 appended to the name, N3 lines, N4 country normalised, contacts
    ship_to = order.party(PartyRole.SHIP_TO)
    assert ship_to is not None and ship_to.address is not None
    assert ship_to.name == "STORE 12 RECEIVING DEPT"
    assert ship_to.address.lines == ["1 MAIN ST", "SUITE 4", "BUILDING C"]
    assert (ship_to.address.city, ship_to.address.region, ship_to.address.country) == ("TORONTO", "ON", "CA")
    assert (ship_to.contact_name, ship_to.email) == ("SAM STORE", "sam@store.example")
    buyer = order.party(PartyRole.BUYER)
    assert buyer is not None and (buyer.contact_name, buyer.phone) == ("PAT BUYER", "5550001111")

    # And the lines
    first, second = order.lines
    assert (first.line_number, first.quantity, first.unit_price, first.gtin, first.sku, first.buyer_part_number) == (
        "1",
        Decimal("24"),
        Decimal("12.5"),
        "012345678905",
        "TEE-M",
        "B-1",
    )
    assert first.description == "TEE SHIRT"
    assert [d.amount for d in first.discounts] == [Decimal("3.00")]
    assert first.taxes[0].rate == Decimal("0.0825")
    assert second.line_number == "2"  # PO101 missing: numbered by position
    assert second.gtin == "9780835209885"  # ISBN-10 read as its GTIN-13
    assert second.unit_price == Decimal("28.5")  # from CTP when PO104 is empty
    assert (second.vendor_part_number, second.unit_of_measure) == ("V-22", "CA")


def test_850_keeps_and_reports_what_it_does_not_map() -> None:
    result = x850.to_canonical(one_set("850", ORDER))
    kept = {u.raw for u in result.unmapped}
    assert {"SAC*N**ZZ*OHRO", "ITD*01*15**********NET 60", "PO4*6*1*EA", "N1*ZZ*MYSTERY PARTY", "N3*2 SIDE ST"} <= kept
    assert "REF*VR*IN-THE-LOOP" in kept  # a party loop's REF is not an order reference
    locations = {w.location: w.message for w in result.warnings}
    assert "PER[1]/PER06" in locations  # the fax number
    assert "PO1[2]/PO101" in locations  # numbered by position
    assert "SAC[2]/SAC15" in locations  # a fee's description
    assert any(u.segment_index is not None for u in result.unmapped)


def test_sku_comes_from_the_lookup_when_the_line_has_none() -> None:
    body = "BEG*00*SA*PO-1**20261120\nPO1*1*5*EA*1*PE*UP*012345678905\nCTT*1"
    plain = x850.to_canonical(one_set("850", body)).document
    mapped = x850.to_canonical(one_set("850", body), Lookups(sku_map={"012345678905": "OUR-SKU-1"})).document
    assert plain.lines[0].sku is None
    assert mapped.lines[0].sku == "OUR-SKU-1"


def test_a_upc_that_lost_its_leading_zero_is_restored_when_its_check_digit_fits() -> None:
    body = "BEG*00*SA*PO-1**20261120\nPO1*1*5*EA*1*PE*UP*12345678905\nCTT*1"  # 012345678905 in a spreadsheet
    result = x850.to_canonical(one_set("850", body))
    assert result.document.lines[0].gtin == "012345678905"
    assert any("leading zeros restored" in w.message and w.location == "PO1[1]/PO107" for w in result.warnings)
    with pytest.raises(MappingError):  # a check digit that does not fit is no UPC: no identifier left
        x850.to_canonical(one_set("850", body.replace("12345678905", "12345678906")))


def test_a_malformed_item_id_can_be_mapped_to_our_sku() -> None:
    body = "BEG*00*SA*PO-1**20261120\nPO1*1*5*EA*1*PE*UP*555666411\nCTT*1"
    with pytest.raises(MappingError, match="no usable item identifier"):
        x850.to_canonical(one_set("850", body))
    mapped = x850.to_canonical(one_set("850", body), Lookups(sku_map={"555666411": "OUR-SKU-9"})).document
    assert mapped.lines[0].sku == "OUR-SKU-9" and mapped.lines[0].gtin is None


@pytest.mark.parametrize(
    ("body", "location", "field"),
    [
        ("BEG*00*SA*PO-1**20261120\nPO1*1*1*EA\nPO1*2**EA*1*PE*SK*A\nCTT*2", "PO1[2]/PO102", "lines[1].quantity"),
        ("BEG*00*SA*PO-1**20261120\nCTT*0", "PO1", "lines"),
        ("BEG*00*SA*PO-1**20261340\nPO1*1*1*EA**PE*SK*A", "BEG[1]/BEG05", "ordered_at"),
        ("BEG*00*SA***20261120\nPO1*1*1*EA**PE*SK*A", "BEG[1]/BEG03", "external_id"),
        ("BEG*00*SA*PO-1**20261120\nPO1*1*1*EA*12,50*PE*SK*A", "PO1[1]/PO104", "lines[0].unit_price"),
        ("BEG*00*SA*PO-1**20261120\nPO1*1*1*EA**PE*UP*12345", "PO1[1]/PO107", "lines[0]"),
        ("PO1*1*1*EA**PE*SK*A", "BEG", "external_id"),
        ("BEG*00*SA*PO-1**20261120\nCUR*BY*XYZ\nPO1*1*1*EA**PE*SK*A", "CUR[1]/CUR02", "currency"),
        ("BEG*00*SA*PO-1**20261120\nPO1*1*-5*EA**PE*SK*A", "PO1[1]/PO102", "lines[0].quantity"),
        ("BEG*00*SA*PO-1**20261120\nPO1*7*1*EA**PE*SK*A\nPO1*7*1*EA**PE*SK*B", "PO1[2]/PO101", "lines[1].line_number"),
        ("BEG*00*SA* **20261120\nPO1*1*1*EA**PE*SK*A", "BEG[1]/BEG03", "external_id"),
    ],
)
def test_unmappable_content_raises_field_level_errors(body: str, location: str, field: str) -> None:
    with pytest.raises(MappingError) as caught:
        x850.to_canonical(one_set("850", body))
    assert any(where == location and what.startswith(field) for where, what in caught.value.errors), caught.value.errors


def test_order_to_850_and_back() -> None:
    # Given an order read from X12
    order = x850.to_canonical(one_set("850", ORDER)).document
    # When it is written as an 850 and read again
    body = "\n".join("*".join(seg.elements) for seg in x850.from_canonical(order))
    again = x850.to_canonical(one_set("850", body)).document
    # Then nothing is lost
    assert again == order


def test_written_850_reads_cleanly_with_other_delimiters() -> None:
    order = x850.to_canonical(one_set("850", ORDER)).document
    body = "\n".join("*".join(seg.elements) for seg in x850.from_canonical(order))
    (ts,) = read_transaction_sets(interchange("850", body, sep="|", term="\n"))
    result = x850.to_canonical(ts)
    assert result.document == order
    assert result.unmapped == ()


def test_a_line_amount_stays_with_its_line() -> None:
    body = "BEG*00*SA*PO-1**20261120\nAMT*1*100\nPO1*1*2*EA*3.5*PE*SK*A\nAMT*1*7\nCTT*1\nAMT*TT*7"
    result = x850.to_canonical(one_set("850", body))
    assert result.document.totals is not None
    assert (result.document.totals.subtotal, result.document.totals.total) == (Decimal("100"), Decimal("7"))
    assert [u.location for u in result.unmapped] == ["AMT[2]"]


def test_a_price_basis_other_than_per_unit_is_reported() -> None:
    body = "BEG*00*SA*PO-1**20261120\nPO1*1*2*EA*29*SR*SK*A\nPO1*2*2*EA*3*PE*SK*B\nCTT*2"
    result = x850.to_canonical(one_set("850", body))
    assert [w.location for w in result.warnings] == ["PO1[1]/PO105"]


@pytest.mark.parametrize(("code", "purpose"), [("01", OrderPurpose.CANCELLATION), ("04", OrderPurpose.CHANGE),
                                               ("05", OrderPurpose.CHANGE)])  # fmt: skip
def test_an_850_amendment_is_as_of_its_dtm_097_else_its_po_date(code: str, purpose: OrderPurpose) -> None:
    body = f"BEG*{code}*SA*PO-9**20261121\nPO1*1*2*EA***SK*A"
    order = x850.to_canonical(one_set("850", body)).document
    assert (order.purpose, order.updated_at, order.line_changes_only) == (
        purpose, datetime(2026, 11, 21, tzinfo=UTC), False)  # fmt: skip
    dated = x850.to_canonical(one_set("850", body.replace("\nPO1", "\nDTM*097*20261122*0815*PS\nPO1"))).document
    assert dated.updated_at == datetime(2026, 11, 22, 16, 15, tzinfo=UTC)


def test_an_original_850_has_no_as_of_time_unless_it_says_so() -> None:
    assert x850.to_canonical(one_set("850", "BEG*00*SA*PO-9**20261121\nPO1*1*2*EA***SK*A")).document.updated_at is None
