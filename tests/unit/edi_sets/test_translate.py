from datetime import UTC, datetime

import pytest

from crossdock.canonical import Order, Shipment
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.translate import render, translate
from crossdock.errors import EdiError, MappingError
from tests.unit.edi_sets.envelope import interchange

ORDER = "BEG*00*SA*PO-1**20261120\nPO1*1*2*EA*3.5*PE*SK*A\nCTT*1"
BAD_ORDER = "BEG*00*SA*PO-2**20261120\nPO1*1**EA*3.5*PE*SK*A\nCTT*1"
PROFILE = PartnerProfile(name="buyer", sender_id="CROSSDOCK", receiver_id="ACME", segment_suffix="")
NOW = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


def test_each_set_is_dispatched_by_st01_and_unknown_sets_are_reported() -> None:
    data = interchange("850", ORDER) + interchange("810", "BIG*20261120*INV-1") + interchange("850", BAD_ORDER)
    result = translate(data)
    assert [(s.set_id, s.status) for s in result.sets] == [
        ("850", "translated"),
        ("810", "unsupported"),
        ("850", "failed"),
    ]
    assert isinstance(result.sets[0].document, Order)
    assert result.sets[2].errors[0][0] == "PO1[1]/PO102"
    assert result.read_error is None
    as_dict = result.to_dict()
    assert as_dict["sets"][0]["document"]["external_id"] == "PO-1"  # type: ignore[index]


def test_unreadable_input_is_a_read_error_not_an_exception() -> None:
    result = translate(b"this is not X12 at all")
    assert result.sets == ()
    assert result.read_error is not None
    assert result.to_dict()["read_error"] is not None


def test_streams_are_accepted() -> None:
    import io

    assert translate(io.BytesIO(interchange("850", ORDER))).sets[0].status == "translated"


def test_render_envelopes_with_counts_and_control_numbers() -> None:
    order = translate(interchange("850", ORDER)).sets[0].document
    assert isinstance(order, Order)
    out = render("940", order, PROFILE, InMemoryControlNumbers(start=7), now=NOW)
    (ts,) = read_transaction_sets(out)
    assert (ts.set_id, ts.functional_id, ts.control_number) == ("940", "OW", "0007")
    assert ts.se is not None and ts.se[1] == str(len(ts.segments) + 2)
    again = translate(out).sets[0]
    assert again.status == "translated" and again.document is not None


def test_render_refuses_a_document_of_the_wrong_kind() -> None:
    order = translate(interchange("850", ORDER)).sets[0].document
    assert isinstance(order, Order)
    with pytest.raises(MappingError):
        render("856", order, PROFILE, InMemoryControlNumbers(), now=NOW)


def test_render_856_uses_now_when_the_shipment_has_no_date() -> None:
    shipment = Shipment.model_validate({"shipment_id": "S-1", "orders": [{"po_number": "PO-1"}]})
    out = render("856", shipment, PROFILE, InMemoryControlNumbers(), now=NOW)
    assert b"BSN*00*S-1*20261124*0830*0001~" in out


def test_results_stream_one_set_at_a_time() -> None:
    import io

    from crossdock.edi.reader import X12Reader
    from crossdock.edi.translate import iter_translations

    data = interchange("850", ORDER) + interchange("850", BAD_ORDER) + b"ISA*garbage"
    results = iter_translations(X12Reader(io.BytesIO(data)))
    assert next(results).status == "translated"
    assert next(results).status == "failed"
    with pytest.raises(EdiError):
        next(results)
