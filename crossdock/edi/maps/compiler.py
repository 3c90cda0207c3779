"""Compile crossdock's map sources to pyx12 map XML (the format of pyx12's ``map/*.xml``, see its
``map.xsd``), and merge the index (``maps.xml``) and data element table (``dataele.xml``) with pyx12's.

Pure: every function returns ``bytes``; :mod:`crossdock.edi.maps.cache` writes them to disk.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # building XML only; parsing uses defusedxml
from collections.abc import Iterable
from types import ModuleType

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

from crossdock.edi.maps import dictionary, versions
from crossdock.edi.maps.source import (
    Dictionary,
    ElementUse,
    LoopEntry,
    SegmentDef,
    SegmentEntry,
    parse_dictionary,
    parse_table,
)
from crossdock.errors import ConfigError

# Envelope segments, written here because their element definitions (I01..I16, 28, 96 ...) are pyx12's.
_ENVELOPE = {
    "ISA": (
        "Interchange Control Header",
        "I01! I02! I03! I04! I05! I06! I05! I07! I08! I09! I65! I11! I12! I13! I14! I15!",
    ),
    "GS": ("Functional Group Header", "479! 142! 124! 373! 337! 28! 455! 480!"),
    "ST": ("Transaction Set Header", "143! 329!"),
    "SE": ("Transaction Set Trailer", "96! 329!"),
    "GE": ("Functional Group Trailer", "97! 28!"),
    "IEA": ("Interchange Control Trailer", "I16! I12!"),
}
_ENVELOPE_CODES = {
    "ISA01": "00 01 02 03 04 05 06",
    "ISA03": "00 01",
    "ISA14": "0 1",
    "ISA15": "P T I",
    "GS07": "T X",
}


def load_dictionary() -> Dictionary:
    return parse_dictionary(dictionary.ELEMENTS, dictionary.COMPOSITES, dictionary.SEGMENTS)


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _segment_def(seg_id: str, dic: Dictionary, version: str) -> SegmentDef:
    if seg_id in _ENVELOPE:
        name, refs = _ENVELOPE[seg_id]
        tokens = refs.split() + (["1705"] if seg_id == "ST" and version == "005010" else [])
        return SegmentDef(seg_id, name, tuple(ElementUse(t.rstrip("!"), t.endswith("!")) for t in tokens))
    try:
        seg = dic.segments[seg_id]
    except KeyError:
        raise ConfigError(f"map source: segment {seg_id} is not in the dictionary") from None
    if version == "005010" and seg_id in versions.EXTRA_ELEMENTS_005010:
        extra = tuple(ElementUse(ref, False) for ref in versions.EXTRA_ELEMENTS_005010[seg_id])
        seg = SegmentDef(seg.id, seg.name, seg.elements + extra, seg.syntax)
    return seg


def _element_name(ref: str, dic: Dictionary) -> str:
    found = dic.elements.get(ref)
    return found.name if found else ref


def _add_element(parent: ET.Element, xid: str, use: ElementUse, seq: int, dic: Dictionary) -> None:
    node = ET.SubElement(parent, "element", xid=xid)
    _text(node, "data_ele", use.ref)
    _text(node, "name", _element_name(use.ref, dic))
    _text(node, "usage", "R" if use.mandatory else "S")
    _text(node, "seq", f"{seq:02d}")
    codes = versions.CODE_LISTS.get(xid) or _ENVELOPE_CODES.get(xid)
    if codes:
        valid = ET.SubElement(node, "valid_codes")
        for code in codes.split():
            _text(valid, "code", code)


def _add_segment(parent: ET.Element, seg_id: str, usage: str, pos: int, max_use: str, dic: Dictionary,
                 version: str) -> None:
    seg = _segment_def(seg_id, dic, version)
    node = ET.SubElement(parent, "segment", xid=seg_id)
    _text(node, "name", seg.name)
    _text(node, "usage", usage)
    _text(node, "pos", f"{pos:04d}")
    _text(node, "max_use", max_use)
    for note in seg.syntax:
        _text(node, "syntax", note)
    for seq, use in enumerate(seg.elements, start=1):
        xid = f"{seg_id}{seq:02d}"
        if not use.is_composite:
            _add_element(node, xid, use, seq, dic)
            continue
        comp = ET.SubElement(node, "composite", xid=xid)
        _text(comp, "data_ele", use.ref)
        _text(comp, "name", f"Composite {use.ref}")
        _text(comp, "usage", "R" if use.mandatory else "S")
        _text(comp, "seq", f"{seq:02d}")
        _text(comp, "refdes", xid)
        try:
            components = dic.composites[use.ref]
        except KeyError:
            raise ConfigError(f"map source: composite {use.ref} ({xid}) is not in the dictionary") from None
        for sub, part in enumerate(components, start=1):
            _add_element(comp, f"{xid}-{sub:02d}", part, sub, dic)


def _add_loop(parent: ET.Element, loop_id: str, usage: str, pos: int, repeat: str) -> ET.Element:
    node = ET.SubElement(parent, "loop", xid=loop_id, type="explicit")
    _text(node, "name", loop_id)
    _text(node, "usage", usage)
    _text(node, "pos", f"{pos:04d}")
    _text(node, "repeat", repeat)
    return node


def _add_entries(parent: ET.Element, entries: Iterable[SegmentEntry | LoopEntry], first_pos: int, dic: Dictionary,
                 version: str) -> None:
    seen: set[str] = set()
    for offset, entry in enumerate(entries):
        pos = first_pos + 10 * offset
        usage = "R" if entry.mandatory else "S"
        if isinstance(entry, LoopEntry):
            if entry.id in seen:
                raise ConfigError(f"map source: loop id {entry.id} repeats among siblings")
            seen.add(entry.id)
            loop = _add_loop(parent, entry.id, usage, pos, entry.repeat)
            _add_entries(loop, entry.children, 10, dic, version)
        else:
            _add_segment(parent, entry.id, usage, pos, entry.max_use, dic, version)


def compile_set(module: ModuleType | None, version: str, dic: Dictionary | None = None) -> bytes:
    """The pyx12 map for one set (``module`` is e.g. :mod:`~crossdock.edi.maps.x850`) and version
    (``004010`` or ``005010``). ``module=None`` compiles the envelope-only control map."""
    dic = dic or load_dictionary()
    set_id = module.SET_ID if module else "X12"
    name = module.NAME if module else "Interchange Control"
    entries = parse_table(module.TABLE, where=f"map {set_id}") if module else ()
    root = ET.Element("transaction", xid=set_id)
    _text(root, "name", f"{name} {version} (crossdock)")
    isa_loop = _add_loop(root, "ISA_LOOP", "R", 1, ">1")
    _add_segment(isa_loop, "ISA", "R", 10, "1", dic, version)
    gs_loop = _add_loop(isa_loop, "GS_LOOP", "R", 20, ">1")
    _add_segment(gs_loop, "GS", "R", 10, "1", dic, version)
    st_loop = _add_loop(gs_loop, "ST_LOOP", "R", 20, ">1")
    _add_segment(st_loop, "ST", "R", 10, "1", dic, version)
    _add_entries(st_loop, entries, 20, dic, version)
    _add_segment(st_loop, "SE", "R", 20 + 10 * len(entries), "1", dic, version)
    _add_segment(gs_loop, "GE", "R", 30, "1", dic, version)
    _add_segment(isa_loop, "IEA", "R", 30, "1", dic, version)
    isa = root.find("loop/segment/element[@xid='ISA12']")
    assert isa is not None
    valid = ET.SubElement(isa, "valid_codes")
    first = "00501" if version == "005010" else "00401"  # pyx12 picks the character set from the first code
    for code in (first, *(c for c in versions.ICVNS if c != first)):
        _text(valid, "code", code)
    return _serialise(root)


def merge_dataele(pyx12_dataele: bytes, dic: Dictionary | None = None) -> bytes:
    """pyx12's data element table plus crossdock's. Where both define an element, the lengths are
    widened to cover both (the table is shared by every map and both versions)."""
    dic = dic or load_dictionary()
    table: dict[str, tuple[str, int, int, str]] = {}
    for node in SafeET.fromstring(pyx12_dataele).iter("data_ele"):
        table[node.get("ele_num")] = (node.get("data_type"), int(node.get("min_len")), int(node.get("max_len")),
                                      node.get("name") or "")
    for ele in dic.elements.values():
        data_type = "R" if ele.data_type.startswith("R") else ele.data_type
        old = table.get(ele.id)
        low, high = ele.min_len, ele.max_len
        if old:
            low, high = min(low, old[1]), max(high, old[2])
        table[ele.id] = (data_type, low, high, ele.name)
    for ele_id, (low, high) in versions.WIDER_IN_005010.items():
        data_type, old_low, old_high, name = table[ele_id]
        table[ele_id] = (data_type, min(low, old_low), max(high, old_high), name)
    for ele_id, (data_type, low, high) in versions.DATAELE_OVERRIDES.items():
        table[ele_id] = (data_type, low, high, table.get(ele_id, ("", 0, 0, ele_id))[3])
    root = ET.Element("data_elements")
    for ele_id in sorted(table):
        data_type, low, high, name = table[ele_id]
        ET.SubElement(root, "data_ele", ele_num=ele_id, data_type=data_type, min_len=str(low), max_len=str(high),
                      name=name)
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ET.tostring(root, encoding="utf-8"))


def control_file_name(version: str) -> str:
    return f"crossdock.control.{version[:4]}.xml"


def merge_index(pyx12_maps: bytes) -> bytes:
    """``maps.xml``: crossdock's entries for every ISA12 x GS08 variant x GS01 first, then pyx12's own
    (HIPAA) entries, minus its HIPAA-only 997s: crossdock's general 997 (any AK101/AK201) checks every
    997, whatever implementation guide its GS08 names (a 110 acknowledged under ``004010X098A1`` was
    rejected by pyx12's). pyx12's 999s stay."""
    theirs: dict[str, list[ET.Element]] = {}
    for version_node in SafeET.fromstring(pyx12_maps).iter("version"):
        kept = [m for m in version_node.iter("map") if not (m.get("fic") == "FA" and m.get("abbr") == "997")]
        theirs.setdefault(version_node.get("icvn"), []).extend(kept)
    root = ET.Element("maps")
    for icvn in sorted(set(versions.ICVNS) | set(theirs)):
        version_node = ET.SubElement(root, "version", icvn=icvn)
        for family in versions.VERSIONS:
            for module in versions.SET_MODULES:
                fics = (module.FUNCTIONAL_ID, *versions.EXTRA_FUNCTIONAL_IDS.get(module.SET_ID, ()))
                for suffix in versions.GS08_SUFFIXES:
                    for fic in fics:
                        entry = ET.SubElement(version_node, "map", vriic=family + suffix, fic=fic, abbr=module.SET_ID)
                        entry.text = versions.map_file_name(module.SET_ID, family)
        for entry in theirs.get(icvn, []):
            version_node.append(entry)
        if not any(m.get("fic") == "" for m in theirs.get(icvn, [])):
            control = ET.SubElement(version_node, "map", vriic="", fic="", abbr="X12")
            control.text = control_file_name("005010" if icvn >= "00501" else "004010")
    return _serialise(root)


def compile_all(pyx12_maps: bytes, pyx12_dataele: bytes) -> dict[str, bytes]:
    """Every generated file by name: one map per set and version, the control maps, the merged
    ``maps.xml`` and ``dataele.xml``."""
    dic = load_dictionary()
    files: dict[str, bytes] = {}
    for version in versions.VERSIONS:
        files[control_file_name(version)] = compile_set(None, version, dic)
        for module in versions.SET_MODULES:
            files[versions.map_file_name(module.SET_ID, version)] = compile_set(module, version, dic)
    files["maps.xml"] = merge_index(pyx12_maps)
    files["dataele.xml"] = merge_dataele(pyx12_dataele, dic)
    return files
