"""The HL hierarchy of a set (856 and its kin): levels with their segments, linked by the HL02 parent
pointers after every HL is read (a parent may come after its child). An empty HL02 below the first
level falls back, with a warning, to the nearest earlier level of a higher rank (S > O > T > P > I).
Unknown ids, duplicate ids and cycles are field-level errors at the HL's position. A hierarchy deeper
than :data:`MAX_DEPTH` levels is refused with an :class:`~crossdock.errors.EdiLimitError` at the first HL
below the limit (real ones are at most a handful deep: shipment, order, tare, pack, item), so nothing
that walks the tree can run out of stack."""

from __future__ import annotations

from dataclasses import dataclass, field

from crossdock.edi.segment import Segment
from crossdock.edi.sets.mapping import SetContext
from crossdock.errors import EdiLimitError

LEVELS = "SOTPI"
MAX_DEPTH = 64
"""HL levels one below another at most (the root is depth 1)."""


@dataclass(eq=False, slots=True)
class Node:
    """One HL level: its HL segment, level code (HL03), own segments and child levels."""

    hl: Segment
    level: str
    segments: list[Segment] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


def build(ctx: SetContext, segments: list[Segment]) -> tuple[list[Segment], list[Node], Segment | None, list[Node]]:
    """Segments before the first HL, the root HL nodes, the CTT segment, and every HL node in input
    order. Parents are resolved after every HL is read, so a parent may appear after its child."""
    header: list[Segment] = []
    nodes: list[Node] = []
    ctt: Segment | None = None
    current: Node | None = None
    for seg in segments:
        sid = seg.elements[0]
        if sid == "HL":
            if len(seg.elements) > 5:  # HL01..HL04 are read: only a longer HL has something to report
                ctx.used(seg, 1, 2, 3, 4)
            current = Node(seg, seg[3])
            nodes.append(current)
        elif sid == "CTT":
            ctt, current = seg, None
        elif current is not None:
            current.segments.append(seg)
        elif ctt is None:
            header.append(seg)
        else:
            ctx.keep(seg)
    roots = _link(ctx, nodes)
    check_depth(roots)
    return header, roots, ctt, nodes


def check_depth(roots: list[Node], limit: int = MAX_DEPTH) -> None:
    """Raise :class:`EdiLimitError` at the first HL deeper than ``limit`` (iteratively: no recursion)."""
    stack = [(root, 1) for root in roots]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            hl = node.hl
            raise EdiLimitError(
                f"HL hierarchy deeper than {limit} levels (HL {hl[1]!r} is at depth {depth})",
                offset=hl.offset, segment_index=hl.index, segment_id="HL", element=2,
            )  # fmt: skip
        stack.extend((child, depth + 1) for child in node.children)


def _link(ctx: SetContext, nodes: list[Node]) -> list[Node]:
    by_id: dict[str, Node] = {}
    for node in nodes:
        hl_id = node.hl[1]
        if not hl_id:
            ctx.error(ctx.where(node.hl, 1), "hierarchy", "HL01 hierarchical id is required")
        elif hl_id in by_id:
            ctx.error(ctx.where(node.hl, 1), "hierarchy", f"HL01 {hl_id!r} used twice")
        else:
            by_id[hl_id] = node
    parents: dict[Node, Node] = {}
    for position, node in enumerate(nodes):
        hl = node.hl
        if hl[2]:
            parent = by_id.get(hl[2])
            if parent is None or parent is node:
                ctx.error(ctx.where(hl, 2), "hierarchy", f"HL02 parent {hl[2]!r} is not the HL01 of another level")
            else:
                parents[node] = parent
        elif node.level != "S" and LEVELS.find(node.level) > 0:
            rank = LEVELS.find(node.level)
            earlier = (n for n in reversed(nodes[:position]) if 0 <= LEVELS.find(n.level) < rank)
            parent = next(earlier, None)
            if parent is not None:
                parents[node] = parent
                ctx.warn(hl, f"HL02 missing: placed under HL {parent.hl[1]} by level", 2)
    roots: list[Node] = []
    reaches_root: dict[Node, bool] = {}  # False: its parent pointers run into a cycle
    for node in nodes:
        parent = parents.get(node)
        if parent is None or reaches_root.get(parent):  # the common case: a root, or under a linked level
            reaches_root[node] = True
            (parent.children if parent is not None else roots).append(node)
            continue
        path: list[Node] = []
        on_path: set[Node] = set()
        up: Node | None = node
        while up is not None and up not in reaches_root and up not in on_path:
            path.append(up)
            on_path.add(up)
            up = parents.get(up)
        ok = up is None or reaches_root.get(up, False)
        for seen in path:
            reaches_root[seen] = ok
        if not ok:
            ctx.error(ctx.where(node.hl, 2), "hierarchy", "HL02 parent pointers form a cycle")
            continue
        parent.children.append(node)
    return roots
