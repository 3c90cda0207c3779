"""The outbox store (``crossdock.store.outbox``) on SQLite and PostgreSQL, and ``crossdock outbox`` as an
operator runs it: list, show, deliver pending rows, release a held one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crossdock.store import Store
from crossdock.store.outbox import OutboxEntry
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def record(store: Store, partner: str = "northstar-3pl", isa: int = 1, data: bytes = b"ISA*940~") -> OutboxEntry:
    with store.db.write() as session:
        return store.outbox.record(
            session,
            partner=partner,
            set_id="940",
            controls=(isa, isa, 1),
            content=data,
            name_for=lambda doc_id: f"{partner}_940_{isa:09d}_{doc_id}.edi",
            business_keys={"order": f"PO-{isa}"},
            step="orders.to_warehouse",
            message_id=f"m-{isa}",
        )


def test_a_row_is_pending_until_delivered_once(store: Store) -> None:
    first, second = record(store, isa=1), record(store, isa=2)
    assert first.file_name == f"northstar-3pl_940_000000001_{first.id}.edi"
    assert [e.id for e in store.outbox.entries(status="pending")] == [first.id, second.id]
    assert store.outbox.content(first.id) == b"ISA*940~"
    assert store.outbox.mark_delivered(first.id, "/out/a.edi") is True
    assert store.outbox.mark_delivered(first.id, "/out/a.edi") is False
    delivered = store.outbox.get(first.id)
    assert delivered is not None and (delivered.status, delivered.location) == ("delivered", "/out/a.edi")
    assert store.outbox.counts() == {"pending": 1, "held": 0, "delivered": 1}


def test_a_sweep_takes_a_pending_row_once_within_its_window_and_never_a_held_or_delivered_one(store: Store) -> None:
    pending, held, done = record(store, isa=1), record(store, isa=2), record(store, isa=3)
    store.outbox.hold(held.id, "another file")
    store.outbox.mark_delivered(done.id, "/out/c.edi")
    assert store.outbox.sweep(older_than_s=3600) == []  # too young
    assert store.outbox.sweep(older_than_s=0) == [pending.id]
    assert store.outbox.sweep(older_than_s=0.5) == []  # another sweeper just took it
    store.outbox.release(held.id)
    assert store.outbox.sweep(older_than_s=0) == [pending.id, held.id]


def test_a_rolled_back_record_leaves_no_row(store: Store) -> None:
    with pytest.raises(RuntimeError), store.db.write() as session:
        store.outbox.record(session, partner="p", set_id="940", controls=(1, 1, 1), content=b"x",
                            name_for=lambda doc_id: f"p_{doc_id}.edi")  # fmt: skip
        raise RuntimeError("the step failed")
    assert store.outbox.entries(status="all") == []


@pytest.mark.parametrize("db_backend", ["postgresql"])  # the command end to end once; the store on both above
def test_crossdock_outbox_lists_shows_and_delivers_pending_rows(migrated_db_url: str, tmp_path: Path) -> None:
    # Given a site whose partners' documents go to local folders, and two 940s recorded, not delivered
    config = tmp_path / "config"
    config.mkdir()
    partners = ROOT / "examples" / "partners"
    (config / "flows.yaml").write_text(yaml.safe_dump({
        "warehouse_partner": "northstar-3pl",
        "erp": {"endpoint": "http://127.0.0.1:9/erp"},
        "partners": [
            {"edi": str(partners / "northstar-3pl.yaml"), "outbound_folder": str(tmp_path / "out" / "3pl")},
            {"edi": str(partners / "acme-retail.yaml"), "outbound_folder": str(tmp_path / "out" / "buyer")},
        ],
    }))  # fmt: skip
    store = Store.from_url(migrated_db_url)
    try:
        first, second = record(store, isa=1, data=b"ISA*one~"), record(store, isa=2, data=b"ISA*two~")
        (tmp_path / "out" / "3pl").mkdir(parents=True)
        (tmp_path / "out" / "3pl" / second.file_name).write_bytes(b"a file someone else put there")
        env = {**os.environ, "CROSSDOCK_DATABASE_URL": migrated_db_url, "CROSSDOCK_CONFIG_DIR": str(config)}
        env.pop("CROSSDOCK_CONFIG", None)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "crossdock", "outbox", *args], env=env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=120, check=False)  # fmt: skip

        # When the operator lists them, then both are pending
        listed = run("list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [r["id"] for r in json.loads(listed.stdout)["rows"]] == [first.id, second.id]
        assert run("show", str(first.id), "--content").stdout == "ISA*one~"
        # When they are delivered: the first is written, the second meets another file and is held
        delivered = run("deliver", "--pending", "--json")
        assert delivered.returncode == 1
        results = {r["id"]: r for r in json.loads(delivered.stdout)["results"]}
        assert results[first.id]["result"] == "delivered"
        assert results[second.id]["result"] == "failed" and "other content" in str(results[second.id]["detail"])
        assert (tmp_path / "out" / "3pl" / first.file_name).read_bytes() == b"ISA*one~"
        assert [r["id"] for r in json.loads(run("list", "--status", "held", "--json").stdout)["rows"]] == [second.id]
        assert run("deliver", "--pending").returncode == 1  # nothing pending: the held row waits for a person
        # When the other file was moved away and the operator delivers the held row by its id
        (tmp_path / "out" / "3pl" / second.file_name).unlink()
        again = run("deliver", str(second.id), str(first.id), "--user", "ops", "--json")
        assert again.returncode == 0, again.stdout + again.stderr
        assert [r["result"] for r in json.loads(again.stdout)["results"]] == ["delivered", "already delivered"]
        assert (tmp_path / "out" / "3pl" / second.file_name).read_bytes() == b"ISA*two~"
        assert run("list").returncode == 1  # nothing pending any more
        assert [e.action for e in store.audit.entries(target=f"outbox:{second.id}")] == ["release"]
    finally:
        store.close()
