"""The document graph of a trace as an SVG drawing: one column per kind of document, in the order an
order travels (channel order → purchase order → ERP order → warehouse order → shipment ...), a box per
document and a line per link. Pure: takes a :class:`LinkedSet`, returns the drawing's data."""

from __future__ import annotations

from dataclasses import dataclass

from crossdock.store import DocRef, LinkedSet

ORDER = ("channel_order", "marketplace_order", "purchase_order", "interchange", "erp_order", "warehouse_order",
         "group", "transaction_set", "acknowledgment", "shipment", "erp_shipment", "package", "tracking_number",
         "marketplace_fulfillment", "invoice", "return", "settlement", "work_item")  # fmt: skip
COLUMN_W, ROW_H, BOX_W, BOX_H, PAD = 190, 46, 176, 34, 12


@dataclass(frozen=True, slots=True)
class Node:
    ref: DocRef
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[tuple[Node, Node], ...]
    width: int
    height: int


def document_graph(documents: LinkedSet) -> Graph:
    kinds = sorted({d.doc_type for d in documents.documents}, key=lambda k: (ORDER.index(k) if k in ORDER else 99, k))
    at: dict[DocRef, Node] = {}
    tallest = 0
    for column, kind in enumerate(kinds):
        docs = sorted(d.document for d in documents.documents if d.doc_type == kind)
        for row, doc in enumerate(dict.fromkeys(docs)):
            at[doc] = Node(doc, PAD + column * COLUMN_W, PAD + row * ROW_H)
        tallest = max(tallest, len(docs))
    edges = []
    for link in documents.links:
        a, b = at.get(link.a.document), at.get(link.b.document)
        if a is not None and b is not None and a != b:
            edges.append((a, b) if a.x <= b.x else (b, a))
    width = PAD * 2 + max(1, len(kinds)) * COLUMN_W
    height = PAD * 2 + max(1, tallest) * ROW_H
    return Graph(tuple(at.values()), tuple(dict.fromkeys(edges)), width, height)
