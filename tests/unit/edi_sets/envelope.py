"""Wrap hand-written set bodies in a correct ISA/GS/ST..SE/GE/IEA envelope, for the tests."""

from __future__ import annotations

from crossdock.edi.reader import TransactionSet, read_transaction_sets

FUNCTIONAL_IDS = {"846": "IB", "947": "AW", "850": "PO", "856": "SH", "940": "OW", "945": "SW", "810": "IN",
                  "855": "PR", "860": "PC"}


def interchange(set_id: str, body: str, *, control: str = "0001", sep: str = "*", term: str = "~") -> bytes:
    """``body`` is one segment a line, written with ``*``; ST/SE and the envelope are added."""
    segments = [line.strip() for line in body.strip().splitlines() if line.strip()]
    isa = f"ISA*00*          *00*          *ZZ*{'BUYER':<15}*ZZ*{'CROSSDOCK':<15}*261120*0930*U*00401*000000101*0*T*>"
    lines = [
        isa,
        f"GS*{FUNCTIONAL_IDS.get(set_id, 'XX')}*BUYER*CROSSDOCK*20261120*0930*101*X*004010",
        f"ST*{set_id}*{control}",
        *segments,
        f"SE*{len(segments) + 2}*{control}",
        "GE*1*101",
        "IEA*1*000000101",
    ]
    text = term.join(line.replace("*", sep) for line in lines) + term
    return text.encode("latin-1")


def one_set(set_id: str, body: str) -> TransactionSet:
    (ts,) = read_transaction_sets(interchange(set_id, body))
    return ts
