"""The one place zeep, requests and lxml errors become crossdock errors (always ``from exc``).

SOAP faults are classified by :func:`crossdock.soap.faults.classify` (business → ``BusinessError``
with the ERP's message; "busy" → ``TransientError``); transport errors, timeouts and 5xx are
``TransientError``; 401/403 and a 404 endpoint are ``ConfigError``; a request zeep cannot fit to the
WSDL's types is a ``MappingError`` naming the element path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from lxml import etree
from zeep import exceptions as zeep_errors

from crossdock.errors import ConfigError, MappingError, Owner, TransientError
from crossdock.soap.faults import classify, read_fault


class ErpTimeoutError(TransientError):
    """The ERP did not answer within the read timeout (or did not accept the connection in time)."""


class ErpUnavailableError(TransientError):
    """The ERP could not be reached or answered with an HTTP error."""


def _status_error(operation: str, status: int) -> Exception:
    if status in (401, 403):
        return ConfigError(f"ERP {operation}: HTTP {status}, the credentials were refused")
    if status == 404:
        return ConfigError(f"ERP {operation}: HTTP 404, no SOAP endpoint at the configured address")
    return ErpUnavailableError(f"ERP {operation}: HTTP {status}")


@contextmanager
def erp_errors(operation: str, owner: Owner = Owner.INTEGRATION, key: str | None = None) -> Iterator[None]:
    """Translate whatever one ERP call raises into crossdock's classes."""
    try:
        yield
    except zeep_errors.Fault as exc:
        if exc.code is None and not isinstance(exc.detail, etree._Element):
            # zeep read an HTTP error page (a proxy's or the server's HTML) as an "Unknown fault".
            raise ErpUnavailableError(f"ERP {operation}: answered with an HTTP error page, not a SOAP fault") from exc
        fault = read_fault(exc.code, exc.message, exc.detail)
        if fault.error_code == "AUTHENTICATION_FAILED" or "FailedAuthentication" in (exc.code or ""):
            raise ConfigError(f"ERP {operation}: authentication failed: {fault.message}") from exc
        raise classify(fault, operation, owner, key) from exc
    except zeep_errors.TransportError as exc:
        raise _status_error(operation, exc.status_code) from exc
    except zeep_errors.ValidationError as exc:
        where = ".".join(str(part) for part in (exc.path or [])) or operation
        message = f"{operation} request does not fit the WSDL"
        raise MappingError(message, [(where, str(exc.message))], owner=owner, key=key) from exc
    except (zeep_errors.DTDForbidden, zeep_errors.EntitiesForbidden) as exc:
        raise ErpUnavailableError(f"ERP {operation}: the response carried a DTD/entity and was refused") from exc
    except (zeep_errors.XMLSyntaxError, zeep_errors.XMLParseError, etree.XMLSyntaxError) as exc:
        raise ErpUnavailableError(f"ERP {operation}: the response is not readable XML: {exc}") from exc
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
