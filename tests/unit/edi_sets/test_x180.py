"""X12 180 with the 3PL: the return announced to the warehouse validates against crossdock's pyx12
maps (004010 and 005010) and says what to expect; the 3PL's 180 is its receipt, with a disposition per
line, or a rejection; what cannot be read is a field-level error with its X12 position."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import Channel, ReturnAuthorization, ReturnLine
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.sets import x180
from crossdock.edi.sets.mapping import Lookups
from crossdock.edi.translate import render, translate
from crossdock.edi.validate import validate
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import interchange, one_set

PROFILE = PartnerProfile(name="northstar-3pl", sender_id="CROSSDOCK", receiver_id="NORTHSTAR")
NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
RA = ReturnAuthorization(
    rma_number="SH-8119",
    channel=Channel.SHOPIFY,
    order_external_id="5100000002",
    created_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
    lines=[
        ReturnLine(line_number="1", sku="CD-TEE-BLK-M", quantity=Decimal(2), reason="too small"),
        ReturnLine(line_number="7", sku="CD-MUG-4", quantity=Decimal(1)),
    ],
    return_tracking_number="1Z999AA10123456784",
    notes=["customer drops it at a UPS store"],
)

RECEIPT = """
BGN*00*SH-8119*20261126*1015*UT
PRF*5100000002
BLI*SK*CD-TEE-BLK-M*1*EA
RDR*RA
BLI*SK*CD-TEE-BLK-M*1*EA
RDR*RA*DA**box crushed
BLI*UP*012345678905*1*EA
RDR*DI
"""


def test_the_announced_return_validates_and_lists_what_to_expect() -> None:
    for version in ("004010", "005010"):
        out = render("180", RA, PROFILE.model_copy(update={"version": version}), InMemoryControlNumbers(), now=NOW)
        report = validate(out)
        assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    (ts,) = read_transaction_sets(render("180", RA, PROFILE, InMemoryControlNumbers(), now=NOW))
    text = [s.elements for s in ts.segments]
    assert ["BGN", "00", "SH-8119", "20261122", "0930", "UT"] in text
    assert ["PRF", "5100000002"] in text and ["N9", "2I", "1Z999AA10123456784"] in text
    assert ["BLI", "SK", "CD-TEE-BLK-M", "2", "EA"] in text and ["BLI", "SK", "CD-MUG-4", "1", "EA"] in text
    assert ["N9", "LI", "7"] in text and ["RDR", "", "", "", "too small"] in text


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_the_3pl_receipt_validates_and_gives_a_disposition_per_line(version: str) -> None:
    data = interchange("180", RECEIPT, version=version)
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    [result] = translate(data, Lookups(sku_map={"012345678905": "CD-MUG-4"})).sets
    event = result.document
    assert isinstance(event, ReturnEventDocument)
    assert (event.kind, event.channel, event.rma_number) == ("received", Channel.SHOPIFY, "SH-8119")
    assert [(line.sku, line.quantity, line.disposition.value) for line in event.lines] == [
        ("CD-TEE-BLK-M", Decimal(1), "restock"),
        ("CD-TEE-BLK-M", Decimal(1), "damaged"),
        ("CD-MUG-4", Decimal(1), "destroy"),
    ]


def test_a_denied_return_is_a_rejection_with_its_reason() -> None:
    body = "BGN*00*WM-77310*20261126\nRDR*RD**NR*no record of this return\nBLI*SK*CD-TEE-BLK-M*1*EA\nRDR*RA"
    event = x180.to_canonical(one_set("180", body)).document
    assert (event.kind, event.channel, event.reason) == ("rejected", Channel.WALMART, "no record of this return")


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("BGN*00*RMA-1*20261126\nBLI*SK*A*1*EA\nRDR*RA", "BGN[1]/BGN02", "was not issued by crossdock"),
        ("BGN*00*SH-1*20261126\nBLI*SK*A*1*EA", "BLI[1]", "its disposition (RDR01) is required"),
        ("BGN*00*SH-1*20261126\nBLI*SK*A*1*EA\nRDR*ZZ", "RDR[1]/RDR01", "'ZZ' is no disposition"),
        ("BGN*00*SH-1*20261126\nBLI*UP*0000*1*EA\nRDR*RA", "BLI[1]/BLI02", "not in the SKU map"),
        ("BGN*00*SH-1*20261126\nBLI*SK*A*one*EA\nRDR*RA", "BLI[1]/BLI03", "lines[0].quantity"),
        ("BGN*00*SH-1*20261126", "BGN[1]", "at least one BLI"),
    ],
)
def test_what_cannot_be_read_names_the_position(body: str, where: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        x180.to_canonical(one_set("180", body))
    assert any(location == where and message in text for location, text in caught.value.errors), caught.value.errors
