"""Envelope variants real partners send: old and new ISA12 control versions, pre-004010 groups with
YYMMDD GS04 dates, and the 997s answering them (hand-written samples, never third-party files)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.edi.ack import ack_body, build_acks
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.reader import X12Reader
from crossdock.edi.report import GroupReport, InterchangeReport, Issue, Level, SetReport, Severity, Status
from crossdock.edi.validate import X12Validator
from tests.unit.edi_validate.samples import BODIES

NOW = datetime(2024, 1, 6, 9, 30, tzinfo=UTC)


def _file(isa12: str, gs08: str, gs04: str = "20240105", set_id: str = "850", body: list[str] | None = None,
          functional_id: str = "PO") -> bytes:
    body = BODIES[set_id] if body is None else body
    lines = [
        f"ISA*00*          *00*          *ZZ*BUYERCO        *ZZ*SELLERCO       *240105*1200*U*{isa12}*000000905*0*T*>",
        f"GS*{functional_id}*BUYERCO*SELLERCO*{gs04}*1200*77*X*{gs08}",
        f"ST*{set_id}*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*77",
        "IEA*1*000000905",
    ]
    return ("~\n".join(lines) + "~\n").encode("ascii")


def _errors(report: object) -> list[str]:
    return [f"{i.segment_id}{i.element or ''}: {i.message}" for i in report.all_issues() if i.is_error]  # type: ignore[attr-defined]


def _ack_segments(validator: X12Validator, data: bytes) -> tuple[list[list[str]], bytes]:
    [ack] = build_acks(validator.validate(data), InMemoryControlNumbers(), now=NOW)
    return [seg.elements for seg in X12Reader(ack).segments()], ack


@pytest.mark.parametrize("isa12", ["00302", "00303", "00307", "00602", "00605", "00704", "00801"])
def test_every_published_isa12_carries_a_004010_group(validator: X12Validator, isa12: str) -> None:
    # Given an 850 in a 004010 group under an older or newer control version than 00401/00501
    report = validator.validate(_file(isa12, "004010"))
    # Then the ISA12 is not an error, and the 997 (which answers with the same ISA12) validates too
    assert report.status is Status.VALID, _errors(report)
    segments, ack = _ack_segments(validator, _file(isa12, "004010"))
    assert segments[0][12] == isa12
    ack_report = validator.validate(ack)
    assert ack_report.status is Status.VALID, _errors(ack_report)


def test_an_isa12_that_is_not_a_version_is_still_an_error(validator: X12Validator) -> None:
    report = validator.validate(_file("00999", "004010"))
    assert any(i.segment_id == "ISA" and i.element == 12 for i in report.all_issues() if i.is_error)


@pytest.mark.parametrize("gs08", ["003010", "003040", "003060UCS"])
def test_pre_004010_group_dates_are_yymmdd(validator: X12Validator, gs08: str) -> None:
    # Given a 003xxx group whose GS04 is YYMMDD, as those versions define it
    report = validator.validate(_file("00304", gs08, gs04="950120"))
    # Then the GS is clean (the set itself has no map for 003xxx and is only read)
    gs_issues = [i for i in report.all_issues() if i.segment_id == "GS" and i.is_error]
    assert gs_issues == [], _errors(report)
    assert report.status is Status.NOT_VALIDATED


def test_a_pre_004010_yymmdd_date_is_still_checked_as_a_date(validator: X12Validator) -> None:
    report = validator.validate(_file("00304", "003040", gs04="951340"))
    [issue] = [i for i in report.all_issues() if i.segment_id == "GS" and i.is_error]
    assert issue.element == 4 and issue.level is Level.ELEMENT


def test_a_004010_group_still_needs_ccyymmdd(validator: X12Validator) -> None:
    report = validator.validate(_file("00401", "004010", gs04="240105"))
    assert [(i.segment_id, i.element) for i in report.all_issues() if i.is_error] == [("GS", 4)]


def test_a_gs_element_error_is_not_sent_as_an_ak905_code(validator: X12Validator) -> None:
    # Given a 004010 group with a six-digit GS04 (an AK403 "too short", code 4, on the GS itself)
    segments, ack = _ack_segments(validator, _file("00401", "004010", gs04="240105"))
    # Then AK9 says the set was accepted with errors noted, and names no AK905 code: 4 there would
    # claim that GE02 does not match GS06
    [ak9] = [s for s in segments if s[0] == "AK9"]
    assert ak9 == ["AK9", "E", "1", "1", "1"]
    assert validator.validate(ack).status is Status.VALID


@pytest.mark.parametrize(("loop_id", "ak303"), [("N1", "N1"), ("2000A", "2000A"), ("LIN_LOOP", ""), ("HEADER", "")])
def test_ak3_carries_only_loop_identifiers_that_fit_ak303(loop_id: str, ak303: str) -> None:
    # Given a set error found inside a loop that a map names loop_id (pyx12's own maps name some
    # loops LIN_LOOP or HEADER, which are not X12 loop identifiers and exceed AK303's six characters)
    issue = Issue(Severity.ERROR, Level.ELEMENT, "7", "bad code", segment_id="UIT", segment_position=6,
                  loop_id=loop_id, element=2, data_element="C001", bad_value="X")
    set_report = SetReport("830", "0001", None, "830.4010.PS.xml", (issue,))
    group = GroupReport("PS", "77", "004010", "BUYERCO", "SELLERCO", 1, (set_report,))
    interchange = InterchangeReport("000000905", "00401", "ZZ", "BUYERCO", "ZZ", "SELLERCO", "T", groups=(group,))
    # When the 997 body is built
    body = [seg.elements for seg in ack_body(interchange, group)]
    # Then AK303 holds the loop identifier only when it is one; AK402 only a data element number
    assert body[2] == ["AK3", "UIT", "6", ak303, "8"]
    assert body[3] == ["AK4", "2", "", "7", "X"]


def _raw(isa: str, gs: str, body: list[str], st02: str = "0001") -> bytes:
    lines = [isa, gs, f"ST*850*{st02}", *body, f"SE*{len(body) + 2}*{st02}", "GE*1*77", "IEA*1*000000905"]
    return ("~\n".join(lines) + "~\n").encode("utf-8")


_ISA = "ISA*00*          *00*          *ZZ*BUYERCO        *ZZ*SELLERCO       *240105*1200*U*{}*000000905*0*T*>"
_GS = "GS*PO*BUYERCO*SELLERCO*20240105*1200*77*X*{}"


@pytest.mark.parametrize(("isa12", "gs08", "want_isa12", "want_gs08"), [
    ("00040", "004010", "00401", "004010"),  # ISA12 missing a digit: taken from the group's version
    ("99999", "005010", "00501", "005010"),
    ("04010", "3040", "00401", "004010"),  # neither is a version: 004010
    ("00401", "004010VICS ", "00401", "004010VICS"),  # trailing space in GS08
])
def test_997_envelope_versions_are_x12_versions_even_when_the_inbound_s_are_not(
        validator: X12Validator, isa12: str, gs08: str, want_isa12: str, want_gs08: str) -> None:
    data = _raw(_ISA.format(isa12), _GS.format(gs08), BODIES["850"])
    segments, ack = _ack_segments(validator, data)
    assert segments[0][12] == want_isa12 and segments[1][8] == want_gs08
    ack_report = validator.validate(ack)
    assert ack_report.status is Status.VALID, _errors(ack_report)


def test_997_ids_fit_their_fields_and_copied_values_keep_to_x12_characters(validator: X12Validator) -> None:
    # Given an inbound whose receiver id runs past ISA08/GS03, whose ST02 has a trailing space, and
    # whose bad value holds a character X12 does not have (a curly apostrophe)
    isa = ("ISA*00*          *00*          *ZZ*BUYERCO        *ZZ*APPLICATION RECEIVER ID*240105*1200*U*00401"
           "*000000905*0*T*>")
    gs = "GS*PO*BUYERCO*APPLICATION RECEIVER ID*20240105*1200*77*X*004010"
    body = ["CUR*BY*JEN\u2019S DOLLARS" if line.startswith("CUR") else line for line in BODIES["850"]]
    segments, ack = _ack_segments(validator, _raw(isa, gs, body, st02="0001 "))
    # Then the 997 addresses the first 15 characters, acknowledges ST02 0001, copies the bad value
    # without the apostrophe, and is itself valid
    assert segments[0][6] == "APPLICATION REC" and segments[1][2] == "APPLICATION REC"
    assert ["AK2", "850", "0001"] in segments
    ak4s = [s for s in segments if s[0] == "AK4"]
    assert ak4s and {ak4[4] for ak4 in ak4s} == {"JENS DOLLARS"}
    ack_report = validator.validate(ack)
    assert ack_report.status is Status.VALID, _errors(ack_report)


def test_a_one_character_gs02_is_answered_with_the_isa_id(validator: X12Validator) -> None:
    gs = "GS*PO*1*SELLERCO*20240105*1200*77*X*004010"  # GS02 is AN 2/15
    segments, ack = _ack_segments(validator, _raw(_ISA.format("00401"), gs, BODIES["850"]))
    assert segments[1][1:4] == ["FA", "SELLERCO", "BUYERCO"]
    ack_report = validator.validate(ack)
    assert ack_report.status is Status.VALID, _errors(ack_report)


def test_a_group_whose_gs01_is_no_functional_identifier_gets_no_997(validator: X12Validator) -> None:
    # Given two groups, the first with a three-letter GS01 that AK101 (ID 2/2) cannot echo
    text = _raw(_ISA.format("00401"), "GS*POX*BUYERCO*SELLERCO*20240105*1200*77*X*004010", BODIES["850"]).decode()
    second = text.split("\n", 1)[1].replace("GS*POX", "GS*PO").replace("*77*", "*78*").replace("GE*1*77", "GE*1*78")
    data = text.replace("IEA*1*000000905~\n", "") + second.replace("IEA*1*", "IEA*2*")
    report = validator.validate(data.encode())
    # Then only the second group is acknowledged, and the 997 is valid
    [ack] = build_acks(report, InMemoryControlNumbers(), now=NOW)
    segments = [seg.elements for seg in X12Reader(ack).segments()]
    assert [s for s in segments if s[0] == "AK1"] == [["AK1", "PO", "78"]]
    assert validator.validate(ack).status is Status.VALID


def test_997_under_a_hipaa_style_gs08_for_a_retail_group_validates(validator: X12Validator) -> None:
    # Given an 850 group whose GS08 names an implementation guide (as some translators stamp on all)
    data = _raw(_ISA.format("00401"), _GS.format("004010X098A1"), BODIES["850"])
    segments, ack = _ack_segments(validator, data)
    # Then the 997 keeps that GS08 and is checked with crossdock's general 997 map, not pyx12's
    # HIPAA-only one (which knows no AK101 PO)
    assert segments[1][8] == "004010X098A1"
    ack_report = validator.validate(ack)
    assert ack_report.status is Status.VALID, _errors(ack_report)
    assert ack_report.sets()[0].map_name == "crossdock.997.0040.xml"


def test_ak103_follows_the_997_s_own_version(validator: X12Validator) -> None:
    # Given a GS08 that starts like 005010 but is no version ("00501X092A1"): the 997 is a 004010 one
    data = _raw(_ISA.format("00401"), _GS.format("00501X092A1"), BODIES["850"])
    segments, ack = _ack_segments(validator, data)
    assert segments[1][8] == "004010"
    assert [s for s in segments if s[0] == "AK1"] == [["AK1", "PO", "77"]]  # no AK103 in 004010
    assert validator.validate(ack).status is Status.VALID


def test_a_set_whose_st02_does_not_fit_ak202_is_counted_but_not_answered(validator: X12Validator) -> None:
    data = _raw(_ISA.format("00401"), _GS.format("004010"), BODIES["850"], st02="0003100001")
    segments, ack = _ack_segments(validator, data)
    assert not [s for s in segments if s[0] == "AK2"]
    assert [s for s in segments if s[0] == "AK9"] == [["AK9", "R", "1", "1", "0"]]
    assert validator.validate(ack).status is Status.VALID


@pytest.mark.parametrize(("isa12", "gs08"), [("00304", "003040"), ("00200", "002001"), ("00602", "006020"),
                                             ("00704", "007040VICS")])
def test_997_answering_an_older_or_newer_release_validates(validator: X12Validator, isa12: str, gs08: str) -> None:
    # Given a group of a release crossdock has no maps for: the 997 answers with that GS08 ...
    segments, ack = _ack_segments(validator, _raw(_ISA.format(isa12), _GS.format(gs08), BODIES["850"]))
    assert segments[1][8] == gs08
    # ... and is checked against the nearest 997 map (the 997 barely changed between releases)
    ack_report = validator.validate(ack)
    assert ack_report.status is Status.VALID, _errors(ack_report)
    assert ack_report.sets()[0].map_name in ("crossdock.997.0040.xml", "crossdock.997.0050.xml")


def test_a_gs08_that_is_no_release_gets_a_004010_997(validator: X12Validator) -> None:
    segments, ack = _ack_segments(validator, _raw(_ISA.format("00401"), _GS.format("999999X999X9"), BODIES["850"]))
    assert segments[1][8] == "004010"
    assert validator.validate(ack).status is Status.VALID


def test_an_interchange_holding_only_a_ta1_is_valid(validator: X12Validator) -> None:
    isa = _ISA.format("00401")
    data = f"{isa}~\nTA1*000000123*240105*1200*A*000~\nIEA*0*000000905~\n".encode()
    report = validator.validate(data)
    assert report.status is Status.VALID, _errors(report)
    assert validator.validate(data.replace(b"IEA*0*", b"IEA*1*")).status is Status.INVALID  # IEA01 counts groups
