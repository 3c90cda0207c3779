"""X12 860 Purchase Order Change Request - Buyer Initiated: the standard's segment table (ST and SE are
added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table. Left
out: the header G53 (maintenance type, unused in retail; an 860 carrying one is reported as holding an
unexpected segment).
"""

SET_ID = "860"
FUNCTIONAL_ID = "PC"
NAME = "Purchase Order Change Request - Buyer Initiated"

TABLE = """
BCH M 1
CUR O 1
REF O >1
PER O 3
TAX O >1
FOB O >1
CTP O >1
PAM O 10
CSH O 5
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
PKG O 200
TD1 O 2
TD5 O 12
TD3 O 12
TD4 O 5
CTB O >1
MAN O 10
TXI O >1
PCT O >1
LOOP AMT O >1
  AMT M 1
  REF O >1
  DTM O 1
  PCT O >1
  LOOP FA1 O >1
    FA1 M 1
    FA2 O >1
LOOP N9 O 1000
  N9 M 1
  DTM O >1
  MSG O 1000
LOOP N1 O 200
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O >1
  NX2 O >1
  REF O 12
  PER O >1
  SI O >1
  FOB O 1
  TD1 O 2
  TD5 O 12
  TD3 O 12
  TD4 O 5
  PKG O 200
LOOP LM O >1
  LM M 1
  LQ O >1
LOOP SPI O >1
  SPI M 1
  REF O 5
  DTM O 5
  MSG O 50
  LOOP N1 O 20
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 20
    G61 O 1
    MSG O 50
  LOOP CB1 O >1
    CB1 M 1
    REF O 20
    DTM O 5
    LDT O 1
    MSG O 50
LOOP ADV O >1
  ADV M 1
  DTM O >1
  MTX O >1
LOOP POC O >1
  POC M 1
  LIN O >1
  SI O >1
  CUR O 1
  CN1 O 1
  PO3 O 25
  CTP O >1
  PAM O 10
  MEA O 40
  LOOP PID O 1000
    PID M 1
    MEA O 10
  PWK O 25
  PKG O 200
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
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  MAN O 10
  PCT O >1
  TC2 O 2
  CTB O >1
  TXI O >1
  SPI O >1
  MSG O >1
  LOOP QTY O >1
    QTY M 1
    SI O >1
  LOOP SCH O 200
    SCH M 1
    TD1 O 2
    TD5 O 12
    TD3 O 12
    TD4 O 5
  LOOP N9 O 1000
    N9 M 1
    DTM O >1
    MSG O 1000
  LS O 1
  LOOP LDT O >1
    LDT M 1
    QTY O >1
    MSG O 1
    REF O 3
    LOOP LM O >1
      LM M 1
      LQ O >1
  LE O 1
  LOOP N1 O 200
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    QTY O >1
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
    PKG O 200
    LOOP LDT O >1
      LDT M 1
      MAN O 10
      QTY O 5
      MSG O 1
      REF O 3
  LOOP SLN O 1000
    SLN M 1
    MSG O >1
    SI O >1
    PID O 1000
    PO3 O 104
    TC2 O 2
    LOOP SAC O 10
      SAC M 1
      CUR O 1
    DTM O 10
    CTP O 25
    PAM O 10
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
  LOOP AMT O >1
    AMT M 1
    REF O 1
    PCT O >1
  LOOP LM O >1
    LM M 1
    LQ O >1
LOOP CTT O 1
  CTT M 1
  AMT O 5
"""
