"""Webhook requests per second and p99 latency of crossdock's receiver (HMAC verify + freshness +
replay check + store raw + enqueue into the in-memory sink) vs a bare Starlette app answering 200,
both under the same uvicorn server settings and the same loopback load, measured in the same run.

Each server runs in its own process on 127.0.0.1 (so the load generator's threads do not share its
GIL); the load is ``CLIENTS`` threads, each with a keep-alive httpx client, posting the same signed
~3 KB Shopify order with a unique webhook id per request. Phases alternate bare / receiver twice so
drift from other processes on the machine hits both. ``measure(seconds)`` returns ``webhook_rps``,
``webhook_bare_rps``, ``webhook_ratio``, ``webhook_p99_ms``, ``webhook_bare_p99_ms`` and
``webhook_errors``; run alone it prints them and ends with one JSON line.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from crossdock.bridges.rest.signature import sign  # noqa: E402
from crossdock.bridges.rest.sim.seed import shopify_orders  # noqa: E402

CLIENTS = 4
SECRET = "bench-webhook-secret"
SERVER = """
import socket, sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
kind, secret = sys.argv[1], sys.argv[2].encode()
if kind == "receiver":
    from crossdock.bridges.rest.receiver import create_receiver
    from crossdock.bridges.rest.sink import InMemorySink
    app = create_receiver(InMemorySink(), secret)
else:
    async def ok(request):
        await request.body()
        return Response(b'{"status":"accepted"}', media_type="application/json")
    app = Starlette(routes=[Route("/webhooks/shopify", ok, methods=["POST"])])
# proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP.
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
uvicorn.Server(config).run(sockets=[sock])
"""


class Server:
    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, kind, SECRET], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.post(self.url + "/webhooks/shopify", content=b"{}", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{kind} server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _load(url: str, seconds: float, body: bytes, latencies: list[float], errors: list[int]) -> int:
    signature = sign(SECRET.encode(), body)
    done = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal done
        mine: list[float] = []
        bad = 0
        # TCP_NODELAY: h11 writes headers and body separately; without it Nagle + delayed ACK add ~40 ms.
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        with httpx.Client(base_url=url, timeout=10, transport=transport) as client:
            stop = time.monotonic() + seconds
            while time.monotonic() < stop:
                headers = {
                    "Content-Type": "application/json",
                    "X-Shopify-Hmac-Sha256": signature,
                    "X-Shopify-Topic": "orders/create",
                    "X-Shopify-Shop-Domain": "bench.myshopify.com",
                    "X-Shopify-Webhook-Id": uuid.uuid4().hex,
                    "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
                }
                started = time.perf_counter()
                response = client.post("/webhooks/shopify", content=body, headers=headers)
                mine.append(time.perf_counter() - started)
                if response.status_code != 200:
                    bad += 1
        with lock:
            latencies.extend(mine)
            errors.append(bad)
            done += len(mine)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def measure(seconds: float = 5.0) -> dict[str, float]:
    body = json.dumps(shopify_orders(1)[0]).encode()
    bare, receiver = Server("bare"), Server("receiver")
    results: dict[str, dict[str, list[float] | list[int] | float]] = {
        name: {"lat": [], "err": [], "n": 0.0, "t": 0.0} for name in ("bare", "receiver")
    }
    try:
        phase = seconds / 4
        for name, server in (("bare", bare), ("receiver", receiver), ("bare", bare), ("receiver", receiver)):
            r = results[name]
            started = time.monotonic()
            r["n"] += _load(server.url, phase, body, r["lat"], r["err"])  # type: ignore[arg-type,operator]
            r["t"] += time.monotonic() - started  # type: ignore[operator]
    finally:
        bare.stop()
        receiver.stop()

    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100)[98] * 1000 if len(values) > 1 else float("nan")

    rps = results["receiver"]["n"] / results["receiver"]["t"]  # type: ignore[operator]
    bare_rps = results["bare"]["n"] / results["bare"]["t"]  # type: ignore[operator]
    return {
        "webhook_rps": round(rps, 1),
        "webhook_bare_rps": round(bare_rps, 1),
        "webhook_ratio": round(rps / bare_rps, 3),
        "webhook_p99_ms": round(p99(results["receiver"]["lat"]), 2),  # type: ignore[arg-type]
        "webhook_bare_p99_ms": round(p99(results["bare"]["lat"]), 2),  # type: ignore[arg-type]
        "webhook_errors": float(sum(results["receiver"]["err"]) + sum(results["bare"]["err"])),  # type: ignore[arg-type]
    }


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    figures = measure(seconds)
    print(f"webhook receiver: {figures['webhook_rps']:.0f} req/s, p99 {figures['webhook_p99_ms']:.1f} ms")
    print(f"bare ASGI app:    {figures['webhook_bare_rps']:.0f} req/s, p99 {figures['webhook_bare_p99_ms']:.1f} ms")
    print(f"ratio:            {figures['webhook_ratio']:.2f} (target >= 0.70); errors {figures['webhook_errors']:.0f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
