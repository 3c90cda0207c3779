"""ERP profiles: files relative to the profile, secrets from a file or the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.bridges.soap.profile import build_gateway, load_erp_profile
from crossdock.errors import ConfigError

DATA = Path(__file__).resolve().parents[2] / "data" / "soap"


def test_secrets_come_from_a_file_or_the_environment(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("file-secret\n")
    text = b"endpoint: http://127.0.0.1:8089/erp\nusername: u\npassword_file: pw\n"
    text += b"basic_username: b\nbasic_password_env: B\n"
    connection, mapping = load_erp_profile(text, "erp.yaml", tmp_path, {"B": "env-secret"})
    assert connection.password is not None and connection.password.get_secret_value() == "file-secret"
    assert connection.basic_password is not None and connection.basic_password.get_secret_value() == "env-secret"
    assert "file-secret" not in repr(connection) and "env-secret" not in repr(connection)
    assert mapping.name == "crossdock-reference-erp"


def test_a_user_wsdl_and_mapping_relative_to_the_profile_build_a_gateway_offline() -> None:
    text = b"endpoint: http://127.0.0.1:9/orders\nwsdl_file: local/service.wsdl\nmapping_file: local_mapping.yaml\n"
    connection, mapping = load_erp_profile(text, "erp.yaml", DATA, {})
    assert connection.wsdl_file == DATA / "local" / "service.wsdl"
    gateway = build_gateway(connection, mapping)  # loads the WSDL; sockets are off in unit tests
    assert gateway.client.mapping.operation("create_sales_order").operation == "Create"


def test_the_call_limits_and_schema_folders_come_from_the_profile(tmp_path: Path) -> None:
    defaults, _ = load_erp_profile(b"endpoint: http://127.0.0.1:9/erp\n", "erp.yaml", tmp_path, {})
    assert (defaults.call_deadline_s, defaults.max_response_bytes, defaults.schema_dirs) == (60.0, 32 * 1024 * 1024, ())
    text = b"endpoint: http://127.0.0.1:9/erp\ncall_deadline_s: 20\nmax_response_bytes: 65536\nschema_dirs: [xsd]\n"
    connection, _ = load_erp_profile(text, "erp.yaml", tmp_path, {})
    assert (connection.call_deadline_s, connection.max_response_bytes) == (20.0, 65536)
    assert connection.schema_dirs == (tmp_path / "xsd",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"endpoint: ftp://x\n", "endpoint"),
        (b"endpoint: http://x\npassword_env: NOPE\n", "password_env names NOPE, which is not set"),
        (b"endpoint: http://x\npassword_env: A\npassword_file: f\n", "not both"),
        (b"endpoint: http://x\npassword_file: missing\n", "password_file"),
        (b"endpoint: http://x\nmapping_file: missing.yaml\n", "mapping_file"),
        (b"endpoint: http://x\ntimeout: 3\n", "timeout"),
        (b"endpoint: [\n", "not valid YAML"),
    ],
)
def test_profile_errors_name_the_field(tmp_path: Path, text: bytes, message: str) -> None:
    with pytest.raises(ConfigError, match=r"erp\.yaml") as caught:
        load_erp_profile(text, "erp.yaml", tmp_path, {"A": "x"})
    assert message in str(caught.value)
