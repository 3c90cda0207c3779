"""Pure mapping: a canonical document (or plain mapping) → the nested request dict of one operation,
and a response dict → the logical values crossdock reads. No zeep here: the bridge hands the dict to
zeep, which checks it against the WSDL's types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from crossdock.errors import MappingError
from crossdock.soap.mapping_config import FieldRule, ListRule, OperationMap
from crossdock.soap.paths import assign, parse_target, resolve


def _plain(source: BaseModel | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, BaseModel):
        return source.model_dump(mode="json")
    return source


def _format(value: Any, fmt: str | None) -> Any:
    if isinstance(value, list):
        return [_format(item, fmt) for item in value]
    if fmt is None:
        return value
    if fmt == "str":
        return str(value)
    if fmt == "upper":
        return str(value).upper()
    if fmt == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = str(value)
        date.fromisoformat(text[:10])
        return text[:10]
    if fmt == "decimal":
        return Decimal(str(value))
    if fmt == "int":
        return int(value)
    if fmt == "bool":
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    raise ValueError(f"unknown format {fmt!r}")


def _fill(
    rules: Mapping[str, FieldRule | ListRule],
    item: Any,
    root: Any,
    position: int | None,
    where: str,
    errors: list[tuple[str, str]],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for target, rule in rules.items():
        at = f"{where}{target}"
        if isinstance(rule, ListRule):
            items = resolve(rule.path, item, root, position)
            if not items:
                if rule.required:
                    errors.append((at, f"required: no items at {rule.source!r}"))
                continue
            if not isinstance(items, list):
                errors.append((at, f"{rule.source!r} is not a list"))
                continue
            built = [_fill(rule.fields, entry, root, n, f"{at}[{n}].", errors) for n, entry in enumerate(items, 1)]
            assign(out, parse_target(target), built)
            continue
        value = rule.const if rule.path is None else resolve(rule.path, item, root, position)
        if value is None or value == "":
            value = rule.default
        if value is None:
            if rule.required:
                errors.append((at, f"required: nothing at {rule.source!r}"))
            continue
        try:
            assign(out, parse_target(target), _format(value, rule.format))
        except (ValueError, InvalidOperation, TypeError) as exc:
            errors.append((at, f"cannot format {value!r} as {rule.format}: {exc}"))
    return out


def build_request(op: OperationMap, source: BaseModel | Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
    """The keyword arguments of ``op.operation``; a :class:`MappingError` lists every field it cannot fill."""
    root = _plain(source)
    errors: list[tuple[str, str]] = []
    request = _fill(op.request, root, root, None, "", errors)
    if errors:
        raise MappingError(f"cannot build {op.operation} request", errors, owner=op.owner, key=key)
    return request


def _dig(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
        if value is None:
            return None
    return value


def read_response(op: OperationMap, response: Any) -> dict[str, Any]:
    """Pick the logical values named in ``op.response`` out of a response (dict or object)."""
    return {name: _dig(response, parse_target(path)) for name, path in op.response.items()}


def read_items(op: OperationMap, response: Any) -> list[dict[str, Any]]:
    """The repeated element named by ``op.response_items``, each item as its logical fields."""
    if op.response_items is None:
        return []
    items = _dig(response, parse_target(op.response_items.path))
    if items is None:
        return []
    if not isinstance(items, list):
        items = [items]
    fields = {name: parse_target(path) for name, path in op.response_items.fields.items()}
    return [{name: _dig(item, path) for name, path in fields.items()} for item in items]
