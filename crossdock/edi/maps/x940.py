"""X12 940 Warehouse Shipping Order: the standard's segment table (ST and SE are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
The LX loop the standard nests between LS and LE inside the line loop is left out: pyx12 has no
bounded loops, so it would swallow every following outer LX (every multi-LX file would fail). A file that
really uses LS/LX/LE reports the inner LX as out of place.
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table.
"""

SET_ID = "940"
FUNCTIONAL_ID = "OW"
NAME = "Warehouse Shipping Order"

TABLE = """
W05 M 1
LOOP N1 O 10
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  PER O 5
N9 O 10
G61 O 3
G62 O 10
NTE O >1
W09 O 1
W66 O 1
W6 O 1
R2 O 13
BNX O 1
LOOP LM O 10
  LM M 1
  LQ O 100
LOOP LX O >1
  LX M 1
  MAN O >1
  SDQ O >1
  N1 O 1
  G62 O 10
  LOOP W01 O >1
    W01 M 1
    G69 O 5
    N9 O 200
    NTE O >1
    W20 O 3
    QTY O 10
    AMT O 1
    G62 O 10
    G66 O 1
    N1 O 3
    PER O 5
    LH2 O 6
    LHR O 1
    LH6 O 5
    LOOP LM O 10
      LM M 1
      LQ O 100
    LS O 1
    LE O 1
    LOOP FA1 O >1
      FA1 M 1
      FA2 O >1
W76 O 1
"""
