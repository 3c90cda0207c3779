"""The shortcuts taken for speed give the same answers as the general code they skip: element checks,
numbers, and positions that are spelled out only when something is reported."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from crossdock.edi.segment import Segment
from crossdock.edi.sets import values, x850
from crossdock.edi.sets.mapping import SetContext
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import one_set

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


@pytest.mark.parametrize(
    "text", ["12", "12.5", "12.", ".5", "0007", "+3", "-0.25", "١٢", "²", ".", "1.2.3", "1e5", "NaN", "1_000", "", " 1"]
)
def test_parse_decimal_accepts_exactly_the_r_pattern(text: str) -> None:
    if _NUMBER.match(text):
        assert values.parse_decimal(text) == Decimal(text)
    else:
        with pytest.raises(ValueError):
            values.parse_decimal(text)


def _ctx(body: str) -> SetContext:
    return SetContext(one_set("850", body))


@pytest.mark.parametrize(
    ("elements", "positions", "warned"),
    [
        (["PID", "F", "", "", "", "TEE"], (1, 5), []),
        (["PID", "F", "X", "", "", "TEE"], (1, 5), [2]),
        (["N4", "A", "B", "C", "D"], (1, 2, 3, 4), []),
        (["N4", "A", "B", "C", "D", "E"], (1, 2, 3, 4), [5]),
        (["PO4", "6", "1"], (6, 7), [1, 2]),
        (["CTT"], (1, 2), []),
        (["CTT", "2"], (), [1]),
    ],
)
def test_used_warns_about_every_unlisted_element(
    elements: list[str], positions: tuple[int, ...], warned: list[int]
) -> None:
    ctx = _ctx("BEG*00*SA*PO-1**20261120\nPO1*1*1*EA**PE*SK*A")
    ctx.used(Segment(list(elements)), *positions)
    assert [w.location.rsplit("/", 1)[-1] for w in ctx.warnings] == [f"{elements[0]}{p:02d}" for p in warned]


def test_a_ctp_price_error_names_the_ctp_not_the_po1() -> None:
    # Given a line whose price comes from CTP03 with five decimals (a model error, found at validation)
    body = "BEG*00*SA*PO-1**20261120\nPO1*1*1*EA**PE*SK*A\nCTP*RS*FCP*1.23456\nPO1*2*1*EA*2.123456*PE*SK*B"
    with pytest.raises(MappingError) as caught:
        x850.to_canonical(one_set("850", body))
    # Then each error names the element the value came from
    errors = {what.split(":")[0]: where for where, what in caught.value.errors}
    assert errors == {"lines[0].unit_price": "CTP[1]/CTP03", "lines[1].unit_price": "PO1[2]/PO104"}


def test_warnings_count_occurrences_of_their_own_segment_id() -> None:
    result = x850.to_canonical(
        one_set("850", "BEG*00*SA*PO-1**20261120\nPO1*1*1*EA**PE*SK*A\nPID*F****A\nPO1**2*EA*1*PE*SK*B")
    )
    assert [w.location for w in result.warnings] == ["PO1[2]/PO101"]


def test_positions_stay_right_past_the_first_few_reported() -> None:
    # Given 20 lines without a line number, among other segments (each one a warning)
    lines = "\n".join(f"PO1**1*EA*1*PE*SK*S{n}\nPID*F****T" for n in range(20))
    result = x850.to_canonical(one_set("850", f"BEG*00*SA*PO-1**20261120\n{lines}"))
    # Then each warning names its own PO1, whether counted directly or from the full index
    assert [w.location for w in result.warnings] == [f"PO1[{n}]/PO101" for n in range(1, 21)]
