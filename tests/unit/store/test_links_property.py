"""Property: ``connected`` returns exactly the component a union-find over the same links computes."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.store import DocRef, Store

TYPES = ("marketplace_order", "erp_order", "shipment")
NODES = st.tuples(st.sampled_from(TYPES), st.integers(0, 7), st.sampled_from(["", "1", "2"]))
EDGES = st.lists(st.tuples(NODES, NODES), max_size=14)


def _components(edges: list[tuple[DocRef, DocRef]]) -> dict[DocRef, set[DocRef]]:
    parent: dict[DocRef, DocRef] = {}

    def find(x: DocRef) -> DocRef:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a.document)] = find(b.document)
    groups: dict[DocRef, set[DocRef]] = {}
    for node in list(parent):
        groups.setdefault(find(node), set()).add(node)
    return {node: groups[find(node)] for node in parent}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edges=EDGES)
def test_connected_matches_union_find(sqlite_store: Store, edges: list[tuple[tuple[str, int, str], ...]]) -> None:
    run = uuid.uuid4().hex[:8]  # each example gets its own ids in the shared database

    def ref(node: tuple[str, int, str]) -> DocRef:
        return DocRef(node[0], f"{run}-{node[1]}", node[2])

    links = [(ref(a), ref(b)) for a, b in edges if ref(a) != ref(b)]
    for a, b in links:
        sqlite_store.links.link(a, b)
    expected = _components(links)
    for node, component in expected.items():
        assert set(sqlite_store.links.connected(node).documents) == component
        # by bare id: every document with that id (of any type) and their components
        by_id = set().union(*(c for n, c in expected.items() if n.doc_id == node.doc_id))
        assert set(sqlite_store.links.connected(node.doc_id).documents) == by_id
