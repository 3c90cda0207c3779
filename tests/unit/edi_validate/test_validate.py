"""Validation reports: clean files validate; each kind of error is reported where it is."""

from __future__ import annotations

import io
import json

import pytest

from crossdock.edi.report import Level, Severity, Status
from crossdock.edi.validate import X12Validator
from crossdock.errors import EdiError
from tests.unit.edi_validate.samples import BODIES, interchange, one


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize("set_id", ["850", "856", "940", "945", "997"])
def test_valid_sets_validate_clean(validator: X12Validator, set_id: str, version: str) -> None:
    report = validator.validate(one(set_id, version=version))
    [set_report] = report.sets()
    assert set_report.status is Status.VALID, [i.message for i in report.all_issues()]
    assert set_report.map_name == f"crossdock.{set_id}.{version[:4]}.xml"
    assert not [i for i in report.all_issues() if i.is_error]
    assert report.status is Status.VALID


def test_accepts_a_binary_stream_and_vics_suffix(validator: X12Validator) -> None:
    report = validator.validate(io.BytesIO(one("850", version="004010VICS")))
    assert report.status is Status.VALID


def test_856_variants_s_o_i_and_s_p_i(validator: X12Validator) -> None:
    body = ["BSN*00*A1*20240110*1200", "HL*1**S", "TD5**2*UPSN", "HL*2*1*O", "PRF*PO1", "HL*3*2*I",
            "LIN**UP*012345678905", "SN1**1*EA", "HL*4*1*P", "MAN*GM*00000123450000000017", "HL*5*4*I",
            "LIN**UP*012345678905", "SN1**1*EA", "CTT*5"]
    assert validator.validate(one("856", body)).status is Status.VALID


def test_missing_mandatory_segment(validator: X12Validator) -> None:
    body = [line for line in BODIES["850"] if not line.startswith("BEG")]
    report = validator.validate(one("850", body))
    [set_report] = report.sets()
    assert set_report.status is Status.INVALID
    [missing] = [i for i in set_report.errors if i.code == "3"]
    assert missing.level is Level.SEGMENT
    assert missing.segment_id == "BEG"
    assert missing.segment_position == 2  # where BEG belongs: right after ST


def test_bad_code_value(validator: X12Validator) -> None:
    body = ["AK1*OW*77", "AK2*940*0001", "AK3*W01*5**8", "AK4*1**99", "AK5*R*5", "AK9*R*1*1*0"]
    [set_report] = validator.validate(one("997", body)).sets()
    [bad] = set_report.errors
    assert (bad.level, bad.code, bad.segment_id, bad.segment_position, bad.element) == (
        Level.ELEMENT, "7", "AK4", 5, 3)
    assert bad.bad_value == "99"


def test_too_long_element(validator: X12Validator) -> None:
    body = list(BODIES["940"])
    body[0] = "W05*N*" + "X" * 23 + "*PO-1001"  # W0502 Depositor Order Number (285) is AN 1-22
    [set_report] = validator.validate(one("940", body)).sets()
    [bad] = set_report.errors
    assert (bad.code, bad.segment_id, bad.segment_position, bad.element, bad.data_element) == ("5", "W05", 2, 2, "285")
    assert bad.segment_index == 3  # ISA, GS, ST, W05


def test_bad_se01_count(validator: X12Validator) -> None:
    report = validator.validate(one("940", se_count=99))
    [set_report] = report.sets()
    [bad] = set_report.errors
    assert (bad.level, bad.code, bad.segment_id) == (Level.SET, "4", "SE")
    assert bad.segment_position == len(BODIES["940"]) + 2


def test_segment_over_max_use(validator: X12Validator) -> None:
    body = list(BODIES["850"])
    body.insert(1, "CUR*BY*USD")  # CUR may appear once in the header
    [set_report] = validator.validate(one("850", body)).sets()
    [bad] = set_report.errors
    assert (bad.code, bad.segment_id, bad.segment_position) == ("5", "CUR", 4)


def test_composite_and_syntax_note_positions(validator: X12Validator) -> None:
    body = list(BODIES["850"])
    body[13] = "PO1*1*120*EA*9.25*TE*UP"  # P0607: PO106 without PO107
    [set_report] = validator.validate(one("850", body)).sets()
    [bad] = set_report.errors
    assert (bad.code, bad.segment_id, bad.element) == ("2", "PO1", 6)


@pytest.mark.parametrize("set_id", ["865", "820"])  # 855 and 810 have their maps
def test_sets_without_a_guide_are_read_and_warned(validator: X12Validator, set_id: str) -> None:
    report = validator.validate(interchange([(set_id, ["BAK*00*AC*PO1*20240105"])]))
    [set_report] = report.sets()
    assert set_report.status is Status.NOT_VALIDATED
    assert any(i.level is Level.GUIDE and "no implementation guide" in i.message for i in set_report.issues)
    assert report.status is not Status.INVALID


def test_envelope_errors_still_found_without_a_guide(validator: X12Validator) -> None:
    report = validator.validate(interchange([("820", ["BPR*C*100*C*ACH"])], se_count=7))
    [set_report] = report.sets()
    assert set_report.status is Status.INVALID
    assert [i.code for i in set_report.errors] == ["4"]


def test_unreadable_input_raises_edi_error(validator: X12Validator) -> None:
    with pytest.raises(EdiError):
        validator.validate(b"this is not x12 at all")


def test_report_to_dict_is_json(validator: X12Validator) -> None:
    report = validator.validate(one("940", se_count=99), source="in.edi")
    data = json.loads(json.dumps(report.to_dict()))
    set_dict = data["interchanges"][0]["groups"][0]["sets"][0]
    assert data["status"] == "invalid" and set_dict["status"] == "invalid"
    assert set_dict["errors"][0]["segment_id"] == "SE"
    assert data["source"] == "in.edi"


def test_duplicate_interchange_is_a_warning_not_an_error(validator: X12Validator) -> None:
    report = validator.validate(one("850") * 2)
    assert report.status is Status.VALID
    assert any(i.code == "025" and i.severity is Severity.WARNING for i in report.all_issues())


def test_loop_over_its_maximum_repeat(validator: X12Validator) -> None:
    body = list(BODIES["940"])
    extra = [f"N1*ST*PARTY {n}" for n in range(10)]  # the header N1 loop repeats at most 10 times
    body[1:1] = extra
    [set_report] = validator.validate(one("940", body)).sets()
    [bad] = set_report.errors
    assert (bad.level, bad.code, bad.segment_id, bad.segment_position) == (Level.SEGMENT, "4", "N1", 13)


def test_trailing_spaces_are_a_warning(validator: X12Validator) -> None:
    body = list(BODIES["940"])
    body[1] = "N1*ST*JANE DOE  "
    report = validator.validate(one("940", body))
    assert report.status is Status.VALID
    [warning] = [i for i in report.sets()[0].issues if i.level is Level.ELEMENT]
    assert (warning.severity, warning.code, warning.segment_id, warning.element) == (Severity.WARNING, "6", "N1", 2)


def test_nearest_version_findings_are_warnings(validator: X12Validator) -> None:
    body = [*BODIES["850"][:8], "MTX**A FREE TEXT MESSAGE", *BODIES["850"][8:]]  # MTX exists from 004030 on
    report = validator.validate(one("850", body, version="004030"))
    [set_report] = report.sets()
    assert set_report.status is Status.VALID
    assert any(i.segment_id == "MTX" and i.severity is Severity.WARNING for i in set_report.issues)
    assert validator.validate(one("850", body)).status is Status.INVALID  # a real 004010 850 has no MTX


def test_hl_numbering_is_checked(validator: X12Validator) -> None:
    body = [line.replace("HL*3*2*T", "HL*7*2*T") for line in BODIES["856"]]
    [set_report] = validator.validate(one("856", body)).sets()
    assert any(i.segment_id == "HL" and i.segment_position == 12 for i in set_report.errors)


def test_syntax_notes_after_a_composite_use_element_positions(validator: X12Validator) -> None:
    body = list(BODIES["850"])
    body[14] = "CTP**RES*12.99*12*CA"  # P0405: CTP04 quantity with its CTP05 unit composite
    body.insert(16, "MEA**WT**LB*1*2")  # in the PID loop; R03050608 met by MEA05/06 after the C001 at MEA04
    assert validator.validate(one("850", body)).status is Status.VALID
    body[14] = "CTP**RES*12.99*12"  # CTP04 without CTP05
    [bad] = validator.validate(one("850", body)).sets()[0].errors
    assert (bad.code, bad.segment_id, bad.element) == ("2", "CTP", 4)


def test_hipaa_sets_use_pyx12s_own_maps(validator: X12Validator) -> None:
    body = ["BHT*0022*13*10001234*20060501*1319", "HL*1**20*1", "NM1*PR*2*ABC COMPANY*****PI*842610001",
            "HL*2*1*21*1", "NM1*1P*2*BONE AND JOINT CLINIC*****SV*2000035", "HL*3*2*22*0",
            "TRN*1*93175-012547*9877281234", "NM1*IL*1*SMITH*ROBERT****MI*11122333301", "DMG*D8*19430519", "EQ*30"]
    report = validator.validate(interchange([("270", body)], version="004010X092A1", functional_id="HS"))
    [set_report] = report.sets()
    assert set_report.map_name == "270.4010.X092.A1.xml"
    assert set_report.status is Status.VALID, [i.message for i in set_report.errors]


@pytest.mark.parametrize(
    ("old", "new"), [(b"*BUYERCO        *", b"*BUYERCO*"), (b"*SELLERCO       *", b"*SELLERCO         *")]
)
def test_isa_id_padding_quirks_are_reader_warnings_not_errors(validator: X12Validator, old: bytes, new: bytes) -> None:
    report = validator.validate(one("850").replace(old, new, 1))
    assert report.status is Status.VALID, [i.message for i in report.all_issues() if i.is_error]
    assert any(i.severity is Severity.WARNING and "width" in i.message for i in report.all_issues())


def test_findings_per_set_are_capped(validator: X12Validator) -> None:
    from crossdock.edi import validate as module

    body = [BODIES["940"][0], *(["ZZZ*NOT*A*SEGMENT"] * (module.MAX_ISSUES_PER_SET + 5)), *BODIES["940"][1:]]
    [set_report] = validator.validate(one("940", body)).sets()
    assert set_report.status is Status.INVALID
    assert len(set_report.issues) == module.MAX_ISSUES_PER_SET + 1
    assert set_report.issues[-1].code == "truncated"


@pytest.mark.parametrize(("segment", "code"), [("ZZZ*X", "1"), ("W66*PP*M***UPSN", "2")])
def test_unknown_segment_is_code_1_and_misplaced_one_code_2(validator: X12Validator, segment: str, code: str) -> None:
    body = list(BODIES["940"])
    body.insert(11, segment)  # after the line's G69: ZZZ is no X12 segment; W66 belongs in the header
    [set_report] = validator.validate(one("940", body)).sets()
    [bad] = set_report.errors
    assert (bad.level, bad.code, bad.segment_id, bad.segment_position) == (Level.SEGMENT, code, segment[:3], 13)


def test_missing_se_is_reported_once_and_the_group_still_closes(validator: X12Validator) -> None:
    report = validator.validate(one("940").replace(b"SE*15*0001~\n", b""))
    [group] = report.interchanges[0].groups
    assert group.declared_sets == 1 and len(group.sets) == 1
    [bad] = group.sets[0].errors
    assert (bad.level, bad.code) == (Level.SET, "2")  # AK502 2: transaction set trailer missing


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_940_and_945_with_several_lx_lines_validate(validator: X12Validator, version: str) -> None:
    # Given a 940 and a 945 with three LX line loops each (what every real multi-line order has),
    # when validated, then no later LX is taken for the standard's LS/LE-bounded inner LX loop.
    body_940 = BODIES["940"][:8] + [
        line
        for n in (1, 2, 3)
        for line in (f"LX*{n}", f"W01*{n}*EA*01234567890{n}*VN*SKU{n}", f"N9*LI*{n}")
    ] + ["W76*6*3*LB"]
    body_945 = BODIES["945"][:6] + [
        line
        for n in (1, 2, 3)
        for line in (f"LX*{n}", f"MAN*GM*0000012345000000001{n}", f"W12*CC*{n}*{n}**EA*01234567890{n}", f"N9*LI*{n}")
    ] + ["W03*6*3*LB"]
    for set_id, body in (("940", body_940), ("945", body_945)):
        report = validator.validate(one(set_id, body, version=version))
        assert report.status is Status.VALID, (set_id, [i.message for i in report.all_issues()])
