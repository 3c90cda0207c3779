"""Unit tests of the X12 ⇄ canonical translators (crossdock.edi.sets, crossdock.edi.translate)."""
