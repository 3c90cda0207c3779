"""X12 846 Inventory Inquiry/Advice: the segment table (ST and SE are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
The header and item-level segments a 3PL's stock report uses, in the standard's order (004010; 005010
uses the same table). Left out: the LDT, LM and SLN loops, and the item-level N1 loop (one 846 reports
one location: the header N1); a file that uses them reports those segments as out of place.
"""

SET_ID = "846"
FUNCTIONAL_ID = "IB"
NAME = "Inventory Inquiry/Advice"

TABLE = """
BIA M 1
CUR O 1
REF O >1
PER O 3
MEA O 10
SAC O 10
ITD O 5
DTM O 10
LOOP N1 O >1
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  PER O 3
LOOP LIN O >1
  LIN M 1
  SI O >1
  PID O 200
  PO4 O 10
  PKG O 25
  MEA O 40
  CTP O 25
  DTM O 10
  REF O >1
  LOOP QTY O >1
    QTY M 1
    SCH O >1
CTT O 1
"""
