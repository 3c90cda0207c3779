"""Build a request envelope through the mapping layer without sending it: the proof that a user's
ERP WSDL and mapping file fit together. Works for abstract WSDLs too (renders the input element)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import zeep
from lxml import etree
from pydantic import BaseModel

from crossdock.bridges.soap.errors import erp_errors
from crossdock.bridges.soap.factory import bind_service, request_arguments
from crossdock.errors import ConfigError, MappingError
from crossdock.soap.mapping import build_request
from crossdock.soap.mapping_config import OperationMap
from crossdock.soap.outline import WsdlOutline

UNSENT_ENDPOINT = "http://127.0.0.1:9/not-sent"


def build_message(
    client: zeep.Client, outline: WsdlOutline, op: OperationMap, source: BaseModel | Mapping[str, Any]
) -> bytes:
    """The XML zeep would send for ``op`` filled from ``source`` (a SOAP envelope, or for an abstract
    WSDL the bare input element)."""
    request = build_request(op, source)
    try:
        with erp_errors(op.operation, op.owner):
            if outline.abstract:
                described = outline.operation(op.operation)
                if described is None or described.input_element is None:
                    raise ConfigError(f"the WSDL has no operation {op.operation!r} with an input element")
                try:
                    element = client.get_element(described.input_element)
                except (LookupError, zeep.exceptions.LookupError) as exc:  # an element no schema declares
                    raise ConfigError(
                        f"operation {op.operation!r}: its input element {described.input_element} is not declared "
                        "in the WSDL's schemas"
                    ) from exc
                holder = etree.Element("holder")
                element.render(holder, element(**request))
                return etree.tostring(holder[0])
            service = bind_service(client, UNSENT_ENDPOINT, op.service, op.port, op.operation)
            if op.operation not in service._binding._operations:
                raise ConfigError(f"the WSDL has no operation {op.operation!r}")
            args, kwargs = request_arguments(service._binding._operations[op.operation], request)
            # zeep's create_message takes the binding options from the client's default service, which a
            # binding-only WSDL does not have: pass this proxy's own.
            envelope, _ = service._binding._create(
                op.operation, args, kwargs, client=client, options=service._binding_options
            )
            return etree.tostring(envelope)
    except TypeError as exc:  # zeep: an element name the WSDL's type does not have
        raise MappingError(f"{op.operation} request does not fit the WSDL", [(op.operation, str(exc))]) from exc
