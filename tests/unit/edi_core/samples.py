"""Hand-written X12 fixtures for the reader, envelope and writer tests (no third-party files)."""

from __future__ import annotations

Row = list[str]


def isa(control: str = "000000001", *, version: str = "00401", repetition: str = "U", component: str = ">",
        sender: str = "SENDER", receiver: str = "RECEIVER", usage: str = "P") -> Row:
    return ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15), "240102", "0304",
            repetition, version, control, "0", usage, component]


def order_set(control: str = "0001", po: str = "PO-1", lines: int = 1) -> list[Row]:
    body: list[Row] = [["BEG", "00", "SA", po, "", "20240102"], ["REF", "DP", "038"]]
    for n in range(1, lines + 1):
        body.append(["PO1", str(n), "5", "EA", "9.99", "", "UP", "012345678905"])
    body.append(["CTT", str(lines)])
    return [["ST", "850", control], *body, ["SE", str(len(body) + 2), control]]


def group(control: str = "1", sets: list[list[Row]] | None = None, *, functional_id: str = "PO",
          version: str = "004010") -> list[Row]:
    sets = sets if sets is not None else [order_set()]
    rows: list[Row] = [["GS", functional_id, "SENDER", "RECEIVER", "20240102", "0304", control, "X", version]]
    for one in sets:
        rows.extend(one)
    rows.append(["GE", str(len(sets)), control])
    return rows


def interchange(control: str = "000000001", groups: list[list[Row]] | None = None, **isa_args: str) -> list[Row]:
    groups = groups if groups is not None else [group()]
    rows = [isa(control, **isa_args)]
    for one in groups:
        rows.extend(one)
    rows.append(["IEA", str(len(groups)), control])
    return rows


def render(rows: list[Row], *, element: str = "*", terminator: str = "~", suffix: str = "\n") -> bytes:
    """Join rows; the ISA keeps its fixed widths (ISA16 is whatever the row says)."""
    return "".join(element.join(row) + terminator + suffix for row in rows).encode("latin-1")


SIMPLE = render(interchange())  # one ISA, one GS, one 850 with one line: 9 segments
