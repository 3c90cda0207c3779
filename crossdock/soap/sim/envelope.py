"""SOAP 1.1 envelopes for the simulator: read a request (hardened), write a response or a fault."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from crossdock.soap.contract import NAMESPACE
from crossdock.soap.safe_xml import HostileXmlError, local_name, parse_xml

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_DIGEST = "#PasswordDigest"  # noqa: S105 - a token type URI suffix, not a password


class SimFault(Exception):  # noqa: N818 - it is a SOAP fault, named as the protocol names it
    """A fault the simulator answers with: ``faultcode`` Client (caller's fault) or Server."""

    def __init__(self, code: str, message: str, field: str | None = None, faultcode: str = "Client") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.faultcode = faultcode


@dataclass(frozen=True)
class SoapRequest:
    operation: str
    body: etree._Element
    header: etree._Element | None


def read_request(data: bytes) -> SoapRequest:
    try:
        root = parse_xml(data, "SOAP request")
    except HostileXmlError as exc:
        raise SimFault("MALFORMED_REQUEST", str(exc)) from exc
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SimFault("MALFORMED_REQUEST", "the request is not a SOAP 1.1 Envelope")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    payload = [child for child in body if isinstance(child.tag, str)] if body is not None else []
    if len(payload) != 1:
        raise SimFault("MALFORMED_REQUEST", "the SOAP Body must hold exactly one element")
    return SoapRequest(local_name(payload[0]), payload[0], root.find(f"{{{SOAP_ENV}}}Header"))


def check_username_token(request: SoapRequest, username: str, password: str) -> None:
    """WS-Security UsernameToken, PasswordText or PasswordDigest; a fault when missing or wrong."""
    token = None if request.header is None else request.header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        raise SimFault("AUTHENTICATION_FAILED", "WS-Security UsernameToken is required", faultcode="Client")
    given_user = token.findtext(f"{{{WSSE}}}Username") or ""
    password_el = token.find(f"{{{WSSE}}}Password")
    given = (password_el.text or "") if password_el is not None else ""
    if password_el is not None and (password_el.get("Type") or "").endswith(PASSWORD_DIGEST):
        try:
            nonce = base64.b64decode(token.findtext(f"{{{WSSE}}}Nonce") or "", validate=True)
        except binascii.Error:
            raise SimFault("AUTHENTICATION_FAILED", "the WS-Security Nonce is not base64", faultcode="Client") from None
        created = (token.findtext(f"{{{WSU}}}Created") or "").encode()
        expected = base64.b64encode(hashlib.sha1(nonce + created + password.encode()).digest()).decode()  # noqa: S324
    else:
        expected = password
    user_ok = hmac.compare_digest(given_user.encode(), username.encode())
    if not (hmac.compare_digest(given.encode(), expected.encode()) and user_ok):
        raise SimFault("AUTHENTICATION_FAILED", "The user name or password is incorrect.")


def _append(parent: etree._Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _append(parent, name, item)
        return
    child = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if isinstance(value, dict):
        for key, item in value.items():
            _append(child, key, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, Decimal):
        child.text = format(value, "f")
    else:
        child.text = str(value)


def _envelope() -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "erp": NAMESPACE})
    return envelope, etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")


def response(operation: str, payload: dict[str, Any]) -> bytes:
    envelope, body = _envelope()
    _append(body, f"{operation}Response", payload)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def fault(error: SimFault) -> bytes:
    envelope, body = _envelope()
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soap:{error.faultcode}"
    etree.SubElement(node, "faultstring").text = error.message
    detail = etree.SubElement(node, "detail")
    _append(detail, "ErpFault", {"ErrorCode": error.code, "ErrorMessage": error.message, "Field": error.field})
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
