"""`crossdock soap inspect URL` fetches the WSDL from that origin only, and never without end: an
answer that does not stop (or drips) is cut at the size cap or the read timeout. Loopback server."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crossdock.bridges.soap.inspect import inspect_wsdl
from crossdock.errors import ConfigError
from tests.fixtures.loopback_http import loopback_http

pytestmark = pytest.mark.integration

WSDL = (Path(__file__).resolve().parents[1] / "data" / "soap" / "quirks" / "asmx_ports.wsdl").read_bytes()
CHUNK = b"<a>" + b"x" * (64 * 1024 - 3)


class Answers(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/drip-headers":  # the headers never end: no single read waits long
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                for _ in range(100):  # 20 s at most
                    self.wfile.write(b"a")
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        if self.path == "/service.asmx?wsdl":
            self.send_header("Content-Length", str(len(WSDL)))
            self.end_headers()
            self.wfile.write(WSDL)
            return
        if self.path == "/gzipped.asmx?wsdl":  # IIS compresses WSDLs for clients that accept gzip
            body = gzip.compress(WSDL)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.end_headers()  # no length: the body lasts as long as the server writes
        try:
            if self.path == "/endless":
                for _ in range(2048):  # 128 MiB at most, four times the cap
                    self.wfile.write(CHUNK)
            elif self.path == "/drip":
                for _ in range(100):  # 20 s at most
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    with loopback_http(Answers) as base_url:
        yield base_url


@pytest.mark.parametrize("path", ["/service.asmx?wsdl", "/gzipped.asmx?wsdl"])
def test_a_wsdl_url_is_inspected(server: str, path: str) -> None:
    report = inspect_wsdl(server + path, timeout_s=5)
    assert {port.port for port in report.ports} == {"OrderServiceSoap", "OrderServiceSoap12"}


def test_an_endless_answer_is_cut_at_the_size_cap(server: str) -> None:
    with pytest.raises(ConfigError, match="/endless sent more than"):
        inspect_wsdl(server + "/endless", timeout_s=30)


def test_a_dripping_answer_is_cut_at_the_read_timeout(server: str) -> None:
    with pytest.raises(ConfigError, match="/drip did not finish sending within 1 s"):
        inspect_wsdl(server + "/drip", timeout_s=1)


def test_dripping_headers_are_cut_at_the_read_timeout(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(ConfigError, match="/drip-headers did not finish sending within 1 s"):
        inspect_wsdl(server + "/drip-headers", timeout_s=1)
    assert time.monotonic() - started < 5  # the server would drip for 20 s
