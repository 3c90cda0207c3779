"""``run_demo``: the whole flow on embedded defaults (in-memory broker, SQLite, in-process ERP simulator
on loopback, local folders for the partners' mailboxes, the bundled examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.actors.flow_demo import run_demo
from crossdock.edi import validate

pytestmark = pytest.mark.integration


def test_the_demo_runs_the_bundled_examples_end_to_end(tmp_path: Path) -> None:
    summary = run_demo(workdir=tmp_path)
    assert summary.ok, summary.to_dict()
    assert summary.order == "PO-778812"
    hops = [hop["actor"] for hop in summary.trace if hop["actor"] != "outbox.deliver"]
    assert hops[:5] == ["edi.inbound", "orders.to_erp", "orders.to_warehouse", "edi.inbound", "shipments.to_erp"]
    # after the shipment posts, the buyer's 856 and the ERP invoice, in whichever order the worker ran them
    assert sorted(hops[5:]) == ["invoices.to_erp", "shipments.to_buyer"]
    # each X12 document we sent (the two 997s, the 940, the 856) was delivered from the outbox after its step
    assert [hop["actor"] for hop in summary.trace].count("outbox.deliver") == 4
    assert all(hop["status"] == "succeeded" for hop in summary.trace)
    assert summary.erp_calls["CreateSalesOrder"] == 1 and summary.erp_calls["PostShipment"] == 1
    assert "tracking_number:1Z999AA10123456784" in summary.documents
    [order_940] = [n for n in summary.files["northstar-3pl"] if "_940_" in n]
    data = (tmp_path / "sftp" / "northstar-3pl" / "outbound" / order_940).read_bytes()
    assert validate.validate(data).valid
    [notice] = [n for n in summary.files["acme-retail"] if "_856_" in n]
    assert b"PRF*PO-778812" in (tmp_path / "sftp" / "acme-retail" / "outbound" / notice).read_bytes()
    for partner, names in summary.files.items():  # the 997s and the 856 we sent validate too
        for name in names:
            assert validate.validate((tmp_path / "sftp" / partner / "outbound" / name).read_bytes()).valid, name
    assert "duplicate" in summary.events[-1].lines[0]
    # the state stays in the work folder for a person to look at
    assert (tmp_path / "crossdock.db").exists()
    assert sorted(p.name for p in (tmp_path / "sftp" / "acme-retail" / "archive").iterdir()) == [
        "850_from_buyer.x12", "850_resent.x12",
    ]  # fmt: skip


def test_the_demo_reports_a_failure_instead_of_raising(tmp_path: Path) -> None:
    bad_945 = tmp_path / "945.x12"
    bad_945.write_bytes(b"not an X12 file at all")
    summary = run_demo(workdir=tmp_path / "work", advice_file=bad_945)
    assert not summary.ok
    assert summary.erp_calls.get("PostShipment") is None
    assert any("rejected 945_from_3pl.x12" in line for e in summary.events for line in e.lines)
    assert len(summary.exceptions) == 1
