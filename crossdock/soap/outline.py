"""A WSDL 1.1 outline read straight from its XML with the hardened parser: services, ports,
bindings, port types, operations and their input elements. No zeep, no network.

It answers what zeep cannot: whether a WSDL is *abstract* (port types but no binding or service, like
SAP ESR exports), which operation's input is which element, and which imports point at remote hosts
(so a load can refuse them before anything is fetched).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from lxml import etree

from crossdock.errors import ConfigError
from crossdock.soap.safe_xml import HostileXmlError, local_name, parse_xml
from crossdock.soap.schemas import is_well_known

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
SOAP11_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"


@dataclass(frozen=True)
class OperationOutline:
    name: str
    input_element: str | None  # Clark notation {ns}name of the input part's element, when it has one
    input_message: str | None


@dataclass(frozen=True)
class PortTypeOutline:
    name: str
    operations: tuple[OperationOutline, ...]


@dataclass(frozen=True)
class PortOutline:
    name: str
    binding: str
    address: str | None


@dataclass(frozen=True)
class WsdlOutline:
    target_namespace: str | None
    services: dict[str, tuple[PortOutline, ...]] = field(default_factory=dict)
    bindings: dict[str, str] = field(default_factory=dict)  # binding name -> port type name
    port_types: tuple[PortTypeOutline, ...] = ()
    imports: tuple[str, ...] = ()  # every wsdl:import location and xsd import/include schemaLocation
    wsdl_imports: tuple[str, ...] = ()  # the wsdl:import locations alone (other WSDL documents)
    rpc_wrappers: dict[tuple[str, str], str] = field(default_factory=dict)  # (port type, op) -> element

    @property
    def abstract(self) -> bool:
        return bool(self.port_types) and not self.bindings and not self.services

    @property
    def remote_imports(self) -> tuple[str, ...]:
        """Imports on remote hosts, less the well-known W3C/SOAP schemas crossdock carries itself."""
        return tuple(
            loc for loc in self.imports if urlparse(loc).scheme in ("http", "https", "ftp") and not is_well_known(loc)
        )

    def operation(self, name: str) -> OperationOutline | None:
        return next((op for pt in self.port_types for op in pt.operations if op.name == name), None)

    def merged(self, other: WsdlOutline) -> WsdlOutline:
        """This outline with a ``wsdl:import``-ed document's services, bindings and port types added
        (SAP, WCF and JAX-WS exports split the interface from the service); names already here win."""
        services = other.services | self.services
        bindings = other.bindings | self.bindings
        known = {pt.name for pt in self.port_types}
        wrappers = other.rpc_wrappers | self.rpc_wrappers
        port_types = tuple(
            PortTypeOutline(pt.name, tuple(_with_wrapper(op, wrappers.get((pt.name, op.name))) for op in pt.operations))
            for pt in (*self.port_types, *(pt for pt in other.port_types if pt.name not in known))
        )
        return WsdlOutline(
            target_namespace=self.target_namespace,
            services=services,
            bindings=bindings,
            port_types=port_types,
            imports=self.imports + tuple(loc for loc in other.imports if loc not in self.imports),
            wsdl_imports=self.wsdl_imports + tuple(loc for loc in other.wsdl_imports if loc not in self.wsdl_imports),
            rpc_wrappers=wrappers,
        )


def _with_wrapper(op: OperationOutline, wrapper: str | None) -> OperationOutline:
    return op if op.input_element or wrapper is None else OperationOutline(op.name, wrapper, op.input_message)


def _qname(element: etree._Element, value: str | None) -> str | None:
    if not value:
        return None
    prefix, _, name = value.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    return f"{{{namespace}}}{name}" if namespace else name


def _local(value: str | None) -> str:
    return (value or "").rsplit(":", 1)[-1]


def _rpc_wrappers(root: etree._Element) -> dict[tuple[str, str], str]:
    """(port type, operation) → ``{namespace}operation``, the element an rpc-style SOAP binding wraps the
    input parts in (namespace from the input's ``soap:body``, else the WSDL's target namespace)."""
    wrappers: dict[tuple[str, str], str] = {}
    target = root.get("targetNamespace") or ""
    for binding in root.iterfind(f"{{{WSDL_NS}}}binding"):
        for soap_ns in (SOAP11_NS, SOAP12_NS):
            soap_binding = binding.find(f"{{{soap_ns}}}binding")
            if soap_binding is not None:
                break
        else:
            continue  # an HTTP or other binding
        for op in binding.iterfind(f"{{{WSDL_NS}}}operation"):
            soap_op = op.find(f"{{{soap_ns}}}operation")
            style = (soap_op.get("style") if soap_op is not None else None) or soap_binding.get("style") or "document"
            if style != "rpc":
                continue
            body = op.find(f"{{{WSDL_NS}}}input/{{{soap_ns}}}body")
            namespace = (body.get("namespace") if body is not None else None) or target
            key = (_local(binding.get("type")), op.get("name", ""))
            wrappers.setdefault(key, f"{{{namespace}}}{op.get('name', '')}" if namespace else op.get("name", ""))
    return wrappers


def read_outline(data: bytes, origin: str = "WSDL") -> WsdlOutline:
    """Outline the WSDL in ``data``; a ``ConfigError`` naming ``origin`` when it is not WSDL 1.1."""
    try:
        root = parse_xml(data, origin)
    except HostileXmlError as exc:
        raise ConfigError(str(exc)) from exc
    if root.tag != f"{{{WSDL_NS}}}definitions":
        raise ConfigError(f"{origin} is not a WSDL 1.1 document (root element is {local_name(root)!r})")
    messages: dict[str, tuple[str | None, str | None]] = {}  # message -> (element part, else a type part's name)
    for message in root.iterfind(f"{{{WSDL_NS}}}message"):
        parts = message.findall(f"{{{WSDL_NS}}}part")
        # Multi-part messages (Oracle ISG: a header part and a body part): the body is the input.
        part = next((p for p in parts if p.get("name") in ("parameters", "body", "Body")), None)
        part = part if part is not None else next((p for p in parts if "header" not in p.get("name", "").lower()), None)
        element = _qname(part, part.get("element")) if part is not None else None
        typed_part = part.get("name") if part is not None and element is None and part.get("type") else None
        messages[message.get("name", "")] = (element, typed_part)
    rpc_wrappers = _rpc_wrappers(root)
    port_types = []
    for port_type in root.iterfind(f"{{{WSDL_NS}}}portType"):
        ops = []
        for op in port_type.iterfind(f"{{{WSDL_NS}}}operation"):
            input_ = op.find(f"{{{WSDL_NS}}}input")
            message_name = _local(input_.get("message")) if input_ is not None else None
            element, typed_part = messages.get(message_name or "", (None, None))
            if element is None:  # rpc style: the body's element is the operation's wrapper
                element = rpc_wrappers.get((port_type.get("name", ""), op.get("name", "")))
            if element is None:  # document style with type parts: each part is a body element of its name
                element = typed_part
            ops.append(OperationOutline(op.get("name", ""), element, message_name))
        port_types.append(PortTypeOutline(port_type.get("name", ""), tuple(ops)))
    bindings = {b.get("name", ""): _local(b.get("type")) for b in root.iterfind(f"{{{WSDL_NS}}}binding")}
    services = {}
    for service in root.iterfind(f"{{{WSDL_NS}}}service"):
        ports = []
        for port in service.iterfind(f"{{{WSDL_NS}}}port"):
            address = port.find(f"{{{SOAP11_NS}}}address")
            if address is None:
                address = port.find(f"{{{SOAP12_NS}}}address")
            location = address.get("location") if address is not None else None
            ports.append(PortOutline(port.get("name", ""), _local(port.get("binding")), location))
        services[service.get("name", "")] = tuple(ports)
    wsdl_imports = [el.get("location", "") for el in root.iterfind(f"{{{WSDL_NS}}}import")]
    imports = list(wsdl_imports)
    for tag in ("import", "include", "redefine"):
        imports += [el.get("schemaLocation", "") for el in root.iter(f"{{{XSD_NS}}}{tag}")]
    return WsdlOutline(
        target_namespace=root.get("targetNamespace"),
        services=services,
        bindings=bindings,
        port_types=tuple(port_types),
        imports=tuple(loc for loc in imports if loc),
        wsdl_imports=tuple(loc for loc in wsdl_imports if loc),
        rpc_wrappers=rpc_wrappers,
    )
