"""Peak memory of one ERP call against a hostile ERP on loopback, with the default 32 MiB cap: a gzip
bomb (1 GiB of zeros in 256 gzip members, about 1 MB on the wire) and an endless body. Python's own
allocations during the call are traced (``tracemalloc``); without the cap the bomb took the client to
2.9 GB. Run alone: prints one JSON line, peaks in MiB."""

from __future__ import annotations

import contextlib
import gzip
import json
import sys
import tracemalloc
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crossdock.errors import TransientError  # noqa: E402
from tests.fixtures.erp_sim import erp_gateway_at  # noqa: E402
from tests.fixtures.loopback_http import loopback_http  # noqa: E402

BOMB = gzip.compress(bytes(4 * 1024 * 1024)) * 256  # members of 4 MiB each: 1 GiB decoded
CHUNK = b"<a>" + b"x" * (64 * 1024 - 3)


class Hostile(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if self.path.endswith("/bomb"):
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(BOMB)))
                self.end_headers()
                self.wfile.write(BOMB)
            else:
                self.end_headers()
                for _ in range(16 * 1024):  # 1 GiB at most
                    self.wfile.write(CHUNK)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Quiet."""


def peak_mib(endpoint: str) -> float:
    gateway = erp_gateway_at(endpoint, call_deadline_s=120.0)
    tracemalloc.start()
    with contextlib.suppress(TransientError):  # ErpResponseTooLargeError, as it should
        gateway.get_item("ITEM-1")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 1024 / 1024, 1)


def main() -> None:
    with loopback_http(Hostile) as base_url:
        figures = {
            "soap_gzip_bomb_peak_mib": peak_mib(f"{base_url}/bomb"),
            "soap_endless_body_peak_mib": peak_mib(f"{base_url}/endless"),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
