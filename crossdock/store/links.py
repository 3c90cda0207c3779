"""Cross-references between business documents: marketplace order (and lines) ↔ ERP sales order ↔
940 / warehouse order ↔ shipments and packages ↔ invoices ↔ returns ↔ settlement lines.

Links are undirected edges between :class:`DocRef` nodes; :meth:`DocumentLinks.connected` walks the
whole connected set from any id. Line-level links (``DocRef(..., line="2")``) also connect their
documents: the walk treats a line as part of its document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select, union, union_all
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.models import DocumentLinkRow

MAX_DOCUMENTS = 5_000
"""A connected set larger than this is cut off (a mis-linked id must not walk the whole table)."""
_BATCH = 200


class DocType(StrEnum):
    """The document kinds crossdock links. Any other string is accepted too."""

    MARKETPLACE_ORDER = "marketplace_order"
    CHANNEL_ORDER = "channel_order"
    """A marketplace order under its channel, ``<channel>:<order id>`` (``shopify:5100000001``): linked to
    its ``marketplace_order`` alone, so the channel is one hop away and no node gathers a channel's orders."""
    MARKETPLACE_FULFILLMENT = "marketplace_fulfillment"
    """A shipment confirmed to a marketplace: ``<channel>:<the marketplace's fulfillment id>``."""
    PURCHASE_ORDER = "purchase_order"
    ERP_ORDER = "erp_order"
    WAREHOUSE_ORDER = "warehouse_order"
    SHIPMENT = "shipment"
    PACKAGE = "package"
    TRACKING_NUMBER = "tracking_number"
    INVOICE = "invoice"
    RETURN = "return"
    SETTLEMENT = "settlement"
    SETTLEMENT_LINE = "settlement_line"
    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION_SET = "transaction_set"
    ACKNOWLEDGMENT = "acknowledgment"
    """A partner's 997 for one of our groups: ``<sender>:<ISA13>:<group>:<status>``."""
    WORK_ITEM = "work_item"
    """An exception work item opened about the document."""


@dataclass(frozen=True, slots=True, order=True)
class DocRef:
    """A business document (``doc_type``, ``doc_id``), or one line of it when ``line`` is set."""

    doc_type: str
    doc_id: str
    line: str = ""

    @property
    def document(self) -> DocRef:
        return DocRef(self.doc_type, self.doc_id)

    def __str__(self) -> str:
        base = f"{self.doc_type}:{self.doc_id}"
        return f"{base}#{self.line}" if self.line else base


@dataclass(frozen=True, slots=True)
class Link:
    a: DocRef
    b: DocRef
    message_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LinkedSet:
    """Every document reachable from a starting id, and the links between them."""

    documents: tuple[DocRef, ...]
    links: tuple[Link, ...]
    truncated: bool = False

    def ids(self, doc_type: str) -> list[str]:
        return sorted({d.doc_id for d in self.documents if d.doc_type == doc_type})


def _row_link(row: DocumentLinkRow) -> Link:
    return Link(
        DocRef(row.a_type, row.a_id, row.a_line),
        DocRef(row.b_type, row.b_id, row.b_line),
        row.message_id,
        row.created_at,
    )


class DocumentLinks:
    def __init__(self, db: Database) -> None:
        self._db = db

    def link(
        self, first: DocRef, second: DocRef, *, message_id: str | None = None, session: Session | None = None
    ) -> bool:
        """Record that two documents (or lines) belong together; ``False`` when already linked."""
        if first.document == second.document and first.line == second.line:
            raise ValueError(f"cannot link {first} to itself")
        a, b = sorted((first, second))
        values = {
            "a_type": a.doc_type,
            "a_id": a.doc_id,
            "a_line": a.line,
            "b_type": b.doc_type,
            "b_id": b.doc_id,
            "b_line": b.line,
            "message_id": message_id,
            "created_at": utcnow(),
        }
        with self._db.write(session) as s:
            return insert_ignore(s, DocumentLinkRow, values)

    def find(self, doc_id: str, doc_type: str | None = None) -> list[DocRef]:
        """Documents known under ``doc_id`` (of any type unless ``doc_type`` is given)."""
        with self._db.read() as s:
            return sorted(self._documents_with_id(s, doc_id, doc_type))

    def neighbours(self, document: DocRef, doc_type: str | None = None) -> list[DocRef]:
        """The documents linked directly to ``document`` (any line of it): one hop, not the whole
        connected set; only those of ``doc_type`` when it is given."""
        with self._db.read() as s:
            found: set[DocRef] = set()
            for row in s.scalars(select(DocumentLinkRow).where(_touching([document.document]))):
                link = _row_link(row)
                other = link.b if link.a.document == document.document else link.a
                if doc_type is None or other.doc_type == doc_type:
                    found.add(other.document)
            return sorted(found)

    def without(
        self, doc_type: str, missing: str, *, linked_before: datetime, limit: int = MAX_DOCUMENTS
    ) -> list[tuple[DocRef, datetime]]:
        """Documents of ``doc_type`` first linked before ``linked_before`` that have no link to any
        document of type ``missing`` (outbound groups still without an acknowledgment, say), with the
        time of their first link, oldest first; at most ``limit``."""
        row = DocumentLinkRow
        ends = union_all(
            select(row.a_id.label("doc_id"), row.created_at).where(row.a_type == doc_type),
            select(row.b_id.label("doc_id"), row.created_at).where(row.b_type == doc_type),
        ).subquery()
        matched = union(
            select(row.a_id).where(row.a_type == doc_type, row.b_type == missing),
            select(row.b_id).where(row.b_type == doc_type, row.a_type == missing),
        )
        first = func.min(ends.c.created_at)
        query = (
            select(ends.c.doc_id, first)
            .where(ends.c.doc_id.not_in(matched))
            .group_by(ends.c.doc_id)
            .having(first < linked_before)
            .order_by(first, ends.c.doc_id)
            .limit(limit)
        )
        with self._db.read() as s:
            return [(DocRef(doc_type, doc_id), at) for doc_id, at in s.execute(query)]

    def connected(self, start: str | DocRef, *, limit: int = MAX_DOCUMENTS) -> LinkedSet:
        """The whole connected set from a document or a bare id (matching documents of any type)."""
        with self._db.read() as s:
            frontier = {start.document} if isinstance(start, DocRef) else self._documents_with_id(s, start, None)
            seen: set[DocRef] = set(frontier)
            links: dict[int, Link] = {}
            truncated = False
            while frontier:
                ordered = sorted(frontier)
                rows: list[DocumentLinkRow] = []
                for i in range(0, len(ordered), _BATCH):
                    rows.extend(s.scalars(select(DocumentLinkRow).where(_touching(ordered[i : i + _BATCH]))))
                frontier = set()
                for row in rows:
                    link = _row_link(row)
                    links[row.id] = link
                    for end in (link.a.document, link.b.document):
                        if end not in seen:
                            if len(seen) >= limit:
                                truncated = True
                                continue
                            seen.add(end)
                            frontier.add(end)
            return LinkedSet(tuple(sorted(seen)), tuple(links[k] for k in sorted(links)), truncated)

    @staticmethod
    def _documents_with_id(s: Session, doc_id: str, doc_type: str | None) -> set[DocRef]:
        found: set[DocRef] = set()
        for side_type, side_id in (
            (DocumentLinkRow.a_type, DocumentLinkRow.a_id),
            (DocumentLinkRow.b_type, DocumentLinkRow.b_id),
        ):
            query = select(side_type).where(side_id == doc_id).distinct()
            if doc_type is not None:
                query = query.where(side_type == doc_type)
            found.update(DocRef(t, doc_id) for t in s.scalars(query))
        return found


def _touching(documents: list[DocRef]) -> ColumnElement[bool]:
    """Links with either end on one of ``documents`` (any line of them)."""
    by_id: dict[str, set[str]] = {}
    for doc in documents:
        by_id.setdefault(doc.doc_id, set()).add(doc.doc_type)
    clauses = []
    for doc_id, types in by_id.items():
        clauses.append(and_(DocumentLinkRow.a_id == doc_id, DocumentLinkRow.a_type.in_(sorted(types))))
        clauses.append(and_(DocumentLinkRow.b_id == doc_id, DocumentLinkRow.b_type.in_(sorted(types))))
    return or_(*clauses)
