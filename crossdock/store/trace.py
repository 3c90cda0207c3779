"""Trace: from any business key (marketplace order id, PO number, ERP order number, ISA/GS/ST control
number, tracking number) or a correlation or message id, every journal hop in time order and the
related documents.

How: the key is looked up in the indexed ``message_keys`` values and in the journal's correlation and
message ids; the document links are walked from the key and from every key those messages carry;
the linked documents' ids are looked up as message keys too (the other legs: a 945 that arrived in
its own correlation). All correlations found are read from the journal, oldest hop first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crossdock.store.engine import Database
from crossdock.store.journal import Hop, Journal
from crossdock.store.links import DocumentLinks, LinkedSet
from crossdock.store.models import JournalRow, MessageKeyRow

_ID_BATCH = 500
MIN_ID_PREFIX = 8
"""A message or correlation id may be given by a unique prefix this long (``trace`` prints 12 characters)."""
_MAX_WALKS = 50


@dataclass(frozen=True, slots=True)
class TraceResult:
    key: str
    correlation_ids: tuple[str, ...]
    hops: tuple[Hop, ...]
    documents: LinkedSet
    keys: tuple[tuple[str, str], ...]
    """(kind, value) business keys of the messages found, e.g. ``("tracking_number", "1Z...")``."""

    @property
    def found(self) -> bool:
        return bool(self.hops or self.documents.documents)


def key_variants(key: str) -> list[str]:
    """The key as typed, plus the usual spellings of a numeric control number (``905`` ↔
    ``000000905`` for ISA13, ``0905`` for ST02)."""
    key = key.strip()
    variants = [key]
    if key.isdigit():
        bare = key.lstrip("0") or "0"
        variants += [bare, bare.zfill(4), bare.zfill(9)]
    return list(dict.fromkeys(variants))


class Tracer:
    def __init__(self, db: Database, journal: Journal, links: DocumentLinks) -> None:
        self._db = db
        self._journal = journal
        self._links = links

    def trace(self, key: str) -> TraceResult:
        variants = key_variants(key)
        with self._db.read() as s:
            # 1. Messages that carry the key, or whose correlation or message id it is.
            correlations = _correlations_for_values(s, set(variants))
            correlations |= set(
                s.scalars(
                    select(JournalRow.correlation_id)
                    .where(or_(JournalRow.correlation_id.in_(variants), JournalRow.message_id.in_(variants)))
                    .distinct()
                )
            )
            if not correlations and len(key.strip()) >= MIN_ID_PREFIX:
                correlations = _correlations_for_prefix(s, key.strip())
            carried = {value for _, value in _keys_of(s, correlations)}
        # 2. Documents linked to the key or to any key those messages carry.
        documents = LinkedSet((), ())
        for value in [*variants, *sorted(carried - set(variants))][:_MAX_WALKS]:
            if value not in {d.doc_id for d in documents.documents}:
                documents = _merge(documents, self._links.connected(value))
        # 3. Messages that carry any of those documents' ids (the other legs of the story).
        with self._db.read() as s:
            correlations |= _correlations_for_values(s, {d.doc_id for d in documents.documents})
            keys = _keys_of(s, correlations)
        hops = self._journal.for_correlations(correlations)
        return TraceResult(key, tuple(sorted(correlations)), tuple(hops), documents, tuple(keys))


def _correlations_for_prefix(s: Session, prefix: str) -> set[str]:
    """The correlation of the one message (or correlation) whose id starts with ``prefix``; empty
    when none does or when several correlations do (an ambiguous prefix names nothing)."""
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = set(
        s.scalars(
            select(JournalRow.correlation_id)
            .where(
                or_(
                    JournalRow.message_id.like(pattern, escape="\\"),
                    JournalRow.correlation_id.like(pattern, escape="\\"),
                )
            )
            .distinct()
            .limit(2)
        )
    )
    return found if len(found) == 1 else set()


def _correlations_for_values(s: Session, values: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(values)
    for i in range(0, len(ordered), _ID_BATCH):
        batch = ordered[i : i + _ID_BATCH]
        found |= set(s.scalars(select(MessageKeyRow.correlation_id).where(MessageKeyRow.value.in_(batch)).distinct()))
    return found


def _keys_of(s: Session, correlations: set[str]) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    ordered = sorted(correlations)
    for i in range(0, len(ordered), _ID_BATCH):
        batch = ordered[i : i + _ID_BATCH]
        rows = s.execute(select(MessageKeyRow.kind, MessageKeyRow.value).where(MessageKeyRow.correlation_id.in_(batch)))
        found |= {(kind, value) for kind, value in rows}
    return sorted(found)


def _merge(first: LinkedSet, second: LinkedSet) -> LinkedSet:
    documents = tuple(sorted(set(first.documents) | set(second.documents)))
    links = tuple(dict.fromkeys(first.links + second.links))
    return LinkedSet(documents, links, first.truncated or second.truncated)
