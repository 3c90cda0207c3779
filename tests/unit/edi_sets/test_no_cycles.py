"""Translating a set leaves no reference cycles: each set, its segments and its document are freed by
reference counting as soon as the caller drops them.

Why it matters: a cycle (a context kept alive by a callback that closes over it, say) turns every set
of a file into cyclic garbage, and the collector then walks it again and again; on the 856 benchmark
that was a third of read + translate (docs/performance.md, "EDI")."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crossdock.edi.reader import X12Reader
from crossdock.edi.translate import iter_translations, translate

from .envelope import interchange
from .test_x856 import HEAD, PICK_AND_PACK

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.x12"))
SHIPMENT = interchange("856", HEAD + PICK_AND_PACK)


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cyclic_garbage_of(data: bytes) -> int:
    """Objects the cyclic collector finds after ``data`` was read and translated and the results dropped."""
    with collector_paused():
        results = list(iter_translations(X12Reader(data)))
        assert results and all(r.status == "translated" for r in results), [r.errors for r in results]
        del results
        return gc.collect()


@pytest.mark.parametrize("data", [SHIPMENT, *(p.read_bytes() for p in EXAMPLES)],
                         ids=["856 pick and pack", *(p.name for p in EXAMPLES)])  # fmt: skip
def test_a_translated_set_leaves_no_cyclic_garbage(data: bytes) -> None:
    assert cyclic_garbage_of(data) == 0


def test_a_set_whose_mapping_failed_leaves_no_cyclic_garbage_either() -> None:
    # Given an 856 whose only item has no SN1 (a field-level error), When it is translated
    broken = SHIPMENT.replace(b"SN1*", b"XX1*")
    with collector_paused():
        result = translate(broken)
        # Then it failed, and dropping the result frees everything without the collector
        assert [s.status for s in result.sets] == ["failed"]
        del result
        assert gc.collect() == 0
