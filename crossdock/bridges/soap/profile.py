"""An ERP profile (YAML) → the connection, the mapping and a ready gateway. For the composition root.

::

    endpoint: https://erp.example.com:7047/DynamicsNAV100/WS/CRONUS/Page/SalesOrder
    wsdl_file: nav/SalesOrder.wsdl        # relative to the profile; unset: crossdock's reference ERP
    schema_dirs: [shared/xsd]             # optional: folders besides the WSDL's its imports may read
    mapping_file: nav/mapping.yaml        # unset: the packaged mapping for the reference ERP
    username: CROSSDOCK
    password_env: ERP_PASSWORD            # or password_file: secrets/erp-password
    basic_username: gateway               # optional HTTP Basic, with basic_password_env / _file
    connect_timeout_s: 5
    read_timeout_s: 30
    call_deadline_s: 60                   # the whole call: connect, send, headers and body
    max_response_bytes: 33554432          # the largest answer read, decoded (32 MiB)
    breaker_failures: 5
    breaker_cooldown_s: 30
    outage_window_s: 43200                # while the circuit is open, messages wait up to 12 h
    max_calls_per_s: 50                   # per worker process; null: unpaced

Secrets are read when the profile loads (never at import, never inline in the YAML) and kept as
``SecretStr``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from crossdock.bridges.soap.breaker import DEFAULT_OUTAGE_WINDOW_S
from crossdock.bridges.soap.client import ErpClient
from crossdock.bridges.soap.factory import ErpConnection, build_breaker, build_erp_client, build_pacer
from crossdock.bridges.soap.gateway import ErpGateway
from crossdock.bridges.soap.pacing import DEFAULT_MAX_CALLS_PER_S
from crossdock.bridges.soap.transport import CALL_DEADLINE_S, MAX_RESPONSE_BYTES
from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError
from crossdock.soap.mapping_config import ErpMapping, default_mapping, load_mapping


class ErpProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str = Field(pattern=r"^https?://")
    wsdl_file: Path | None = None
    schema_dirs: tuple[Path, ...] = ()
    mapping_file: Path | None = None
    service: str | None = None
    port: str | None = None
    username: str | None = None
    password_file: Path | None = None
    password_env: str | None = None
    password_digest: bool = False
    basic_username: str | None = None
    basic_password_file: Path | None = None
    basic_password_env: str | None = None
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=30.0, gt=0)
    call_deadline_s: float = Field(default=CALL_DEADLINE_S, gt=0)
    max_response_bytes: int = Field(default=MAX_RESPONSE_BYTES, ge=1024)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=30.0, ge=0)
    outage_window_s: float = Field(default=DEFAULT_OUTAGE_WINDOW_S, ge=0)
    max_calls_per_s: float | None = Field(default=DEFAULT_MAX_CALLS_PER_S, gt=0)


def _secret(
    origin: str, name: str, file: Path | None, env: str | None, base: Path, environ: Mapping[str, str]
) -> SecretStr | None:
    if file is not None and env is not None:
        raise ConfigError(f"{origin}: give {name}_file or {name}_env, not both")
    if file is not None:
        path = base / file
        try:
            return SecretStr(path.read_text().strip())
        except OSError as exc:
            raise ConfigError(f"{origin}: {name}_file {path}: {exc.strerror}") from exc
    if env is not None:
        if env not in environ:
            raise ConfigError(f"{origin}: {name}_env names {env}, which is not set")
        return SecretStr(environ[env])
    return None


def _under(base: Path, path: Path | None) -> Path | None:
    return None if path is None else base / path  # an absolute path stays absolute


def load_erp_profile(
    data: bytes, origin: str, base_dir: Path, environ: Mapping[str, str] | None = None
) -> tuple[ErpConnection, ErpMapping]:
    """Parse a profile; relative files are resolved against ``base_dir`` (the profile's folder)."""
    env = os.environ if environ is None else environ
    raw = load_yaml(data, origin)
    try:
        profile = ErpProfile.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{origin}: {problems}") from exc
    wsdl = _under(base_dir, profile.wsdl_file)
    connection = ErpConnection(
        endpoint=profile.endpoint,
        wsdl_file=wsdl,
        schema_dirs=tuple(base_dir / folder for folder in profile.schema_dirs),
        service=profile.service,
        port=profile.port,
        username=profile.username,
        password=_secret(origin, "password", profile.password_file, profile.password_env, base_dir, env),
        password_digest=profile.password_digest,
        basic_username=profile.basic_username,
        basic_password=_secret(
            origin, "basic_password", profile.basic_password_file, profile.basic_password_env, base_dir, env
        ),
        connect_timeout_s=profile.connect_timeout_s,
        read_timeout_s=profile.read_timeout_s,
        call_deadline_s=profile.call_deadline_s,
        max_response_bytes=profile.max_response_bytes,
        breaker_failures=profile.breaker_failures,
        breaker_cooldown_s=profile.breaker_cooldown_s,
        outage_window_s=profile.outage_window_s,
        max_calls_per_s=profile.max_calls_per_s,
    )
    if profile.mapping_file is None:
        return connection, default_mapping()
    path = base_dir / profile.mapping_file
    try:
        return connection, load_mapping(path.read_bytes(), str(path))
    except OSError as exc:
        raise ConfigError(f"{origin}: mapping_file {path}: {exc.strerror}") from exc


def build_gateway(connection: ErpConnection, mapping: ErpMapping) -> ErpGateway:
    """Load the WSDL (offline) and wire client, breaker, pacer and gateway: call once per worker process."""
    _, service = build_erp_client(connection)
    return ErpGateway(ErpClient(service, mapping, build_breaker(connection)), pacer=build_pacer(connection))
