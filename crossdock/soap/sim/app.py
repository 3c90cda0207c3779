"""The ERP simulator's ASGI app: ``GET /erp?wsdl`` (and ``/erp.xsd``), ``POST /erp`` for SOAP calls,
``GET|POST|DELETE /control`` for fault injection."""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.soap import contract
from crossdock.soap.safe_xml import parse_xml
from crossdock.soap.sim import catalog, changes, finance, invoicing, returns, sales
from crossdock.soap.sim.control import MAX_HANG_S, Behaviour, Control
from crossdock.soap.sim.db import SimDatabase
from crossdock.soap.sim.envelope import SimFault, check_username_token, fault, read_request, response
from crossdock.soap.sim.reading import Reader

XML = "text/xml; charset=utf-8"
PLACEHOLDER_ADDRESS = b"http://localhost:7047/crossdock-erp/ws"
MAX_REQUEST_BYTES = 4 * 1024 * 1024
"""The largest SOAP request the simulator reads (a real ERP's web server has such a limit too)."""
TRANSIENT_FAULTS = {"RECORD_LOCKED": "The Sales Header table is locked by another user. Try again later."}

HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "CreateSalesOrder": sales.create_sales_order,
    "GetSalesOrderByExternalRef": sales.get_sales_order_by_external_ref,
    "CancelSalesOrder": sales.cancel_sales_order,
    "ChangeSalesOrder": changes.change_sales_order,
    "PostShipment": sales.post_shipment,
    "CreateInvoice": finance.create_invoice,
    "GetInvoiceByExternalRef": invoicing.get_invoice_by_external_ref,
    "CreateCreditMemo": finance.create_credit_memo,
    "PostJournalEntry": finance.post_journal_entry,
    "GetInventoryLevels": catalog.get_inventory_levels,
    "GetItem": catalog.get_item,
    "CreateReturnAuthorization": returns.create_return_authorization,
}


@dataclass(frozen=True)
class SimAuth:
    """Credentials the simulator demands; ``None`` fields are not checked."""

    wss_username: str | None = None
    wss_password: str | None = None
    basic_username: str | None = None
    basic_password: str | None = None


def _basic_ok(request: Request, auth: SimAuth) -> bool:
    if auth.basic_username is None:
        return True
    expected = base64.b64encode(f"{auth.basic_username}:{auth.basic_password or ''}".encode()).decode()
    return hmac.compare_digest(request.headers.get("authorization", "").encode(), f"Basic {expected}".encode())


def build_app(db: SimDatabase, control: Control, auth: SimAuth | None = None) -> Starlette:
    auth = auth or SimAuth()
    schema = etree.XMLSchema(parse_xml(contract.read(contract.XSD_NAME), "erp.xsd"))

    async def wsdl(request: Request) -> Response:
        if "wsdl" not in request.query_params and "WSDL" not in request.query_params:
            return Response("add ?wsdl to get the WSDL", status_code=404, media_type="text/plain")
        address = f"{request.url.scheme}://{request.url.netloc}/erp".encode()
        return Response(contract.read(contract.WSDL_NAME).replace(PLACEHOLDER_ADDRESS, address), media_type=XML)

    async def xsd(request: Request) -> Response:
        return Response(contract.read(contract.XSD_NAME), media_type=XML)

    def handle(body: bytes) -> tuple[int, bytes]:
        try:
            soap = read_request(body)
            if auth.wss_username is not None:
                check_username_token(soap, auth.wss_username, auth.wss_password or "")
            handler = HANDLERS.get(soap.operation)
            if handler is None:
                raise SimFault("UNKNOWN_OPERATION", f"Operation {soap.operation} is not supported.")
            if not schema.validate(etree.ElementTree(soap.body)):
                raise SimFault("SCHEMA_VALIDATION", str(schema.error_log.last_error))
            with db.transaction() as connection:
                return 200, response(soap.operation, handler(connection, Reader(soap.body)))
        except SimFault as exc:
            return 500, fault(exc)

    async def call(request: Request) -> Response:
        if not _basic_ok(request, auth):
            return Response("Unauthorized", status_code=401, headers={"WWW-Authenticate": 'Basic realm="erp"'})
        received = bytearray()
        async for chunk in request.stream():  # read no more than a request may hold
            received += chunk
            if len(received) > MAX_REQUEST_BYTES:
                return Response("Request Entity Too Large", status_code=413)
        body = bytes(received)
        behaviour = control.take(_operation_name(request.headers.get("soapaction", ""), body))
        if behaviour is not None:
            injected = await _inject(behaviour)
            if injected is not None:
                return injected
        status, payload = handle(body)
        return Response(payload, status_code=status, media_type=XML)

    async def control_endpoint(request: Request) -> Response:
        if request.method == "DELETE":
            control.clear()
        elif request.method == "POST":
            try:
                data = json.loads(await request.body())
                control.set(str(data.get("operation", "*")), Behaviour.from_json(data))
            except (ValueError, TypeError, AttributeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(control.snapshot())

    return Starlette(
        routes=[
            Route("/erp", wsdl, methods=["GET"]),
            Route("/erp", call, methods=["POST"]),
            Route("/erp.xsd", xsd, methods=["GET"]),
            Route("/control", control_endpoint, methods=["GET", "POST", "DELETE"]),
        ]
    )


def _operation_name(soap_action: str, body: bytes) -> str:
    """The operation a request is for: from SOAPAction, else from the body's element (best effort)."""
    name = soap_action.strip().strip('"').rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if name:
        return name
    try:
        return read_request(body).operation
    except SimFault:
        return "?"


async def _inject(behaviour: Behaviour) -> Response | None:
    if behaviour.latency_ms:
        await asyncio.sleep(behaviour.latency_ms / 1000)
    if behaviour.hang:
        await asyncio.sleep(MAX_HANG_S)
        return Response(b"", status_code=504)
    if behaviour.http_status is not None:
        body = f"<html><body><h1>{behaviour.http_status} Service Unavailable</h1></body></html>"
        return Response(body, status_code=behaviour.http_status, media_type="text/html")
    if behaviour.fault_code is not None:
        code = behaviour.fault_code
        message = behaviour.fault_message or TRANSIENT_FAULTS.get(code) or f"Injected fault {code}."
        faultcode = "Server" if code in TRANSIENT_FAULTS else "Client"
        return Response(fault(SimFault(code, message, faultcode=faultcode)), status_code=500, media_type=XML)
    return None
