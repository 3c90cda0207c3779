"""Mutated sets never crash a translator: each ends translated or failed with positions."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.edi.reader import TransactionSet
from crossdock.edi.translate import translate_set
from tests.unit.edi_sets import test_x850, test_x856, test_x940, test_x945
from tests.unit.edi_sets.envelope import one_set

SETS = [
    one_set("850", test_x850.ORDER),
    one_set("940", test_x940.WSO),
    one_set("945", test_x945.ADVICE),
    one_set("856", test_x856.PICK_AND_PACK),
]
VALUES = ["", " ", "X", "0", "-1", "1.5.5", "20261340", "CCYYMMDD", "S", "O", "T", "P", "I", "GM", "UP", "9" * 20]


@st.composite
def mutated(draw: Any) -> TransactionSet:
    ts = copy.deepcopy(draw(st.sampled_from(SETS)))
    for _ in range(draw(st.integers(1, 5))):
        position = draw(st.integers(0, len(ts.segments) - 1))
        seg = ts.segments[position]
        action = draw(st.sampled_from(["value", "delete", "duplicate", "truncate"]))
        if action == "value" and len(seg.elements) > 1:
            seg.elements[draw(st.integers(1, len(seg.elements) - 1))] = draw(st.sampled_from(VALUES))
        elif action == "delete" and len(ts.segments) > 1:
            del ts.segments[position]
        elif action == "duplicate":
            ts.segments.insert(draw(st.integers(0, len(ts.segments))), copy.deepcopy(seg))
        else:
            seg.elements = seg.elements[: draw(st.integers(1, len(seg.elements)))]
    return ts


@settings(max_examples=150, deadline=2000)
@given(mutated())
def test_mutated_sets_end_translated_or_failed(ts: TransactionSet) -> None:
    result = translate_set(ts)
    assert result.status in ("translated", "failed")
    if result.status == "failed":
        assert result.errors and all(where and what for where, what in result.errors)
    else:
        assert result.document is not None
