"""The CLI commands, run in-process on hand-written files (no network)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from crossdock.cli import app
from tests.unit.edi_sets.envelope import interchange

runner = CliRunner()
ORDER = "BEG*00*SA*PO-1**20261120\nPO1*1*2*EA*3.5*PE*SK*A\nQQQ*KEPT\nCTT*1"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_translate_exit_codes(tmp_path: Path) -> None:
    good, bad, junk = tmp_path / "good.x12", tmp_path / "bad.x12", tmp_path / "junk.x12"
    good.write_bytes(interchange("850", ORDER))
    bad.write_bytes(interchange("850", "BEG*00*SA*PO-1**20261120\nPO1*1**EA"))
    junk.write_bytes(b"hello")

    ok = runner.invoke(app, ["edi", "translate", str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert report["sets"][0]["document"]["external_id"] == "PO-1"
    assert report["sets"][0]["unmapped"][0]["raw"] == "QQQ*KEPT"

    failed = runner.invoke(app, ["edi", "translate", str(bad)])
    assert failed.exit_code == 1
    assert "PO1[1]/PO102" in failed.output

    unreadable = runner.invoke(app, ["edi", "translate", str(junk)])
    assert unreadable.exit_code == 2
    assert runner.invoke(app, ["edi", "translate", str(tmp_path / "missing.x12")]).exit_code == 2


def test_render_from_translate_output(tmp_path: Path) -> None:
    source = tmp_path / "order.x12"
    source.write_bytes(interchange("850", ORDER))
    translated = runner.invoke(app, ["edi", "translate", str(source), "--json"])
    doc = tmp_path / "order.json"
    doc.write_text(translated.stdout)
    rendered = runner.invoke(
        app,
        ["edi", "render", str(doc), "--set", "940", "--partner", str(EXAMPLES / "partners" / "northstar-3pl.yaml"),
         "--start-control", "42"],
    )  # fmt: skip
    assert rendered.exit_code == 0, rendered.output
    assert "ST*940*0042~" in rendered.stdout
    assert "W05*N*PO-1*PO-1~" in rendered.stdout
    wrong = runner.invoke(app, ["edi", "render", str(doc), "--set", "856", "--partner",
                                str(EXAMPLES / "partners" / "acme-retail.yaml")])  # fmt: skip
    assert wrong.exit_code == 1
    assert runner.invoke(app, ["edi", "render", str(doc), "--set", "999", "--partner", str(doc)]).exit_code == 2


def test_demo_runs_the_bundled_examples() -> None:
    result = runner.invoke(app, ["edi", "demo", "--no-show-x12"])
    assert result.exit_code == 0, result.output
    assert "Order PO-778812: 3 lines, 42 units" in result.output
    assert "Shipment SHP-20261124-01: 2 packages, 40 units shipped (partial)" in result.output
    assert "0 failed" in result.output


def test_translate_refuses_a_set_over_the_limit_and_keeps_what_came_before(tmp_path: Path) -> None:
    two = tmp_path / "two.x12"
    small = interchange("850", ORDER)
    big = interchange("850", ORDER + "\n" + "\n".join(f"REF*ZZ*{n}" for n in range(40)), control="0002")
    two.write_bytes(small + big)
    plain = runner.invoke(app, ["edi", "translate", str(two), "--max-set-segments", "20"])
    assert plain.exit_code == 2
    assert "unreadable: transaction set 850 0002 (segment 13) is too large: more than 20 segments" in plain.output
    as_json = runner.invoke(app, ["edi", "translate", str(two), "--json", "--max-set-segments", "20"])
    assert as_json.exit_code == 2
    report = json.loads(as_json.stdout)
    assert [s["status"] for s in report["sets"]] == ["translated"]
    assert report["read_error"]["segment_id"] == "ST" and "850 0002" in report["read_error"]["message"]
    assert runner.invoke(app, ["edi", "translate", str(two), "--json"]).exit_code == 0


def test_an_860_translates_and_an_855_renders(tmp_path: Path) -> None:
    change = tmp_path / "change.x12"
    change.write_bytes(interchange("860", "BCH*04*SA*PO-1**1*20261120\nPOC*1*QD*1*1*EA***SK*A"))
    translated = runner.invoke(app, ["edi", "translate", str(change), "--json"])
    assert translated.exit_code == 0, translated.output
    [document] = [s["document"] for s in json.loads(translated.stdout)["sets"]]
    assert (document["purpose"], document["line_changes_only"]) == ("change", True)

    ack = tmp_path / "ack.json"
    ack.write_text(json.dumps({"po_number": "PO-1", "status": "rejected", "acknowledged_at": "2026-11-21T09:30:00Z",
                               "lines": [{"line_number": "1", "status": "rejected", "quantity_ordered": "2",
                                          "quantity": "0", "sku": "A"}]}))  # fmt: skip
    rendered = runner.invoke(app, ["edi", "render", str(ack), "--set", "855", "--partner",
                                   str(EXAMPLES / "partners" / "acme-retail.yaml")])  # fmt: skip
    assert rendered.exit_code == 0, rendered.output
    assert "BAK*00*RJ*PO-1*20261121" in rendered.stdout and "ACK*IR*0*EA~" in rendered.stdout
