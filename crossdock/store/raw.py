"""Raw payload store: the bytes exactly as received (inbound EDI files, webhook bodies, SOAP replies),
kept so bad input can be inspected and replayed, plus the "seen before?" checks for duplicate files.

Every :meth:`RawStore.put` keeps a row, duplicates too; :attr:`RawRef.duplicate_of` tells the caller
it has seen the same file (same source, name and SHA-256) or the same interchange (same sender, ISA13
and SHA-256) before. :meth:`RawStore.put_once` is the idempotent variant (same file → same row), for
a poller that may store a file again after a crash, or two pollers that fetched the same file: a
unique index on the file's key makes it one row whatever the concurrency (insert-or-ignore, then
read, never read-then-write). A payload is *accepted* once it was handed on for processing
(:meth:`RawStore.mark_accepted`); the ``seen_*`` checks can count only accepted ones, so a file whose
hand-off failed is not reported as a duplicate on the next poll.

An ISA13 is not unique on its own: partners reset and wrap their counters. The same sender and ISA13
with the same content is the same interchange; with different content it is a new one, which
:meth:`RawStore.interchange_reused` finds so the caller can keep a warning on its row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Table, insert, or_, select, text, update
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.models import RawPayloadRow


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_TABLE = RawPayloadRow.__table__
assert isinstance(_TABLE, Table)
_INSERT_MANY = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)  # Core: no ORM bulk path
# PostgreSQL: one short statement with one array per column, whatever the batch size. Ids come from
# the table's sequence in insertion order (ORDER BY n), so sorted ids follow the input order.
_INSERT_MANY_PG = text(
    "INSERT INTO raw_payloads (sha256, source, name, size, content, content_type, received_at) "
    "SELECT u.sha256, u.source, u.name, u.size, u.content, u.content_type, :now FROM unnest("
    "CAST(:sha256 AS varchar[]), CAST(:source AS varchar[]), CAST(:name AS varchar[]), CAST(:size AS bigint[]), "
    "CAST(:content AS bytea[]), CAST(:content_type AS varchar[])"
    ") WITH ORDINALITY AS u(sha256, source, name, size, content, content_type, n) ORDER BY u.n RETURNING id"
)


@dataclass(frozen=True, slots=True)
class NewPayload:
    """One payload for :meth:`RawStore.keep_many`; ``sha256`` is computed when not given."""

    content: bytes
    source: str
    name: str
    content_type: str | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class RawRef:
    """A stored payload's identity and metadata (no content)."""

    id: int
    sha256: str
    source: str
    name: str
    size: int
    received_at: datetime
    sender: str | None = None
    interchange_control: str | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    accepted_at: datetime | None = None
    duplicate_of: int | None = None
    """Id of the earliest earlier payload with the same (source, name, sha256) or (sender, ISA13, sha256)."""
    warning: str | None = None
    """What a person should know about this payload that did not stop it (an ISA13 reused)."""


@dataclass(frozen=True, slots=True)
class RawPayload:
    ref: RawRef
    content: bytes


def _ref(row: RawPayloadRow, duplicate_of: int | None = None) -> RawRef:
    return RawRef(
        id=row.id,
        sha256=row.sha256,
        source=row.source,
        name=row.name,
        size=row.size,
        received_at=row.received_at,
        sender=row.sender,
        interchange_control=row.interchange_control,
        content_type=row.content_type,
        headers=dict(row.headers or {}),
        accepted_at=row.accepted_at,
        duplicate_of=duplicate_of,
        warning=row.warning,
    )


def _same_file(source: str, name: str, digest: str) -> ColumnElement[bool]:
    return (RawPayloadRow.source == source) & (RawPayloadRow.name == name) & (RawPayloadRow.sha256 == digest)


def _same_interchange(sender: str, control: str) -> ColumnElement[bool]:
    return (RawPayloadRow.sender == sender) & (RawPayloadRow.interchange_control == control)


def file_key(source: str, name: str, digest: str) -> str:
    """The unique key of one file for :meth:`RawStore.put_once`: a hash, so any name fits the index."""
    return sha256_hex(f"{source}\n{name}\n{digest}".encode())


class RawStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put(
        self,
        content: bytes,
        *,
        source: str,
        name: str,
        sender: str | None = None,
        interchange_control: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        warning: str | None = None,
        session: Session | None = None,
    ) -> RawRef:
        """Keep ``content``; ``source`` says where from (``sftp:acme-3pl``, ``webhook:shopify``,
        ``erp``), ``name`` the file name or request id. ``sender``/``interchange_control`` are the
        ISA06 and ISA13 of an X12 interchange, when known. ``headers``: non-secret metadata to keep
        (never signatures or credentials). ``warning``: a note for a person, kept on the row."""
        digest = sha256_hex(content)
        with self._db.write(session) as s:
            earlier = s.scalars(
                select(RawPayloadRow.id)
                .where(_earlier_copy(source, name, digest, sender, interchange_control))
                .order_by(RawPayloadRow.id)
                .limit(1)
            ).first()
            row = RawPayloadRow(
                **_values(content, digest, source, name, sender, interchange_control, content_type, headers, warning)
            )
            s.add(row)
            s.flush()
            return _ref(row, earlier)

    def keep_many(self, payloads: list[NewPayload], *, session: Session | None = None) -> list[int]:
        """Keep several payloads in one statement and return their ids, in order: the lean write
        path of the message journal (no duplicate lookup, no ORM objects). Use :meth:`put` when the
        caller needs to know whether it has seen the payload before."""
        if not payloads:
            return []
        now = utcnow()
        digests = [p.sha256 or sha256_hex(p.content) for p in payloads]
        with self._db.write(session) as s:
            if s.get_bind().dialect.name == "postgresql":
                params = {
                    "now": now,
                    "sha256": digests,
                    "source": [p.source for p in payloads],
                    "name": [p.name for p in payloads],
                    "size": [len(p.content) for p in payloads],
                    "content": [p.content for p in payloads],
                    "content_type": [p.content_type for p in payloads],
                }
                return sorted(int(i) for i in s.execute(_INSERT_MANY_PG, params).scalars())
            rows = [
                {
                    "sha256": digest,
                    "source": p.source,
                    "name": p.name,
                    "size": len(p.content),
                    "content": p.content,
                    "sender": None,
                    "interchange_control": None,
                    "content_type": p.content_type,
                    "headers": None,
                    "received_at": now,
                    "accepted_at": None,
                }
                for p, digest in zip(payloads, digests, strict=True)
            ]
            return [int(i) for i in s.execute(_INSERT_MANY, rows).scalars()]

    def put_once(
        self,
        content: bytes,
        *,
        source: str,
        name: str,
        sender: str | None = None,
        interchange_control: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        warning: str | None = None,
        session: Session | None = None,
    ) -> RawRef:
        """Like :meth:`put`, but when the identical file (source, name, sha256) is already stored,
        return that row instead of keeping a second copy. Atomic under concurrency: callers racing
        with the same file (two pollers, two hosts) all get the one row, whose ``warning`` and
        ``headers`` are those of the caller that inserted it.

        The row goes in with insert-or-ignore on its unique ``file_key``; on PostgreSQL a concurrent
        insert of the same key waits for the other transaction, then reads its row."""
        digest = sha256_hex(content)
        key = file_key(source, name, digest)
        with self._db.write(session) as s:
            existing = s.scalars(
                select(RawPayloadRow).where(_same_file(source, name, digest)).order_by(RawPayloadRow.id).limit(1)
            ).first()
            if existing is not None:  # also finds rows kept before file keys existed, and by put()
                return _ref(existing)
            values = _values(content, digest, source, name, sender, interchange_control, content_type, headers, warning)
            insert_ignore(s, RawPayloadRow, {**values, "file_key": key})
            row = s.scalars(select(RawPayloadRow).where(RawPayloadRow.file_key == key)).one()
            return _ref(row)

    def mark_accepted(self, payload_id: int, *, session: Session | None = None) -> bool:
        """Record that the payload was handed on for processing; ``False`` if it already was."""
        with self._db.write(session) as s:
            result = s.execute(
                update(RawPayloadRow)
                .where(RawPayloadRow.id == payload_id, RawPayloadRow.accepted_at.is_(None))
                .values(accepted_at=utcnow())
                .returning(RawPayloadRow.id)
            )
            return result.first() is not None

    def get(self, payload_id: int) -> RawPayload | None:
        with self._db.read() as s:
            row = s.get(RawPayloadRow, payload_id)
            if row is None:
                return None
            return RawPayload(_ref(row), row.content)

    def ref(self, payload_id: int) -> RawRef | None:
        with self._db.read() as s:
            row = s.get(RawPayloadRow, payload_id)
            return None if row is None else _ref(row)

    def seen_file(self, source: str, name: str, sha256: str, *, accepted_only: bool = False) -> RawRef | None:
        """The first payload stored (or, with ``accepted_only``, accepted) with this source, name and
        content hash, if any."""
        return self._first(_same_file(source, name, sha256), accepted_only)

    def seen_interchange(
        self, sender: str, interchange_control: str, *, sha256: str | None = None, accepted_only: bool = False
    ) -> RawRef | None:
        """The first payload stored (or accepted) for this X12 sender (ISA06) and ISA13, and, given
        ``sha256``, with that content: the same interchange sent again."""
        condition = _same_interchange(sender, interchange_control)
        if sha256 is not None:
            condition = condition & (RawPayloadRow.sha256 == sha256)
        return self._first(condition, accepted_only)

    def interchange_reused(
        self, sender: str, interchange_control: str, sha256: str, *, before: int | None = None
    ) -> RawRef | None:
        """The first ACCEPTED payload that carried this sender and ISA13 with OTHER content (stored
        before payload ``before``, when given): the partner reused the control number (a counter reset
        or wrap-around). Not a duplicate: the new interchange is processed, with a warning."""
        condition = _same_interchange(sender, interchange_control) & (RawPayloadRow.sha256 != sha256)
        if before is not None:
            condition = condition & (RawPayloadRow.id < before)
        return self._first(condition, True)

    def _first(self, condition: ColumnElement[bool], accepted_only: bool) -> RawRef | None:
        query = select(RawPayloadRow).where(condition).order_by(RawPayloadRow.id).limit(1)
        if accepted_only:
            query = query.where(RawPayloadRow.accepted_at.is_not(None))
        with self._db.read() as s:
            row = s.scalars(query).first()
            return None if row is None else _ref(row)


def _earlier_copy(
    source: str, name: str, digest: str, sender: str | None, control: str | None
) -> ColumnElement[bool]:
    condition = _same_file(source, name, digest)
    if sender is not None and control is not None:
        condition = or_(condition, _same_interchange(sender, control) & (RawPayloadRow.sha256 == digest))
    return condition


def _values(
    content: bytes,
    digest: str,
    source: str,
    name: str,
    sender: str | None,
    interchange_control: str | None,
    content_type: str | None,
    headers: Mapping[str, str] | None,
    warning: str | None,
) -> dict[str, object]:
    return {
        "sha256": digest,
        "source": source,
        "name": name,
        "size": len(content),
        "content": content,
        "sender": sender,
        "interchange_control": interchange_control,
        "content_type": content_type,
        "headers": dict(headers) if headers else None,
        "warning": warning,
        "received_at": utcnow(),
    }
