"""Envelope checks return data: every mismatch is an issue with a code, a level, an ack code and a place."""

from __future__ import annotations

import pytest

from crossdock.edi.envelope import EnvelopeChecker, check_envelopes
from crossdock.edi.envelope_report import EnvelopeCode
from crossdock.edi.reader import X12Reader
from crossdock.edi.report import Issue, Level, Severity

from .samples import SIMPLE, Row, group, interchange, isa, order_set, render

C = EnvelopeCode


def issues_of(rows: list[Row]) -> list[Issue]:
    return [issue for report in check_envelopes(render(rows)) for issue in report.all_issues()]


def with_row(rows: list[Row], segment_id: str, position: int, value: str, occurrence: int = 0) -> list[Row]:
    seen = -1
    out = []
    for row in rows:
        row = list(row)
        if row[0] == segment_id:
            seen += 1
            if seen == occurrence:
                row[position] = value
        out.append(row)
    return out


def without(rows: list[Row], segment_id: str) -> list[Row]:
    return [row for row in rows if row[0] != segment_id]


def test_clean_interchange_reports_identifiers_and_no_issues() -> None:
    (report,) = check_envelopes(SIMPLE)
    assert report.ok and report.all_issues() == []
    assert (report.sender_qualifier, report.sender_id, report.receiver_id, report.control_number, report.version,
            report.usage, report.declared_groups, report.offset) == ("ZZ", "SENDER", "RECEIVER", "000000001", "00401",
                                                                     "P", "1", 0)
    (grp,) = report.groups
    assert (grp.functional_id, grp.sender_id, grp.control_number, grp.version, grp.declared_sets) == (
        "PO", "SENDER", "1", "004010", "1")
    (one,) = grp.sets
    assert (one.set_id, one.control_number, one.segment_count, one.declared_count) == ("850", "0001", 6, "6")
    assert one.offset == SIMPLE.index(b"ST*") and one.segment_index == 2


@pytest.mark.parametrize(
    ("rows", "code", "level", "ack", "segment_id", "element"),
    [
        (with_row(interchange(), "IEA", 2, "000000009"), C.IEA_CONTROL_MISMATCH, Level.INTERCHANGE, "001", "IEA", 2),
        (with_row(interchange(), "IEA", 1, "2"), C.IEA_GROUP_COUNT, Level.INTERCHANGE, "021", "IEA", 1),
        (with_row(interchange(), "IEA", 1, "x"), C.IEA_GROUP_COUNT, Level.INTERCHANGE, "021", "IEA", 1),
        (without(interchange(), "IEA"), C.MISSING_IEA, Level.INTERCHANGE, "023", "GE", None),
        (with_row(interchange(), "ISA", 13, "12345"), C.ISA_CONTROL_NUMBER, Level.INTERCHANGE, "018", "ISA", 13),
        (with_row(interchange(), "ISA", 12, "4010"), C.ISA_VERSION, Level.INTERCHANGE, "017", "ISA", 12),
        (with_row(interchange(), "ISA", 14, "Y"), C.ISA_ACK_REQUESTED, Level.INTERCHANGE, "019", "ISA", 14),
        (with_row(interchange(), "ISA", 15, "X"), C.ISA_USAGE, Level.INTERCHANGE, "020", "ISA", 15),
        (with_row(interchange(), "GE", 2, "7"), C.GE_CONTROL_MISMATCH, Level.GROUP, "4", "GE", 2),
        (with_row(interchange(), "GE", 1, "3"), C.GE_SET_COUNT, Level.GROUP, "5", "GE", 1),
        (without(interchange(), "GE"), C.MISSING_GE, Level.GROUP, "3", "IEA", None),
        (with_row(interchange(), "GS", 6, "A1"), C.GS_CONTROL_NUMBER, Level.GROUP, "6", "GS", 6),
        (with_row(interchange(), "GS", 8, "4010"), C.GS_VERSION, Level.GROUP, "2", "GS", 8),
        (with_row(interchange(), "GS", 3, ""), C.GS_MISSING_ELEMENT, Level.GROUP, "1", "GS", 3),
        (with_row(interchange(), "SE", 2, "0002"), C.SE_CONTROL_MISMATCH, Level.SET, "3", "SE", 2),
        (with_row(interchange(), "SE", 1, "9"), C.SE_SEGMENT_COUNT, Level.SET, "4", "SE", 1),
        (with_row(interchange(), "SE", 1, "6\u00b3"), C.SE_SEGMENT_COUNT, Level.SET, "4", "SE", 1),
        (without(interchange(), "SE"), C.MISSING_SE, Level.SET, "2", "GE", None),
        (with_row(interchange(), "ST", 1, "85"), C.ST_SET_ID, Level.SET, "6", "ST", 1),
        (with_row(with_row(interchange(), "ST", 2, "1"), "SE", 2, "1"),
         C.ST_CONTROL_NUMBER, Level.SET, "7", "ST", 2),
        (without(interchange(), "GS"), C.ST_OUTSIDE_GS, Level.INTERCHANGE, "024", "ST", None),
        (interchange(groups=[group("1", [order_set("0001"), order_set("0001")])]), C.DUPLICATE_ST02, Level.SET, "23",
         "ST", 2),
        (interchange(groups=[group("5"), group("5")]), C.DUPLICATE_GS06, Level.GROUP, "19", "GS", 6),
    ],
)
def test_each_envelope_problem_has_its_code(rows: list[Row], code: EnvelopeCode, level: Level, ack: str,
                                            segment_id: str, element: int | None) -> None:
    found = [issue for issue in issues_of(rows) if issue.check == code]
    assert len(found) == 1, issues_of(rows)
    issue = found[0]
    assert (issue.level, issue.code, issue.segment_id, issue.element) == (level, ack, segment_id, element)
    assert issue.severity is Severity.ERROR and issue.segment_index is not None and issue.offset is not None


def test_ge_without_gs_and_se_without_st_and_segment_outside_set() -> None:
    rows = [isa(), ["GS", "PO", "S", "R", "20240102", "0304", "1", "X", "004010"], ["REF", "DP", "1"],
            ["SE", "2", "0001"], ["GE", "0", "1"], ["GE", "0", "1"], ["IEA", "1", "000000001"]]
    codes = [issue.check for issue in issues_of(rows)]
    assert C.SEGMENT_OUTSIDE_SET in codes and C.SE_WITHOUT_ST in codes and C.GE_WITHOUT_GS in codes


def test_warnings_do_not_make_a_report_fail() -> None:
    row = isa()
    row[6] = "SHORT"
    rows = [row, *group(version="005010"), ["IEA", "1", "000000001"]]
    (report,) = check_envelopes(render(rows))
    codes = {issue.check for issue in report.all_issues()}
    assert codes == {C.ISA_FIELD_WIDTH, C.GS_ISA_VERSION_MISMATCH}
    assert report.ok


def test_duplicate_isa13_in_one_input_is_a_warning() -> None:
    reports = check_envelopes(SIMPLE + SIMPLE)
    assert [i.check for i in reports[1].issues] == [C.DUPLICATE_ISA13]
    assert reports[1].ok


def test_reports_for_each_interchange_with_their_reader_warnings() -> None:
    data = b"\xef\xbb\xbf" + SIMPLE + render(interchange("000000002"), terminator="\n", suffix="")
    reports = check_envelopes(data)
    assert [r.control_number for r in reports] == ["000000001", "000000002"]
    assert [w.code for w in reports[0].warnings] == ["bom", "line-break-after-terminator"]
    assert [w.code for w in reports[1].warnings] == ["newline-terminator"]
    assert reports[1].delimiters.segment == "\n"


def test_feeding_segments_one_by_one_gives_the_same_report() -> None:
    data = render(without(interchange(groups=[group("1", [order_set("0001", lines=3)]), group("2")]), "SE"))
    reader = X12Reader(data)
    checker = EnvelopeChecker()
    for seg in reader.segments():
        checker.add(seg, reader.delimiters)
    assert checker.finish(reader.warnings) == check_envelopes(data)


def test_report_serialises_to_plain_data() -> None:
    (report,) = check_envelopes(render(with_row(interchange(), "SE", 1, "9")))
    data = report.to_dict()
    issue = data["groups"][0]["sets"][0]["issues"][0]  # type: ignore[index]
    assert issue["check"] == "se01-segment-count" and issue["code"] == "4"


def test_batches_across_chunk_boundaries_count_like_single_segments() -> None:
    # Given sets spread over many 4 KiB chunks, one with a wrong SE01 and one without SE
    sets = [order_set(f"{n:04d}", lines=30) for n in range(1, 30)]
    sets[10] = with_row(sets[10], "SE", 1, "99")
    sets[20] = without(sets[20], "SE")
    data = render(interchange(groups=[group("1", sets)]))
    assert len(data) > 7 * 4096
    reader = X12Reader(data)
    checker = EnvelopeChecker()
    for seg in reader.segments():
        checker.add(seg, reader.delimiters)
    one_by_one = checker.finish(reader.warnings)
    # Then the batch path finds the same, and exactly those two problems
    assert check_envelopes(data) == one_by_one
    codes = [issue.check for issue in one_by_one[0].all_issues()]
    assert codes.count(C.SE_SEGMENT_COUNT) == 1 and codes.count(C.MISSING_SE) == 1
    assert [s.segment_count for s in one_by_one[0].groups[0].sets][:2] == [35, 35]


def _with_service_requests(rows: list[Row], where: int) -> list[Row]:
    return [*rows[:where], ["ISB", "1"], ["ISE", "200601", "0515", "04"], *rows[where:]]


def test_isb_and_ise_between_the_isa_and_the_first_gs_are_interchange_control_not_data() -> None:
    # Given an interchange with grade-of-service and deferred-delivery requests before its first GS
    rows = _with_service_requests(interchange(), 1)
    # Then neither the batch path (check_envelopes) nor the segment path (EnvelopeChecker.add) reports them
    assert issues_of(rows) == []
    checker = EnvelopeChecker()
    reader = X12Reader(render(rows))
    for seg in reader.segments():
        checker.add(seg, reader.delimiters)
    assert [issue for report in checker.finish() for issue in report.all_issues()] == []


def test_isb_after_a_group_is_still_a_segment_outside_a_set() -> None:
    rows = interchange()
    rows = _with_service_requests(rows, len(rows) - 1)  # between the GE and the IEA
    assert [issue.check for issue in issues_of(rows)] == [C.SEGMENT_OUTSIDE_SET]
