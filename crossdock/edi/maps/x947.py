"""X12 947 Warehouse Inventory Adjustment Advice: the segment table (ST and SE are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table. Left
out: the CS segment and the LM, N1, LX and FA1 loops inside the W19 loop (pyx12 has no bounded loops:
an inner N1 or LX would swallow what follows); a file that uses them reports those segments as out of
place.
"""

SET_ID = "947"
FUNCTIONAL_ID = "AW"
NAME = "Warehouse Inventory Adjustment Advice"

TABLE = """
W15 M 1
LOOP N1 M 100
  N1 M 1
  N2 O 1
  N3 O 1
  N4 O 1
  PER O 5
N9 O 10
G61 O 3
G62 O 5
NTE O 20
LOOP LM O 10
  LM M 1
  LQ O 100
LOOP W19 M >1
  W19 M 1
  G69 O 5
  N9 O 10
  AMT O 1
  G62 O 10
"""
