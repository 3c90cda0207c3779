"""Which X12 versions crossdock's maps cover, how partners spell them, and what 005010 changes.

pyx12 finds a map through ``maps.xml`` by exact ISA12, GS08 and GS01. Partners send many ISA12 values
for the same content (00400, 00401, 00403 ...) and decorate GS08 with industry suffixes (``004010VICS``,
``004010UCS``), so the generated index lists every combination below, and :func:`base_version` maps any
GS08 to the map family that validates it.
"""

from __future__ import annotations

from crossdock.edi.maps import x810, x846, x850, x855, x856, x860, x940, x945, x947, x997

SET_MODULES = (x810, x846, x850, x855, x856, x860, x940, x945, x947, x997)

#: The map families crossdock compiles: 004010 (required by every retail partner) and 005010.
VERSIONS = ("004010", "005010")

#: ISA12 values the control maps accept (the I11 code list, 00200 to 00801). Partners send old and
#: new control versions on 004010 groups alike (00302 and 00602 among them), and a 997 answers with
#: the inbound ISA12, so every published one is listed, not only those seen so far.
ICVNS = (
    "00200", "00201", "00204",
    *(f"0030{n}" for n in range(8)),
    *(f"0040{n}" for n in range(7)),
    *(f"0050{n}" for n in range(6)),
    *(f"0060{n}" for n in range(6)),
    *(f"0070{n}" for n in range(7)),
    "00801",
)

#: GS08 industry suffixes seen in retail (VICS: Voluntary Interindustry Commerce Solutions, UCS grocery;
#: X230 is the 005010 997 implementation guide).
GS08_SUFFIXES = ("", "VICS", "UCS", "EDSO", "X12", "VICSR", "X230")

#: Other functional identifiers real partners put on these sets (the 945 is often sent as "IN" or "WA").
EXTRA_FUNCTIONAL_IDS = {"945": ("IN", "WA", "AR"), "940": ("WO",), "856": ("AS",)}

#: 005010 adds trailing elements to these segments (position -> data element, all optional).
EXTRA_ELEMENTS_005010 = {"AK1": ("480",), "AK2": ("1705",), "N4": ("1715",), "MEA": ("1270", "1271")}

#: Lengths that grew in 005010. The merged ``dataele.xml`` is shared by every map, so it keeps the widest.
WIDER_IN_005010 = {"127": (1, 50), "364": (1, 256), "719": (1, 10), "739": (1, 20), "740": (1, 20),
                   "741": (1, 20), "1321": (2, 3)}

#: ISA11 (a repetition separator from 00403 on) and ISA16 (the component separator) hold delimiter
#: characters, which fail pyx12's AN character-set check: checked for length only.
DATAELE_OVERRIDES = {"I15": ("B", 1, 1), "I65": ("B", 1, 1)}

#: Code lists checked by the maps, by segment reference designator. Kept to the 997, where they decide
#: whether an acknowledgment means anything; retail code lists vary too much by partner to enforce.
CODE_LISTS = {
    "AK304": "1 2 3 4 5 6 7 8",
    "AK403": "1 2 3 4 5 6 7 8 9 10 12 13 14 15",
    "AK501": "A E M R W X",
    "AK502": "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 23 24 25 26 27",
    "AK901": "A E M P R W X",
    "AK905": "1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26",
}


#: Sets whose segments barely changed between releases, so that the nearest family checks older and
#: newer releases too (findings as warnings): a 997 answering a 003010 or 006020 group is one.
STABLE_SETS = frozenset({"997"})


def base_version(gs08: str, set_id: str | None = None) -> str | None:
    """The map family for a GS08 value: ``004010VICS`` -> ``004010``; other 004xxx and 005xxx
    releases -> the nearest family (reported as such); for the :data:`STABLE_SETS` only, 002xxx and
    003xxx -> ``004010`` and 006xxx to 008xxx -> ``005010``; anything else -> ``None``."""
    code = gs08.strip()[:6]
    if not code.isdigit():
        return None
    if code.startswith("004"):
        return "004010"
    if code.startswith("005"):
        return "005010"
    if set_id in STABLE_SETS and code.startswith(("002", "003")):
        return "004010"
    if set_id in STABLE_SETS and code.startswith(("006", "007", "008")):
        return "005010"
    return None


def is_release(gs08: str) -> bool:
    """Whether GS08 starts with an X12 release, ``002000`` to ``008999`` (``004010``, ``005010X230`` ...)."""
    code = gs08.strip()[:6]
    return len(code) == 6 and code.isdigit() and "002" <= code[:3] <= "008"


def map_file_name(set_id: str, version: str) -> str:
    return f"crossdock.{set_id}.{version[:4]}.xml"
