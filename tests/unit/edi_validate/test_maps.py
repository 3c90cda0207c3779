"""The compiled maps load in pyx12 and the index finds them for what partners really send."""

from __future__ import annotations

from importlib.resources import files as package_files
from pathlib import Path

import pytest
import pyx12.map_if
import pyx12.map_index
import pyx12.params

from crossdock.edi.maps import versions
from crossdock.edi.maps.cache import map_directory
from crossdock.edi.maps.compiler import control_file_name


@pytest.mark.parametrize("version", versions.VERSIONS)
@pytest.mark.parametrize("module", versions.SET_MODULES, ids=lambda m: m.SET_ID)
def test_every_generated_map_loads_in_pyx12(map_dir: Path, module: object, version: str) -> None:
    name = versions.map_file_name(module.SET_ID, version)  # type: ignore[attr-defined]
    loaded = pyx12.map_if.load_map_file(name, pyx12.params.ParamsBase(), str(map_dir))
    assert loaded.id == module.SET_ID  # type: ignore[attr-defined]
    assert loaded.icvn == ("00501" if version == "005010" else "00401")
    # every segment's elements resolve in the merged dataele.xml
    for node in loaded.loop_segment_iterator():
        if isinstance(node, pyx12.map_if.segment_if):
            for child in node.children:
                parts = child.children if isinstance(child, pyx12.map_if.composite_if) else [child]
                for element in parts:
                    assert element.data_type, f"{element.refdes} has no data element definition"


@pytest.mark.parametrize("version", versions.VERSIONS)
def test_control_map_loads(map_dir: Path, version: str) -> None:
    loaded = pyx12.map_if.load_map_file(control_file_name(version), pyx12.params.ParamsBase(), str(map_dir))
    assert loaded.getnodebypath("/ISA_LOOP/GS_LOOP/ST_LOOP/SE") is not None


@pytest.mark.parametrize(
    ("icvn", "gs08", "fic", "expected"),
    [
        ("00401", "004010", "PO", "crossdock.850.0040.xml"),
        ("00403", "004010VICS", "PO", "crossdock.850.0040.xml"),
        ("00400", "004010", "OW", "crossdock.940.0040.xml"),
        ("00204", "004010", "SW", "crossdock.945.0040.xml"),
        ("00501", "005010UCS", "SH", "crossdock.856.0050.xml"),
        ("00401", "004010", "FA", "crossdock.997.0040.xml"),
        ("00501", "005010", "FA", "crossdock.997.0050.xml"),
        ("00401", "004010X098A1", "HC", "837.4010.X098.A1.xml"),
    ],
)
def test_index_finds_maps(map_dir: Path, icvn: str, gs08: str, fic: str, expected: str) -> None:
    assert pyx12.map_index.map_index(str(map_dir)).get_filename(icvn, gs08, fic) == expected


def test_directory_is_content_keyed_and_reused(map_dir: Path) -> None:
    assert map_directory(map_dir.parent) == map_dir
    assert sorted(p.name for p in map_dir.parent.iterdir() if p.name.startswith("pyx12-maps-")) == [map_dir.name]


@pytest.mark.parametrize(("pattern", "xsd"), [("crossdock.*.xml", "map.xsd"), ("maps.xml", "maps.xsd"),
                                             ("dataele.xml", "dataele.xsd")])
def test_generated_files_conform_to_pyx12_schemas(map_dir: Path, pattern: str, xsd: str) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    schema_bytes = package_files("pyx12").joinpath("map", xsd).read_bytes()
    schema = etree.XMLSchema(etree.fromstring(schema_bytes, parser))
    paths = sorted(map_dir.glob(pattern))
    assert paths
    for path in paths:
        document = etree.fromstring(path.read_bytes(), parser)
        assert schema.validate(document), f"{path.name}: {schema.error_log.last_error}"


def test_merged_dataele_adds_missing_elements_and_widens_shared_ones(map_dir: Path) -> None:
    import defusedxml.ElementTree as SafeET

    table = {e.get("ele_num"): e for e in SafeET.fromstring((map_dir / "dataele.xml").read_bytes()).iter("data_ele")}
    pyx12_own = package_files("pyx12").joinpath("map", "dataele.xml").read_bytes()
    assert b'ele_num="330"' not in pyx12_own
    assert (table["330"].get("data_type"), table["330"].get("max_len")) == ("R", "15")  # Quantity Ordered
    assert table["127"].get("max_len") == "50"  # Reference Identification: 30 in 004010, 50 in 005010
    assert table["I65"].get("data_type") == "B"  # ISA11 holds a delimiter from 00403 on


@pytest.mark.parametrize(
    ("gs08", "family"),
    [("004010", "004010"), ("004010VICS", "004010"), ("004030", "004010"), ("005010X230", "005010"),
     ("005050", "005010"), ("003040", None), ("", None), ("X12", None)],
)
def test_base_version(gs08: str, family: str | None) -> None:
    assert versions.base_version(gs08) == family


def test_unwritable_cache_root_is_a_config_error(tmp_path: Path) -> None:
    from crossdock.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="cannot build"):
        map_directory(blocker / "cache")


def test_falls_back_to_the_temp_dir_when_the_user_cache_is_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    built = map_directory()
    assert built.parent.parent == tmp_path / "tmp" and built.parent.name.startswith("crossdock-cache-")
    assert (built / "maps.xml").is_file()
