"""The writer's envelopes always count right, take control numbers from the allocator, and read back."""

from __future__ import annotations

from datetime import datetime

import pytest

from crossdock.edi.control import ControlKind, InMemoryControlNumbers
from crossdock.edi.envelope import check_envelopes
from crossdock.edi.partners import PartnerProfile, load_partner_profile
from crossdock.edi.reader import X12Reader, read_transaction_sets
from crossdock.edi.segment import Delimiters, Segment
from crossdock.edi.writer import (
    build_interchange,
    build_interchange_groups,
    iter_interchange,
    profile_delimiters,
    render_segments,
)
from crossdock.errors import ConfigError, EdiError

NOW = datetime(2024, 3, 5, 14, 7)
BODY = [Segment.of("BEG", "00", "SA", "PO-7", None, "20240305"), Segment.of("REF", "DP", "038"),
        Segment.of("PO1", "1", "5", "EA", "9.99", None, "UP", "012345678905"), Segment.of("CTT", "1")]


def profile(**changes: object) -> PartnerProfile:
    base: dict[str, object] = {"name": "acme", "sender_id": "CROSSDOCK", "receiver_id": "ACME3PL",
                               "receiver_qualifier": "01"}
    base.update(changes)
    return PartnerProfile.model_validate(base)


class RecordingAllocator(InMemoryControlNumbers):
    """A real in-memory allocator that also remembers what it handed out."""

    def __init__(self, start: int = 1) -> None:
        super().__init__(start)
        self.handed: list[tuple[str, ControlKind, int]] = []

    def next(self, partner: str, kind: ControlKind) -> int:
        value = super().next(partner, kind)
        self.handed.append((partner, kind, value))
        return value


def test_counts_and_control_numbers_are_right() -> None:
    allocator = RecordingAllocator(start=41)
    data = build_interchange(profile(), "PO", [("850", BODY), ("850", BODY[:2])], allocator, now=NOW)
    sets = read_transaction_sets(data)
    assert [(s.st[2], s.se[1] if s.se else None, s.se[2] if s.se else None) for s in sets] == [
        ("0041", "6", "0041"), ("0042", "4", "0042")]
    assert sets[0].isa[13] == "000000041" and sets[0].gs[6] == "41"
    assert [kind for _, kind, _ in allocator.handed] == [ControlKind.INTERCHANGE, ControlKind.GROUP,
                                                           ControlKind.SET, ControlKind.SET]
    assert {partner for partner, _, _ in allocator.handed} == {"acme"}
    (report,) = check_envelopes(data)
    assert report.ok and report.all_issues() == []
    assert report.groups[0].declared_sets == "2" and report.declared_groups == "1"


def test_isa_is_fixed_width_and_matches_the_profile_for_004010() -> None:
    data = build_interchange(profile(usage="T", ack_requested=False), "OW", [("940", BODY)], InMemoryControlNumbers(),
                             now=NOW)
    isa = data.split(b"~")[0].decode()
    assert len(isa) + 1 == 106
    fields = isa.split("*")
    assert fields[5:9] == ["ZZ", "CROSSDOCK      ", "01", "ACME3PL        "]
    assert fields[9:] == ["240305", "1407", "U", "00401", "000000001", "0", "T", ">"]
    assert b"GS*OW*CROSSDOCK*ACME3PL*20240305*1407*1*X*004010~" in data


def test_005010_uses_isa11_as_repetition_separator_and_gs_version_override() -> None:
    data = build_interchange(profile(version="005010", gs_version="005010VICS"), "PO", [("850", BODY)],
                             InMemoryControlNumbers(), now=NOW)
    reader = X12Reader(data)
    (one,) = reader.transaction_sets()
    assert one.isa[11] == "^" and one.isa[12] == "00501" and one.version == "005010VICS"
    assert reader.delimiters == Delimiters("*", ">", "~", "^")


def test_partner_delimiters_and_no_newline_suffix_round_trip() -> None:
    p = profile(element_separator="|", component_separator=":", segment_terminator="'", segment_suffix="")
    data = build_interchange(p, "PO", [("850", BODY)], InMemoryControlNumbers(), now=NOW)
    assert b"\n" not in data and data.count(b"'") == 10
    (one,) = read_transaction_sets(data)
    assert [s.elements for s in one.segments] == [s.elements for s in BODY]


def test_newline_terminator_gets_no_extra_blank_line() -> None:
    p = profile(segment_terminator="\n", segment_suffix="\n")
    data = build_interchange(p, "PO", [("850", BODY)], InMemoryControlNumbers(), now=NOW)
    assert b"\n\n" not in data
    assert len(read_transaction_sets(data)[0].segments) == 4


def test_several_groups_in_one_interchange() -> None:
    data = build_interchange_groups(profile(), [("PO", [("850", BODY)] * 3), ("IN", [("810", BODY[:1])])],
                                    InMemoryControlNumbers(), now=NOW)
    (report,) = check_envelopes(data)
    assert report.ok
    assert [(g.functional_id, g.control_number, len(g.sets)) for g in report.groups] == [("PO", "1", 3),
                                                                                         ("IN", "2", 1)]
    assert report.declared_groups == "2"


def test_iter_interchange_streams_a_generator_of_bodies() -> None:
    bodies = (("850", BODY) for _ in range(50))
    chunks = list(iter_interchange(profile(), [("PO", bodies)], InMemoryControlNumbers(), now=NOW))
    assert len(chunks) == 50 + 4  # ISA, GS, 50 sets, GE, IEA
    (report,) = check_envelopes(b"".join(chunks))
    assert report.ok and len(report.groups[0].sets) == 50


@pytest.mark.parametrize(("value", "element"), [("A*B", 2), ("A~B", 2), ("A^B", 2), ("A\nB", 2)])
def test_a_value_holding_a_delimiter_names_segment_and_element(value: str, element: int) -> None:
    body = [BODY[0], Segment.of("REF", "DP", value)]
    with pytest.raises(EdiError) as caught:
        build_interchange(profile(version="005010"), "PO", [("850", body)], InMemoryControlNumbers(), now=NOW)
    assert caught.value.segment_id == "REF" and caught.value.element == element
    assert "REF02" in str(caught.value) and "850" in str(caught.value)


def test_repetition_character_is_plain_data_in_004010_and_component_separator_is_allowed() -> None:
    body = [Segment.of("REF", "DP", "A^B"), Segment.of("MEA", "PD", "G", "1", "LB>X")]
    data = build_interchange(profile(), "PO", [("850", body)], InMemoryControlNumbers(), now=NOW)
    (one,) = read_transaction_sets(data)
    assert one.segments[0][2] == "A^B" and one.segments[1].component(4, 2) == "X"


def test_envelope_segments_in_a_body_are_refused() -> None:
    with pytest.raises(EdiError, match="must not contain SE"):
        build_interchange(profile(), "PO", [("850", [*BODY, Segment.of("SE", "1", "1")])], InMemoryControlNumbers(),
                          now=NOW)


def test_isa_id_longer_than_its_field_is_refused() -> None:
    with pytest.raises(ConfigError):
        load_partner_profile(b"name: x\nsender_id: ABCDEFGHIJKLMNOPQ\nreceiver_id: Y\n")
    p = profile(authorization_info="0123456789")
    assert b"*0123456789*" in build_interchange(p, "PO", [("850", BODY)], InMemoryControlNumbers(), now=NOW)


def test_render_drops_trailing_empty_elements_and_utf8_round_trips() -> None:
    out = render_segments([Segment.of("N1", "ST", "Caf\u00e9", None, None)], profile_delimiters(profile()), "\n")
    assert out == "N1*ST*Caf\u00e9~\n".encode()


def test_profile_delimiters_have_no_repetition_before_005010() -> None:
    assert profile_delimiters(profile()).repetition is None
    assert profile_delimiters(profile(version="005010")).repetition == "^"


@pytest.mark.parametrize("segment_id", ["", "n1", "N", "ABCD", "1AB"])
def test_a_bad_segment_id_is_refused(segment_id: str) -> None:
    with pytest.raises(EdiError, match="not a segment id"):
        render_segments([Segment.of(segment_id, "X")], profile_delimiters(profile()))
