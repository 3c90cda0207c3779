"""Build zeep clients: from the packaged WSDL (or a user's WSDL file) offline, with hardened settings.

Constructors do no IO; :func:`build_erp_client` is the one place that loads a WSDL and it never
touches the network while doing so (``forbid_external`` plus a transport that refuses remote loads).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import zeep
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from zeep import exceptions as zeep_errors
from zeep.proxy import ServiceProxy
from zeep.wsse.username import UsernameToken

from crossdock.bridges.soap.breaker import CircuitBreaker
from crossdock.bridges.soap.transport import HardenedTransport, RemoteFetchRefusedError
from crossdock.errors import ConfigError
from crossdock.soap import contract


def hardened_settings() -> zeep.Settings:
    return zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False)


class ErpConnection(BaseModel):
    """How to reach one ERP. Secrets are ``SecretStr``: never printed, never logged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str = Field(pattern=r"^https?://", description="The SOAP endpoint (POST address).")
    wsdl_file: Path | None = Field(default=None, description="A local WSDL; unset: crossdock's packaged contract.")
    service: str | None = None
    port: str | None = None
    username: str | None = Field(default=None, description="WS-Security UsernameToken user.")
    password: SecretStr | None = None
    password_digest: bool = False
    basic_username: str | None = None
    basic_password: SecretStr | None = None
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=30.0, gt=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=30.0, ge=0)


def load_wsdl(location: Path | str, transport: HardenedTransport, settings: zeep.Settings | None = None) -> zeep.Client:
    """Load a WSDL with zeep; remote imports fail fast with a ``ConfigError`` naming their URL."""
    try:
        return zeep.Client(str(location), transport=transport, settings=settings or hardened_settings())
    except RemoteFetchRefusedError:
        raise
    except zeep_errors.ExternalReferenceForbidden as exc:
        raise RemoteFetchRefusedError(str(exc.args[0]) if exc.args else str(exc)) from exc
    except (zeep_errors.DTDForbidden, zeep_errors.EntitiesForbidden) as exc:
        raise ConfigError(f"WSDL {location} carries a DTD or entity declaration, which is refused") from exc
    except (zeep_errors.Error, OSError, ValueError) as exc:
        raise ConfigError(f"cannot load WSDL {location}: {exc}") from exc


def _transport(connection: ErpConnection) -> HardenedTransport:
    basic = None
    if connection.basic_username is not None:
        secret = connection.basic_password.get_secret_value() if connection.basic_password else ""
        basic = (connection.basic_username, secret)
    return HardenedTransport(
        connect_timeout=connection.connect_timeout_s, read_timeout=connection.read_timeout_s, basic_auth=basic
    )


def bind_service(
    client: zeep.Client, endpoint: str, service: str | None = None, port: str | None = None
) -> ServiceProxy:
    """The service proxy of ``service``/``port`` (default: the first ones) posting to ``endpoint``."""
    services = client.wsdl.services
    if not services:
        raise ConfigError("the WSDL is abstract (no service or binding): it cannot be called")
    name = service or next(iter(services))
    if name not in services:
        raise ConfigError(f"the WSDL has no service {name!r} (has: {', '.join(services)})")
    ports = services[name].ports
    port_name = port or next(iter(ports))
    if port_name not in ports:
        raise ConfigError(f"service {name!r} has no port {port_name!r} (has: {', '.join(ports)})")
    return client.create_service(ports[port_name].binding.name, endpoint)


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
    return CircuitBreaker(connection.breaker_failures, connection.breaker_cooldown_s)
