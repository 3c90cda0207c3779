"""Outbound groups still waiting for a 997 (``crossdock.store.ack_watch``), on SQLite and PostgreSQL,
and ``crossdock acks overdue`` as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from crossdock.store import DocRef, DocType, ItemStatus, Store
from crossdock.store.ack_watch import open_work_items, overdue_groups
from crossdock.store.base import utcnow

pytestmark = pytest.mark.integration

GROUP_1, GROUP_2, GROUP_3 = (DocRef(DocType.GROUP, f"northstar-3pl:{n}") for n in (1, 2, 3))
BUYER_GROUP = DocRef(DocType.GROUP, "acme-retail:7")


def sent(store: Store) -> None:
    """Three 940 groups to the 3PL and one 856 group to the buyer; the 3PL acknowledged group 2."""
    for group, order in ((GROUP_1, "PO-1"), (GROUP_2, "PO-2"), (GROUP_3, "PO-3")):
        store.links.link(DocRef(DocType.WAREHOUSE_ORDER, order), group)
        store.links.link(DocRef(DocType.WAREHOUSE_ORDER, order), DocRef(DocType.INTERCHANGE, f"northstar-3pl:{order}"))
    store.links.link(DocRef(DocType.SHIPMENT, "SHP-9"), BUYER_GROUP)
    store.links.link(GROUP_2, DocRef(DocType.ACKNOWLEDGMENT, "NORTHSTAR3PL:000000088:2:accepted"))


def test_groups_without_a_997_are_overdue_once_their_time_is_up(store: Store) -> None:
    sent(store)
    now = utcnow() + timedelta(seconds=1)
    # Not yet: everything was sent a moment ago
    assert overdue_groups(store, now=now, after=timedelta(hours=1)) == []
    # Later: the three groups without an acknowledgment, with what they carried
    groups = overdue_groups(store, now=now, after=timedelta(0))
    assert sorted(g.ref for g in groups) == sorted([GROUP_1, GROUP_3, BUYER_GROUP])
    assert [g.sent_at for g in groups] == sorted(g.sent_at for g in groups)  # oldest first
    by_ref = {g.ref: g for g in groups}
    assert by_ref[GROUP_1].documents == (DocRef(DocType.WAREHOUSE_ORDER, "PO-1"),)
    assert by_ref[BUYER_GROUP].partner == "acme-retail" and by_ref[BUYER_GROUP].group_control_number == "7"
    assert [g.ref for g in overdue_groups(store, now=now, after=timedelta(0), partner="acme-retail")] == [BUYER_GROUP]


def test_a_work_item_is_opened_once_per_overdue_group(store: Store) -> None:
    sent(store)
    now = utcnow() + timedelta(seconds=1)
    groups = overdue_groups(store, now=now, after=timedelta(0))
    opened = open_work_items(store, groups, now=now)
    assert len(opened) == 3
    items = store.exceptions.items(status=ItemStatus.OPEN)
    assert {i.business_key for i in items} == {"PO-1", "PO-3", "SHP-9"}
    [po1] = [i for i in items if i.business_key == "PO-1"]
    assert po1.owner.value == "integration" and po1.error_class == "AcknowledgmentOverdue"
    assert "no 997 from northstar-3pl for our group 1" in po1.error_message
    # The next run sees the items and opens none, even once an item is resolved
    store.exceptions.resolve(po1.id, "ops", "partner re-sent its 997 by mail")
    again = overdue_groups(store, now=now, after=timedelta(0))
    assert {g.work_item for g in again} == set(opened)
    assert open_work_items(store, again, now=now) == []
    # And the trace of the order shows the item
    assert str(po1.id) in store.links.connected(DocRef(DocType.WAREHOUSE_ORDER, "PO-1")).ids(DocType.WORK_ITEM)


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_acks_overdue_command(store: Store, migrated_db_url: str, tmp_path: Path) -> None:
    sent(store)
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": migrated_db_url}
    env.pop("CROSSDOCK_CONFIG", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "crossdock", "acks", "overdue", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    assert run("--hours", "1").returncode == 0  # nothing overdue yet
    listed = run("--hours", "0", "--open-items", "--json")
    assert listed.returncode == 1, listed.stderr  # found a problem: overdue groups
    report = json.loads(listed.stdout)
    assert sorted(g["group_control_number"] for g in report["overdue"]) == ["1", "3", "7"]
    assert len(report["opened_work_items"]) == 3
    assert all(g["work_item"] in report["opened_work_items"] for g in report["overdue"])
    assert json.loads(run("--hours", "0", "--open-items", "--json").stdout)["opened_work_items"] == []
