"""The reading commands on a real store the flows wrote: a rejected 850 found by its PO number, its
interchange number, its exception item and its raw payload; ids taken back by prefix; text printed as
it is; tables as TSV; ``acks overdue --partner`` with a partner flows.yaml does not name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.actors.flow_demo import run_demo
from crossdock.cli import app
from crossdock.examples import EXAMPLES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PO, ISA13 = "PO-778812", "000000501"


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A store where the buyer's 850 came in with a wrong SE01 (the flows reject it, park it)."""
    work = tmp_path_factory.mktemp("rejected")
    text = (EXAMPLES / "850_from_buyer.x12").read_text()
    se = next(seg for seg in text.split("~") if seg.strip().startswith("SE*"))
    count = int(se.strip().split("*")[1])
    broken = work / "850_wrong_se01.x12"
    broken.write_text(text.replace(se, se.replace(f"SE*{count}*", f"SE*{count + 5}*")))
    summary = run_demo(EXAMPLES, work / "state", order_file=broken)
    assert not summary.ok and summary.exceptions  # rejected and parked, not booked
    return {"CROSSDOCK_DATA_DIR": str(work / "state"), "CROSSDOCK_DATABASE_URL": "", "CROSSDOCK_BROKER_URL": ""}


def crossdock(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout


def test_a_rejected_850_is_found_by_po_and_interchange_number_and_shows_as_rejected(rejected: dict[str, str]) -> None:
    for key in (PO, ISA13, "501"):
        code, out = crossdock(rejected, "trace", key, "--json")
        assert code == 0, (key, out)
        found = json.loads(out)
        [item] = [i for i in found["exception_items"] if i["code"] == "EdiRejected"]
        assert item["status"] == "open" and "850" in item["error"]
    code, out = crossdock(rejected, "trace", PO)
    assert "EdiRejected" in out and "exception item" in out


def test_trace_takes_an_item_id_a_raw_payload_id_and_a_message_id_prefix(rejected: dict[str, str]) -> None:
    trace = json.loads(crossdock(rejected, "trace", PO, "--json")[1])
    item = next(i for i in trace["exception_items"] if i["code"] == "EdiRejected")
    by_item = json.loads(crossdock(rejected, "trace", str(item["id"]), "--json")[1])
    assert by_item["found"] and item["id"] in [i["id"] for i in by_item["exception_items"]]
    by_raw = json.loads(crossdock(rejected, "trace", str(item["raw_payload_id"]), "--json")[1])
    assert [r["id"] for r in by_raw["raw_payloads"]] == [item["raw_payload_id"]]
    assert by_raw["raw_payloads"][0]["interchange_control"] == ISA13
    message = trace["hops"][0]["message_id"]
    for prefix in (message[:12], message[:8]):  # what the table prints, and the shortest prefix taken
        code, out = crossdock(rejected, "trace", prefix, "--json")
        assert code == 0 and message in [h["message_id"] for h in json.loads(out)["hops"]]


def test_trace_with_no_match_says_so_and_exits_1(rejected: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["trace", "PO-NOBODY-SENT-THIS"], env=rejected)
    assert result.exit_code == 1
    assert "nothing matches 'PO-NOBODY-SENT-THIS'" in result.stderr


def test_exception_text_is_printed_as_it_is_and_lists_as_tsv(rejected: dict[str, str]) -> None:
    code, out = crossdock(rejected, "exceptions", "list", "--json")
    item = next(i for i in json.loads(out) if i["error_class"] == "EdiRejected")
    code, shown = crossdock(rejected, "exceptions", "show", str(item["id"]))
    assert code == 0 and item["error_message"] in shown  # brackets in it are not read as markup
    code, tsv = crossdock(rejected, "exceptions", "list", "--format", "tsv")
    rows = tsv.splitlines()
    assert rows[0].split("\t") == ["id", "status", "owner", "step", "code", "channel", "business key", "tries", "error"]
    assert any(row.split("\t")[0] == str(item["id"]) and row.split("\t")[-1] == item["error_message"] for row in rows)


def test_acks_overdue_with_an_unknown_partner_exits_2(rejected: dict[str, str]) -> None:
    env = {**rejected, "CROSSDOCK_CONFIG_DIR": str(ROOT / "examples" / "flows")}
    result = CliRunner().invoke(app, ["acks", "overdue", "--partner", "nobody-3pl"], env=env)
    assert result.exit_code == 2
    assert "nobody-3pl" in result.stderr and "northstar-3pl" in result.stderr
    assert CliRunner().invoke(app, ["acks", "overdue", "--partner", "northstar-3pl"], env=env).exit_code == 0
