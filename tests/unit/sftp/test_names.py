from __future__ import annotations

import posixpath
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.bridges.sftp import UnsafeRemoteNameError, render_name, safe_name
from crossdock.bridges.sftp.names import check_pattern, document_name, remote_path, safe_folder


@pytest.mark.parametrize("name", ["ASN_000000001.edi", "acme-3pl.856.x12", "a", "PO_2024-01-02T030405.edi"])
def test_safe_names_pass(name: str) -> None:
    assert safe_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("..", "'..'"),
        ("../x.edi", "path separator"),
        ("/etc/passwd", "path separator"),
        ("a\\b", "path separator"),
        ("a\x00b", "NUL"),
        ("x..y", "'..'"),
        (".hidden", "not first"),
        ("-rf", "not first"),
        ("has space.edi", "only letters"),
        ("é.edi", "only letters"),
        ("a" * 201, "longer than"),
    ],
)
def test_unsafe_names_are_rejected_with_the_reason(name: str, why: str) -> None:
    with pytest.raises(UnsafeRemoteNameError, match="unsafe remote file name") as err:
        safe_name(name)
    assert why in err.value.reason


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_any_accepted_name_stays_inside_its_folder(name: str) -> None:
    try:
        path = remote_path("/in/box", name)
    except UnsafeRemoteNameError:
        return
    assert posixpath.normpath(path) == path
    assert posixpath.dirname(path) == "/in/box"


@pytest.mark.parametrize("folder", ["relative/x", "/in/../etc", "/in/./x", "/in//x", "/in\\x", "/in/\x00"])
def test_unsafe_folders_are_rejected(folder: str) -> None:
    with pytest.raises(ValueError):
        safe_folder(folder)


def test_folder_is_normalised() -> None:
    assert safe_folder("/in/box/") == "/in/box"
    assert safe_folder("/") == "/"


def test_pattern_renders_every_field() -> None:
    name = render_name(
        "{partner}_{set}_{control:09d}_{timestamp}.edi",
        partner="acme",
        set_id="810",
        control=12,
        at=datetime(2024, 1, 2, 3, 4, 5),
    )
    assert name == "acme_810_000000012_20240102T030405.edi"


def test_pattern_with_unknown_field_or_unsafe_result_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        check_pattern("{partner}_{po}.edi")
    with pytest.raises(ValueError, match="path separator"):
        check_pattern("../{partner}.edi")
    with pytest.raises(UnsafeRemoteNameError):
        render_name("{partner}.edi", partner="../up", set_id="856", control=1, at=datetime(2024, 1, 1))


def test_document_names_always_carry_the_isa13_and_the_document_id() -> None:
    at = datetime(2024, 1, 2, 3, 4, 5)
    common = {"partner": "acme", "set_id": "940", "control": 12, "at": at, "doc_id": 7}
    assert document_name("{partner}_{set}_{control:09d}_{timestamp}.edi", **common) == (
        "acme_940_000000012_20240102T030405_7.edi"
    )
    assert document_name("{partner}_{id}_{control}.x12", **common) == "acme_7_12.x12"
    assert document_name("{partner}_{set}.edi", **common) == "acme_940_000000012_7.edi"
    assert document_name("{partner}_{set}", **common) == "acme_940_000000012_7"
    assert document_name("{partner}_{set}", **{**common, "doc_id": 8}) != document_name("{partner}_{set}", **common)
