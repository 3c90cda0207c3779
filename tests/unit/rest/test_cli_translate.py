from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crossdock.cli import app
from tests.unit.rest.samples import amazon_items, amazon_order, shopify_order, walmart_order

runner = CliRunner()


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_each_channel_translates_to_canonical_json(tmp_path: Path) -> None:
    cases = {
        "shopify": shopify_order(),
        "amazon": {**amazon_order(), "OrderItems": amazon_items()},
        "walmart": walmart_order(),
    }
    for channel, payload in cases.items():
        result = runner.invoke(app, ["rest", "translate", "--channel", channel, write(tmp_path, payload)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["channel"] == channel


def test_json_output_and_field_errors_exit_1(tmp_path: Path) -> None:
    doc = shopify_order()
    doc["line_items"][0]["quantity"] = -3
    result = runner.invoke(app, ["rest", "translate", "--channel", "shopify", "--json", write(tmp_path, doc)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["errors"][0]["path"] == "line_items[0].quantity"


def test_unreadable_and_not_json_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["rest", "translate", "--channel", "amazon", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{not json")
    result = runner.invoke(app, ["rest", "translate", "--channel", "walmart", "--json", str(bad)])
    assert result.exit_code == 2 and "not JSON" in json.loads(result.stdout)["error"]


def test_an_amount_too_big_for_the_canonical_order_is_a_field_error_not_a_crash(tmp_path: Path) -> None:
    # Given a Shopify order whose total has more digits than canonical money holds
    doc = shopify_order()
    doc["subtotal_price"] = "9" * 30
    # When it is translated
    result = runner.invoke(app, ["rest", "translate", "--channel", "shopify", "--json", write(tmp_path, doc)])
    # Then it is a mapping failure (exit 1) naming the field, not a traceback
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [e["path"] for e in report["errors"]] == ["Totals.subtotal"]
    assert "9" * 30 not in result.stdout
