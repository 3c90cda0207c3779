"""Each quirk real partners send is read, and reported as a coded warning with its position."""

from __future__ import annotations

import pytest

from crossdock.edi.reader import X12Reader, read_transaction_sets
from crossdock.edi.tolerance import ReadWarning, WarningCode

from .samples import SIMPLE, interchange, isa, render

W = WarningCode


def read(data: bytes, chunk_size: int = 8192) -> tuple[list[list[str]], list[ReadWarning]]:
    reader = X12Reader(data, chunk_size=chunk_size)
    rows = [seg.elements for seg in reader.segments()]
    return rows, reader.warnings


def codes(warnings: list[ReadWarning]) -> set[str]:
    return {w.code for w in warnings}



PLAIN = render(interchange(), suffix="")


def test_clean_file_reads_without_warnings() -> None:
    rows, warnings = read(PLAIN)
    assert rows == interchange()
    assert warnings == []


@pytest.mark.parametrize(("suffix", "code"), [("\n", W.LINE_BREAK_AFTER_TERMINATOR),
                                              ("\r\n", W.LINE_BREAK_AFTER_TERMINATOR),
                                              ("\r", W.LINE_BREAK_AFTER_TERMINATOR)])
def test_line_breaks_after_terminators(suffix: str, code: WarningCode) -> None:
    rows, warnings = read(render(interchange(), suffix=suffix))
    assert rows == interchange()
    assert [w.code for w in warnings] == [code]
    assert warnings[0].offset is not None


def test_newline_as_segment_terminator_lf_and_crlf() -> None:
    for terminator in ("\n", "\r\n"):
        rows, warnings = read(render(interchange(), terminator=terminator, suffix=""))
        assert rows == interchange()
        assert codes(warnings) == {W.NEWLINE_TERMINATOR}


def test_blank_lines_are_skipped_and_reported_with_position() -> None:
    data = SIMPLE.replace(b"~\nBEG", b"~\n\n\nBEG")
    rows, warnings = read(data)
    assert rows == interchange()
    blank = [w for w in warnings if w.code == W.BLANK_LINE]
    assert blank and blank[0].segment_index == 3
    assert data[blank[0].offset:].startswith(b"\n\n\nBEG")


def test_blank_lines_with_newline_terminator() -> None:
    data = render(interchange(), terminator="\n", suffix="").replace(b"\nBEG", b"\n\nBEG")
    rows, warnings = read(data)
    assert rows == interchange()
    assert W.BLANK_LINE in codes(warnings)


@pytest.mark.parametrize("width", [80, 71, 13])
def test_file_wrapped_at_a_fixed_width(width: int) -> None:
    flat = PLAIN.decode()
    wrapped = "\r\n".join(flat[i:i + width] for i in range(0, len(flat), width)) + "\r\n"
    rows, warnings = read(wrapped.encode())
    assert rows == interchange()
    assert W.WRAPPED_LINES in codes(warnings)


def test_wrapped_file_across_chunk_boundaries_reads_the_same() -> None:
    flat = render(interchange(groups=None), suffix="").decode() * 3
    flat = flat.replace("000000001", "000000001")
    wrapped = "\n".join(flat[i:i + 80] for i in range(0, len(flat), 80))
    assert read(wrapped.encode(), chunk_size=7)[0] == read(wrapped.encode())[0]


def test_utf8_bom_is_skipped_and_offsets_stay_byte_offsets() -> None:
    data = b"\xef\xbb\xbf" + SIMPLE
    reader = X12Reader(data)
    segments = list(reader.segments())
    assert [s.elements for s in segments] == interchange()
    assert codes(reader.warnings) == {W.BOM, W.LINE_BREAK_AFTER_TERMINATOR}
    for seg in segments:
        assert data[seg.offset:].startswith(seg.id.encode())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_decoded(encoding: str) -> None:
    text = SIMPLE.decode("latin-1")
    data = ("\ufeff" + text if encoding != "utf-16" else text).encode(encoding)
    for chunk_size in (8192, 7):  # code units split across chunks
        rows, warnings = read(data, chunk_size=chunk_size)
        assert rows == interchange()
        assert W.UTF16 in codes(warnings)


def test_isb_and_ise_between_isa_and_gs_are_interchange_control_segments() -> None:
    rows = interchange()
    data = render([rows[0], ["ISB", "1"], ["ISE", "200601", "0515", "04"], *rows[1:]])
    reader = X12Reader(data)
    [one] = list(reader.transaction_sets())
    assert one.set_id == "850" and [s.id for s in one.segments][:1] == ["BEG"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("blank_line", [False, True])  # True takes the slow path
def test_spaces_before_a_newline_terminator_are_padding_not_data(newline: str, blank_line: bool) -> None:
    rows = interchange()
    lines = [("*".join(row) + " ") for row in rows]
    if blank_line:
        lines.insert(3, "")
    data = (newline.join(lines) + newline).encode()
    for chunk_size in (8192, 7):
        read_rows, warnings = read(data, chunk_size=chunk_size)
        assert read_rows == rows
        assert W.SPACE_BEFORE_TERMINATOR in codes(warnings)
    for seg in X12Reader(data).segments():
        assert data[seg.offset:].startswith(seg.id.encode())


def test_leading_garbage_before_isa_is_skipped() -> None:
    data = b"  \r\nFILE HEADER 2024\r\n" + SIMPLE
    rows, warnings = read(data)
    assert rows == interchange()
    leading = [w for w in warnings if w.code == W.LEADING_DATA]
    assert leading and leading[0].offset == 0 and "22 characters" in leading[0].message


@pytest.mark.parametrize("tail", [b"   \r\n", b"\x1a", b"\x00\x00\x00", b"\n\n\n\x1a"])
def test_trailing_whitespace_and_ctrl_z_after_iea(tail: bytes) -> None:
    rows, warnings = read(SIMPLE + tail)
    assert rows == interchange()
    assert W.TRAILING_DATA in codes(warnings)


def test_a_single_line_break_after_iea_is_not_worth_a_warning() -> None:
    assert read(PLAIN + b"\r\n")[1] == []


def test_last_segment_without_terminator() -> None:
    rows, warnings = read(PLAIN[:-1])
    assert rows == interchange()
    assert W.UNTERMINATED_SEGMENT in codes(warnings)
    rows, warnings = read(SIMPLE[:-2] + b"\r\n")
    assert rows == interchange()
    assert codes(warnings) == {W.LINE_BREAK_AFTER_TERMINATOR, W.UNTERMINATED_SEGMENT}


def test_whitespace_before_a_segment_id() -> None:
    data = SIMPLE.replace(b"~\nREF", b"~\n  REF")
    rows, warnings = read(data)
    assert rows == interchange()
    assert W.WHITESPACE_BEFORE_SEGMENT in codes(warnings)


def test_latin1_bytes_are_read_and_reported() -> None:
    data = SIMPLE.replace(b"BEG*00*SA*PO-1", b"BEG*00*SA*PO-\xe9")
    rows, warnings = read(data)
    assert rows[3][3] == "PO-\u00e9"
    assert W.NOT_UTF8 in codes(warnings)


def test_utf8_text_is_decoded() -> None:
    data = SIMPLE.replace(b"BEG*00*SA*PO-1", "BEG*00*SA*PO-\u00e9".encode())
    rows, warnings = read(data, chunk_size=3)
    assert rows[3][3] == "PO-\u00e9"
    assert W.NOT_UTF8 not in codes(warnings)


def test_unpadded_isa_with_newline_terminator() -> None:
    row = isa()
    row[6] = "SENDER"
    rows_in = [row, *interchange()[1:]]
    reader = X12Reader(render(rows_in, terminator="\n", suffix=""))
    sets = list(reader.transaction_sets())
    assert sets[0].sender_id == "SENDER"
    assert {W.ISA_NOT_PADDED, W.NEWLINE_TERMINATOR} <= codes(reader.warnings)


def test_tilde_as_element_separator_and_quote_terminator() -> None:
    for element, terminator in (("~", "\n"), ("+", "'"), ("|", "~")):
        sets = read_transaction_sets(render(interchange(), element=element, terminator=terminator))
        assert sets[0].segments[0].elements == ["BEG", "00", "SA", "PO-1", "", "20240102"]


def test_warnings_are_reported_once_per_interchange() -> None:
    data = SIMPLE.replace(b"~\n", b"~\r\n\r\n") * 1
    _, warnings = read(data)
    assert [w.code for w in warnings].count(W.BLANK_LINE) == 1


def test_line_break_between_isa16_and_terminator() -> None:
    rows, warnings = read(SIMPLE.replace(b">~\n", b">\n~\n", 1))
    assert rows == interchange()
    assert W.WRAPPED_LINES in codes(warnings)


def test_spaces_after_terminators_before_the_line_break() -> None:
    rows, warnings = read(PLAIN.replace(b"~", b"~  \r\n"))
    assert rows == interchange()
    assert {W.LINE_BREAK_AFTER_TERMINATOR, W.WHITESPACE_BEFORE_SEGMENT} <= codes(warnings)


def test_cr_only_line_ends_as_terminator() -> None:
    rows, warnings = read(render(interchange(), terminator="\r", suffix=""))
    assert rows == interchange()
    assert codes(warnings) == {W.NEWLINE_TERMINATOR}


@pytest.mark.parametrize("width", range(70, 90))
def test_wrapped_file_with_two_interchanges_at_every_width(width: int) -> None:
    # Given two interchanges wrapped at a fixed width: some width splits the second "ISA" tag itself
    flat = (PLAIN + render(interchange("000000002"), suffix="")).decode()
    wrapped = "\r\n".join(flat[i:i + width] for i in range(0, len(flat), width)) + "\r\n"
    reader = X12Reader(wrapped.encode())
    sets = list(reader.transaction_sets())
    assert [s.isa[13] for s in sets] == ["000000001", "000000002"]
    assert [s.segments[0].elements for s in sets] == [interchange()[3]] * 2
