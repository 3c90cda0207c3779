"""erp_errors(): every zeep / requests / lxml failure becomes the crossdock class the caller acts on,
chained to the original (``from exc``)."""

from __future__ import annotations

import pytest
import requests
from lxml import etree
from zeep import exceptions as zeep_errors

from crossdock.bridges.soap import ErpTimeoutError, ErpUnavailableError, erp_errors
from crossdock.errors import BusinessError, ConfigError, CrossdockError, MappingError, Owner, TransientError
from crossdock.soap import ErpBusyError, ErpRefusedError

DETAIL = etree.fromstring(
    b'<detail><ErpFault xmlns="urn:crossdock:erp:v1"><ErrorCode>CUSTOMER_BLOCKED</ErrorCode>'
    b"<ErrorMessage>Customer C90000 is blocked for all transactions.</ErrorMessage><Field>SalesOrder.CustomerNo</Field>"
    b"</ErpFault></detail>"
)


def _raised(exc: Exception, owner: Owner = Owner.INTEGRATION) -> CrossdockError:
    with pytest.raises(CrossdockError) as caught, erp_errors("CreateSalesOrder", owner, key="PO-9"):
        raise exc
    assert caught.value.__cause__ is exc
    return caught.value


def test_a_business_fault_keeps_the_erps_words_field_and_key() -> None:
    error = _raised(zeep_errors.Fault("Customer C90000 is blocked", "soap:Client", detail=DETAIL))
    assert isinstance(error, ErpRefusedError) and isinstance(error, BusinessError)
    assert error.key == "PO-9" and error.fault.field == "SalesOrder.CustomerNo"
    assert "CUSTOMER_BLOCKED: Customer C90000 is blocked for all transactions." in str(error)


def test_a_locked_record_fault_is_transient() -> None:
    error = _raised(zeep_errors.Fault("The Sales Header table is locked by another user.", "soap:Server"))
    assert isinstance(error, ErpBusyError) and isinstance(error, TransientError)


def test_an_html_error_page_read_as_an_unknown_fault_is_transient() -> None:
    error = _raised(zeep_errors.Fault("Unknown fault occured", None, detail=b"<html><body>502</body></html>"))
    assert isinstance(error, ErpUnavailableError)


def test_authentication_faults_are_configuration_errors() -> None:
    fault = etree.fromstring(
        b"<detail><ErpFault><ErrorCode>AUTHENTICATION_FAILED</ErrorCode>"
        b"<ErrorMessage>bad</ErrorMessage></ErpFault></detail>"
    )
    assert isinstance(_raised(zeep_errors.Fault("bad", "soap:Client", detail=fault)), ConfigError)
    assert isinstance(_raised(zeep_errors.Fault("no", "wsse:FailedAuthentication")), ConfigError)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, ErpUnavailableError),
        (502, ErpUnavailableError),
        (503, ErpUnavailableError),
        (429, ErpUnavailableError),
        (401, ConfigError),
        (403, ConfigError),
        (404, ConfigError),
    ],
)
def test_http_statuses(status: int, expected: type[Exception]) -> None:
    error = _raised(zeep_errors.TransportError("Server returned HTTP status", status_code=status))
    assert isinstance(error, expected) and f"HTTP {status}" in str(error)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (requests.ConnectTimeout("connect timed out"), ErpTimeoutError),
        (requests.ReadTimeout("read timed out"), ErpTimeoutError),
        (requests.ConnectionError("refused"), ErpUnavailableError),
        (requests.exceptions.ChunkedEncodingError("cut"), ErpUnavailableError),
        (zeep_errors.DTDForbidden("x", "http://evil/x.dtd", None), ErpUnavailableError),
        (zeep_errors.EntitiesForbidden("a", "b"), ErpUnavailableError),
        (zeep_errors.XMLSyntaxError("Invalid XML content received"), ErpUnavailableError),
    ],
)
def test_transport_and_parsing_failures_are_transient(exc: Exception, expected: type[Exception]) -> None:
    error = _raised(exc)
    assert isinstance(error, expected) and isinstance(error, TransientError)


def test_a_request_that_does_not_fit_the_wsdl_is_a_mapping_error_with_its_path() -> None:
    error = _raised(zeep_errors.ValidationError("Missing element CustomerNo", path=["SalesOrder", "CustomerNo"]))
    assert isinstance(error, MappingError)
    assert error.errors == [("SalesOrder.CustomerNo", "Missing element CustomerNo")]


def test_anything_else_passes_through_untouched() -> None:
    with pytest.raises(KeyError), erp_errors("GetItem"):
        raise KeyError("a bug of ours stays a bug")
