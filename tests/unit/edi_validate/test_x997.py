"""Inbound 997s read into canonical acknowledgments, including ones we generate ourselves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.canonical import AckStatus
from crossdock.edi.ack import build_acks
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.sets.x997 import to_canonical
from crossdock.edi.validate import X12Validator
from crossdock.errors import MappingError
from tests.unit.edi_validate.samples import BODIES, interchange, one


def test_accepted_and_rejected_sets_with_their_errors() -> None:
    body = ["AK1*OW*77", "AK2*940*0001", "AK3*W01*11*W01*8", "AK4*1*330*1", "AK4*4>2*C001*7*XX", "AK5*R*5",
            "AK2*940*0002", "AK5*E", "AK2*940*0003", "AK5*A", "AK9*P*3*3*2*5"]
    [ts] = read_transaction_sets(one("997", body))
    ack = to_canonical(ts)
    assert (ack.functional_id, ack.group_control_number, ack.status) == ("OW", "77", AckStatus.PARTIALLY_ACCEPTED)
    assert (ack.included, ack.received, ack.accepted, ack.errors) == (3, 3, 2, ["5"])
    assert [s.status for s in ack.sets] == [AckStatus.REJECTED, AckStatus.ACCEPTED_WITH_ERRORS, AckStatus.ACCEPTED]
    first = ack.sets[0]
    assert (first.set_id, first.control_number) == ("940", "0001")
    segment_note, element_note, composite_note, set_note = first.errors
    assert (segment_note.segment_id, segment_note.segment_position, segment_note.loop_id, segment_note.code) == (
        "W01", 11, "W01", "8")
    assert (element_note.segment_id, element_note.element_position, element_note.code) == ("W01", 1, "1")
    assert (composite_note.element_position, composite_note.component_position, composite_note.bad_value) == (
        4, 2, "XX")
    assert set_note.code == "5" and set_note.description
    assert ack.sender_id == "BUYERCO"


def test_005010_version_in_ak103() -> None:
    [ts] = read_transaction_sets(one("997", ["AK1*SH*9*005010", "AK2*856*0001*005010", "AK5*A", "AK9*A*1*1*1"],
                                     version="005010"))
    ack = to_canonical(ts)
    assert ack.version == "005010" and ack.status is AckStatus.ACCEPTED


def test_missing_ak5_is_a_mapping_error_naming_the_loop() -> None:
    [ts] = read_transaction_sets(one("997", ["AK1*PO*1", "AK2*850*0001", "AK9*A*1*1*1"]))
    with pytest.raises(MappingError) as err:
        to_canonical(ts)
    assert ("AK2[1]/AK5", "AK5 (set response trailer) is missing") in err.value.errors


def test_round_trip_with_our_own_997(validator: X12Validator) -> None:
    body = list(BODIES["940"])
    body[9] = "W01**EA*012345678905"
    [ack_bytes] = build_acks(validator.validate(interchange([("940", body)])), InMemoryControlNumbers(),
                             now=datetime(2024, 1, 6, tzinfo=UTC))
    [ts] = read_transaction_sets(ack_bytes)
    ack = to_canonical(ts)
    assert ack.status is AckStatus.REJECTED
    assert ack.sets[0].status is AckStatus.REJECTED
    assert any(e.segment_id == "W01" and e.element_position == 1 for e in ack.sets[0].errors)
