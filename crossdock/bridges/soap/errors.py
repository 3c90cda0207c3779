"""The one place zeep, requests and lxml errors become crossdock errors (always ``from exc``).

SOAP faults are classified by :func:`crossdock.soap.faults.classify` (business → ``BusinessError``
with the ERP's message; "busy" → ``TransientError``); transport errors, timeouts and 5xx are
``TransientError``; so are a call past its deadline and an answer past the size cap (see
:mod:`crossdock.bridges.soap.limits`), which the breaker counts as failures. 401/403 and a 404 endpoint
are ``ConfigError``; a request zeep cannot fit to the WSDL's types is a ``MappingError`` naming the
element path. What the ERP wrote (a fault string, an unreadable body) is cut to a few KB before it
reaches a message, and in the zeep error kept as the cause, so a huge fault never fills a log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from lxml import etree
from zeep import exceptions as zeep_errors

from crossdock.bridges.soap.limits import CallDeadlineError, ResponseTooLargeError
from crossdock.errors import ConfigError, MappingError, Owner, TransientError
from crossdock.soap.faults import MAX_FAULT_TEXT, classify, cut, read_fault


class ErpTimeoutError(TransientError):
    """The ERP did not answer within the read timeout (or did not accept the connection in time)."""


class ErpUnavailableError(TransientError):
    """The ERP could not be reached or answered with an HTTP error."""


class ErpResponseTooLargeError(TransientError):
    """The ERP's answer passed the configured size cap (decoded) and was cut: retry later, and if it
    lasts, look at what the ERP sends."""


def _shorten(exc: zeep_errors.Error) -> None:
    """zeep puts what the ERP wrote (a fault string, a whole unreadable body) in its message: cut it
    there too, since the error is chained as the cause and tracebacks print it."""
    if len(exc.message or "") > MAX_FAULT_TEXT:
        exc.message = cut(exc.message)
        exc.args = (exc.message,)
    if isinstance(exc, zeep_errors.TransportError):
        exc.content = None  # the body, up to the size cap: not kept alive by the error chain


def _status_error(operation: str, status: int) -> Exception:
    if status in (401, 403):
        return ConfigError(f"ERP {operation}: HTTP {status}, the credentials were refused")
    if status == 404:
        return ConfigError(f"ERP {operation}: HTTP 404, no SOAP endpoint at the configured address")
    return ErpUnavailableError(f"ERP {operation}: HTTP {status}")


def _from_zeep(exc: zeep_errors.Error, operation: str, owner: Owner, key: str | None) -> Exception | None:
    if isinstance(exc, zeep_errors.Fault):
        if exc.code is None and not isinstance(exc.detail, etree._Element):
            # zeep read an HTTP error page (a proxy's or the server's HTML) as an "Unknown fault".
            return ErpUnavailableError(f"ERP {operation}: answered with an HTTP error page, not a SOAP fault")
        fault = read_fault(exc.code, exc.message, exc.detail)
        if fault.error_code == "AUTHENTICATION_FAILED" or "FailedAuthentication" in (exc.code or ""):
            return ConfigError(f"ERP {operation}: authentication failed: {fault.message}")
        return classify(fault, operation, owner, key)
    if isinstance(exc, zeep_errors.TransportError):
        if 200 <= exc.status_code < 300:  # zeep's "invalid XML" on a successful answer
            return ErpUnavailableError(f"ERP {operation}: the response is not readable XML")
        return _status_error(operation, exc.status_code)
    if isinstance(exc, zeep_errors.ValidationError):
        where = ".".join(str(part) for part in (exc.path or [])) or operation
        message = f"{operation} request does not fit the WSDL"
        return MappingError(message, [(where, str(exc.message))], owner=owner, key=key)
    if isinstance(exc, (zeep_errors.DTDForbidden, zeep_errors.EntitiesForbidden)):
        return ErpUnavailableError(f"ERP {operation}: the response carried a DTD/entity and was refused")
    if isinstance(exc, (zeep_errors.XMLSyntaxError, zeep_errors.XMLParseError)):
        return ErpUnavailableError(f"ERP {operation}: the response is not readable XML: {cut(str(exc), 500)}")
    return None


@contextmanager
def erp_errors(operation: str, owner: Owner = Owner.INTEGRATION, key: str | None = None) -> Iterator[None]:
    """Translate whatever one ERP call raises into crossdock's classes."""
    try:
        yield
    except CallDeadlineError as exc:
        raise ErpTimeoutError(f"ERP {operation}: {exc}") from exc
    except ResponseTooLargeError as exc:
        raise ErpResponseTooLargeError(f"ERP {operation}: {exc}") from exc
    except zeep_errors.Error as exc:
        _shorten(exc)
        mapped = _from_zeep(exc, operation, owner, key)
        if mapped is None:
            raise
        raise mapped from exc
    except etree.XMLSyntaxError as exc:
        raise ErpUnavailableError(f"ERP {operation}: the response is not readable XML: {cut(str(exc), 500)}") from exc
    except requests.Timeout as exc:
        raise ErpTimeoutError(f"ERP {operation}: timed out ({type(exc).__name__})") from exc
    except requests.ConnectionError as exc:
        raise ErpUnavailableError(f"ERP {operation}: cannot connect: {type(exc).__name__}") from exc
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise _status_error(operation, status) from exc
    except requests.TooManyRedirects as exc:
        raise ErpUnavailableError(
            f"ERP {operation}: the endpoint answered with a redirect, which crossdock does not follow: "
            "configure the final URL"
        ) from exc
    except requests.RequestException as exc:
        raise ErpUnavailableError(f"ERP {operation}: HTTP error {type(exc).__name__}") from exc
