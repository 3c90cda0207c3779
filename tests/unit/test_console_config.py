"""The console's config file and payload views, pure: users, roles, secrets by reference, the shipped
deploy/config/console.yaml, and PII masking of JSON, X12 and XML payloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.console.config import Action, Role, hash_password, load_console_config, may
from crossdock.console.payload import show
from crossdock.errors import ConfigError, Owner

ROOT = Path(__file__).resolve().parents[2]
ENV = {"CROSSDOCK_CONSOLE_SECRET": "k" * 40}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "console.yaml"
    path.write_text(text)
    return path


def test_the_shipped_config_loads_and_nobody_logs_in_until_a_hash_is_set() -> None:
    config = load_console_config(ROOT / "deploy" / "config" / "console.yaml", ENV)
    assert {u.role for u in config.users.values()} == set(Role)
    assert config.secure_cookies and config.proxy is None
    assert config.authenticate("ops", "change-me") is None


def test_a_user_logs_in_with_the_password_of_its_hash(tmp_path: Path) -> None:
    digest = hash_password("s3cret!")
    config = load_console_config(
        write(tmp_path, f"users: [{{name: ana, role: operator, password_hash: '{digest}'}}]"), ENV
    )
    assert config.authenticate("ana", "s3cret!") == config.users["ana"]
    assert config.authenticate("ana", "wrong") is None and config.authenticate("bob", "s3cret!") is None


@pytest.mark.parametrize(
    ("text", "env", "problem"),
    [
        ("users: [{name: ana, role: operator, password_hash: '$argon2id$x'}]", {}, "CROSSDOCK_CONSOLE_SECRET"),
        ("users: [{name: ana, role: admin, password_hash: '$argon2id$x'}]", ENV, "users.0.role"),
        ("users: [{name: ana, role: viewer, password_hash: 'plain'}]", ENV, "users.0.password_hash"),
        ("users: [{name: ana, role: viewer}]", ENV, "every user needs a password_hash"),
        ("users: []", ENV, "users"),
        ("users: [{name: a, role: viewer}]\nproxy: {trusted: [not-an-ip]}", ENV, "proxy.trusted"),
        ("users: [{name: a, role: viewer, password_hash: '$argon2id$x'}]\npassword: inline", ENV, "password"),
        ("users: [{name: a, role: viewer}]\nack_overdue_hours: 24", ENV, "moved to flows.yaml as sla.deadlines"),
    ],
)
def test_a_bad_config_is_one_clear_error_naming_the_field(tmp_path: Path, text: str, env: dict[str, str],
                                                          problem: str) -> None:  # fmt: skip
    with pytest.raises(ConfigError, match="console config") as caught:
        load_console_config(write(tmp_path, text), env)
    assert problem in str(caught.value)
    assert "k" * 40 not in str(caught.value)


def test_roles_allow_what_they_should_and_nothing_else() -> None:
    assert not any(may(Role.VIEWER, a, o) for a in Action for o in Owner)
    assert all(may(Role.OPERATOR, a, o) for a in Action for o in Owner)
    assert may(Role.FINANCE, Action.RESOLVE, Owner.FINANCE) and may(Role.FINANCE, Action.IGNORE, Owner.FINANCE)
    assert not may(Role.FINANCE, Action.RESOLVE, Owner.WAREHOUSE)
    assert not may(Role.FINANCE, Action.REPLAY, Owner.FINANCE) and not may(Role.FINANCE, Action.DLQ_REPLAY)


def test_payloads_are_pretty_printed_and_pii_masked_for_viewers() -> None:
    isa = b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*0930*U*00401*000000501*0*P*>~"
    x12 = isa + b"N1*ST*Jane Doe*92*7~N3*1 Elm St~PER*IC*Jane*TE*5551234~SE*4*1~"
    shown = show(x12, mask=True)
    assert shown.kind == "x12" and shown.text.splitlines()[1] == "N1*ST*[masked]*92*7~"
    assert "Elm" not in shown.text and "5551234" not in shown.text
    assert "Jane Doe" in show(x12, mask=False).text
    order = b'{"order_id": "1001", "shipping_address": {"name": "Jane", "address1": "1 Elm"}, "email": "j@x.io"}'
    masked = show(order, mask=True)
    assert masked.kind == "json" and "1001" in masked.text and "Jane" not in masked.text and "j@x.io" not in masked.text
    xml = b"<Order><No>SO-1</No><Customer><Name>Jane</Name><Email>j@x.io</Email></Customer></Order>"
    shown = show(xml, mask=True)
    assert shown.kind == "xml" and "SO-1" in shown.text and "Jane" not in shown.text and "\n" in shown.text
    assert show(b"<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>", mask=False).kind == "text"
    assert "Jane" not in show(b"free text with Jane", mask=True).text


def test_a_payload_that_looks_like_json_or_xml_but_is_not_says_why_it_is_shown_as_text() -> None:
    broken_json = show(b'{"order": 1,', mask=False)
    assert broken_json.kind == "text" and broken_json.problem is not None and "not valid JSON" in broken_json.problem
    doctype = show(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', mask=False)
    assert doctype.kind == "text" and doctype.problem is not None and "DOCTYPE" in doctype.problem
    assert show(b'{"order": 1}', mask=False).problem is None
