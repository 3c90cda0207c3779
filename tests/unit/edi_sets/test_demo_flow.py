from datetime import UTC, datetime
from pathlib import Path

from crossdock.canonical import Shipment, WarehouseShippingOrder
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.demo_flow import DemoInputs, run_demo
from crossdock.edi.partners import load_partner_profile
from crossdock.edi.translate import translate

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _inputs() -> DemoInputs:
    partners = EXAMPLES / "partners"
    return DemoInputs(
        order_850=(EXAMPLES / "850_from_buyer.x12").read_bytes(),
        advice_945=(EXAMPLES / "945_from_3pl.x12").read_bytes(),
        threepl=load_partner_profile((partners / "northstar-3pl.yaml").read_bytes()),
        buyer=load_partner_profile((partners / "acme-retail.yaml").read_bytes()),
        warehouse_code="COL1",
    )


def test_the_flow_turns_the_850_into_a_940_and_the_945_into_an_856() -> None:
    # Given the bundled 850 from the buyer and 945 from the 3PL
    steps = run_demo(_inputs(), InMemoryControlNumbers(), now=datetime(2026, 11, 24, 18, 0, tzinfo=UTC))
    assert [s.status for s in steps if s.status == "failed"] == []
    by_title = {s.title.split(" ")[0] + " " + s.title.split(" ")[-1]: s for s in steps}

    # Then the 940 asks the 3PL for every line of the order
    wso = translate(by_title["Render northstar-3pl"].payload or b"").sets[0].document
    assert isinstance(wso, WarehouseShippingOrder)
    assert (wso.order_ref, wso.warehouse_code, len(wso.lines)) == ("PO-778812", "COL1", 3)

    # And the 856 tells the buyer what shipped, with its department and vendor number
    asn = translate(by_title["Render acme-retail"].payload or b"").sets[0].document
    assert isinstance(asn, Shipment)
    (order,) = asn.orders
    assert order.references == {"DP": "042", "IA": "VEND-5521"}
    assert [p.sscc for p in order.packages] == ["006141410000000012", "006141410000000029"]
    assert asn.partial is True

    # And the 850 is acknowledged as accepted
    assert b"AK2*850*0001" in (steps[-1].payload or b"") and b"AK5*A" in (steps[-1].payload or b"")
