"""The ERP over SOAP: a hardened zeep client built by a factory, a circuit breaker, one error-mapping
context manager, and the gateway (idempotent create) the flows call."""

from crossdock.bridges.soap.breaker import CircuitBreaker, CircuitOpenError, CircuitState
from crossdock.bridges.soap.client import ErpClient
from crossdock.bridges.soap.errors import ErpResponseTooLargeError, ErpTimeoutError, ErpUnavailableError, erp_errors
from crossdock.bridges.soap.factory import (
    ErpConnection,
    bind_service,
    build_breaker,
    build_erp_client,
    build_pacer,
    hardened_settings,
    load_wsdl,
)
from crossdock.bridges.soap.gateway import ErpGateway, ErpPort, InvoiceRef, SalesOrderChange, SalesOrderRef
from crossdock.bridges.soap.pacing import CallPacer
from crossdock.bridges.soap.profile import ErpProfile, build_gateway, load_erp_profile
from crossdock.bridges.soap.transport import HardenedTransport, LocalFileRefusedError, RemoteFetchRefusedError

__all__ = [
    "CallPacer",
    "CircuitBreaker",
    "CircuitOpenError",
    "CircuitState",
    "ErpClient",
    "ErpConnection",
    "ErpGateway",
    "ErpPort",
    "ErpProfile",
    "ErpResponseTooLargeError",
    "ErpTimeoutError",
    "ErpUnavailableError",
    "HardenedTransport",
    "InvoiceRef",
    "LocalFileRefusedError",
    "RemoteFetchRefusedError",
    "SalesOrderChange",
    "SalesOrderRef",
    "bind_service",
    "build_breaker",
    "build_erp_client",
    "build_pacer",
    "build_gateway",
    "erp_errors",
    "hardened_settings",
    "load_erp_profile",
    "load_wsdl",
]
