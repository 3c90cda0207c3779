"""Whatever the bytes, validation returns a report or raises EdiError: never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.edi.report import ValidationReport
from crossdock.edi.validate import X12Validator
from crossdock.errors import EdiError
from tests.unit.edi_validate.samples import one

SEEDS = [one("850"), one("856", version="005010"), one("940"), one("945"), one("997")]
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(validator: X12Validator, data: bytes) -> None:
    try:
        report = validator.validate(data)
    except EdiError:
        return
    assert isinstance(report, ValidationReport)
    report.to_dict()


@FUZZ
@given(seed=st.sampled_from(SEEDS), cuts=st.lists(st.tuples(st.integers(0, 2000), st.binary(max_size=6)), max_size=5))
def test_mutated_files(validator: X12Validator, seed: bytes, cuts: list[tuple[int, bytes]]) -> None:
    data = bytearray(seed)
    for position, insert in cuts:
        at = position % (len(data) + 1)
        data[at : at + len(insert)] = insert
    _check(validator, bytes(data))


@FUZZ
@given(seed=st.sampled_from(SEEDS), drop=st.integers(0, 40), dup=st.integers(0, 40))
def test_segments_dropped_or_repeated(validator: X12Validator, seed: bytes, drop: int, dup: int) -> None:
    segments = seed.split(b"~\n")
    if len(segments) > 3:
        segments.insert(dup % len(segments), segments[dup % len(segments)])
        del segments[drop % len(segments)]
    _check(validator, b"~\n".join(segments))


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(validator: X12Validator, data: bytes) -> None:
    _check(validator, data)
