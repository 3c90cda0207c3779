"""997s built from validation reports: right codes, matched version and delimiters, valid against our map."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.canonical import AckStatus
from crossdock.edi.ack import build_acknowledgments, build_acks
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.reader import X12Reader
from crossdock.edi.report import Status
from crossdock.edi.translate import translate
from crossdock.edi.validate import X12Validator
from tests.unit.edi_validate.samples import BODIES, interchange, one

NOW = datetime(2024, 1, 6, 9, 30, tzinfo=UTC)


def _ack(validator: X12Validator, data: bytes) -> bytes:
    [ack] = build_acks(validator.validate(data), InMemoryControlNumbers(), now=NOW)
    return ack


def _segments(data: bytes) -> list[list[str]]:
    return [seg.elements for seg in X12Reader(data).segments()]


def test_997_for_a_clean_940_accepts_it_and_validates(validator: X12Validator) -> None:
    ack = _ack(validator, one("940"))
    segs = _segments(ack)
    assert segs[0][6].strip() == "SELLERCO" and segs[0][8].strip() == "BUYERCO"  # sender/receiver swapped
    assert segs[1][1:4] == ["FA", "SELLERCO", "BUYERCO"] and segs[1][8] == "004010"
    body = [s for s in segs if s[0].startswith("AK")]
    assert body == [["AK1", "OW", "77"], ["AK2", "940", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    report = validator.validate(ack)
    assert report.status is Status.VALID, [i.message for i in report.all_issues() if i.is_error]
    assert report.sets()[0].map_name == "crossdock.997.0040.xml"


def test_997_rejects_a_940_with_errors_and_says_where(validator: X12Validator) -> None:
    body = list(BODIES["940"])
    body[9] = "W01**EA*012345678905"  # W0101 quantity missing; position 11 (ST = 1)
    data = interchange([("940", body), ("940", BODIES["940"])], se_count=None)
    ack = _ack(validator, data)
    ak = [s for s in _segments(ack) if s[0].startswith("AK")]
    assert ak[0] == ["AK1", "OW", "77"]
    assert ak[1] == ["AK2", "940", "0001"]
    assert ak[2] == ["AK3", "W01", "11", "W01", "8"]  # W01 opens the W01 loop (inside LX)
    assert ak[3] == ["AK4", "1", "330", "1"]
    assert ak[4] == ["AK5", "R", "5"]
    assert ak[5:7] == [["AK2", "940", "0002"], ["AK5", "A"]]
    assert ak[7] == ["AK9", "P", "2", "2", "1"]
    assert validator.validate(ack).status is Status.VALID


def test_997_reports_bad_se_count_in_ak5(validator: X12Validator) -> None:
    ak = [s for s in _segments(_ack(validator, one("856", se_count=3))) if s[0] in ("AK5", "AK9")]
    assert ak == [["AK5", "R", "4"], ["AK9", "R", "1", "1", "0"]]


def test_005010_ack_carries_ak103_and_inbound_delimiters(validator: X12Validator) -> None:
    data = one("850", version="005010").replace(b"*", b"|")
    ack = _ack(validator, data)
    assert ack.startswith(b"ISA|") and b"|^|00501|" in ack[:110]
    ak1 = next(s for s in _segments(ack) if s[0] == "AK1")
    assert ak1 == ["AK1", "PO", "77", "005010"]
    report = validator.validate(ack)
    assert report.status is Status.VALID and report.sets()[0].map_name == "crossdock.997.0050.xml"


def test_gs_count_error_goes_to_ak905(validator: X12Validator) -> None:
    data = one("945").replace(b"GE*1*77", b"GE*2*77")
    ak9 = next(s for s in _segments(_ack(validator, data)) if s[0] == "AK9")
    assert ak9 == ["AK9", "E", "2", "1", "1", "5"]


@pytest.mark.parametrize("data", [one("997")])
def test_never_an_ack_of_an_ack(validator: X12Validator, data: bytes) -> None:
    assert build_acks(validator.validate(data), InMemoryControlNumbers(), now=NOW) == []


def test_control_numbers_come_from_the_allocator(validator: X12Validator) -> None:
    allocator = InMemoryControlNumbers(start=41)
    [ack] = build_acks(validator.validate(one("850")), allocator, now=NOW)
    segs = _segments(ack)
    assert segs[0][13] == "000000041" and segs[1][6] == "41" and segs[2][2] == "0041"
    assert segs[-1] == ["IEA", "1", "000000041"]


def test_one_ack_interchange_per_inbound_interchange_and_one_997_per_group(validator: X12Validator) -> None:
    first = interchange([("940", BODIES["940"])], control="000000001", group_control="1")
    second = interchange([("945", BODIES["945"])], control="000000002", group_control="2")
    acks = build_acks(validator.validate(first + second), InMemoryControlNumbers(), now=NOW)
    assert len(acks) == 2
    ak1s = [[s for s in _segments(ack) if s[0] == "AK1"] for ack in acks]
    assert ak1s == [[["AK1", "OW", "1"]], [["AK1", "SW", "2"]]]
    assert [_segments(ack)[0][13] for ack in acks] == ["000000001", "000000002"]


def _asking_for_ta1(data: bytes) -> bytes:
    return data.replace(b"*000000905*0*T*>", b"*000000905*1*T*>", 1)


def test_a_ta1_follows_the_isa_when_the_sender_asks_for_one(validator: X12Validator) -> None:
    [(holds, ack)] = build_acknowledgments(validator.validate(_asking_for_ta1(one("940"))), InMemoryControlNumbers(),
                                           now=NOW)  # fmt: skip
    segs = _segments(ack)
    assert holds == "997"
    assert segs[1] == ["TA1", "000000905", "240105", "1200", "A", "000"]  # echoes ISA13, ISA09, ISA10
    assert segs[2][0] == "GS" and segs[-1] == ["IEA", "1", "000000001"]
    assert segs[0][14] == "0"  # we never ask for a TA1 back
    report = validator.validate(ack)
    assert report.status is Status.VALID, [i.message for i in report.all_issues() if i.is_error]
    assert [t.document.status for t in translate(ack).interchange_acks if t.document] == [AckStatus.ACCEPTED]


def test_an_envelope_error_gets_a_ta1_with_its_note_code_unasked(validator: X12Validator) -> None:
    data = one("940").replace(b"IEA*1*000000905", b"IEA*1*000000906")
    segs = _segments(_ack(validator, data))
    assert segs[1] == ["TA1", "000000905", "240105", "1200", "E", "001"]


def test_no_ta1_unasked_for_a_clean_envelope(validator: X12Validator) -> None:
    assert all(s[0] != "TA1" for s in _segments(_ack(validator, one("940"))))


def test_an_interchange_of_acks_asking_for_a_ta1_gets_one_alone(validator: X12Validator) -> None:
    inbound_997 = _asking_for_ta1(one("997", ["AK1*OW*7", "AK9*A*1*1*1"], functional_id="FA"))
    [(holds, ack)] = build_acknowledgments(validator.validate(inbound_997), InMemoryControlNumbers(), now=NOW)
    assert holds == "TA1"
    assert [s[0] for s in _segments(ack)] == ["ISA", "TA1", "IEA"] and _segments(ack)[-1][1] == "0"
