"""What a WSDL offers: services, ports, operations and their input fields (nested names and types).

Files load offline (local imports/includes inside the file's folder, or a folder in ``allowed_dirs``,
are fine; files elsewhere and remote ones are a ``ConfigError`` naming them, before any read or
fetch). A URL loads with timeouts from that one origin.
An abstract WSDL (port types, no binding or service) is reported as such from its XML outline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import zeep
from zeep.xsd import ComplexType, Element
from zeep.xsd.elements.indicators import Choice, Group

from crossdock.bridges.soap.factory import hardened_settings, load_wsdl, soap_version
from crossdock.bridges.soap.transport import (
    REMOTE_SCHEMES,
    HardenedTransport,
    LocalFileRefusedError,
    RemoteFetchRefusedError,
)
from crossdock.errors import ConfigError
from crossdock.soap.outline import WsdlOutline, read_outline

MAX_DEPTH = 8
SOAP_ENV_11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_ENV_12 = "http://www.w3.org/2003/05/soap-envelope"
MAX_FIELDS = 50_000  # per operation; SAP ESR exports reach ~10k


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    min_occurs: int
    max_occurs: int | str
    children: list[FieldInfo] = field(default_factory=list)
    choice: str | None = None  # fields with the same label are alternatives (xsd:choice): fill one of them


@dataclass(frozen=True)
class OperationInfo:
    name: str
    input_element: str | None
    input: list[FieldInfo]
    headers: list[FieldInfo] = field(default_factory=list)


@dataclass(frozen=True)
class PortInfo:
    service: str
    port: str
    binding: str
    address: str | None
    operations: list[OperationInfo]
    soap: str = "1.1"  # the binding's SOAP version


@dataclass(frozen=True)
class WsdlReport:
    location: str
    target_namespace: str | None
    abstract: bool
    ports: list[PortInfo]
    port_types: dict[str, list[OperationInfo]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _type_name(element: Element) -> str:
    xsd_type = element.type
    qname = getattr(xsd_type, "qname", None)
    if qname is not None:
        return str(qname.localname)
    return "(anonymous complex)" if isinstance(xsd_type, ComplexType) else "?"


def _array_item_type(xsd_type: Any) -> Any:
    """The item type of a SOAP-encoded array (``restriction base="soapenc:Array"`` with a
    ``wsdl:arrayType``), else ``None``. zeep fills such an element from a plain list of items."""
    if not isinstance(xsd_type, ComplexType):
        return None
    try:
        array_type = xsd_type._array_type
    except Exception:
        return None
    return getattr(array_type, "array_type", None) if array_type is not None else None


def _choices(particle: Any, labels: dict[int, tuple[str, int]], inside: tuple[str, int] | None = None) -> None:
    """Label every element inside an ``xsd:choice`` of ``particle`` with that choice (``choice-N``) and
    the choice's own minOccurs (zeep gives its alternatives minOccurs 0)."""
    if isinstance(particle, Choice):
        inside = (f"choice-{len({label for label, _ in labels.values()}) + 1}", int(particle.min_occurs))
    if isinstance(particle, Element):
        if inside is not None:
            labels[id(particle)] = inside
        return
    if isinstance(particle, Group):
        _choices(particle.child, labels, inside)
    elif isinstance(particle, list):  # Sequence, All, Choice
        for child in particle:
            _choices(child, labels, inside)


def _fields(
    xsd_type: Any, depth: int = 0, seen: frozenset[str] = frozenset(), budget: list[int] | None = None
) -> list[FieldInfo]:
    """The fields of ``xsd_type``, nested MAX_DEPTH deep; at most MAX_FIELDS per operation, so a schema
    whose types fan out (n fields, each n fields, ...) cannot make inspection run for minutes."""
    budget = [MAX_FIELDS] if budget is None else budget
    if not isinstance(xsd_type, ComplexType) or depth >= MAX_DEPTH or budget[0] <= 0:
        return []
    key = str(getattr(xsd_type, "qname", "") or id(xsd_type))
    if key in seen:
        return []
    out = []
    labels: dict[int, tuple[str, int]] = {}
    _choices(getattr(xsd_type, "_element", None), labels)
    for name, element in xsd_type.elements:
        if not isinstance(element, Element):
            continue
        budget[0] -= 1
        max_occurs: int | str = "unbounded" if element.max_occurs == "unbounded" else int(element.max_occurs)
        item_type = _array_item_type(element.type)
        if item_type is not None:  # a SOAP-encoded array: one element filled with a list of items
            max_occurs = "unbounded"
            children = _fields(item_type, depth + 1, seen | {key}, budget)
        else:
            children = _fields(element.type, depth + 1, seen | {key}, budget)
        choice, min_occurs = labels.get(id(element), (None, int(element.min_occurs)))
        out.append(FieldInfo(name, _type_name(element), min_occurs, max_occurs, children, choice))
    for name, attribute in xsd_type.attributes:
        if not name or getattr(attribute, "type", None) is None:
            continue  # xsd:anyAttribute: nothing to name or fill
        required = 1 if getattr(attribute, "required", False) else 0  # SAP's schemeID="..." use="required"
        out.append(FieldInfo(f"@{name}", _type_name(attribute), required, 1))
    return out


def _element_fields(client: zeep.Client | None, qname: str | None) -> list[FieldInfo]:
    if client is None or not qname:
        return []
    try:
        return _fields(client.get_element(qname).type)
    except (zeep.exceptions.Error, KeyError, ValueError):
        return []


def _operation_info(name: str, operation: Any) -> OperationInfo:
    body = getattr(operation.input, "body", None)
    header = getattr(operation.input, "header", None)
    qname = str(body.qname) if isinstance(body, Element) and body.qname is not None else None
    if qname in (f"{{{SOAP_ENV_11}}}Body", f"{{{SOAP_ENV_12}}}Body"):
        qname = None  # document style with type parts: zeep wraps them in the Body itself, no one element
    headers = _fields(getattr(header, "type", None)) if header is not None else []
    if isinstance(body, Element) and body.name and not isinstance(body.type, ComplexType):
        # the whole body is one value (an XML document as a string, say): the element itself is the field
        return OperationInfo(name, qname, [FieldInfo(body.name, _type_name(body), 1, 1)], headers)
    return OperationInfo(name, qname, _fields(getattr(body, "type", None)), headers)


def _ports(client: zeep.Client) -> list[PortInfo]:
    """The SOAP ports of every service (HTTP GET/POST ports and ports without a binding are left out)."""
    ports = []
    for service_name, service in client.wsdl.services.items():
        for port_name, port in service.ports.items():
            binding: Any = getattr(port, "binding", None)
            version = soap_version(binding)
            if binding is None or version is None:
                continue
            operations = [_operation_info(name, op) for name, op in sorted(binding._operations.items())]
            address = (port.binding_options or {}).get("address")
            ports.append(PortInfo(service_name, port_name, binding.name.localname, address, operations, version))
    return ports


def _outline_ops(outline: WsdlOutline, client: zeep.Client | None) -> dict[str, list[OperationInfo]]:
    return {
        port_type.name: [
            OperationInfo(op.name, op.input_element, _element_fields(client, op.input_element))
            for op in port_type.operations
        ]
        for port_type in outline.port_types
    }


MAX_WSDL_IMPORTS = 50


def _with_imported_wsdls(outline: WsdlOutline, location: str, transport: HardenedTransport) -> WsdlOutline:
    """``outline`` merged with the WSDL documents it ``wsdl:import``s from local files (or, for a URL, from
    that origin): their port types, bindings and imports count too. Remote ones are left for the
    remote-import check; an imported schema (not a WSDL) is zeep's business."""
    pending = [(location, loc) for loc in outline.wsdl_imports]
    seen = {location}
    while pending and len(seen) <= MAX_WSDL_IMPORTS:
        base, loc = pending.pop(0)
        if urlparse(loc).scheme in REMOTE_SCHEMES and urlparse(base).netloc != urlparse(loc).netloc:
            continue
        remote_base = urlparse(base).scheme in REMOTE_SCHEMES
        target = urljoin(base, loc) if remote_base else os.path.normpath(os.path.join(os.path.dirname(base), loc))
        if target in seen:
            continue
        seen.add(target)
        try:
            imported = read_outline(transport.load(target), target)
        except ConfigError:
            continue  # not a WSDL (an XSD imported with wsdl:import), unreadable: zeep reports it when loading
        outline = outline.merged(imported)
        pending += [(target, nested) for nested in imported.wsdl_imports]
    return outline


def load_for_inspection(
    location: str, timeout_s: float = 30.0, allowed_dirs: Sequence[str | Path] = ()
) -> tuple[zeep.Client | None, WsdlOutline]:
    """Load a WSDL file (offline) or URL (that origin only) with zeep and outline it."""
    remote = urlparse(location).scheme in REMOTE_SCHEMES
    transport = HardenedTransport(
        connect_timeout=min(timeout_s, 10.0),
        read_timeout=timeout_s,
        allowed_origin=location if remote else None,
        local_roots=allowed_dirs,
    )
    transport.confine_to(location)
    try:
        data = transport.load(location)  # a URL from its own origin only; a path or file:// URL from a file
    except ConfigError:
        raise
    except Exception as exc:  # requests errors from a URL fetch: name the URL, keep the cause
        raise ConfigError(f"cannot fetch WSDL {location}: {type(exc).__name__}") from exc
    outline = _with_imported_wsdls(read_outline(data, location), location, transport)
    for url in outline.remote_imports:
        if not remote or urlparse(url).netloc != urlparse(location).netloc:
            raise RemoteFetchRefusedError(url)
    try:  # the transport refuses every remote load but the allowed origin's
        client = load_wsdl(location, transport, hardened_settings())
    except (RemoteFetchRefusedError, LocalFileRefusedError):
        raise
    except ConfigError:
        if not outline.abstract:
            raise
        client = None
    return client, outline


def inspect_wsdl(location: str, timeout_s: float = 30.0, allowed_dirs: Sequence[str | Path] = ()) -> WsdlReport:
    client, outline = load_for_inspection(location, timeout_s, allowed_dirs)
    try:
        ports = _ports(client) if client is not None else []
        port_types = _outline_ops(outline, client)
    except RecursionError as exc:
        raise ConfigError(f"cannot inspect WSDL {location}: its types refer to each other without end") from exc
    except Exception as exc:  # zeep resolves some parts lazily: its failures there name the WSDL too
        raise ConfigError(f"cannot inspect WSDL {location}: zeep cannot read it ({type(exc).__name__}: {exc})") from exc
    return WsdlReport(location, outline.target_namespace, outline.abstract, ports, port_types)
