"""Dotted paths: where a value comes from in a canonical document, and where it goes in a SOAP request.

Source paths read a JSON-like document (``Order.model_dump(mode="json")``)::

    external_id                           a field
    references.erp_customer_no            a key of a mapping field
    parties[role=ship_to].address.city    the first list item whose ``role`` is ``ship_to``
    parties[role=ship_to].address.lines[0]
    $index                                1-based position of the current item (inside a list rule)
    $root.external_id                     the top document, from inside a list rule

Target paths name nested elements of the request: ``SalesOrder.ShipToAddress.City``.
Both are parsed once, when the mapping configuration loads, so a typo is a load-time error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

_SEGMENT = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?:(?P<index>-?\d+)|(?P<key>[A-Za-z_]\w*)=(?P<value>[^\]]+))\])?$"
)
_TARGET_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
INDEX = "$index"
ROOT = "$root"


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    index: int | None = None
    key: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class SourcePath:
    text: str
    segments: tuple[Segment, ...]
    from_root: bool = False
    is_index: bool = False


def parse_source(text: str) -> SourcePath:
    """Parse a source path; raise ``ValueError`` saying which segment is wrong."""
    text = text.strip()
    if text == INDEX:
        return SourcePath(text, (), is_index=True)
    parts = text.split(".")
    from_root = parts[0] == ROOT
    if from_root:
        parts = parts[1:]
    if not parts or parts == [""]:
        raise ValueError(f"empty source path {text!r}")
    segments = []
    for part in parts:
        match = _SEGMENT.match(part)
        if match is None:
            expected = "name, name[0] or name[key=value]"
            raise ValueError(f"bad segment {part!r} in source path {text!r} (expected {expected})")
        index = match["index"]
        segments.append(Segment(match["name"], int(index) if index is not None else None, match["key"], match["value"]))
    return SourcePath(text, tuple(segments), from_root=from_root)


def parse_target(text: str) -> tuple[str, ...]:
    parts = tuple(text.strip().split("."))
    for part in parts:
        if not _TARGET_SEGMENT.match(part):
            raise ValueError(f"bad element name {part!r} in target path {text!r}")
    return parts


def _step(value: Any, segment: Segment) -> Any:
    if not isinstance(value, Mapping):
        return None
    value = value.get(segment.name)
    if segment.index is not None:
        if not isinstance(value, list) or not -len(value) <= segment.index < len(value):
            return None
        return value[segment.index]
    if segment.key is not None:
        if not isinstance(value, list):
            return None
        matches = (item for item in value if isinstance(item, Mapping) and str(item.get(segment.key)) == segment.value)
        return next(matches, None)
    return value


def resolve(path: SourcePath, item: Any, root: Any, position: int | None = None) -> Any:
    """The value at ``path`` in ``item`` (or ``root`` for ``$root.`` paths); ``None`` when absent."""
    if path.is_index:
        return position
    value = root if path.from_root else item
    for segment in path.segments:
        value = _step(value, segment)
        if value is None:
            return None
    return value


def assign(target: MutableMapping[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at the nested ``path`` of ``target``, creating dicts on the way."""
    node = target
    for name in path[:-1]:
        child = node.get(name)
        if not isinstance(child, MutableMapping):
            child = {}
            node[name] = child
        node = child
    node[path[-1]] = value
