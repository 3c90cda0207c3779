"""The 855 purchase order acknowledgment we render: valid by our pyx12 map (004010 and 005010), and it
says what we accept, line by line."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from crossdock.canonical.po_ack import LineAckStatus, PoAckLine, PoAckStatus, PurchaseOrderAcknowledgment
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.sets import x850
from crossdock.edi.translate import render
from crossdock.edi.validate import validate
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import one_set
from tests.unit.edi_sets.test_x850 import ORDER

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def _profile(version: str) -> PartnerProfile:
    return PartnerProfile(name="acme", sender_id="CROSSDOCK", receiver_id="ACME", version=version)  # type: ignore[arg-type]


def _accepted() -> PurchaseOrderAcknowledgment:
    order = x850.to_canonical(one_set("850", ORDER)).document
    return PurchaseOrderAcknowledgment.accepting(order, at=NOW, seller_order_number="SO-1001")


def _segments(data: bytes) -> list[list[str]]:
    (ts,) = read_transaction_sets(data)
    return [seg.elements for seg in ts.segments]


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_an_accepted_855_validates_and_acknowledges_every_line(version: str) -> None:
    data = render("855", _accepted(), _profile(version), InMemoryControlNumbers(), now=NOW)

    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    assert [s.set_id for s in report.sets()] == ["855"]
    assert b"GS*PR*" in data
    segments = _segments(data)
    assert segments[0] == ["BAK", "00", "AD", "PO-4471", "20261120", "REL-2", "", "", "SO-1001", "20261121"]
    assert segments[1][:7] == ["PO1", "1", "24", "EA", "12.5", "PE", "UP"]
    assert segments[2] == ["ACK", "IA", "24", "EA"]
    assert segments[3][:4] == ["PO1", "2", "12", "CA"]
    assert segments[4] == ["ACK", "IA", "12", "CA"]
    assert segments[-1] == ["CTT", "2", "36"]


def test_a_changed_and_a_rejected_acknowledgment_validate() -> None:
    lines = [PoAckLine(line_number="1", status=LineAckStatus.QUANTITY_CHANGED, quantity_ordered=Decimal(10),
                       quantity=Decimal(6), sku="A"),
             PoAckLine(line_number="2", status=LineAckStatus.REJECTED, quantity_ordered=Decimal(3),
                       quantity=Decimal(0), sku="B")]  # fmt: skip
    changed = PurchaseOrderAcknowledgment(po_number="PO-1", status=PoAckStatus.ACCEPTED_WITH_CHANGES,
                                          acknowledged_at=NOW, lines=lines)  # fmt: skip
    data = render("855", changed, _profile("004010"), InMemoryControlNumbers(), now=NOW)
    assert validate(data).valid
    assert [s for s in _segments(data) if s[0] in ("BAK", "ACK")] == [
        ["BAK", "00", "AC", "PO-1", "20261121", "", "", "", "", "20261121"], ["ACK", "IQ", "6", "EA"],
        ["ACK", "IR", "0", "EA"]]  # fmt: skip
    rejected = PurchaseOrderAcknowledgment(po_number="PO-1", status=PoAckStatus.REJECTED, acknowledged_at=NOW,
                                           lines=[lines[1]])  # fmt: skip
    data = render("855", rejected, _profile("005010"), InMemoryControlNumbers(), now=NOW)
    assert validate(data).valid
    assert _segments(data)[0][2] == "RJ"


def test_an_acknowledgment_says_what_its_lines_say() -> None:
    line = PoAckLine(line_number="1", status=LineAckStatus.REJECTED, quantity_ordered=Decimal(1), quantity=Decimal(0))
    with pytest.raises(ValidationError, match="without change cannot change lines 1"):
        PurchaseOrderAcknowledgment(po_number="P", status=PoAckStatus.ACCEPTED, acknowledged_at=NOW, lines=[line])
    accepted = line.model_copy(update={"status": LineAckStatus.ACCEPTED})
    with pytest.raises(ValidationError, match="only rejected lines"):
        PurchaseOrderAcknowledgment(po_number="P", status=PoAckStatus.REJECTED, acknowledged_at=NOW, lines=[accepted])


def test_an_order_is_not_rendered_as_an_855() -> None:
    order = x850.to_canonical(one_set("850", ORDER)).document
    with pytest.raises(MappingError, match="cannot render a Order as X12 855"):
        render("855", order, _profile("004010"), InMemoryControlNumbers(), now=NOW)
