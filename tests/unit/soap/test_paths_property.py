"""Properties of dotted paths: whatever set of non-overlapping target paths a mapping names, the
request built from it holds each value exactly at its path."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.soap.mapping import build_request
from crossdock.soap.mapping_config import OperationMap
from crossdock.soap.paths import parse_source, resolve

NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
PATH = st.lists(NAME, min_size=1, max_size=4).map(tuple)


def _no_prefixes(paths: list[tuple[str, ...]]) -> bool:
    return not any(a != b and b[: len(a)] == a for a in paths for b in paths)


@settings(max_examples=150)
@given(
    st.dictionaries(PATH, st.text(min_size=1, max_size=5), min_size=1, max_size=6).filter(
        lambda d: _no_prefixes(list(d))
    )
)
def test_each_constant_lands_at_its_path(values: dict[tuple[str, ...], str]) -> None:
    op = OperationMap(operation="Op", request={".".join(path): {"const": value} for path, value in values.items()})
    request = build_request(op, {})
    for path, value in values.items():
        node: Any = request
        for name in path:
            node = node[name]
        assert node == value


@settings(max_examples=150)
@given(PATH, st.integers(min_value=-1000, max_value=1000))
def test_source_paths_read_what_is_there_and_none_elsewhere(path: tuple[str, ...], value: int) -> None:
    document: dict[str, Any] = {}
    node = document
    for name in path[:-1]:
        node = node.setdefault(name, {})
    node[path[-1]] = value
    parsed = parse_source(".".join(path))
    assert resolve(parsed, document, document) == value
    assert resolve(parse_source(".".join((*path, "missing"))), document, document) is None
