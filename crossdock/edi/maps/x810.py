"""X12 810 Invoice: the standard's segment table (ST and SE are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
From the X12 004010 table; 005010 uses the same table. Left out: segments crossdock's dictionary does not
define and retail invoices do not use (DMG in the N1 loops, L7, BAL, CRC, SR, and the SLN loop's
subordinate segments but SLN itself); a file that sends them reports them as unknown.
"""

SET_ID = "810"
FUNCTIONAL_ID = "IN"
NAME = "Invoice"

TABLE = """
BIG M 1
NTE O 100
CUR O 1
REF O 12
YNQ O 10
PER O 3
LOOP N1 O 200
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  REF O 12
  PER O 3
ITD O >1
DTM O 10
FOB O 1
PID O 200
MEA O 40
PWK O 25
PKG O 25
INC O 1
PAM O >1
LOOP LM O 10
  LM M 1
  LQ M 100
LOOP N9 O 1
  N9 M 1
  MSG M 10
LOOP IT1 O >1
  IT1 M 1
  QTY O 5
  CUR O 1
  IT3 O 5
  TXI O 10
  CTP O 25
  PAM O 10
  MEA O 40
  LOOP PID O 1000
    PID M 1
    MEA O 10
  PWK O 25
  PKG O 25
  PO4 O 1
  ITD O 2
  REF O >1
  YNQ O 10
  PER O 5
  SDQ O 500
  DTM O 10
  CAD O >1
  LOOP SAC O 25
    SAC M 1
    TXI O 10
  LOOP SLN O 1000
    SLN M 1
  LOOP N1 O 200
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 12
    PER O 3
  LOOP LM O 10
    LM M 1
    LQ M 100
  LOOP V1 O >1
    V1 M 1
    R4 O >1
    DTM O >1
  LOOP FA1 O >1
    FA1 M 1
    FA2 M >1
TDS M 1
TXI O 10
CAD O 1
AMT O >1
LOOP SAC O 25
  SAC M 1
  TXI O 10
LOOP ISS O >1
  ISS M 1
  PID O 1
CTT O 1
"""
