"""What the translators write is valid X12 by crossdock's own pyx12 maps (crossdock.edi.validate)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.translate import render, translate
from crossdock.edi.validate import validate
from tests.unit.edi_sets import test_x850, test_x856, test_x940
from tests.unit.edi_sets.envelope import interchange

PROFILE = PartnerProfile(name="partner", sender_id="CROSSDOCK", receiver_id="PARTNER01")
NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)

# One LX only: the 945 map currently reads a second LX after a W12 as the W12 loop's inner LX loop.
ADVICE = """
W06*F*SO-1001*20261124*SHP-9**PO-4471
N1*SF*NORTHSTAR COLUMBUS*9*0614141000005
N1*ST*STORE 12*92*0012
N9*BM*BOL-1
G62*11*20261124*8*1615*ES
W27*M*UPSN*UPS GROUND
LX*1
MAN*GM*00006141410000000012
W12*CC*24*24*0*EA*012345678905*VN*TEE-M*LOT-1
G69*TEE SHIRT
N9*LI*1
W12*PR*12*10*2*EA**VN*HOODIE
W03*34*38.5*LB***1*CT
"""


@pytest.mark.parametrize(
    ("set_id", "body"),
    [("850", test_x850.ORDER), ("940", test_x940.WSO), ("945", ADVICE), ("856", test_x856.PICK_AND_PACK)],
)
def test_rendered_set_validates(set_id: str, body: str) -> None:
    document = translate(interchange(set_id, body)).sets[0].document
    assert document is not None
    out = render(set_id, document, PROFILE, InMemoryControlNumbers(), now=NOW)
    report = validate(out)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]


def test_a_buyer_known_only_by_email_is_left_out_of_the_940() -> None:
    # An Amazon buyer has an e-mail address and no name: an N1*BY with neither N102 nor N103 is a syntax
    # error (R0203) the 3PL's 997 rejects the whole group for.
    from crossdock.canonical.party import Party, PartyRole

    wso = translate(interchange("940", test_x940.WSO)).sets[0].document
    assert wso is not None
    buyer = Party(role=PartyRole.BUYER, email="buyer@marketplace.example")
    out = render("940", wso.model_copy(update={"parties": [*wso.parties, buyer]}), PROFILE, InMemoryControlNumbers(),
                 now=NOW)  # fmt: skip
    report = validate(out)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    assert b"N1*BY" not in out
