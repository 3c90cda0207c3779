"""Shared test plumbing.

Integration tests need real servers on loopback. When one is missing they *fail* under CI (``CI`` set)
and skip on a developer's machine, so a green CI run always means the servers were really exercised.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
IN_CI = bool(os.environ.get("CI"))

# Each area keeps its fixtures in its own module so their owners never edit the same file.
pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.rabbitmq",
    "tests.fixtures.sshd",
    "tests.fixtures.erp_sim",
    "tests.fixtures.marketplace",
]


def service_unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
