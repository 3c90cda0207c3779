"""X12 180 Return Merchandise Authorization and Notification: the standard's segment table (ST and SE
are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
crossdock sends it to the 3PL when a return is authorized (expect these items back) and reads the
3PL's 180 as its receipt, with a disposition per item (see :mod:`crossdock.edi.sets.x180`).
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table.
"""

SET_ID = "180"
FUNCTIONAL_ID = "AN"
NAME = "Return Merchandise Authorization and Notification"

TABLE = """
BGN M 1
RDR O 1
PRF O 1
DTM O 10
N9 O 10
PER O 2
SAC O 10
G38 O 1
PKG O 5
TD1 O 10
TD5 O 10
NTE O 5
LOOP N1 O 200
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  PER O 5
LOOP LM O 10
  LM M 1
  LQ O 100
LOOP BLI O >1
  BLI M 1
  N9 O 20
  PID O 5
  RDR O 1
  SAC O 10
  AMT O >1
  MEA O >1
  CRC O >1
  NTE O >1
  PRF O 1
  DTM O 15
  DD O 100
  GF O 1
  TD5 O 5
  SDQ O 100
  LOOP LM O 10
    LM M 1
    LQ O 100
  LOOP N1 O 200
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    PER O 5
  LOOP QTY O >1
    QTY M 1
    AMT O 5
    DTM O 10
    N1 O 1
    LOOP LM O 10
      LM M 1
      LQ O 100
    LOOP LX O >1
      LX M 1
      N9 O >1
      DTM O 10
      N1 O 1
      LOOP LM O 10
        LM M 1
        LQ O 100
  LOOP FA1 O >1
    FA1 M 1
    FA2 O >1
"""
