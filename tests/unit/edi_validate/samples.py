"""Hand-written X12 samples for the validation tests (our own data; never copied from the corpus)."""

from __future__ import annotations

BODIES = {
    "850": [
        "BEG*00*SA*PO-1001**20240105",
        "CUR*BY*USD",
        "REF*DP*038",
        "PER*BD*PAT BUYER*TE*5555550100",
        "ITD*14*3*2**45**46",
        "DTM*002*20240115",
        "TD5*A*92*P3**ROUTING GUIDE",
        "N9*L1**BUYER MESSAGE",
        "MSG*PLEASE CALL BEFORE DELIVERY",
        "N1*ST*XYZ STORE 12*92*0012",
        "N3*31875 SOLON RD",
        "N4*SOLON*OH*44139*US",
        "N1*BT*XYZ RETAIL*9*0003947268292",
        "PO1*1*120*EA*9.25*TE*UP*012345678905*VN*AB3542",
        "CTP**RES*12.99",
        "PID*F****SMALL WIDGET",
        "PO4*4*4*EA",
        "SAC*A*C310***500",
        "SDQ*EA*92*0012*60*0013*60",
        "PO1*2*12*CA*13.79**UP*012345678912",
        "PID*F****MEDIUM WIDGET",
        "CTT*2",
    ],
    "856": [
        "BSN*00*ASN-77*20240110*1200*0001",
        "HL*1**S",
        "TD1*CTN*2****G*24*LB",
        "TD5**2*UPSN",
        "REF*BM*BOL12345",
        "DTM*011*20240110",
        "N1*ST*XYZ STORE 12*92*0012",
        "N1*SF*ACME 3PL*92*WH1",
        "HL*2*1*O",
        "PRF*PO-1001***20240105",
        "HL*3*2*T",
        "MAN*GM*00000123450000000017",
        "HL*4*3*P",
        "MAN*GM*00000123450000000024",
        "HL*5*4*I",
        "LIN**UP*012345678905*VN*AB3542",
        "SN1**60*EA",
        "PID*F****SMALL WIDGET",
        "CTT*5",
    ],
    "940": [
        "W05*N*ORD-5001*PO-1001",
        "N1*ST*JANE DOE",
        "N3*1 ELM ST",
        "N4*AKRON*OH*44301*US",
        "N9*PD*PROMO1",
        "G62*10*20240112",
        "NTE*WHI*LEAVE AT DOOR",
        "W66*PP*M***UPSN",
        "LX*1",
        "W01*2*EA*012345678905*VN*AB3542*UP*012345678905",
        "G69*SMALL WIDGET",
        "N9*LI*1",
        "W76*2*1*LB",
    ],
    "945": [
        "W06*N*ORD-5001*20240112*SHP-9*WH1*PO-1001",
        "N1*ST*JANE DOE",
        "N4*AKRON*OH*44301",
        "N9*BM*BOL9",
        "G62*11*20240112",
        "W27*U*UPSN",
        "LX*1",
        "W12*CC*2*2**EA*012345678905*VN*AB3542",
        "N9*LI*1",
        "W03*2*1*LB",
    ],
    "997": [
        "AK1*OW*77",
        "AK2*940*0001",
        "AK5*A",
        "AK9*A*1*1*1",
    ],
}

FUNCTIONAL_IDS = {
    "850": "PO", "856": "SH", "940": "OW", "945": "SW", "997": "FA", "855": "PR", "810": "IN", "820": "RA",
    "860": "PC", "865": "CA",
}  # fmt: skip


def interchange(
    sets: list[tuple[str, list[str]]],
    *,
    version: str = "004010",
    functional_id: str | None = None,
    control: str = "000000905",
    group_control: str = "77",
    se_count: int | None = None,
) -> bytes:
    """One ISA/GS with the given sets; counts are right unless ``se_count`` overrides SE01."""
    isa12 = "00501" if version.startswith("005") else "00401"
    isa11 = "^" if isa12 == "00501" else "U"
    fid = functional_id or FUNCTIONAL_IDS[sets[0][0]]
    out = [
        "ISA*00*          *00*          *ZZ*BUYERCO        *ZZ*SELLERCO       *240105*1200*"
        f"{isa11}*{isa12}*{control}*0*T*>",
        f"GS*{fid}*BUYERCO*SELLERCO*20240105*1200*{group_control}*X*{version}",
    ]
    for number, (set_id, body) in enumerate(sets, start=1):
        st02 = f"{number:04d}"
        out.append(f"ST*{set_id}*{st02}")
        out.extend(body)
        out.append(f"SE*{se_count if se_count is not None else len(body) + 2}*{st02}")
    out.append(f"GE*{len(sets)}*{group_control}")
    out.append(f"IEA*1*{control}")
    return ("~\n".join(out) + "~\n").encode("ascii")


def one(set_id: str, body: list[str] | None = None, **kwargs: object) -> bytes:
    return interchange([(set_id, BODIES[set_id] if body is None else body)], **kwargs)  # type: ignore[arg-type]
