from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.errors import ConfigError
from crossdock.settings import environment_warnings, load_settings


def test_embedded_defaults() -> None:
    settings = load_settings(environ={})
    assert settings.uses_embedded_broker
    assert settings.effective_database_url.startswith("sqlite:///")


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text("broker_url: amqp://guest:guest@127.0.0.1:5672/%2F\nmax_retries: 2\n")
    settings = load_settings(config, environ={"CROSSDOCK_MAX_RETRIES": "7"})
    assert settings.broker_url == "amqp://guest:guest@127.0.0.1:5672/%2F"
    assert settings.max_retries == 7


def test_bad_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="broker_url"):
        load_settings(environ={"CROSSDOCK_BROKER_URL": "http://nope"})


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(ValueError):
        settings.max_retries = 3  # type: ignore[misc]


def test_a_rejected_url_password_is_not_in_the_error() -> None:
    with pytest.raises(ConfigError, match="broker_url") as caught:
        load_settings(environ={"CROSSDOCK_BROKER_URL": "http://ops:hunter2@127.0.0.1/"})
    assert "hunter2" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_repr_masks_url_passwords_and_secrets() -> None:
    settings = load_settings(
        environ={
            "CROSSDOCK_BROKER_URL": "amqp://ops:hunter2@127.0.0.1:5672/%2F",
            "CROSSDOCK_DATABASE_URL": "postgresql://app:pgsecret@127.0.0.1/test",
            "CROSSDOCK_WEBHOOK_SECRET": "whsecret",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in ("hunter2", "pgsecret", "whsecret"):
        assert secret not in shown
    assert "amqp://ops:***@127.0.0.1:5672/%2F" in shown
    assert settings.broker_url == "amqp://ops:hunter2@127.0.0.1:5672/%2F"  # the value itself is intact


def test_a_broken_config_file_line_is_not_quoted_in_the_error(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text('broker_url: "amqp://ops:hunter2@127.0.0.1/\nmax_retries: 2\n')
    with pytest.raises(ConfigError, match="not valid YAML: found unexpected end of stream at line 3") as caught:
        load_settings(config, environ={})
    assert "hunter2" not in str(caught.value) and caught.value.__cause__ is None


def test_the_default_data_dir_is_the_users_data_directory_not_the_current_folder() -> None:
    settings = load_settings(environ={})
    assert settings.data_dir.is_absolute()
    assert settings.data_dir.name == "crossdock"


def test_config_dir_and_its_deprecated_name(tmp_path: Path) -> None:
    assert load_settings(environ={"CROSSDOCK_CONFIG_DIR": str(tmp_path)}).config_dir == tmp_path
    old = {"CROSSDOCK_PARTNERS_PATH": str(tmp_path)}
    assert load_settings(environ=old).config_dir == tmp_path
    assert load_settings(environ=old).partners_path == tmp_path
    assert environment_warnings(old) == ["CROSSDOCK_PARTNERS_PATH is deprecated: use CROSSDOCK_CONFIG_DIR"]


def test_an_unknown_crossdock_variable_is_named_with_the_closest_known_one() -> None:
    env = {"CROSSDOCK_DATABSE_URL": "sqlite://", "CROSSDOCK_SHOPIFY_TOKEN": "t", "CROSSDOCK_FROBNICATE": "1"}
    assert environment_warnings(env) == [
        "CROSSDOCK_DATABSE_URL is not a crossdock setting (ignored): did you mean CROSSDOCK_DATABASE_URL?",
        "CROSSDOCK_FROBNICATE is not a crossdock setting (ignored)",
    ]
    assert "sqlite://" not in " ".join(environment_warnings(env))
