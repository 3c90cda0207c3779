"""Raw payload store: the bytes exactly as received (inbound EDI files, webhook bodies, SOAP replies),
kept so bad input can be inspected and replayed, plus the "seen before?" checks for duplicate files.

Every payload is stored, duplicates too; :attr:`RawRef.duplicate_of` tells the caller it has seen the
same file (same source, name and SHA-256) or the same interchange (same sender and ISA13) before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.models import RawPayloadRow


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


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
    duplicate_of: int | None = None
    """Id of the earliest earlier payload with the same (source, name, sha256) or (sender, ISA13)."""


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
        duplicate_of=duplicate_of,
    )


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
        session: Session | None = None,
    ) -> RawRef:
        """Keep ``content``; ``source`` says where from (``sftp:acme-3pl``, ``webhook:shopify``,
        ``erp``), ``name`` the file name or request id. ``sender``/``interchange_control`` are the
        ISA06 and ISA13 of an X12 interchange, when known."""
        digest = sha256_hex(content)
        with self._db.write(session) as s:
            earlier = self._first_match(s, source, name, digest, sender, interchange_control)
            row = RawPayloadRow(
                sha256=digest,
                source=source,
                name=name,
                size=len(content),
                content=content,
                sender=sender,
                interchange_control=interchange_control,
                content_type=content_type,
                received_at=utcnow(),
            )
            s.add(row)
            s.flush()
            return _ref(row, earlier)

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

    def seen_file(self, source: str, name: str, sha256: str) -> RawRef | None:
        """The first payload stored with this source, name and content hash, if any."""
        with self._db.read() as s:
            row = s.scalars(
                select(RawPayloadRow)
                .where(RawPayloadRow.source == source, RawPayloadRow.name == name, RawPayloadRow.sha256 == sha256)
                .order_by(RawPayloadRow.id)
                .limit(1)
            ).first()
            return None if row is None else _ref(row)

    def seen_interchange(self, sender: str, interchange_control: str) -> RawRef | None:
        """The first payload stored for this X12 sender (ISA06) and interchange control number (ISA13)."""
        with self._db.read() as s:
            row = s.scalars(
                select(RawPayloadRow)
                .where(RawPayloadRow.sender == sender, RawPayloadRow.interchange_control == interchange_control)
                .order_by(RawPayloadRow.id)
                .limit(1)
            ).first()
            return None if row is None else _ref(row)

    @staticmethod
    def _first_match(
        s: Session, source: str, name: str, digest: str, sender: str | None, control: str | None
    ) -> int | None:
        same_file: ColumnElement[bool] = (
            (RawPayloadRow.source == source) & (RawPayloadRow.name == name) & (RawPayloadRow.sha256 == digest)
        )
        condition = same_file
        if sender is not None and control is not None:
            condition = or_(
                same_file, (RawPayloadRow.sender == sender) & (RawPayloadRow.interchange_control == control)
            )
        return s.scalars(select(RawPayloadRow.id).where(condition).order_by(RawPayloadRow.id).limit(1)).first()
