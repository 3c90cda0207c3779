"""An ERP that answers with hostility, over real HTTP on loopback: a gzip bomb, an endless body, a body
or headers dripped one byte at a time, a 5 MB fault string. Each call ends, within the configured
deadline or at the configured size cap, as a ``TransientError`` the breaker counts; memory stays
bounded because the body is read in chunks and cut at the cap (checked from the byte counts, not by
measuring memory: figures for that are in ``bench/``)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import threading
import time
import traceback
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from crossdock.bridges.soap import CircuitOpenError, CircuitState, ErpResponseTooLargeError, ErpTimeoutError
from crossdock.bridges.soap.limits import CHUNK, ResponseTooLargeError
from crossdock.errors import BusinessError, TransientError
from crossdock.soap import ErpRefusedError
from tests.fixtures.erp_sim import erp_gateway_at
from tests.fixtures.loopback_http import loopback_http

pytestmark = pytest.mark.integration

SOAP_ENV = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:crossdock:erp:v1">'
ITEM = (
    SOAP_ENV + "<soap:Body><e:GetItemResponse><e:Item><e:ItemNo>ITEM-1</e:ItemNo><e:Description>Mug</e:Description>"
    "<e:BaseUnitOfMeasure>PCS</e:BaseUnitOfMeasure><e:UnitPrice>1</e:UnitPrice><e:Blocked>false</e:Blocked>"
    "</e:Item></e:GetItemResponse></soap:Body></soap:Envelope>"
).encode()
HUGE_FAULT = 5 * 1024 * 1024
CAP = 1024 * 1024
DEADLINE_S = 1.5
DRIP_S = 0.5  # well under the 5 s read timeout: only the call deadline can end a drip


@functools.cache
def gzip_bomb() -> bytes:
    """64 MiB of zeros in one gzip member: about 290 KB on the wire, 64 times the cap once decoded."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(64)) + packer.flush()


class HostileErp(BaseHTTPRequestHandler):
    """Reads the request, then answers as ``mode`` says; counts requests and body bytes it got out."""

    mode = ""
    requests = 0
    sent = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.lock:
            type(self).requests += 1
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            getattr(self, "answer_" + self.mode)()

    def _head(self, status: int = 200, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _count(self, n: int) -> None:
        with self.lock:
            type(self).sent += n

    def answer_gzipped(self) -> None:
        body = gzip.compress(ITEM)
        self._head(Content_Encoding="gzip", Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_bomb(self) -> None:
        body = gzip_bomb()
        self._head(Content_Encoding="gzip", Content_Length=str(len(body)))
        for start in range(0, len(body), CHUNK):
            self.wfile.write(body[start : start + CHUNK])
            self._count(min(CHUNK, len(body) - start))

    def answer_endless(self) -> None:
        self._head()  # no length: the body lasts as long as the server writes
        chunk = b"<a>" + b"x" * (CHUNK - 3)
        for _ in range(4096):  # 256 MiB at most
            self.wfile.write(chunk)
            self._count(len(chunk))

    def answer_drip_body(self) -> None:
        self._head(Content_Length=str(len(ITEM)))
        for byte in ITEM[:120]:  # 60 s at most
            self.wfile.write(bytes([byte]))
            self._count(1)
            time.sleep(DRIP_S)

    def answer_drip_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        for _ in range(120):  # 60 s at most, and the headers never end
            self.wfile.write(b"a")
            time.sleep(DRIP_S)

    def answer_huge_fault(self) -> None:
        body = (
            SOAP_ENV + "<soap:Body><soap:Fault><faultcode>soap:Server</faultcode>"
            f"<faultstring>{'Order rejected: ' + 'x' * HUGE_FAULT}</faultstring></soap:Fault></soap:Body>"
            "</soap:Envelope>"
        ).encode()
        self._head(500, Content_Length=str(len(body)))
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Quiet."""


@pytest.fixture
def hostile() -> Iterator[tuple[type[HostileErp], str]]:
    """A fresh handler class (its counters start at zero) and the base URL of a server using it; the
    server's handlers are joined on exit, so the counters are final after the test's own block."""
    handler = type("Erp", (HostileErp,), {"requests": 0, "sent": 0, "lock": threading.Lock()})
    with loopback_http(handler) as base_url:
        yield handler, base_url


def _gateway(base_url: str, **connection: object) -> object:
    options = {"max_response_bytes": CAP, "call_deadline_s": 30.0, **connection}
    return erp_gateway_at(f"{base_url}/erp", **options)


def test_a_gzipped_answer_under_the_cap_is_read(hostile: tuple[type[HostileErp], str]) -> None:
    handler, base_url = hostile
    handler.mode = "gzipped"
    assert _gateway(base_url).get_item("ITEM-1")["Description"] == "Mug"  # type: ignore[attr-defined]


def test_a_gzip_bomb_is_cut_at_the_cap_of_decoded_bytes(hostile: tuple[type[HostileErp], str]) -> None:
    handler, base_url = hostile
    handler.mode = "bomb"
    with pytest.raises(ErpResponseTooLargeError, match=f"cap of {CAP} bytes") as caught:
        _gateway(base_url).get_item("ITEM-1")  # type: ignore[attr-defined]
    cause = caught.value.__cause__
    assert isinstance(cause, ResponseTooLargeError)
    # Memory stayed bounded: no more than one chunk past the cap was ever decoded
    assert CAP < cause.read <= CAP + CHUNK


def test_an_endless_answer_is_cut_at_the_cap(hostile: tuple[type[HostileErp], str]) -> None:
    handler, base_url = hostile
    handler.mode = "endless"
    with pytest.raises(ErpResponseTooLargeError) as caught:
        _gateway(base_url).get_item("ITEM-1")  # type: ignore[attr-defined]
    cause = caught.value.__cause__
    assert isinstance(cause, ResponseTooLargeError) and CAP < cause.read <= CAP + CHUNK
    time.sleep(0.2)  # the server notices the closed connection on its next write
    # The server could push no more than the cap plus what the loopback socket buffers hold (a few MiB),
    # far from the 256 MiB it had to send
    assert handler.sent < CAP + 32 * 1024 * 1024


@pytest.mark.parametrize("mode", ["drip_body", "drip_headers"])
def test_a_dripping_answer_ends_at_the_call_deadline(hostile: tuple[type[HostileErp], str], mode: str) -> None:
    handler, base_url = hostile
    handler.mode = mode
    gateway = _gateway(base_url, call_deadline_s=DEADLINE_S, read_timeout_s=5.0)
    started = time.monotonic()
    with pytest.raises(ErpTimeoutError, match=f"within the {DEADLINE_S:g} s call deadline"):
        gateway.get_item("ITEM-1")  # type: ignore[attr-defined]
    # The call ended soon after the deadline, though the server would have dripped for a minute and no
    # single read ever waited as long as the read timeout
    assert time.monotonic() - started < DEADLINE_S + 3.0


@pytest.mark.parametrize("mode", ["endless", "drip_headers"])
def test_the_breaker_counts_cut_calls_and_opens(hostile: tuple[type[HostileErp], str], mode: str) -> None:
    handler, base_url = hostile
    handler.mode = mode
    gateway = _gateway(base_url, call_deadline_s=DEADLINE_S, breaker_failures=2, breaker_cooldown_s=60)
    # Given two calls cut (at the cap or at the deadline)
    for _ in range(2):
        with pytest.raises(TransientError):
            gateway.get_item("ITEM-1")  # type: ignore[attr-defined]
    # Then the circuit is open, and the next call does not reach the ERP
    assert gateway.client.breaker.state is CircuitState.OPEN  # type: ignore[attr-defined]
    with pytest.raises(CircuitOpenError):
        gateway.get_item("ITEM-1")  # type: ignore[attr-defined]
    assert handler.requests == 2


def test_a_huge_fault_string_is_cut_in_the_error_and_its_traceback(hostile: tuple[type[HostileErp], str]) -> None:
    handler, base_url = hostile
    handler.mode = "huge_fault"
    gateway = _gateway(base_url, max_response_bytes=32 * 1024 * 1024)
    with pytest.raises(BusinessError) as caught:
        gateway.get_item("ITEM-1")  # type: ignore[attr-defined]
    error = caught.value
    assert isinstance(error, ErpRefusedError)
    assert str(error).startswith("ERP GetItem refused: Order rejected: xxx")
    assert "more characters)" in str(error) and len(str(error)) < 4096
    # What a log line with the traceback would print: the error and its chained zeep fault, both cut
    printed = "".join(traceback.format_exception(error))
    assert len(printed) < 16 * 1024
