"""Delimiters come from the ISA, padded or not, wrapped or not; bad ISAs fail with a position."""

from __future__ import annotations

import pytest

from crossdock.edi.delimiters import parse_isa
from crossdock.edi.reader import detect_delimiters
from crossdock.edi.segment import Delimiters
from crossdock.edi.tolerance import WarningCode
from crossdock.errors import EdiSyntaxError

from .samples import isa, render


def test_fixed_width_isa_gives_all_four_delimiters() -> None:
    data = render([isa(version="00501", repetition="^", component=":")])
    assert detect_delimiters(data) == Delimiters("*", ":", "~", "^")


def test_before_00403_isa11_is_not_a_repetition_separator() -> None:
    assert detect_delimiters(render([isa(version="00401", repetition="U")])).repetition is None
    assert detect_delimiters(render([isa(version="00406", repetition="-")])).repetition == "-"


def test_isa11_letter_with_00403_is_tolerated_and_noted() -> None:
    header = parse_isa(render([isa(version="00403", repetition="U")]).decode())
    assert header.delimiters.repetition is None
    assert WarningCode.ISA11_NOT_REPETITION in {code for code, _ in header.notes}


@pytest.mark.parametrize(
    ("element", "component", "terminator"),
    [("~", "|", "\n"), ("+", ":", "'"), ("|", ">", "~"), ("^", ">", "~"), ("\x1d", "\x1f", "\x1c"),
     ("\x1e", ">", "\x15")],
)
def test_unusual_and_binary_delimiters(element: str, component: str, terminator: str) -> None:
    data = render([isa(component=component)], element=element, terminator=terminator, suffix="")
    found = detect_delimiters(data)
    assert (found.element, found.component, found.segment) == (element, component, terminator)


def test_unpadded_isa_is_read_by_counting_separators() -> None:
    row = isa()
    row[6] = "SENDER"  # not padded to 15
    row[2] = ""
    header = parse_isa(render([row], terminator="\n", suffix="").decode())
    assert header.delimiters == Delimiters("*", ">", "\n", None)
    assert header.elements[6] == "SENDER"
    notes = dict(header.notes)
    assert "ISA02" in notes[WarningCode.ISA_NOT_PADDED] and "ISA06" in notes[WarningCode.ISA_NOT_PADDED]


def test_isa_wrapped_across_lines_is_joined() -> None:
    text = render([isa(), ["GS", "PO"]]).decode().replace("\n", "")
    wrapped = text[:80] + "\r\n" + text[80:]
    header = parse_isa(wrapped)
    assert header.delimiters.segment == "~"
    assert header.elements[13] == "000000001"
    assert WarningCode.WRAPPED_LINES in dict(header.notes)


def test_crlf_after_isa16_means_newline_terminator() -> None:
    header = parse_isa(render([isa()], terminator="\r\n", suffix="").decode())
    assert header.delimiters.segment == "\n"
    assert WarningCode.NEWLINE_TERMINATOR in dict(header.notes)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"ISA*00*   *00", "incomplete"),
        (b"ISAA00", "element separator"),
        (render([isa(component="*")], suffix=""), "component separator"),
        (render([isa(component="A")], suffix=""), "component separator"),
        (render([isa()], terminator="*", suffix=""), "terminator"),
        (render([isa()], terminator="", suffix=""), "truncated"),
    ],
)
def test_bad_isa_raises_syntax_error_at_the_isa(data: bytes, fragment: str) -> None:
    with pytest.raises(EdiSyntaxError, match=fragment) as caught:
        detect_delimiters(data, offset=7)
    assert caught.value.offset == 7
    assert caught.value.segment_id == "ISA"


def test_line_break_just_before_isa16() -> None:
    text = render([isa(), ["GS", "PO"]]).decode().replace(">~", "\r\n>~", 1)
    header = parse_isa(text)
    assert header.delimiters == Delimiters("*", ">", "~", None)
    assert header.elements[16] == ">"
    assert WarningCode.WRAPPED_LINES in dict(header.notes)


@pytest.mark.parametrize(("after_isa16", "terminator"), [(" ~", "~"), ("   ~\n", "~"), (" \r\n", "\n")])
def test_spaces_between_isa16_and_the_terminator_are_skipped_and_noted(after_isa16: str, terminator: str) -> None:
    # Given an ISA that its writer padded with spaces after ISA16 (107+ characters)
    text = render([isa()], suffix="").decode().replace(">~", ">" + after_isa16, 1) + "GS*PO~"
    # Then the terminator is the character after the spaces, and the spaces are reported
    header = parse_isa(text)
    assert header.delimiters == Delimiters("*", ">", terminator, None)
    assert header.elements[16] == ">" and text[header.end :].lstrip().startswith("GS")
    assert WarningCode.SPACE_BEFORE_TERMINATOR in dict(header.notes)
