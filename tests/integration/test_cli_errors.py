"""Configuration problems and servers that cannot be reached or are not ready: every command, the worker
included, says what and where in one line on stderr and exits 2, never with a traceback. The real
``crossdock`` command runs as a subprocess against real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
RABBIT = "amqp://guest:guest@127.0.0.1:5672/%2F"


def crossdock(*args: str, tmp_path: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    full.update({"CROSSDOCK_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", "crossdock", *args], env=full, cwd=tmp_path, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def assert_one_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if "crossdock: warning:" not in line]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [["exceptions", "list"], ["trace", "PO-1"], ["acks", "overdue"]])
def test_an_unknown_database_is_one_line(command: list[str], tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/crossdock_no_such_database"
    line = assert_one_line(crossdock(*command, tmp_path=tmp_path, CROSSDOCK_DATABASE_URL=url), "does not exist")
    assert "crossdock_no_such_database" in line


@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_a_database_without_schema_is_one_line(db_url: str, tmp_path: Path) -> None:
    result = crossdock("exceptions", "list", tmp_path=tmp_path, CROSSDOCK_DATABASE_URL=db_url)
    assert_one_line(result, "has no crossdock schema", "crossdock db upgrade")


def test_a_reading_command_never_creates_a_database(tmp_path: Path) -> None:
    for command in (["exceptions", "list"], ["trace", "PO-1"], ["dlq", "list"]):
        result = crossdock(*command, tmp_path=tmp_path, CROSSDOCK_BROKER_URL=RABBIT)
        assert_one_line(result, "no database at", "crossdock db upgrade")
    assert not (tmp_path / "data").exists()
    assert list(tmp_path.iterdir()) == []  # nothing in the current folder either


def test_a_closed_broker_port_is_one_line(tmp_path: Path) -> None:
    url = f"amqp://guest:secret-pw@127.0.0.1:{free_port()}/%2F"
    line = assert_one_line(crossdock("queues", tmp_path=tmp_path, CROSSDOCK_BROKER_URL=url), "RabbitMQ", "refused")
    assert "secret-pw" not in line


def test_a_bad_broker_url_is_one_line(tmp_path: Path) -> None:
    assert_one_line(crossdock("queues", tmp_path=tmp_path, CROSSDOCK_BROKER_URL="http://nope"), "broker_url")


def test_a_misspelt_setting_is_named_with_the_closest_one(tmp_path: Path) -> None:
    result = crossdock("exceptions", "list", tmp_path=tmp_path, CROSSDOCK_DATABSE_URL="sqlite://")
    assert "did you mean CROSSDOCK_DATABASE_URL?" in result.stderr


def test_a_deeply_nested_profile_is_one_line(tmp_path: Path) -> None:
    profile = tmp_path / "deep.yaml"
    profile.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert_one_line(crossdock("sftp", "check", str(profile), tmp_path=tmp_path), "deep.yaml")


def _flows(tmp_path: Path, text: str | None) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    if text is not None:
        (config / "flows.yaml").write_text(text)
    return config


@pytest.mark.parametrize(
    ("flows", "expected"),
    [(None, "cannot read flow configuration"), ("warehouse_partner: [\n", "not valid YAML"),
     ("warehouse_partner: x\n", "partners")],
)  # fmt: skip
def test_the_worker_refuses_a_missing_or_broken_flows_yaml_before_forking(
    flows: str | None, expected: str, tmp_path: Path
) -> None:
    config = _flows(tmp_path, flows)
    result = crossdock("worker", "--processes", "1", tmp_path=tmp_path, CROSSDOCK_BROKER_URL=RABBIT,
                       CROSSDOCK_CONFIG_DIR=str(config))  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot start crossdock worker" in result.stderr and expected in result.stderr
    assert "Started worker process" not in result.stderr  # nothing was forked


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_the_worker_refuses_a_missing_vhost_and_an_unmigrated_database(
    migrated_db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "examples", config)
    flows = {"CROSSDOCK_CONFIG_DIR": str(config / "flows")}
    # A virtual host that does not exist: exit 2 at once (it looped on CRITICAL errors before)
    missing_vhost = "amqp://guest:guest@127.0.0.1:5672/crossdock-no-such-vhost"
    result = crossdock("worker", "--processes", "1", tmp_path=tmp_path, CROSSDOCK_BROKER_URL=missing_vhost,
                       CROSSDOCK_DATABASE_URL=migrated_db_url, **flows)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "crossdock-no-such-vhost" in result.stderr and "virtual host" in result.stderr
    assert "Started worker process" not in result.stderr
    # A database without its schema
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    result = crossdock("worker", "--processes", "1", tmp_path=tmp_path, CROSSDOCK_BROKER_URL=RABBIT,
                       CROSSDOCK_DATABASE_URL=empty, **flows)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "no database at" in result.stderr and "Started worker process" not in result.stderr
