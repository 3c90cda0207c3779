"""A trading partner's SFTP profile: YAML validated by pydantic, errors naming the field.

Example (``docs/sftp.md`` has the full reference)::

    partner: acme3pl
    host: sftp.acme3pl.example
    port: 22
    user: crossdock
    auth: {key_file: keys/acme3pl_ed25519}        # or password_file: / password_env:
    host_keys: ["sftp.acme3pl.example ssh-ed25519 AAAAC3Nz..."]   # and/or host_keys_file:
    folders: {inbound: /out/to_retailer, outbound: /in/from_retailer, archive: /out/archive, error: /out/error}
    outbound_name: "{partner}_{set}_{control:09d}_{timestamp}.edi"
    poll_interval_s: 60
    done_marker: .done                            # optional
    timeouts: {connect_s: 10, banner_s: 10, auth_s: 10, op_s: 30}

Relative paths are resolved against the profile file's folder. Secrets (password, key passphrase) are
read from a file or an environment variable only when a session opens, and kept as ``SecretStr``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from crossdock.bridges.sftp.hostkeys import parse_pinned
from crossdock.bridges.sftp.names import check_pattern, safe_folder
from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError

_PARTNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Auth(_Frozen):
    """Exactly one of ``key_file`` or a password source; secrets are never stored in the profile."""

    key_file: Path | None = None
    key_passphrase_env: str | None = None
    password_file: Path | None = None
    password_env: str | None = None

    @field_validator("key_passphrase_env", "password_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError("must be an environment variable name")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Auth:
        sources = [s for s in (self.key_file, self.password_file, self.password_env) if s is not None]
        if len(sources) != 1:
            raise ValueError("set exactly one of key_file, password_file, password_env")
        return self


class Folders(_Frozen):
    inbound: str
    outbound: str
    archive: str
    error: str

    @field_validator("inbound", "outbound", "archive", "error")
    @classmethod
    def _safe(cls, value: str) -> str:
        return safe_folder(value)

    @model_validator(mode="after")
    def _distinct(self) -> Folders:
        if len({self.inbound, self.archive, self.error}) != 3:
            raise ValueError("inbound, archive and error must be different folders")
        return self


class Timeouts(_Frozen):
    connect_s: float = Field(default=10.0, gt=0, le=300)
    banner_s: float = Field(default=10.0, gt=0, le=300)
    auth_s: float = Field(default=10.0, gt=0, le=300)
    op_s: float = Field(default=30.0, gt=0, le=600, description="Every SFTP request (list, read, write, rename).")


class PartnerProfile(_Frozen):
    partner: str
    host: str
    port: int = Field(default=22, ge=1, le=65535)
    user: str = Field(min_length=1)
    auth: Auth
    host_keys: list[str] = Field(default_factory=list, description="known_hosts lines pinned for this host.")
    host_keys_file: Path | None = None
    folders: Folders
    outbound_name: str = "{partner}_{set}_{control:09d}_{timestamp}.edi"
    poll_interval_s: float = Field(default=60.0, gt=0)
    done_marker: str | None = Field(default=None, description="Suffix such as '.done' the partner writes last.")
    settle_s: float = Field(default=2.0, ge=0, le=60, description="Wait between the two looks at a new file.")
    max_file_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    timeouts: Timeouts = Field(default_factory=Timeouts)
    reconnect_attempts: int = Field(default=3, ge=0, le=10)
    reconnect_backoff_s: float = Field(default=1.0, ge=0, le=60)

    @field_validator("partner")
    @classmethod
    def _partner(cls, value: str) -> str:
        if not _PARTNER.fullmatch(value):
            raise ValueError("must be 1-64 letters, digits, '_' or '-'")
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value or any(c in value for c in " /\\@[]\x00"):
            raise ValueError("must be a host name or IP address")
        return value

    @field_validator("outbound_name")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_pattern(value)

    @field_validator("done_marker")
    @classmethod
    def _marker(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\.[A-Za-z0-9_-]{1,16}", value):
            raise ValueError("must look like '.done' or '.ok'")
        return value

    @model_validator(mode="after")
    def _some_host_key(self) -> PartnerProfile:
        if not self.host_keys and self.host_keys_file is None:
            raise ValueError("host_keys or host_keys_file is required: host keys are always pinned")
        return self

    def pinned_keys(self) -> list[paramiko.PKey]:
        """Parse the pinned keys (reads ``host_keys_file``); ConfigError when none match this host."""
        lines = list(self.host_keys)
        if self.host_keys_file is not None:
            lines += _read_text(self.host_keys_file, "host_keys_file").splitlines()
        return parse_pinned(lines, self.host, self.port, source=f"partner {self.partner} host_keys")

    def credentials(self, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read the secret now (file or environment); never logged."""
        env = os.environ if environ is None else environ
        auth = self.auth
        if auth.key_file is not None:
            passphrase = _env_secret(env, auth.key_passphrase_env, "auth.key_passphrase_env")
            return Credentials(key_file=auth.key_file, password=None, passphrase=passphrase)
        if auth.password_file is not None:
            text = _read_text(auth.password_file, "auth.password_file").rstrip("\r\n")
            return Credentials(key_file=None, password=SecretStr(text), passphrase=None)
        return Credentials(key_file=None, password=_env_secret(env, auth.password_env, "auth.password_env"))


@dataclass(frozen=True, repr=False)
class Credentials:
    key_file: Path | None
    password: SecretStr | None
    passphrase: SecretStr | None = None

    def __repr__(self) -> str:
        return f"Credentials(key_file={self.key_file!r}, password={'***' if self.password else None})"


def _env_secret(env: Mapping[str, str], name: str | None, field: str) -> SecretStr | None:
    if name is None:
        return None
    if name not in env:
        raise ConfigError(f"{field}: environment variable {name} is not set")
    return SecretStr(env[name])


def _read_text(path: Path, field: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{field}: cannot read {path}: {exc.strerror}") from exc


def _resolve(base: Path, data: dict[str, Any]) -> None:
    """Make relative file paths relative to the profile's folder."""
    auth = data.get("auth")
    if isinstance(auth, dict):
        for key in ("key_file", "password_file"):
            if isinstance(auth.get(key), str) and not Path(auth[key]).is_absolute():
                auth[key] = str(base / auth[key])
    if isinstance(data.get("host_keys_file"), str) and not Path(data["host_keys_file"]).is_absolute():
        data["host_keys_file"] = str(base / data["host_keys_file"])


def profile_from_dict(data: Mapping[str, Any], *, source: str = "profile", base: Path | None = None) -> PartnerProfile:
    values = dict(data)
    if isinstance(values.get("auth"), dict):
        values["auth"] = dict(values["auth"])
    if base is not None:
        _resolve(base, values)
    try:
        return PartnerProfile.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(profile)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid SFTP partner profile {source}: {problems}") from exc


def load_profile(path: Path) -> PartnerProfile:
    """Read and validate one partner profile YAML file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read SFTP partner profile {path}: {exc.strerror}") from exc
    loaded = load_yaml(data, f"SFTP partner profile {path}")
    if not isinstance(loaded, dict):
        raise ConfigError(f"SFTP partner profile {path} must hold a mapping")
    return profile_from_dict(loaded, source=str(path), base=path.parent)
