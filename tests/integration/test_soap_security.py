"""Hardening on both sides of the wire: the simulator refuses DTDs and entities as a SOAP fault, and
WS-Security UsernameToken is demanded and checked."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from lxml import etree

from crossdock.bridges.soap import ErpUnavailableError
from crossdock.errors import ConfigError
from tests.fixtures.erp_sim import BASIC_USER, SECURED_PASSWORD, SECURED_USER, ErpSimServer, erp_gateway
from tests.fixtures.loopback_http import loopback_http

pytestmark = pytest.mark.integration

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
BODY = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:crossdock:erp:v1">'
    "<soap:Body><e:GetItem><e:ItemNo>{item}</e:ItemNo></e:GetItem></soap:Body></soap:Envelope>"
)
HOSTILE = {
    "internal entity": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "ITEM-1">]>' + BODY.format(item="&a;"),
    "external entity": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
    + BODY.format(item="&a;"),
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;'
    '&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    + BODY.format(item="&d;"),
    "bare doctype": '<?xml version="1.0"?><!DOCTYPE Envelope SYSTEM "http://127.0.0.1:9/x.dtd">'
    + BODY.format(item="ITEM-1"),
}


def _post(server: ErpSimServer, body: str) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:crossdock:erp:v1:GetItem"'}
    return httpx.post(server.endpoint, content=body.encode(), headers=headers, timeout=5.0)


def test_a_plain_raw_request_is_answered(erp_sim: ErpSimServer) -> None:
    response = _post(erp_sim, BODY.format(item="ITEM-1"))
    assert response.status_code == 200
    assert b"Oak Side Table" in response.content


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_request_with_a_dtd_or_entity_gets_a_soap_fault_never_an_expansion(erp_sim: ErpSimServer, kind: str) -> None:
    response = _post(erp_sim, HOSTILE[kind])
    assert response.status_code == 500
    fault = etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    assert fault.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault") is not None
    assert fault.findtext(".//{urn:crossdock:erp:v1}ErrorCode") == "MALFORMED_REQUEST"
    assert b"root:" not in response.content and b"Oak Side Table" not in response.content
    assert b"aaaaaaaaaaaaaaaaaaaa" not in response.content


def test_a_request_that_breaks_the_schema_gets_a_validation_fault(erp_sim: ErpSimServer) -> None:
    response = _post(erp_sim, BODY.replace("e:ItemNo", "e:ItemNumber").format(item="ITEM-1"))
    assert response.status_code == 500
    assert b"SCHEMA_VALIDATION" in response.content


BASIC = {"basic_username": BASIC_USER, "basic_password": SECURED_PASSWORD}


def test_the_right_username_token_is_accepted(erp_sim_secured: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim_secured, username=SECURED_USER, password=SECURED_PASSWORD, **BASIC)
    assert gateway.get_item("ITEM-2")["ItemNo"] == "ITEM-2"


def test_a_password_digest_token_is_accepted(erp_sim_secured: ErpSimServer) -> None:
    gateway = erp_gateway(
        erp_sim_secured, username=SECURED_USER, password=SECURED_PASSWORD, password_digest=True, **BASIC
    )
    assert gateway.get_item("ITEM-2")["ItemNo"] == "ITEM-2"


def test_a_wrong_password_is_a_config_error_that_does_not_leak_it(erp_sim_secured: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim_secured, username=SECURED_USER, password="wrong-password", **BASIC)
    with pytest.raises(ConfigError, match="authentication failed") as caught:
        gateway.get_item("ITEM-2")
    assert "wrong-password" not in str(caught.value)


def test_a_missing_token_is_refused(erp_sim_secured: ErpSimServer) -> None:
    with pytest.raises(ConfigError, match="UsernameToken is required"):
        erp_gateway(erp_sim_secured, **BASIC).get_item("ITEM-2")


def test_without_http_basic_the_erp_answers_401_a_config_error(erp_sim_secured: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim_secured, username=SECURED_USER, password=SECURED_PASSWORD)
    with pytest.raises(ConfigError, match="HTTP 401"):
        gateway.get_item("ITEM-2")


def test_a_wrong_basic_password_is_refused(erp_sim_secured: ErpSimServer) -> None:
    gateway = erp_gateway(
        erp_sim_secured,
        username=SECURED_USER,
        password=SECURED_PASSWORD,
        basic_username=BASIC_USER,
        basic_password="nope",
    )
    with pytest.raises(ConfigError, match="credentials were refused"):
        gateway.get_item("ITEM-2")


HOSTILE_RESPONSE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "SO-EVIL">]>'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:crossdock:erp:v1">'
    b"<soap:Body><e:GetItemResponse><e:Item><e:ItemNo>&a;</e:ItemNo><e:Description>x</e:Description>"
    b"<e:BaseUnitOfMeasure>PCS</e:BaseUnitOfMeasure><e:UnitPrice>1</e:UnitPrice><e:Blocked>false</e:Blocked>"
    b"</e:Item></e:GetItemResponse></soap:Body></soap:Envelope>"
)


class _HostileErp(BaseHTTPRequestHandler):
    """A fake ERP speaking real HTTP whose every answer carries an entity declaration."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(HOSTILE_RESPONSE)))
        self.end_headers()
        self.wfile.write(HOSTILE_RESPONSE)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


def test_a_response_with_a_dtd_is_refused_by_the_client_never_expanded() -> None:
    with loopback_http(_HostileErp) as base_url:
        fake = ErpSimServer()
        fake.wsdl_url = f"{base_url}/erp?wsdl"
        with pytest.raises(ErpUnavailableError, match="DTD/entity"):
            erp_gateway(fake).get_item("ITEM-1")
        fake.stop()


def test_a_gateway_built_from_a_profile_talks_to_the_secured_erp(erp_sim_secured: ErpSimServer, tmp_path) -> None:
    from crossdock.bridges.soap import build_gateway, load_erp_profile

    (tmp_path / "wss").write_text(SECURED_PASSWORD)
    profile = (
        f"endpoint: {erp_sim_secured.endpoint}\nusername: {SECURED_USER}\npassword_file: wss\n"
        f"basic_username: {BASIC_USER}\nbasic_password_env: ERP_BASIC\nread_timeout_s: 5\n"
    ).encode()
    connection, mapping = load_erp_profile(profile, "erp.yaml", tmp_path, {"ERP_BASIC": SECURED_PASSWORD})
    assert build_gateway(connection, mapping).get_item("ITEM-3")["Description"] == "Ceramic Mug Set (4)"


def test_an_oversized_request_is_refused_before_it_is_read_whole(erp_sim: ErpSimServer) -> None:
    padding = "x" * (5 * 1024 * 1024)
    response = _post(erp_sim, BODY.format(item="ITEM-1").replace("<soap:Body>", f"<!-- {padding} --><soap:Body>"))
    assert response.status_code == 413


def test_a_nonce_that_is_not_base64_is_an_authentication_fault(erp_sim_secured: ErpSimServer) -> None:
    wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    digest = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
    header = (
        f'<soap:Header><wsse:Security xmlns:wsse="{wsse}"><wsse:UsernameToken>'
        f"<wsse:Username>{SECURED_USER}</wsse:Username>"
        f'<wsse:Password Type="{digest}">AAAA</wsse:Password><wsse:Nonce>not base64!</wsse:Nonce>'
        "</wsse:UsernameToken></wsse:Security></soap:Header>"
    )
    body = BODY.format(item="ITEM-1").replace("<soap:Body>", header + "<soap:Body>")
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:crossdock:erp:v1:GetItem"'}
    response = httpx.post(
        erp_sim_secured.endpoint, content=body.encode(), headers=headers, timeout=5.0,
        auth=(BASIC_USER, SECURED_PASSWORD),
    )  # fmt: skip
    assert response.status_code == 500
    assert b"AUTHENTICATION_FAILED" in response.content
