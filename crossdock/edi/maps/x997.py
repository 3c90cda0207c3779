"""X12 997 Functional Acknowledgment: the standard's segment table (ST and SE are added by the compiler).

One entry a line, indented under its loop: ``SEGMENT usage max_use`` or ``LOOP id usage repeat``, usage
``M`` (mandatory) or ``O`` (optional), ``>1`` for unbounded. The first segment of a loop starts it.
Extracted from the X12 004010 table (via olmelabs/EdiEngine, MIT); 005010 uses the same table.
"""

SET_ID = "997"
FUNCTIONAL_ID = "FA"
NAME = "Functional Acknowledgment"

TABLE = """
AK1 M 1
LOOP AK2 O >1
  AK2 M 1
  LOOP AK3 O >1
    AK3 M 1
    AK4 O 99
  AK5 M 1
AK9 M 1
"""
