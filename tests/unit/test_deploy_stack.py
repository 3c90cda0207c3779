"""The container stack (Dockerfile, docker-compose.yml, deploy/): no Docker engine runs here, so the
compose file is checked against the Compose Specification's JSON schema, every crossdock service's
command is parsed by crossdock's own command line, and the stack's configuration loads with the
loaders the services use."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer
import yaml

from crossdock.actors.flow_config import load_flow_config
from crossdock.bridges.sftp.profile import load_profile
from crossdock.cli import app

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PASS\b", re.IGNORECASE)
REFERENCE = re.compile(r"\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def crossdock_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if str(s.get("image", "")).startswith("crossdock:")}


def test_the_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())
    jsonschema.validate(compose, schema)


def test_the_schema_check_can_fail(compose: dict[str, Any]) -> None:
    schema = json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())
    broken = {**compose, "services": {**compose["services"], "worker": {**compose["services"]["worker"], "restart": 3}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_stack_has_every_service_kind(compose: dict[str, Any]) -> None:
    commands = {" ".join(s["command"][:2]) for s in crossdock_services(compose).values()}
    kinds = {"worker --processes", "rest serve", "rest poll", "sftp poll", "erp-sim --host", "marketplace-sim --host"}
    assert kinds <= commands
    assert {"rabbitmq", "postgres", "sftp"} <= set(compose["services"])
    assert compose["services"]["worker"]["deploy"]["replicas"] >= 2


def _resolve(command: list[str]) -> None:
    """Parse ``command`` with crossdock's own click tree, as ``crossdock`` would, without running it."""
    group: Any = typer.main.get_command(app)  # typer ships its own click: no isinstance on click's classes
    args = list(command)
    ctx = group.make_context("crossdock", list(args), resilient_parsing=False)
    while hasattr(group, "resolve_command"):
        name, sub, rest = group.resolve_command(ctx, args)
        assert sub is not None, f"crossdock has no command {name!r}"
        group, args = sub, rest
        ctx = sub.make_context(name or "", list(args), parent=ctx)


def test_every_crossdock_service_runs_a_real_crossdock_command(compose: dict[str, Any]) -> None:
    services = crossdock_services(compose)
    assert len(services) >= 8
    for name, service in services.items():
        try:
            _resolve(service["command"])
        except typer.TyperException as exc:
            pytest.fail(f"service {name}: `crossdock {' '.join(service['command'])}` does not parse: {exc}")


def test_the_command_check_can_fail() -> None:
    with pytest.raises(typer.TyperException):
        _resolve(["worker", "--no-such-option"])
    with pytest.raises(typer.TyperException):
        _resolve(["scheduler"])


def test_every_long_running_service_restarts_and_every_server_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert service.get("restart") in ("always", "unless-stopped"), name
        serves = name in ("rabbitmq", "postgres", "sftp", "erp-sim", "marketplace-sim", "worker", "webhooks")
        if serves:
            assert service["healthcheck"]["test"], name


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        environment = service.get("environment") or {}
        for key, value in environment.items():
            text = str(value)
            if SECRET_NAME.search(key) or "@" in text:
                assert REFERENCE.search(text), f"service {name}: {key} must be a ${{VARIABLE}} reference"
                without = REFERENCE.sub("", text)
                assert not re.search(r"://[^/:@]+:[^@$]+@", without), f"service {name}: {key} holds a password"


def test_the_image_runs_as_a_user_and_holds_no_secret() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    users = re.findall(r"^USER\s+(\S+)", final_stage, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    for line in re.findall(r"^(?:ENV|ARG)\s+.*$", dockerfile, re.MULTILINE):
        assert not SECRET_NAME.search(line), line
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", "deploy/keys"} <= set(ignored)
    assert (ROOT / ".env.example").is_file()
    assert {".env", "deploy/keys/"} <= set((ROOT / ".gitignore").read_text().split())


def test_the_stack_configuration_loads_as_the_services_load_it(tmp_path: Path) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.fail("ssh-keygen (OpenSSH client) is needed to make the stack's keys")
    # Given the folders as docker-compose.yml mounts them under /etc/crossdock, with deploy/make-keys.sh's keys
    (tmp_path / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "make-keys.sh", tmp_path / "deploy" / "make-keys.sh")
    subprocess.run(["sh", str(tmp_path / "deploy" / "make-keys.sh")], check=True, capture_output=True, timeout=60)
    etc = tmp_path / "etc"
    shutil.copytree(ROOT / "deploy" / "config", etc)
    shutil.copytree(ROOT / "examples" / "partners", etc / "partners")
    shutil.copytree(tmp_path / "deploy" / "keys", etc / "keys")

    # Then the SFTP profile pins the generated host key, and flows.yaml loads with its partners
    profile = load_profile(etc / "northstar-3pl.sftp.yaml")
    assert profile.host == "sftp" and profile.user == "northstar"
    config = load_flow_config(etc / "flows.yaml")
    assert config.warehouse_partner == "northstar-3pl"
    assert set(config.marketplaces) == {"shopify", "amazon", "walmart"}
