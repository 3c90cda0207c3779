"""The bundled examples the demos run (``crossdock demo``, ``crossdock edi demo``): a buyer's 850, a
3PL's 945 and the two partners' envelope profiles. Package data, so an installed wheel has them; the
same files are in the repository's ``examples/`` folder for people to read (a test keeps them equal)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
"""The folder holding ``850_from_buyer.x12``, ``945_from_3pl.x12`` and ``partners/``."""
