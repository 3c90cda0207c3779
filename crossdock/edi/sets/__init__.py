"""One module per X12 transaction set, each exposing ``to_canonical`` and/or ``from_canonical``."""
