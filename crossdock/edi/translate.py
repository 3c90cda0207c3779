"""Translate X12 bytes into canonical documents, one result per transaction set, and render canonical
documents back to X12 with a partner's envelope.

:func:`translate` reads every interchange, group and set (``crossdock.edi.reader``), dispatches each set
by ST01 to its module in ``crossdock.edi.sets`` and collects the outcome: ``translated`` (a canonical
document, with warnings and unmapped segments), ``failed`` (the field-level errors of a
:class:`~crossdock.errors.MappingError`) or ``unsupported`` (no translator for that set). Interchange
acknowledgments (TA1, outside any set) are translated too (:mod:`crossdock.edi.ta1`). A read error
stops reading and is returned with what was read before it; a set over the reader's size limits is
such a read error (:class:`~crossdock.errors.EdiLimitError`), and a set whose HL hierarchy is too deep
is ``failed`` with the HL's position.

:func:`translate` keeps every set's result: for files of any size use :func:`iter_translations`, which
holds one set at a time (``crossdock edi translate`` and the worker's ``edi.inbound`` step do).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from types import ModuleType
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ValidationError

from crossdock.canonical import (
    InterchangeAcknowledgment,
    InventoryAdvice,
    Invoice,
    Order,
    Shipment,
    WarehouseShippingOrder,
)
from crossdock.canonical.po_ack import PurchaseOrderAcknowledgment
from crossdock.edi import ta1
from crossdock.edi.control import ControlNumberAllocator
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import MAX_SET_BYTES, MAX_SET_SEGMENTS, ReadWarning, TransactionSet, X12Reader
from crossdock.edi.segment import Segment
from crossdock.edi.sets import x810, x846, x850, x855, x856, x860, x940, x945, x947, x997
from crossdock.edi.sets.mapping import Lookups, MappingWarning, Translation, UnmappedSegment
from crossdock.edi.writer import build_interchange
from crossdock.errors import EdiError, MappingError

__all__ = [
    "TRANSLATORS",
    "FileResult",
    "InterchangeAckResult",
    "SetResult",
    "TranslationStatus",
    "iter_translations",
    "render",
    "translate",
    "translate_set",
    "translate_ta1",
]

TRANSLATORS: dict[str, ModuleType] = {
    "846": x846, "850": x850, "856": x856, "860": x860, "940": x940, "945": x945, "947": x947, "997": x997,
}  # fmt: skip
"""ST01 → the module with ``to_canonical`` (and, but for 997, ``from_canonical``) and ``FUNCTIONAL_ID``."""
RENDER_ONLY: dict[str, ModuleType] = {"810": x810, "855": x855}
"""Sets crossdock writes but does not read: ST01 → the module with ``from_canonical`` and ``FUNCTIONAL_ID``."""

TranslationStatus = Literal["translated", "failed", "unsupported"]


@dataclass(frozen=True, slots=True)
class SetResult:
    set_id: str
    control_number: str
    functional_id: str
    version: str
    sender_id: str
    receiver_id: str
    status: TranslationStatus
    document: BaseModel | None = None
    warnings: tuple[MappingWarning, ...] = ()
    unmapped: tuple[UnmappedSegment, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "set_id": self.set_id,
            "control_number": self.control_number,
            "functional_id": self.functional_id,
            "version": self.version,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "status": self.status,
            "document_type": type(self.document).__name__ if self.document is not None else None,
            "document": self.document.model_dump(mode="json") if self.document is not None else None,
            "warnings": [w.to_dict() for w in self.warnings],
            "unmapped": [u.to_dict() for u in self.unmapped],
            "errors": [{"location": where, "message": what} for where, what in self.errors],
        }


@dataclass(frozen=True, slots=True)
class InterchangeAckResult:
    """One TA1: ``translated`` with its document, or ``failed`` with the element-level errors."""

    control_number: str
    sender_id: str
    receiver_id: str
    status: Literal["translated", "failed"]
    document: InterchangeAcknowledgment | None = None
    errors: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "control_number": self.control_number,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "status": self.status,
            "document": self.document.model_dump(mode="json") if self.document is not None else None,
            "errors": [{"location": where, "message": what} for where, what in self.errors],
        }


@dataclass(frozen=True, slots=True)
class FileResult:
    sets: tuple[SetResult, ...]
    read_warnings: tuple[ReadWarning, ...] = ()
    read_error: EdiError | None = None
    interchange_acks: tuple[InterchangeAckResult, ...] = ()

    @property
    def translated(self) -> list[SetResult]:
        return [s for s in self.sets if s.status == "translated"]

    @property
    def failed(self) -> list[SetResult]:
        return [s for s in self.sets if s.status == "failed"]

    def to_dict(self) -> dict[str, object]:
        return {
            "read_error": self.read_error.to_dict() | {"where": self.read_error.where} if self.read_error else None,
            "read_warnings": [w.to_dict() for w in self.read_warnings],
            "sets": [s.to_dict() for s in self.sets],
            "interchange_acks": [a.to_dict() for a in self.interchange_acks],
        }


def translate(
    data: bytes | BinaryIO,
    lookups: Lookups | None = None,
    *,
    source: str | None = None,
    max_set_segments: int = MAX_SET_SEGMENTS,
    max_set_bytes: int = MAX_SET_BYTES,
) -> FileResult:
    """Read ``data`` and translate each transaction set; never raises for bad content."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    reader = X12Reader(stream, source=source, max_set_segments=max_set_segments, max_set_bytes=max_set_bytes)
    results: list[SetResult] = []
    error: EdiError | None = None
    try:
        results.extend(iter_translations(reader, lookups))
    except EdiError as exc:
        error = exc
    acks = tuple(translate_ta1(isa, segment) for isa, segment in reader.interchange_acks)
    return FileResult(tuple(results), tuple(reader.warnings), error, acks)


def translate_ta1(isa: Segment, segment: Segment) -> InterchangeAckResult:
    """The TA1 ``segment`` of the interchange whose ISA is ``isa``."""
    sender, receiver, number = isa[6].strip(), isa[8].strip(), segment[1].strip()
    try:
        document = ta1.to_canonical(segment, isa)
    except MappingError as exc:
        return InterchangeAckResult(number, sender, receiver, "failed", errors=tuple(exc.errors))
    return InterchangeAckResult(number, sender, receiver, "translated", document)


def iter_translations(reader: X12Reader, lookups: Lookups | None = None) -> Iterator[SetResult]:
    """One result per set as the reader streams them, holding one set at a time (for large files);
    raises :class:`EdiError` when the input stops being readable."""
    for ts in reader.transaction_sets():
        yield translate_set(ts, lookups)


def translate_set(ts: TransactionSet, lookups: Lookups | None = None) -> SetResult:
    result = SetResult(
        set_id=ts.set_id,
        control_number=ts.control_number,
        functional_id=ts.functional_id,
        version=ts.version,
        sender_id=ts.sender_id,
        receiver_id=ts.receiver_id,
        status="unsupported",
    )
    module = TRANSLATORS.get(ts.set_id)
    if module is None:
        return result
    try:
        if module is x997:  # inbound acknowledgments: no lookups, nothing left unmapped
            translation: Translation[Any] = Translation(x997.to_canonical(ts))
        else:
            to_canonical: Callable[[TransactionSet, Lookups | None], Translation[Any]] = module.to_canonical
            translation = to_canonical(ts, lookups)
    except MappingError as exc:
        return replace(result, status="failed", errors=tuple(exc.errors) or ((ts.set_id, str(exc)),))
    except EdiError as exc:  # a structure the translator refuses to walk (an HL hierarchy too deep)
        return replace(result, status="failed", errors=((exc.where or ts.set_id, exc.message),))
    except ValidationError as exc:  # a translator that let a model error through: still a mapping failure
        errors = tuple(
            (f"ST[{ts.control_number}]", f"{'.'.join(map(str, e['loc']))}: {e['msg']}") for e in exc.errors()
        )
        return replace(result, status="failed", errors=errors)
    return replace(
        result,
        status="translated",
        document=translation.document,
        warnings=translation.warnings,
        unmapped=translation.unmapped,
    )


def render(
    set_id: str,
    document: BaseModel,
    profile: PartnerProfile,
    allocator: ControlNumberAllocator,
    *,
    now: datetime,
) -> bytes:
    """One interchange holding ``document`` as an X12 ``set_id``, enveloped for ``profile``."""
    body: list[Segment]
    if set_id == "850" and isinstance(document, Order):
        body = x850.from_canonical(document)
    elif set_id == "940" and isinstance(document, Order | WarehouseShippingOrder):
        body = x940.from_canonical(document)
    elif set_id == "945" and isinstance(document, Shipment):
        body = x945.from_canonical(document)
    elif set_id == "846" and isinstance(document, InventoryAdvice):
        body = x846.from_canonical(document)
    elif set_id == "856" and isinstance(document, Shipment):
        body = x856.from_canonical(document, issued_at=now)
    elif set_id == "810" and isinstance(document, Invoice):
        body = x810.from_canonical(document)
    elif set_id == "855" and isinstance(document, PurchaseOrderAcknowledgment):
        body = x855.from_canonical(document)
    else:
        raise MappingError(f"cannot render a {type(document).__name__} as X12 {set_id}", [("ST01", f"set {set_id}")])
    module = TRANSLATORS.get(set_id) or RENDER_ONLY[set_id]
    return build_interchange(profile, module.FUNCTIONAL_ID, [(set_id, body)], allocator, now=now)
