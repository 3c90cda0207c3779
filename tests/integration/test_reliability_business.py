"""A business error is parked as an exception work item for its owner, not retried, not lost; after the
fix ``crossdock exceptions replay`` runs it once, and the hop that succeeds resolves the item by the
user who replayed it (audited)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.store import Store
from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration


def cli(probe_run: ProbeRun, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=probe_run.env)
    return result.exit_code, result.output


def open_items(probe_run: ProbeRun) -> list[dict[str, object]]:
    code, out = cli(probe_run, "exceptions", "list", "--json")
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def test_business_error_is_parked_then_replayed_after_the_fix(probe_run: ProbeRun) -> None:
    # Given a message whose SKU the warehouse does not know yet
    probe_run.send("SKU-NEW", "business")
    probe_run.start_worker(threads=1)
    wait_for(lambda: len(open_items(probe_run)) == 1, 60, message="the exception item")

    # Then it was tried once, parked for the warehouse, and nothing went to the dead-letter queue
    [item] = open_items(probe_run)
    assert (item["owner"], item["business_key"], item["actor"], item["queue"]) == (
        "warehouse",
        "SKU-NEW",
        "probe.effect",
        "orders",
    )
    assert item["error_class"] == "BusinessError" and item["error_message"] == "unknown SKU SKU-NEW"
    assert probe_run.journal() == ["parked"]
    assert probe_run.vhost.queue_counts("orders.XQ")[0] == 0
    assert probe_run.effects() == {}
    code, out = cli(probe_run, "exceptions", "show", str(item["id"]), "--json")
    assert code == 0 and json.loads(out)["raw_payload_id"] is not None

    # When the SKU is set up and the parked message replayed
    (probe_run.markers / "fixed").write_text("yes")
    code, out = cli(probe_run, "exceptions", "replay", str(item["id"]), "--user", "wh-lead", "--note", "SKU added")
    assert code == 0, out

    # Then its effect happens once and the item is resolved by that user, audited
    wait_for(lambda: "SKU-NEW" in probe_run.effects(), 60, message="the replayed message")
    assert open_items(probe_run) == []
    store = Store.from_url(probe_run.db_url)
    try:
        resolved = store.exceptions.get(int(item["id"]))  # type: ignore[call-overload]
        actions = sorted(e.action for e in store.audit.entries(target=f"exception:{item['id']}"))
    finally:
        store.close()
    assert resolved.resolved_by == "wh-lead" and resolved.notes[-1].text == "SKU added"
    assert [a.kind.value for a in resolved.attempts] == ["parked", "replay", "succeeded"]
    assert actions == ["replay", "resolve"]


def test_resolve_closes_an_item_with_a_note(probe_run: ProbeRun) -> None:
    probe_run.send("SKU-GONE", "business")
    probe_run.start_worker(threads=1)
    wait_for(lambda: len(open_items(probe_run)) == 1, 60, message="the exception item")
    [item] = open_items(probe_run)
    code, out = cli(probe_run, "exceptions", "resolve", str(item["id"]), "--note", "cancelled order", "--user", "anna")
    assert code == 0, out
    assert open_items(probe_run) == []
    code, _ = cli(probe_run, "exceptions", "resolve", "999999", "--note", "x")
    assert code == 1
