"""X12 855 Purchase Order Acknowledgment: the standard's segment table (ST and SE are added by the
compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table.
"""

SET_ID = "855"
FUNCTIONAL_ID = "PR"
NAME = "Purchase Order Acknowledgment"

TABLE = """
BAK M 1
CUR O 1
REF O >1
PER O 3
TAX O >1
FOB O >1
CTP O >1
PAM O 10
CSH O 1
LOOP SAC O 25
  SAC M 1
  CUR O 1
ITD O 5
DIS O 20
INC O 1
DTM O 10
LDT O 12
LIN O 5
SI O >1
PID O 200
MEA O 40
PWK O 25
PKG O 25
TD1 O 2
TD5 O 12
TD3 O 12
TD4 O 5
MAN O 10
TXI O >1
CTB O >1
LOOP N9 O 1000
  N9 M 1
  DTM O >1
  MSG O 1000
LOOP N1 O 200
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  NX2 O >1
  REF O 12
  PER O >1
  SI O >1
  FOB O 1
  TD1 O 2
  TD5 O 12
  TD3 O 12
  TD4 O 5
  PKG O 25
  MSG O >1
LOOP ADV O >1
  ADV M 1
  DTM O >1
  MTX O >1
LOOP PO1 O 100000
  PO1 M 1
  LIN O >1
  SI O >1
  CUR O 1
  PO3 O 25
  CTP O >1
  PAM O 10
  MEA O 40
  LOOP PID O 1000
    PID M 1
    MEA O 10
  PWK O 25
  PO4 O >1
  REF O >1
  PER O 3
  LOOP SAC O 25
    SAC M 1
    CUR O 1
  IT8 O 1
  CSH O >1
  ITD O 2
  DIS O 20
  INC O 1
  TAX O >1
  FOB O >1
  SDQ O 500
  DTM O 10
  LDT O 12
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  LOOP ACK O 104
    ACK M 1
    DTM O 1
  MAN O 10
  AMT O 1
  CTB O >1
  TXI O >1
  LOOP QTY O >1
    QTY M 1
    SI O >1
  LOOP PKG O 200
    PKG M 1
    MEA O >1
  LOOP SCH O 200
    SCH M 1
    TD1 O 2
    TD5 O 12
    TD3 O 12
    TD4 O 5
    REF O >1
  LOOP N9 O 1000
    N9 M 1
    DTM O >1
    MSG O 1000
  LOOP N1 O 200
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    NX2 O >1
    REF O 12
    PER O 3
    SI O >1
    DTM O 1
    FOB O 1
    SCH O 200
    TD1 O 2
    TD5 O 12
    TD3 O 12
    TD4 O 5
    QTY O >1
    PKG O 25
  LOOP SLN O 1000
    SLN M 1
    MSG O >1
    SI O >1
    PID O 1000
    PO3 O 25
    CTP O 25
    PAM O 10
    ACK O 104
    LOOP SAC O 10
      SAC M 1
      CUR O 1
    DTM O 10
    PO4 O 1
    TAX O 3
    ADV O >1
    LOOP QTY O >1
      QTY M 1
      SI O >1
    LOOP N9 O >1
      N9 M 1
      DTM O >1
      MSG O >1
    LOOP N1 O 10
      N1 M 1
      N2 O 2
      N3 O 2
      N4 O 1
      NX2 O >1
      REF O 12
      PER O 3
      SI O >1
LOOP CTT O 1
  CTT M 1
  AMT O 1
"""
