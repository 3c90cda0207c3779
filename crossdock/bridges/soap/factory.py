"""Build zeep clients: from the packaged WSDL (or a user's WSDL file) offline, with hardened settings.

Constructors do no IO; :func:`build_erp_client` is the one place that loads a WSDL and it never
touches the network while doing so: :class:`HardenedTransport` refuses every remote load (see
:func:`hardened_settings` for why that, not zeep's ``forbid_external``, is the gate), and no DTD or
entity is ever parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import zeep
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from zeep import exceptions as zeep_errors
from zeep.proxy import ServiceProxy
from zeep.wsdl.bindings.soap import Soap12Binding, SoapBinding
from zeep.wsse.username import UsernameToken
from zeep.xsd import ComplexType, Element

from crossdock.bridges.soap.breaker import DEFAULT_OUTAGE_WINDOW_S, CircuitBreaker
from crossdock.bridges.soap.pacing import DEFAULT_MAX_CALLS_PER_S, CallPacer
from crossdock.bridges.soap.transport import (
    CALL_DEADLINE_S,
    MAX_RESPONSE_BYTES,
    HardenedTransport,
    LocalFileRefusedError,
    RemoteFetchRefusedError,
)
from crossdock.errors import ConfigError
from crossdock.soap import contract


def hardened_settings() -> zeep.Settings:
    """No DTDs, no entities, no huge trees. Remote loads are refused by :class:`HardenedTransport`, the one
    gate every load goes through, rather than by zeep's ``forbid_external``: that flag would also refuse
    the SOAP encoding schema that every rpc/encoded WSDL names, which the transport serves from the
    package instead of fetching it."""
    return zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=False, xml_huge_tree=False)


class ErpConnection(BaseModel):
    """How to reach one ERP. Secrets are ``SecretStr``: never printed, never logged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str = Field(pattern=r"^https?://", description="The SOAP endpoint (POST address).")
    wsdl_file: Path | None = Field(default=None, description="A local WSDL; unset: crossdock's packaged contract.")
    schema_dirs: tuple[Path, ...] = Field(
        default=(), description="Folders besides the WSDL's own whose files its imports and includes may read."
    )
    service: str | None = None
    port: str | None = None
    username: str | None = Field(default=None, description="WS-Security UsernameToken user.")
    password: SecretStr | None = None
    password_digest: bool = False
    basic_username: str | None = None
    basic_password: SecretStr | None = None
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=30.0, gt=0)
    call_deadline_s: float = Field(
        default=CALL_DEADLINE_S, gt=0, description="The whole call: connect, send, headers and body."
    )
    max_response_bytes: int = Field(
        default=MAX_RESPONSE_BYTES, ge=1024, description="The largest answer read, decoded (gzip included)."
    )
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=30.0, ge=0)
    outage_window_s: float = Field(
        default=DEFAULT_OUTAGE_WINDOW_S,
        ge=0,
        description="While the circuit is open, messages wait (spending no retry) for up to this long in all.",
    )
    max_calls_per_s: float | None = Field(
        default=DEFAULT_MAX_CALLS_PER_S,
        gt=0,
        description="Calls per second each worker process makes at most (a backlog drains at this pace); "
        "null: no limit.",
    )


def load_wsdl(location: Path | str, transport: HardenedTransport, settings: zeep.Settings | None = None) -> zeep.Client:
    """Load a WSDL with zeep; remote imports fail fast with a ``ConfigError`` naming their URL, and local
    ones outside the WSDL's folder (and the transport's ``local_roots``) with one naming the file."""
    transport.confine_to(location)
    try:
        return zeep.Client(str(location), transport=transport, settings=settings or hardened_settings())
    except (RemoteFetchRefusedError, LocalFileRefusedError):
        raise
    except ConfigError as exc:  # the transport refused a local file (a device, too large, a strange scheme)
        raise ConfigError(f"cannot load WSDL {location}: {exc}") from exc
    except zeep_errors.ExternalReferenceForbidden as exc:
        raise RemoteFetchRefusedError(str(exc.url)) from exc
    except (zeep_errors.DTDForbidden, zeep_errors.EntitiesForbidden) as exc:
        raise ConfigError(f"WSDL {location} carries a DTD or entity declaration, which is refused") from exc
    except (zeep_errors.Error, OSError, ValueError) as exc:
        raise ConfigError(f"cannot load WSDL {location}: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"cannot load WSDL {location}: its imports or types refer to each other without end") from exc
    except Exception as exc:  # zeep's own failures on WSDLs it cannot model (AttributeError, KeyError, ...)
        raise ConfigError(f"cannot load WSDL {location}: zeep cannot read it ({_describe(exc)})") from exc


def _describe(exc: BaseException) -> str:
    """A library failure as a reader can use it: its class and message, never a traceback."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _transport(connection: ErpConnection) -> HardenedTransport:
    basic = None
    if connection.basic_username is not None:
        secret = connection.basic_password.get_secret_value() if connection.basic_password else ""
        basic = (connection.basic_username, secret)
    return HardenedTransport(
        connect_timeout=connection.connect_timeout_s,
        read_timeout=connection.read_timeout_s,
        basic_auth=basic,
        local_roots=connection.schema_dirs,
        max_response_bytes=connection.max_response_bytes,
        call_deadline=connection.call_deadline_s,
    )


def soap_version(binding: object) -> str | None:
    """``"1.1"`` or ``"1.2"`` for a SOAP binding; ``None`` for an HTTP GET/POST or other binding, which
    crossdock cannot call (ASP.NET services list such ports beside their SOAP ones)."""
    if isinstance(binding, Soap12Binding):
        return "1.2"
    if isinstance(binding, SoapBinding):
        return "1.1"
    return None


def bind_service(
    client: zeep.Client,
    endpoint: str,
    service: str | None = None,
    port: str | None = None,
    operation: str | None = None,
) -> ServiceProxy:
    """The service proxy of ``service``/``port`` posting to ``endpoint``. Unnamed, they default to the
    first SOAP port whose binding offers ``operation`` (when given), SOAP 1.1 before 1.2. HTTP GET/POST
    ports are never picked. The port's own binding is used, also when it comes from an imported WSDL."""
    services = client.wsdl.services
    if not services:  # a binding-only WSDL (SAP exports one per binding, without a service): bind directly
        bindings = [b for b in client.wsdl.bindings.values() if soap_version(b) is not None]
        if not bindings or service is not None or port is not None:
            raise ConfigError("the WSDL has no service and no SOAP binding: it cannot be called")
        if operation is not None:
            bindings = [b for b in bindings if operation in b._operations] or bindings
        bindings.sort(key=lambda b: soap_version(b) != "1.1")
        return ServiceProxy(client, bindings[0], address=endpoint)
    if service is not None and service not in services:
        raise ConfigError(f"the WSDL has no service {service!r} (has: {', '.join(services)})")
    names = [service] if service is not None else list(services)
    candidates = [(name, port_name, p) for name in names for port_name, p in services[name].ports.items()]
    if port is not None:
        candidates = [c for c in candidates if c[1] == port]
        if not candidates:
            known = ", ".join(p for name in names for p in services[name].ports) or "none"
            raise ConfigError(f"the WSDL has no port {port!r} in {' or '.join(map(repr, names))} (has: {known})")
    soap = [c for c in candidates if soap_version(getattr(c[2], "binding", None)) is not None]
    if not soap:
        listed = ", ".join(f"{c[1]} ({type(getattr(c[2], 'binding', None)).__name__})" for c in candidates) or "none"
        raise ConfigError(f"the WSDL has no SOAP port crossdock can call (ports: {listed})")
    if operation is not None:
        soap = [c for c in soap if operation in c[2].binding._operations] or soap
    soap.sort(key=lambda c: soap_version(c[2].binding) != "1.1")  # SOAP 1.1 first: every ERP speaks it
    return ServiceProxy(client, soap[0][2].binding, address=endpoint)


def request_arguments(operation: Any, request: Mapping[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """zeep's arguments for ``request``: keywords, except for a body that is one element of a simple type
    (``<element name="inputXml" type="xsd:string"/>``), which zeep takes positionally."""
    body = getattr(getattr(operation, "input", None), "body", None)
    name = getattr(body, "name", None)
    simple = isinstance(body, Element) and not isinstance(body.type, ComplexType)
    if simple and isinstance(name, str) and set(request) == {name}:
        return (request[name],), {}
    return (), dict(request)


def build_erp_client(connection: ErpConnection) -> tuple[zeep.Client, ServiceProxy]:
    """Load the WSDL offline and bind it to ``connection.endpoint`` with credentials and timeouts."""
    transport = _transport(connection)
    if connection.wsdl_file is not None:
        client = load_wsdl(connection.wsdl_file, transport)
    else:
        with resources.as_file(resources.files(contract).joinpath(contract.WSDL_NAME)) as path:
            client = load_wsdl(path, transport)
    if connection.username is not None:
        secret = connection.password.get_secret_value() if connection.password else ""
        client.wsse = UsernameToken(connection.username, secret, use_digest=connection.password_digest)
    return client, bind_service(client, connection.endpoint, connection.service, connection.port)


def build_breaker(connection: ErpConnection) -> CircuitBreaker:
    return CircuitBreaker(
        connection.breaker_failures, connection.breaker_cooldown_s, outage_window_s=connection.outage_window_s
    )


def build_pacer(connection: ErpConnection) -> CallPacer | None:
    """The process's pace for ERP calls (``None``: unpaced). Build one per process and share it."""
    return None if connection.max_calls_per_s is None else CallPacer(connection.max_calls_per_s)
