"""One ERP, callable by logical operation: mapping → zeep → response values, behind the breaker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from zeep.helpers import serialize_object
from zeep.proxy import ServiceProxy

from crossdock.bridges.soap.breaker import CircuitBreaker
from crossdock.bridges.soap.errors import erp_errors
from crossdock.bridges.soap.factory import request_arguments
from crossdock.errors import ConfigError, Owner
from crossdock.soap.mapping import build_request, read_items, read_response
from crossdock.soap.mapping_config import ErpMapping


class ErpClient:
    """Calls one ERP. Built by the caller from a bound zeep service, a mapping and a breaker (no IO here)."""

    def __init__(self, service: ServiceProxy, mapping: ErpMapping, breaker: CircuitBreaker) -> None:
        self._service = service
        self.mapping = mapping
        self.breaker = breaker

    def call(self, logical: str, source: BaseModel | Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
        """Map ``source`` into the request of the ``logical`` operation, call it, and read its response:
        the ``response`` values, plus ``items`` when the operation maps ``response_items``."""
        op = self.mapping.operation(logical)
        request = build_request(op, source, key=key)
        response = self.invoke(op.operation, request, owner=op.owner, key=key)
        values = read_response(op, response)
        if op.response_items is not None:
            values["items"] = read_items(op, response)
        return values

    def invoke(
        self, operation: str, request: Mapping[str, Any], *, owner: Owner = Owner.INTEGRATION, key: str | None = None
    ) -> dict[str, Any]:
        """Call a WSDL operation with a ready request dict; the response as plain dicts."""
        binding = self._service._binding
        try:
            binding_operation = binding.get(operation)
        except ValueError as exc:
            raise ConfigError(f"the ERP's WSDL has no operation {operation!r}") from exc
        with self.breaker.guard(), erp_errors(operation, owner, key):
            args, kwargs = request_arguments(binding_operation, request)
            result = self._service[operation](*args, **kwargs)
        value = serialize_object(result, target_cls=dict)
        output = getattr(binding_operation.output.body, "type", None)
        elements = getattr(output, "elements", [])
        if len(elements) == 1 and not getattr(output, "attributes", []):
            # zeep unwraps a response element with a single child; put the child's name back.
            value = {elements[0][0]: value}
        return value if isinstance(value, dict) else {"value": value}
