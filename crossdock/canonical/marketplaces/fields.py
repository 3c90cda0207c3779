"""Reading marketplace JSON with field paths: every problem is collected as ``(path, message)`` so one
:class:`~crossdock.errors.MappingError` can name all of them (``line_items[2].quantity: ...``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from crossdock.canonical.redact import describe
from crossdock.errors import MappingError

M = TypeVar("M", bound=BaseModel)


def join(base: str, key: str | int) -> str:
    """``join("line_items", 2) == "line_items[2]"``, ``join("line_items[2]", "sku") == "line_items[2].sku"``."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


class FieldReader:
    """Collects field-level problems while a mapping reads one document. Pure: no IO, no logging."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def problem(self, path: str, message: str) -> None:
        self.errors.append((path or "<document>", message))

    def obj(self, parent: Mapping[str, Any], base: str, key: str, *, required: bool = False) -> Mapping[str, Any]:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(join(base, key), "is required")
            return {}
        if not isinstance(value, Mapping):
            self.problem(join(base, key), f"must be an object, got {type(value).__name__}")
            return {}
        return value

    def items(self, parent: Mapping[str, Any], base: str, key: str, *, required: bool = False) -> list[Any]:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(join(base, key), "is required")
            return []
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            self.problem(join(base, key), f"must be a list, got {type(value).__name__}")
            return []
        return list(value)

    def text(self, parent: Mapping[str, Any], base: str, key: str, *, required: bool = False) -> str | None:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(join(base, key), "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(join(base, key), f"must be a string, got {type(value).__name__}")
            return None
        return str(value).strip()

    def decimal(self, parent: Mapping[str, Any], base: str, key: str, *, required: bool = False) -> Decimal | None:
        value = parent.get(key)
        path = join(base, key)
        if value is None or value == "":
            if required:
                self.problem(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(path, f"must be a number, got {type(value).__name__}")
            return None
        try:
            # str() first: a JSON float 10.1 must become Decimal("10.1"), not its binary expansion.
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.problem(path, f"{describe(value)} is not a number")
            return None
        if not number.is_finite():
            self.problem(path, f"{describe(value)} is not a finite number")
            return None
        return number

    def quantity(self, parent: Mapping[str, Any], base: str, key: str, *, allow_zero: bool = False) -> Decimal | None:
        number = self.decimal(parent, base, key, required=True)
        if number is None:
            return None
        if number < 0 or (number == 0 and not allow_zero):
            self.problem(join(base, key), f"must be greater than 0, got {number}")
            return None
        return number

    def timestamp(self, parent: Mapping[str, Any], base: str, key: str, *, required: bool = False) -> datetime | None:
        """An ISO-8601 date-time with an offset (``Z`` allowed), or epoch milliseconds (Walmart)."""
        value = parent.get(key)
        path = join(base, key)
        if value is None or value == "":
            if required:
                self.problem(path, "is required")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                self.problem(path, f"{describe(value)} is not a valid epoch-milliseconds timestamp")
                return None
        if not isinstance(value, str):
            self.problem(path, f"must be an ISO-8601 date-time, got {type(value).__name__}")
            return None
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            self.problem(path, f"{describe(value)} is not an ISO-8601 date-time")
            return None
        if parsed.tzinfo is None:
            self.problem(path, f"{describe(value)} has no UTC offset; marketplace times must be aware")
            return None
        return parsed

    def raise_if_any(self, what: str, key: str | None = None) -> None:
        if self.errors:
            raise MappingError(f"cannot map {what}", self.errors, key=key)


def build(model: type[M], what: str, key: str | None, **fields: Any) -> M:
    """Build a canonical model; its own validation errors become a MappingError on canonical paths."""
    try:
        return model(**fields)
    except ValidationError as exc:
        errors = [(_loc(err["loc"]), err["msg"]) for err in exc.errors()]
        raise MappingError(f"cannot map {what}: the result is not a valid {model.__name__}", errors, key=key) from exc


def _loc(loc: tuple[int | str, ...]) -> str:
    path = "canonical"
    for part in loc:
        path = join(path, part)
    return path


def require_object(document: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        raise MappingError(
            f"cannot map {what}", [("<document>", f"must be a JSON object, got {type(document).__name__}")]
        )
    return document
