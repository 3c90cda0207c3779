"""A poison message: retried max_retries times, dead-lettered with its error, replayed once after the fix."""

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


def test_poison_message_is_retried_dead_lettered_and_replayed_once_after_the_fix(probe_run: ProbeRun) -> None:
    # Given a message that fails in its step, sent twice with the same idempotency key
    probe_run.send("SKU-POISON", "poison", key="po-77")
    probe_run.send("SKU-POISON", "poison", key="po-77")
    probe_run.start_worker(threads=2)

    # Then each is tried 1 + max_retries (2) times and lands in orders.XQ with its error
    wait_for(lambda: probe_run.vhost.queue_counts("orders.XQ")[0] == 2, 60, message="two dead letters")
    wait_for(lambda: len(probe_run.journal()) == 6, 10, message="the dead-lettered hops in the journal")
    assert probe_run.journal() == ["dead_lettered"] * 2 + ["retried"] * 4
    code, out = cli(probe_run, "dlq", "list", "--json")
    assert code == 0, out
    letters = json.loads(out)
    assert [(x["actor"], x["retries"], x["queue"]) for x in letters] == [("probe.effect", 2, "orders")] * 2
    assert all(x["error"] == "TransientError: poison: downstream rejects SKU-POISON" for x in letters)
    assert all(x["business_key"] == "sku=SKU-POISON" and x["idempotency_key"] == "po-77" for x in letters)
    code, out = cli(probe_run, "dlq", "show", letters[0]["id"], "--json")
    assert code == 0 and "SKU-POISON" in json.loads(out)["body"]

    # When the cause is fixed and every dead letter is replayed
    (probe_run.markers / "fixed").write_text("yes")
    code, out = cli(probe_run, "dlq", "replay", "--all", "--user", "ops-anna", "--json")
    assert code == 0, out
    assert len(json.loads(out)["replayed"]) == 2

    # Then the effect happens once (the second replay is a duplicate), and both replays are audited
    wait_for(lambda: len(probe_run.journal()) == 8, 60, message="replays processed")
    assert list(probe_run.effects()) == ["SKU-POISON"]
    assert probe_run.journal().count("succeeded") == 1
    assert probe_run.journal().count("duplicate") == 1
    assert probe_run.vhost.queue_counts("orders.XQ")[0] == 0
    store = Store.from_url(probe_run.db_url)
    try:
        audit = store.audit.entries(action="replay")
    finally:
        store.close()
    assert sorted(e.target for e in audit) == sorted(f"dlq:{x['id']}" for x in letters)
    assert {e.who for e in audit} == {"ops-anna"}

    # And with nothing left, replay says so
    code, _ = cli(probe_run, "dlq", "replay", "--all")
    assert code == 1


def test_dlq_purge_removes_and_audits(probe_run: ProbeRun) -> None:
    probe_run.send("SKU-P1", "poison")
    probe_run.send("SKU-P2", "poison")
    probe_run.start_worker(threads=2)
    wait_for(lambda: probe_run.vhost.queue_counts("orders.XQ")[0] == 2, 60, message="two dead letters")
    code, out = cli(probe_run, "dlq", "list", "--json")
    first = json.loads(out)[0]["id"]
    code, out = cli(probe_run, "dlq", "purge", first, "--user", "ops-bo", "--json")
    assert code == 0, out
    assert probe_run.vhost.queue_counts("orders.XQ")[0] == 1
    store = Store.from_url(probe_run.db_url)
    try:
        [entry] = store.audit.entries(action="purge")
    finally:
        store.close()
    assert entry.target == f"dlq:{first}" and entry.who == "ops-bo"
