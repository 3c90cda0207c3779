"""The reader cuts any set out of any number of interchanges and groups, and says where input breaks."""

from __future__ import annotations

import io

import pytest

from crossdock.edi.reader import X12Reader, read_transaction_sets
from crossdock.edi.segment import Delimiters
from crossdock.edi.tokenizer import CHUNK_SIZE
from crossdock.errors import EdiEnvelopeError, EdiError, EdiSyntaxError

from .samples import SIMPLE, group, interchange, isa, order_set, render


def test_segments_carry_index_offset_and_separators() -> None:
    data = render(interchange(version="00501", repetition="^"))
    segments = list(X12Reader(io.BytesIO(data)).segments())
    assert [s.index for s in segments] == list(range(len(segments)))
    for seg in segments:
        assert data[seg.offset:].startswith("*".join(seg.elements).encode())
        assert seg.component_separator == ">" and seg.repetition_separator == "^"


def test_several_interchanges_with_different_delimiters() -> None:
    first = render(interchange("000000001"), element="*", terminator="~", suffix="\r\n")
    second = render(interchange("000000002", component=":", version="00501", repetition="^"), element="+",
                    terminator="'", suffix="")
    third = render(interchange("000000003"), element="|", terminator="\n", suffix="")
    reader = X12Reader(first + second + b"\n" + third)
    sets = list(reader.transaction_sets())
    assert [s.isa[13] for s in sets] == ["000000001", "000000002", "000000003"]
    assert [s.delimiters for s in sets] == [Delimiters("*", ">", "~", None), Delimiters("+", ":", "'", "^"),
                                            Delimiters("|", ">", "\n", None)]
    assert all(s.segments[0].elements == ["BEG", "00", "SA", "PO-1", "", "20240102"] for s in sets)


def test_several_groups_and_sets_and_unknown_set_ids() -> None:
    invoice = [["ST", "810", "0009"], ["BIG", "20240102", "INV1"], ["TDS", "100"], ["SE", "4", "0009"]]
    data = render(interchange(groups=[group("1", [order_set("0001"), order_set("0002", lines=3)]),
                                      group("2", [invoice], functional_id="IN")]))
    sets = read_transaction_sets(data)
    assert [(s.functional_id, s.set_id, s.control_number, len(s.segments)) for s in sets] == [
        ("PO", "850", "0001", 4), ("PO", "850", "0002", 6), ("IN", "810", "0009", 2)]
    assert sets[2].gs[6] == "2" and sets[2].se is not None and sets[2].se[1] == "4"


def test_transaction_set_identifiers() -> None:
    (one,) = read_transaction_sets(SIMPLE)
    assert (one.sender_id, one.receiver_id, one.sender_qualifier, one.version) == ("SENDER", "RECEIVER", "ZZ",
                                                                                    "004010")
    assert (one.interchange_control_number, one.group_control_number, one.offset) == ("000000001", "1",
                                                                                       SIMPLE.index(b"ST*"))


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 64, 100_000])
def test_chunk_size_does_not_change_the_result(chunk_size: int) -> None:
    data = render(interchange("000000001"), suffix="\r\n") + render(interchange("000000002"), element="|",
                                                                     terminator="\n", suffix="")
    reference = [(s.elements, s.index, s.offset) for s in X12Reader(data).segments()]
    reader = X12Reader(io.BytesIO(data), chunk_size=chunk_size)
    assert [(s.elements, s.index, s.offset) for s in reader.segments()] == reference


def test_reader_keeps_only_one_batch_at_a_time() -> None:
    # Given a large input, When it is read, Then no batch holds more than a chunk's worth of segments
    data = render(interchange(groups=[group("1", [order_set(f"{n:04d}", lines=50) for n in range(1, 200)])]))
    reader = X12Reader(data)
    biggest = max(len(batch) for batch, _ in reader.batches())
    assert biggest < CHUNK_SIZE // 10


@pytest.mark.parametrize("chunk_size", [7, 4096])
def test_missing_iea_before_next_isa_is_read_with_a_warning(chunk_size: int) -> None:
    first = render(interchange("000000001")[:-1])
    reader = X12Reader(first + SIMPLE, chunk_size=chunk_size)
    sets = list(reader.transaction_sets())
    assert [s.isa[13] for s in sets] == ["000000001", "000000001"]
    (warning,) = [w for w in reader.warnings if w.code == "missing-iea"]
    assert warning.offset == len(first)


@pytest.mark.parametrize(
    ("data", "error", "segment_id", "index"),
    [
        (render([isa(), ["ST", "850", "0001"], ["SE", "2", "0001"], ["IEA", "1", "000000001"]]),
         EdiEnvelopeError, "ST", 1),
        (render(interchange()[:7] + interchange()[8:]), EdiEnvelopeError, "GE", 7),
        (render(interchange()[:7]), EdiEnvelopeError, "ST", 2),
        (render([isa(), ["GS", "PO"], ["SE", "2", "0001"]]), EdiEnvelopeError, "SE", 2),
        (render([isa(), ["GS", "PO"], ["REF", "DP"]]), EdiEnvelopeError, "REF", 2),
    ],
)
def test_sets_that_cannot_be_cut_out_raise_with_position(data: bytes, error: type[EdiError], segment_id: str,
                                                         index: int) -> None:
    with pytest.raises(error) as caught:
        read_transaction_sets(data)
    assert (caught.value.segment_id, caught.value.segment_index) == (segment_id, index)
    assert caught.value.offset is not None


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"  \r\n\x1a", "empty"),
        (b"hello world, not edi", "no ISA"),
        (SIMPLE.replace(b"REF*DP", b"R#F*DP"), "not a segment id"),
        (SIMPLE.replace(b"REF*DP", b"*DP"), "not a segment id"),
        (SIMPLE + b"GS*PO*X~\n", "after IEA"),
    ],
)
def test_unreadable_input_raises_syntax_error(data: bytes, fragment: str) -> None:
    with pytest.raises(EdiSyntaxError, match=fragment):
        list(X12Reader(data).segments())


def test_syntax_error_says_where() -> None:
    data = SIMPLE.replace(b"REF*DP", b"r3F*DP")
    with pytest.raises(EdiSyntaxError) as caught:
        list(X12Reader(data).segments())
    assert caught.value.offset == data.index(b"r3F")
    assert caught.value.segment_index == 4


def test_a_segment_without_any_terminator_is_bounded() -> None:
    data = render([isa()], suffix="") + b"GS*" + b"A" * (5 * 1024 * 1024)
    with pytest.raises(EdiSyntaxError, match="no segment terminator"):
        list(X12Reader(data, chunk_size=1 << 20).segments())
