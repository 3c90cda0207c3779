"""A WSDL's local imports and includes read only inside its own folder, or a folder allowed explicitly:
``../`` paths, absolute paths and symlinks leading out of it are refused, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.bridges.soap import ErpConnection, build_erp_client
from crossdock.bridges.soap.inspect import load_for_inspection
from crossdock.bridges.soap.transport import LocalFileRefusedError

LOCAL = Path(__file__).resolve().parents[2] / "data" / "soap" / "local"


def _wsdl_importing(folder: Path, location: str) -> Path:
    """The test WSDL in ``folder``, its schema import pointing at ``location``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (LOCAL / "service.wsdl").read_text().replace('schemaLocation="order.xsd"', f'schemaLocation="{location}"')
    path = folder / "service.wsdl"
    path.write_text(text)
    return path


def _schema_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "order.xsd"
    path.write_bytes((LOCAL / "order.xsd").read_bytes())
    return path


def test_a_schema_beside_or_below_the_wsdl_loads(tmp_path: Path) -> None:
    _schema_in(tmp_path / "wsdl" / "xsd")
    client, _ = load_for_inspection(str(_wsdl_importing(tmp_path / "wsdl", "xsd/order.xsd")))
    assert client is not None


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_a_schema_outside_the_wsdls_folder_is_refused(tmp_path: Path, how: str) -> None:
    outside = _schema_in(tmp_path / "shared")
    location = {"parent": "../shared/order.xsd", "absolute": str(outside), "symlink": "link.xsd"}[how]
    wsdl = _wsdl_importing(tmp_path / "wsdl", location)
    if how == "symlink":
        (tmp_path / "wsdl" / "link.xsd").symlink_to(outside)
    with pytest.raises(LocalFileRefusedError, match=r"local file .*(order|link)\.xsd, outside the folders") as caught:
        load_for_inspection(str(wsdl))
    assert str(tmp_path / "wsdl") in str(caught.value)  # says which folder a WSDL may read
    # The same for the ERP client built from a connection
    with pytest.raises(LocalFileRefusedError):
        build_erp_client(ErpConnection(endpoint="http://127.0.0.1:9/erp", wsdl_file=wsdl))


def test_a_folder_allowed_explicitly_may_be_read(tmp_path: Path) -> None:
    _schema_in(tmp_path / "shared")
    wsdl = _wsdl_importing(tmp_path / "wsdl", "../shared/order.xsd")
    client, _ = load_for_inspection(str(wsdl), allowed_dirs=[tmp_path / "shared"])
    assert client is not None
    connection = ErpConnection(endpoint="http://127.0.0.1:9/erp", wsdl_file=wsdl, schema_dirs=(tmp_path / "shared",))
    _, service = build_erp_client(connection)
    assert service is not None
