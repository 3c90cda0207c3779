"""Inbound TA1 interchange acknowledgments: read from between ISA and GS (or alone), translated to an
InterchangeAcknowledgment, bad ones reported by element, and `crossdock edi translate` on them."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

from typer.testing import CliRunner

from crossdock.canonical import AckStatus
from crossdock.cli import app
from crossdock.edi.translate import translate

ISA = "ISA*00*          *00*          *ZZ*NORTHSTAR3PL   *ZZ*CROSSDOCK      *261121*0900*U*00401*000000089*0*P*>"


def ta1_only(ta1: str) -> bytes:
    return f"{ISA}~\n{ta1}~\nIEA*0*000000089~\n".encode()


def test_a_ta1_alone_in_its_interchange_is_translated() -> None:
    result = translate(ta1_only("TA1*000000001*261120*1000*A*000"))
    assert result.read_error is None and result.sets == ()
    [ack] = result.interchange_acks
    assert (ack.status, ack.control_number, ack.sender_id, ack.receiver_id) == (
        "translated", "000000001", "NORTHSTAR3PL", "CROSSDOCK",
    )  # fmt: skip
    doc = ack.document
    assert doc is not None and doc.status is AckStatus.ACCEPTED and doc.note == "No error"
    assert (doc.interchange_date, doc.interchange_time) == (date(2026, 11, 20), time(10, 0))


def test_a_rejecting_ta1_before_a_group_says_why_and_the_group_is_read_too() -> None:
    data = "~\n".join([
        ISA,
        "TA1*000000007*261120*1000*R*001",
        "GS*FA*NORTHSTAR3PL*CROSSDOCK*20261121*0900*89*X*004010",
        "ST*997*0001", "AK1*OW*7", "AK9*A*1*1*1", "SE*4*0001",
        "GE*1*89",
        "IEA*1*000000089",
    ]).encode() + b"~\n"  # fmt: skip
    result = translate(data)
    [ack] = result.interchange_acks
    assert ack.document is not None and ack.document.status is AckStatus.REJECTED
    assert ack.document.note_code == "001" and "header and trailer do not match" in (ack.document.note or "")
    assert [s.set_id for s in result.sets] == ["997"] and result.sets[0].status == "translated"


def test_a_malformed_ta1_fails_naming_each_element() -> None:
    [ack] = translate(ta1_only("TA1*12*261340*2599*X*1")).interchange_acks
    assert ack.status == "failed" and ack.document is None
    assert [where for where, _ in ack.errors] == ["TA1/TA101", "TA1/TA102", "TA1/TA103", "TA1/TA104", "TA1/TA105"]


def test_translate_command_on_ta1_files(tmp_path: Path) -> None:
    good, bad = tmp_path / "ta1.x12", tmp_path / "bad-ta1.x12"
    good.write_bytes(ta1_only("TA1*000000001*261120*1000*E*022"))
    bad.write_bytes(ta1_only("TA1*000000001*261120*1000*Q*022"))
    ok = CliRunner().invoke(app, ["edi", "translate", str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    [ack] = json.loads(ok.stdout)["interchange_acks"]
    assert ack["document"]["status"] == "accepted_with_errors"
    assert ack["document"]["note"] == "Invalid control structure"
    failed = CliRunner().invoke(app, ["edi", "translate", str(bad)])
    assert failed.exit_code == 1 and "TA1/TA104" in failed.output
