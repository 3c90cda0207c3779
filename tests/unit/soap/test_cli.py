"""``crossdock soap inspect``: text and JSON output, abstract WSDLs, exit code 2 on a remote import."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.soap import contract, load_mapping

DATA = Path(__file__).resolve().parents[2] / "data" / "soap"
PACKAGED = str(Path(contract.__file__).parent / contract.WSDL_NAME)


def test_inspect_json_lists_operations_and_nested_fields() -> None:
    result = CliRunner().invoke(app, ["soap", "inspect", PACKAGED, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["abstract"] is False
    operations = {op["name"]: op for op in report["ports"][0]["operations"]}
    assert set(operations) >= {"CreateSalesOrder", "GetSalesOrderByExternalRef", "PostJournalEntry"}
    order = operations["CreateSalesOrder"]["input"][0]
    assert order["name"] == "SalesOrder"
    assert "ShipToAddress" in [child["name"] for child in order["children"]]


def test_inspect_text_says_abstract() -> None:
    result = CliRunner().invoke(app, ["soap", "inspect", str(DATA / "abstract.wsdl")])
    assert result.exit_code == 0, result.output
    assert "ABSTRACT" in result.output and "SalesOrderCreate_In" in result.output and "ProductID" in result.output


def test_inspect_remote_import_exits_2_naming_the_url() -> None:
    result = CliRunner().invoke(app, ["soap", "inspect", str(DATA / "remote_include.wsdl")])
    assert result.exit_code == 2
    assert "http://erp.example.invalid:8005/" in result.output


def test_scaffold_prints_a_mapping_that_loads() -> None:
    result = CliRunner().invoke(app, ["soap", "inspect", str(DATA / "local" / "service.wsdl"), "--scaffold"])
    assert result.exit_code == 0, result.output
    mapping = load_mapping(result.output.encode(), "scaffold")
    op = mapping.operation("create_sales_order")
    assert op.operation == "Create"
    assert {"Header.CustomerRef", "Header.OrderDate", "Line"} <= set(op.request)


def test_commands_have_help() -> None:
    for command in (["soap", "inspect", "--help"], ["erp-sim", "--help"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0 and "Usage" in result.output


def test_check_accepts_the_packaged_mapping_and_names_a_typo(tmp_path: Path) -> None:
    packaged = str(Path(contract.__file__).parent / contract.MAPPING_NAME)
    result = CliRunner().invoke(app, ["soap", "check", PACKAGED, packaged])
    assert result.exit_code == 0, result.output
    operations = len(load_mapping(Path(packaged).read_bytes(), packaged).operations)
    assert "fits" in result.output and f"({operations} operations)" in result.output
    typo = tmp_path / "erp.yaml"
    typo.write_text(
        "name: x\noperations:\n  c:\n    operation: CreateSalesOrder\n    request:\n"
        "      SalesOrder.CustomerNumber: external_id\n"
    )
    result = CliRunner().invoke(app, ["soap", "check", PACKAGED, str(typo), "--json"])
    assert result.exit_code == 2
    (problem,) = json.loads(result.output)
    assert problem["where"] == "operations.c.request.SalesOrder.CustomerNumber"
    assert "no element 'CustomerNumber' in SalesOrder" in problem["problem"] and "CustomerNo" in problem["problem"]


def test_erp_sim_refuses_bad_flags_before_serving() -> None:
    cases = {
        "GetItem": "--fail wants OPERATION=BEHAVIOUR",
        "GetItem=200": "http_status must be a 4xx or 5xx status",
    }
    for spec, message in cases.items():
        result = CliRunner().invoke(app, ["erp-sim", "--port", "0", "--database", ":memory:", "--fail", spec])
        assert result.exit_code == 2 and message in result.output, (spec, result.output)
    result = CliRunner().invoke(app, ["erp-sim", "--latency-ms=-5", "--database", ":memory:"])
    assert result.exit_code == 2 and "latency_ms must not be negative" in result.output, result.output
    result = CliRunner().invoke(app, ["erp-sim", "--wss-user", "u", "--database", ":memory:"])
    assert result.exit_code == 2 and "--wss-password-file" in result.output, result.output
