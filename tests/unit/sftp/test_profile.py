from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from crossdock.bridges.sftp import load_profile, profile_from_dict
from crossdock.errors import ConfigError
from tests.unit.sftp.test_hostkeys import public_line

YAML = """\
partner: acme3pl
host: sftp.acme3pl.example
port: 2222
user: crossdock
auth:
  key_file: keys/acme_ed25519
host_keys:
  - "[sftp.acme3pl.example]:2222 {key}"
folders:
  inbound: /out/to_retailer
  outbound: /in/from_retailer
  archive: /out/archive
  error: /out/error
outbound_name: "{{partner}}_{{set}}_{{control:09d}}_{{timestamp}}.edi"
poll_interval_s: 30
done_marker: .done
timeouts: {{connect_s: 3, op_s: 20}}
"""


def base(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "partner": "acme3pl",
        "host": "sftp.example",
        "user": "crossdock",
        "auth": {"password_env": "ACME_SFTP_PASSWORD"},
        "host_keys": [public_line()],
        "folders": {"inbound": "/in", "outbound": "/out", "archive": "/in/archive", "error": "/in/error"},
    }
    data.update(overrides)
    return data


def test_yaml_profile_loads_and_resolves_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "acme3pl.yaml"
    path.write_text(YAML.format(key=public_line()))
    profile = load_profile(path)
    assert profile.auth.key_file == tmp_path / "keys" / "acme_ed25519"
    assert profile.port == 2222 and profile.done_marker == ".done"
    assert profile.timeouts.connect_s == 3 and profile.timeouts.op_s == 20 and profile.timeouts.banner_s == 10
    assert len(profile.pinned_keys()) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"port": 70000}, "port"),
        ({"folders": {"inbound": "/in", "outbound": "/out", "archive": "/a"}}, "folders.error"),
        ({"folders": {"inbound": "/in", "outbound": "/o", "archive": "/in", "error": "/e"}}, "folders"),
        ({"folders": {"inbound": "../in", "outbound": "/o", "archive": "/a", "error": "/e"}}, "folders.inbound"),
        ({"auth": {"password_env": "X", "key_file": "/k"}}, "auth"),
        ({"auth": {}}, "auth"),
        ({"host_keys": []}, "host_keys or host_keys_file"),
        ({"outbound_name": "{partner}_{po}.edi"}, "outbound_name"),
        ({"outbound_name": "../{partner}.edi"}, "outbound_name"),
        ({"done_marker": "done/"}, "done_marker"),
        ({"partner": "acme 3pl"}, "partner"),
        ({"host": "user@host"}, "host"),
        ({"timeouts": {"op_s": 0}}, "timeouts.op_s"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_profile_names_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match="invalid SFTP partner profile") as err:
        profile_from_dict(base(**overrides), source="acme.yaml")
    assert field in str(err.value)
    assert "acme.yaml" in str(err.value)


def test_not_yaml_or_not_a_mapping_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("partner: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_profile(bad)
    bad.write_text("- a list")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_profile(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_profile(tmp_path / "missing.yaml")


def test_password_from_env_is_secret_and_never_in_repr() -> None:
    profile = profile_from_dict(base())
    creds = profile.credentials({"ACME_SFTP_PASSWORD": "hunter2"})
    assert isinstance(creds.password, SecretStr)
    assert creds.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(creds) and "hunter2" not in repr(profile)


def test_missing_secret_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"auth\.password_env: environment variable ACME_SFTP_PASSWORD"):
        profile_from_dict(base()).credentials({})
    profile = profile_from_dict(base(auth={"password_file": str(tmp_path / "nope")}))
    with pytest.raises(ConfigError, match=r"auth\.password_file"):
        profile.credentials({})


def test_password_file_is_read_without_its_newline(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    creds = profile_from_dict(base(auth={"password_file": str(secret)})).credentials({})
    assert creds.password is not None and creds.password.get_secret_value() == "s3cret"


def test_host_keys_file_is_read(tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(f"sftp.example {public_line()}\n")
    profile = profile_from_dict(base(host_keys=[], host_keys_file=str(known)))
    assert len(profile.pinned_keys()) == 1
