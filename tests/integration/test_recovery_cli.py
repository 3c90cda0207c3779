"""``crossdock exceptions`` and ``crossdock dlq`` as an operator runs them, against real RabbitMQ, a
migrated database and probe worker processes: bulk commands act only with --yes, a replay is not a
resolution, and a dead letter is still listed, shown and replayed after the broker's copy expired."""

from __future__ import annotations

import contextlib
import json

import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.store import LetterStatus, Store
from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration


def cli(probe_run: ProbeRun, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=probe_run.env)
    return result.exit_code, result.output


def items(probe_run: ProbeRun, *filters: str) -> list[dict[str, object]]:
    code, out = cli(probe_run, "exceptions", "list", "--json", *filters)
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def test_bulk_commands_act_only_with_yes_and_a_replay_is_not_a_resolution(probe_run: ProbeRun) -> None:
    # Given three messages parked for the warehouse
    for sku in ("SKU-A", "SKU-B", "SKU-C"):
        probe_run.send(sku, "business")
    probe_run.start_worker(threads=2)
    wait_for(lambda: len(items(probe_run)) == 3, 60, message="three exception items")

    # When they are replayed before the cause is fixed
    code, out = cli(probe_run, "exceptions", "replay", "--owner", "warehouse")
    assert code == 1 and "3 items match" in out  # without --yes nothing is sent
    code, out = cli(probe_run, "exceptions", "replay", "--owner", "warehouse", "--yes", "--user", "ops-anna")
    assert code == 0, out

    # Then each parks again into its open item, with the replay in its history
    def parked_twice() -> bool:
        return all(
            [a["kind"] for a in json.loads(cli(probe_run, "exceptions", "show", str(i["id"]), "--json")[1])["attempts"]]
            == ["parked", "replay", "parked"]
            for i in items(probe_run)
        )

    wait_for(parked_twice, 60, message="the replays parked again")
    assert len(items(probe_run)) == 3 and probe_run.effects() == {}

    # When two are ignored by filter: --dry-run changes nothing, --yes does it
    code, out = cli(probe_run, "exceptions", "ignore", "--code", "BusinessError", "--note", "test orders", "--dry-run")
    assert code == 0 and "3 items would be ignored" in out
    assert len(items(probe_run)) == 3
    first = int(items(probe_run)[0]["id"])  # type: ignore[call-overload]
    code, out = cli(probe_run, "exceptions", "ignore", str(first), "--note", "test order", "--user", "bo")
    assert code == 0, out
    code, out = cli(probe_run, "exceptions", "resolve", "--step", "probe.effect", "--note", "fixed", "--yes")
    assert code == 0, out
    assert items(probe_run) == []
    # And resolving a resolved item again is refused unless --force
    resolved = [int(i["id"]) for i in items(probe_run, "--status", "resolved")]  # type: ignore[call-overload]
    assert len(resolved) == 2
    code, out = cli(probe_run, "exceptions", "resolve", str(resolved[0]), "--note", "again")
    assert code == 1 and "already resolved" in out
    code, out = cli(probe_run, "exceptions", "resolve", str(resolved[0]), "--note", "again", "--force")
    assert code == 0, out
    assert [i["id"] for i in items(probe_run, "--status", "ignored")] == [first]


def test_a_dead_letter_is_replayed_from_the_store_after_the_broker_copy_expired(probe_run: ProbeRun) -> None:
    # Given a poison message dead-lettered after its retries
    probe_run.send("SKU-OLD", "poison", key="po-old")
    probe_run.start_worker(threads=1)
    wait_for(lambda: probe_run.vhost.queue_counts("orders.XQ")[0] == 1, 60, message="the dead letter")
    code, out = cli(probe_run, "dlq", "list", "--json")
    [letter] = json.loads(out)
    assert (letter["journaled"], letter["on_broker"], letter["retries"]) == (True, True, 2)

    # When RabbitMQ drops its copy (the dead-letter queue's message TTL)
    with contextlib.closing(probe_run.vhost.connection()) as connection:
        connection.channel().queue_purge("orders.XQ")
    assert probe_run.vhost.queue_counts("orders.XQ")[0] == 0

    # Then the store still lists and shows it (by an 8-character prefix of its id)
    code, out = cli(probe_run, "dlq", "list", "--json")
    [kept] = json.loads(out)
    assert (kept["id"], kept["on_broker"], kept["idempotency_key"]) == (letter["id"], False, "po-old")
    code, out = cli(probe_run, "dlq", "show", letter["id"][:8], "--json")
    assert code == 0 and "SKU-OLD" in json.loads(out)["body"]

    # And after the fix a replay from the store runs it once, audited
    (probe_run.markers / "fixed").write_text("yes")
    code, out = cli(probe_run, "dlq", "replay", letter["id"][:10], "--user", "ops-anna", "--json")
    assert code == 0, out
    wait_for(lambda: "SKU-OLD" in probe_run.effects(), 60, message="the replayed dead letter")
    code, out = cli(probe_run, "dlq", "list", "--json")
    assert json.loads(out) == []
    store = Store.from_url(probe_run.db_url)
    try:
        [row] = store.dead_letters.letters(status=None)
        [entry] = store.audit.entries(action="replay")
    finally:
        store.close()
    assert (row.status, row.acted_by) == (LetterStatus.REPLAYED, "ops-anna")
    assert entry.target == f"dlq:{letter['id']}"
