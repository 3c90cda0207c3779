"""The envelope scan: sender, ISA13 and sets from the envelope segments alone, the same verdict as
the reader on every file, and the reader's verdict for files too irregular for the fast path."""

from __future__ import annotations

import pytest

from crossdock.edi.reader import X12Reader
from crossdock.edi.scan import EnvelopeScan, scan_envelopes
from crossdock.errors import EdiEnvelopeError, EdiError, EdiSyntaxError

from .samples import SIMPLE, group, interchange, order_set, render


def sets_of(scan: EnvelopeScan) -> list[tuple[str, str, str, str]]:
    return [(ic.control_number, *one) for ic in scan.interchanges for one in ic.sets]


def reader_sets(data: bytes) -> list[tuple[str, str, str, str]]:
    return [(ts.isa[13].strip(), ts.functional_id, ts.set_id, ts.control_number)
            for ts in X12Reader(data).transaction_sets()]  # fmt: skip


def test_a_plain_file_is_scanned_without_the_reader() -> None:
    # Given two interchanges with different delimiters, the second with two groups
    first = render(interchange("000000007", sender="ACME"), suffix="\r\n")
    second = render(interchange("000000008", [group("1", [order_set("0001"), order_set("0002")]),
                                              group("2", [order_set("0003")], functional_id="IN")]),
                    element="|", terminator="'", suffix="")  # fmt: skip
    # When the file is scanned
    scan = scan_envelopes(first + second)
    # Then the fast path found the senders, ISA13s and every set, as the reader does
    assert not scan.full_read
    assert [(ic.sender_qualifier, ic.sender_id, ic.control_number) for ic in scan.interchanges] == [
        ("ZZ", "ACME", "000000007"), ("ZZ", "SENDER", "000000008")]
    assert sets_of(scan) == reader_sets(first + second) == [
        ("000000007", "PO", "850", "0001"), ("000000008", "PO", "850", "0001"), ("000000008", "PO", "850", "0002"),
        ("000000008", "IN", "850", "0003")]  # fmt: skip
    assert scan.set_count == 4


def test_an_interchange_acknowledgment_before_the_group_is_allowed() -> None:
    rows = interchange()
    rows.insert(1, ["TA1", "000000005", "240102", "0304", "A", "000"])
    scan = scan_envelopes(render(rows))
    assert not scan.full_read and scan.set_count == 1


TRUNCATED = SIMPLE[: SIMPLE.index(b"SE*")]
BROKEN = [
    (TRUNCATED, EdiEnvelopeError, "has no SE: the input ended"),
    (SIMPLE.replace(b"GS*", b"XX*", 1).replace(b"GE*", b"YY*", 1), EdiError, "outside a transaction set"),
    (SIMPLE.replace(b"ST*850*0001~", b""), EdiError, "BEG outside a transaction set"),
    (SIMPLE[: SIMPLE.index(b"ST*")] + SIMPLE[SIMPLE.index(b"SE*") :], EdiEnvelopeError, "SE without ST"),
    (SIMPLE.replace(b"SE*", b"ST*850*0002~SE*", 1), EdiEnvelopeError, "has no SE before ST"),
    (SIMPLE + b"GS*PO*X~", EdiSyntaxError, "data after IEA"),
    (b"", EdiSyntaxError, "input is empty"),
    (b"hello world", EdiSyntaxError, "no ISA segment"),
]


@pytest.mark.parametrize(("data", "error", "message"), BROKEN)
def test_envelopes_that_do_not_nest_are_refused_as_the_reader_refuses_them(
    data: bytes, error: type[EdiError], message: str
) -> None:
    with pytest.raises(error, match=message) as scanned:
        scan_envelopes(data)
    with pytest.raises(EdiError):
        reader_sets(data)
    assert scanned.value.offset is not None


def test_a_truncated_file_is_refused_at_its_open_set() -> None:
    with pytest.raises(EdiEnvelopeError) as caught:
        scan_envelopes(TRUNCATED)
    assert caught.value.offset == SIMPLE.index(b"ST*")


@pytest.mark.parametrize("data", [
    render(interchange(), terminator="\n", suffix=""),  # segments end at line breaks
    SIMPLE.replace(b"REF*", b"R\nEF*"),  # a wrapped line inside a set
    SIMPLE.replace(b"SE*", b"S\r\nE*"),  # a wrapped line inside an envelope segment's id
    b"\xef\xbb\xbf" + SIMPLE,  # a UTF-8 byte order mark
    b"\xff\xfe" + SIMPLE.decode().encode("utf-16-le"),  # UTF-16
])  # fmt: skip
def test_files_beyond_the_fast_path_get_the_readers_verdict(data: bytes) -> None:
    scan = scan_envelopes(data)
    assert sets_of(scan) == reader_sets(data) == [("000000001", "PO", "850", "0001")]
