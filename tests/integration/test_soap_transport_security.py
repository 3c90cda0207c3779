"""The ERP transport takes nothing from the operator's environment and follows no redirect: checked
against a real HTTP server on loopback that records what reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crossdock.bridges.soap.errors import ErpUnavailableError, erp_errors
from crossdock.bridges.soap.transport import HardenedTransport
from tests.fixtures.loopback_http import loopback_http

pytestmark = pytest.mark.integration


class Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, dict[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append((self.path, dict(self.headers)))
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Quiet: the test reads what was recorded."""


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.seen = []
    with loopback_http(Recorder) as base_url:
        yield base_url


def test_no_credentials_from_netrc(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an operator's netrc holding credentials for the ERP's host
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login operator password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    transport = HardenedTransport(connect_timeout=2, read_timeout=2)
    # When crossdock posts to the ERP
    response = transport.post(server + "/erp", b"<x/>", {"Content-Type": "text/xml"})
    transport.close()
    # Then the request carries no Authorization taken from the netrc
    assert response.status_code == 200
    [(path, headers)] = Recorder.seen
    assert path == "/erp"
    assert "Authorization" not in headers


def test_a_redirect_is_not_followed(server: str) -> None:
    transport = HardenedTransport(connect_timeout=2, read_timeout=2)
    with pytest.raises(ErpUnavailableError, match="redirect"), erp_errors("CreateSalesOrder"):
        transport.post(server + "/redirect", b"<x/>", {"Content-Type": "text/xml"})
    transport.close()
    assert [path for path, _ in Recorder.seen] == ["/redirect"]
