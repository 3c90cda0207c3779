"""X12 945 Warehouse Shipping Advice: the standard's segment table (ST and SE are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
The LX loop the standard nests between LS and LE inside the line loop is left out: pyx12 has no
bounded loops, so it would swallow every following outer LX (every multi-LX file would fail). A file that
really uses LS/LX/LE reports the inner LX as out of place.
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table.
"""

SET_ID = "945"
FUNCTIONAL_ID = "SW"
NAME = "Warehouse Shipping Advice"

TABLE = """
W06 M 1
LOOP N1 M 10
  N1 M 1
  N2 O 1
  N3 O 2
  N4 O 1
  PER O 5
N9 O 10
G61 O 3
G62 O 5
NTE O 20
W27 O 1
W6 O 1
W28 O 1
W10 O 10
G72 O 5
LOOP LM O 10
  LM M 1
  LQ O 100
LOOP LX O >1
  LX M 1
  MAN O >1
  PAL O 1
  N9 O 5
  LOOP W12 O >1
    W12 M 1
    G69 O 5
    N9 O 200
    G62 O 10
    QTY O 10
    MEA O 5
    AMT O 1
    R4 O 5
    W27 O 1
    N1 O 5
    G72 O 5
    LOOP LM O 10
      LM M 1
      LQ O 100
    LS O 1
    LE O 1
    LOOP FA1 O >1
      FA1 M 1
      FA2 O >1
W03 O 1
"""
