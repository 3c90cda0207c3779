"""N1 loops (N1, N2, N3, N4, REF, PER) ⇄ :class:`~crossdock.canonical.Party`.

N102 is the name (N2 names are appended to it, space-separated); N103/N104 the identity; each N3 adds
up to two address lines; N4 city, state, postal code and country (ISO-3166 alpha-3 codes USA, CAN and
MEX become alpha-2); the first PER gives contact name, phone (TE) and email (EM). A REF inside the loop
(after the N1, where the standard places it) is kept unmapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crossdock.canonical import Address, Party, PartyRole
from crossdock.edi.segment import Segment
from crossdock.edi.sets.mapping import SetContext

_COUNTRIES = {"USA": "US", "CAN": "CA", "MEX": "MX"}
LOOP_SEGMENTS = frozenset({"N2", "N3", "N4", "PER", "REF"})


@dataclass(frozen=True)
class PartyCodes:
    """Entity identifier codes (N101) of a set family: ``read`` accepts aliases, ``write`` is one per role."""

    read: dict[str, PartyRole]
    write: dict[PartyRole, str]


_WRITE = {
    PartyRole.BUYER: "BY", PartyRole.SELLER: "SE", PartyRole.SHIP_TO: "ST", PartyRole.BILL_TO: "BT",
    PartyRole.SHIP_FROM: "SF", PartyRole.WAREHOUSE: "WH", PartyRole.VENDOR: "VN", PartyRole.CARRIER: "CA",
    PartyRole.MARK_FOR: "Z7",
}  # fmt: skip
_ALIASES = {"SU": PartyRole.VENDOR, "OB": PartyRole.BUYER, "SH": PartyRole.SHIP_FROM, "MA": PartyRole.MARK_FOR,
            "BS": PartyRole.BILL_TO}  # fmt: skip

RETAIL = PartyCodes(read={**{v: k for k, v in _WRITE.items()}, **_ALIASES}, write=dict(_WRITE))
"""850 and 856: the seller is SE."""

WAREHOUSE = PartyCodes(
    read={**{v: k for k, v in _WRITE.items()}, **_ALIASES, "DE": PartyRole.SELLER},
    write={**_WRITE, PartyRole.SELLER: "DE"},
)
"""940 and 945: the seller is the depositor, DE."""

WAREHOUSE_CONSIGNEE = PartyCodes(read={**WAREHOUSE.read, "CN": PartyRole.SHIP_TO}, write=WAREHOUSE.write)
"""940 and 945 without an N1*ST: many depositors name the ship-to as the consignee, CN."""


def warehouse_codes(segments: Sequence[Segment]) -> PartyCodes:
    """:data:`WAREHOUSE_CONSIGNEE` when no N1 loop of ``segments`` is a ship-to (ST), else :data:`WAREHOUSE`
    (a CN beside an ST stays unmapped: the ship-to is the ST)."""
    has_ship_to = any(seg.id == "N1" and seg.elements[1:2] == ["ST"] for seg in segments)
    return WAREHOUSE if has_ship_to else WAREHOUSE_CONSIGNEE


def read_loop(ctx: SetContext, segments: Sequence[Segment], start: int, codes: PartyCodes) -> tuple[Party | None, int]:
    """Read the N1 loop starting at ``segments[start]``; returns the party (``None`` when its N101 has
    no canonical role: the loop is then kept as unmapped) and the index after the loop."""
    n1 = segments[start]
    end = start + 1
    while end < len(segments) and segments[end].id in LOOP_SEGMENTS:
        end += 1
    loop = segments[start:end]
    role = codes.read.get(n1[1])
    if role is None:
        for seg in loop:
            ctx.keep(seg)
        ctx.warn(n1, f"party code N101={n1[1]!r} has no canonical role: loop kept unmapped", 1)
        return None, end
    ctx.used(n1, 1, 2, 3, 4)
    names = [n1[2]] if n1[2] else []
    lines: list[str] = []
    address: dict[str, Any] = {}
    contact: dict[str, Any] = {}
    for seg in loop[1:]:
        if seg.id == "N2":
            names.extend(v for v in (seg[1], seg[2]) if v)
        elif seg.id == "N3":
            new = [v for v in (seg[1], seg[2]) if v]
            if len(lines) + len(new) > 4:
                ctx.keep(seg, "more than four address lines: N3 kept unmapped")
                continue
            lines.extend(new)
        elif seg.id == "N4":
            if address:
                ctx.keep(seg, "second N4 in one party loop kept unmapped")
                continue
            ctx.used(seg, 1, 2, 3, 4)
            country = seg.get(4)
            address = {"city": seg.get(1), "region": seg.get(2), "postal_code": seg.get(3),
                       "country": _COUNTRIES.get(country, country) if country else None}  # fmt: skip
        elif seg.id == "REF":
            ctx.keep(seg, "REF in a party loop kept unmapped")
        elif seg.id == "PER":
            if contact:
                ctx.keep(seg, "second PER in one party loop kept unmapped")
                continue
            contact = read_contact(ctx, seg)
    has_address = bool(lines) or any(v is not None for v in address.values())
    party = Party(
        role=role,
        name=" ".join(names) or None,
        id_qualifier=n1.get(3),
        id_code=n1.get(4),
        address=Address(lines=lines, **address) if has_address else None,
        **contact,
    )
    return party, end


def read_contact(ctx: SetContext, seg: Segment) -> dict[str, Any]:
    """PER02 name and the TE / EM communication numbers of PER03..PER08."""
    out: dict[str, Any] = {}
    if seg[2]:
        out["contact_name"] = seg[2]
    for qual_pos in (3, 5, 7):
        qualifier, number = seg[qual_pos], seg[qual_pos + 1]
        if not number:
            continue
        key = {"TE": "phone", "EM": "email"}.get(qualifier)
        if key is None or key in out:
            ctx.warn(seg, f"contact number {qualifier}={number!r} not mapped", qual_pos + 1)
        else:
            out[key] = number
    ctx.used(seg, 1, 2, 3, 4, 5, 6, 7, 8)
    return out


def contact_segment(party: Party, function_code: str = "IC") -> Segment | None:
    if not (party.contact_name or party.phone or party.email):
        return None
    numbers: list[str | None] = []
    if party.phone:
        numbers += ["TE", party.phone]
    if party.email:
        numbers += ["EM", party.email]
    return Segment.of("PER", function_code, party.contact_name, *numbers)


def loop_segments(party: Party, codes: PartyCodes) -> list[Segment]:
    """The N1 loop for ``party``; none for a party with neither a name nor an id (an N1 needs N102 or
    N103/N104: a marketplace buyer known only by an e-mail address cannot be written, and an empty
    ``N1*BY`` is a syntax error the partner's 997 rejects)."""
    if not party.name and not (party.id_qualifier and party.id_code):
        return []
    out = [Segment.of("N1", codes.write[party.role], party.name, party.id_qualifier, party.id_code)]
    address = party.address
    if address is not None:
        for i in range(0, len(address.lines), 2):
            out.append(Segment.of("N3", *address.lines[i : i + 2]))
        if address.city or address.region or address.postal_code or address.country:
            out.append(Segment.of("N4", address.city, address.region, address.postal_code, address.country))
    per = contact_segment(party)
    if per is not None:
        out.append(per)
    return out
