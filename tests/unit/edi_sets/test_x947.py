"""X12 947 warehouse inventory adjustment advice → InventoryAdjustment: mapping, errors with X12
positions, validation by crossdock's own maps (004010 and 005010)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import InventoryAdjustment
from crossdock.edi.sets import x947
from crossdock.edi.translate import translate
from crossdock.edi.validate import validate
from crossdock.errors import MappingError
from tests.unit.edi_sets.envelope import interchange, one_set

ADJUSTMENT = """
W15*20261201*ADJ-77*ADJ-77
N1*WH*NORTHSTAR COLUMBUS*9*COL1
W19*05*-3*EA*012345678905*VN*CD-TEE-BLK-M
G62*07*20261201
W19*AA*12*EA**SK*CD-MUG***LOT-9
"""


def test_a_947_maps_to_signed_adjustments_with_their_reasons() -> None:
    translation = x947.to_canonical(one_set("947", ADJUSTMENT))
    adjustment = translation.document
    assert adjustment.adjustment_id == "ADJ-77"
    assert adjustment.as_of == datetime(2026, 12, 1, tzinfo=UTC)
    assert adjustment.location == "COL1"
    tee, mug = adjustment.lines
    assert (tee.sku, tee.gtin, tee.quantity, tee.reason) == ("CD-TEE-BLK-M", "012345678905", Decimal(-3), "05")
    assert (mug.sku, mug.quantity, mug.reason, mug.lot) == ("CD-MUG", Decimal(12), "AA", "LOT-9")
    assert [u.segment_id for u in translation.unmapped] == ["G62"]


def test_a_947_errors_name_the_segment_and_element() -> None:
    body = "W15*20261301*ADJ-1\nN1*WH*X*9*COL1\nW19**x*EA**ZZ*A"
    with pytest.raises(MappingError) as caught:
        x947.to_canonical(one_set("947", body))
    text = str(caught.value.errors)
    assert "W15[1]/W1501" in text and "W19[1]" in text and "W1901" in text and "quantity" in text


def test_a_947_without_adjustments_is_refused() -> None:
    with pytest.raises(MappingError) as caught:
        x947.to_canonical(one_set("947", "W15*20261201*ADJ-2\nN1*WH*X*9*COL1"))
    assert "at least one W19" in str(caught.value.errors)


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_a_947_validates_and_translates(version: str) -> None:
    data = interchange("947", ADJUSTMENT).replace(b"*X*004010", b"*X*" + version.encode())
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    assert isinstance(translate(data).sets[0].document, InventoryAdjustment)


def test_a_947_breaking_the_standard_is_invalid() -> None:
    # W19 without its mandatory unit (W1903), and no N1 loop (mandatory in the 947)
    report = validate(interchange("947", "W15*20261201*ADJ-3*ADJ-3\nW19*05*-3**012345678905"))
    assert not report.valid
    errors = {i.segment_id for i in report.all_issues() if i.is_error}
    assert "W19" in errors
