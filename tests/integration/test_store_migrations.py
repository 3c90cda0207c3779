"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from crossdock.store import Database, RawStore, current, head, upgrade
from crossdock.store.migrate import downgrade
from crossdock.store.models import Base

pytestmark = pytest.mark.integration


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_builds_the_models_schema(db_url: str) -> None:
    db = Database.from_url(db_url)
    try:
        # Given an empty database
        assert current(db) is None
        # When it is upgraded
        assert upgrade(db) == head()
        # Then every table exists and the schema matches the models exactly
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        assert _diff(db) == []
    finally:
        db.dispose()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    db = Database.from_url(db_url)
    try:
        upgrade(db)
        assert downgrade(db, "base") is None
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        assert upgrade(db) == head()
        assert _diff(db) == []
    finally:
        db.dispose()


def test_concurrent_upgrades_are_serialised(db_url: str) -> None:
    # Given several workers booting at once against one empty database
    errors: list[BaseException] = []

    def boot() -> None:
        db = Database.from_url(db_url)
        try:
            upgrade(db)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=boot) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # Then all succeed and the schema is built once
    assert errors == []
    db = Database.from_url(db_url)
    try:
        assert current(db) == head()
        assert _diff(db) == []
    finally:
        db.dispose()


def test_upgrade_keeps_existing_rows(db_url: str) -> None:
    # Given a database at the first revision holding a raw payload
    db = Database.from_url(db_url)
    try:
        upgrade(db, "0001")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO raw_payloads (sha256, source, name, size, received_at, content)"
                    " VALUES (:sha, 'sftp:acme', 'a.edi', 3, :at, :content)"
                ),
                {"sha": "0" * 64, "at": datetime(2026, 3, 2, 9, 0), "content": b"ISA"},
            )
        # When it is upgraded to the newest revision
        assert upgrade(db) == head()
        # Then the row is still there, with the new columns empty
        ref = RawStore(db).ref(1)
        assert ref is not None and ref.name == "a.edi" and ref.accepted_at is None and ref.headers == {}
    finally:
        db.dispose()
