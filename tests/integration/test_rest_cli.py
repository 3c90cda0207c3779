"""``crossdock marketplace-sim`` as a real process: first line is its base URL, it serves, it stops."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from tests.fixtures.marketplace import TOKEN_HEADERS

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("host_args", "announced"),
    [([], "http://127.0.0.1:"), (["--host", "127.0.0.2"], "http://127.0.0.2:")],
    ids=["loopback-default", "another-address"],
)
def test_marketplace_sim_prints_its_url_first_and_serves(host_args: list[str], announced: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crossdock", "marketplace-sim", "--port", "0", "--orders", "5", *host_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith(announced)
        with httpx.Client(base_url=url, timeout=5) as client:
            for _ in range(50):
                try:
                    response = client.get("/v3/orders", headers=TOKEN_HEADERS["walmart"])
                    break
                except httpx.ConnectError:
                    time.sleep(0.1)
            assert response.status_code == 200
            assert response.json()["list"]["meta"]["totalCount"] == 5
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
