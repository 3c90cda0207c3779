"""Reading request elements by slash paths of local names in the contract's namespace."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from crossdock.soap.contract import NAMESPACE
from crossdock.soap.sim.envelope import SimFault


def _qualified(path: str) -> str:
    return "/".join(f"{{{NAMESPACE}}}{name}" for name in path.split("/"))


class Reader:
    """Typed access to one element's descendants; missing required values are ``VALIDATION`` faults."""

    def __init__(self, element: etree._Element, where: str = "") -> None:
        self.element = element
        self.where = where

    def _field(self, path: str) -> str:
        return f"{self.where}{path.replace('/', '.')}"

    def text(self, path: str, *, required: bool = False) -> str | None:
        value = self.element.findtext(_qualified(path))
        value = value.strip() if value else None
        if required and not value:
            raise SimFault("VALIDATION", f"{self._field(path)} must have a value.", self._field(path))
        return value

    def required(self, path: str) -> str:
        value = self.text(path, required=True)
        assert value is not None
        return value

    def decimal(self, path: str, *, required: bool = False) -> Decimal | None:
        value = self.text(path, required=required)
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            where = self._field(path)
            raise SimFault("VALIDATION", f"{where} is not a number: {value!r}.", where) from None

    def children(self, path: str) -> list[Reader]:
        found = self.element.findall(_qualified(path))
        return [Reader(el, f"{self._field(path)}[{n}].") for n, el in enumerate(found, 1)]
