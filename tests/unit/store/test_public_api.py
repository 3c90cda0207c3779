"""The store's public surface: everything in ``__all__`` exists and is listed in the docstring."""

from __future__ import annotations

import crossdock.store as store_pkg
from crossdock.store import key_variants
from crossdock.store.journal import key_pairs


def test_exported_members_exist_and_are_documented() -> None:
    doc = store_pkg.__doc__ or ""
    for name in store_pkg.__all__:
        assert hasattr(store_pkg, name), name
        assert name in doc, f"{name} missing from crossdock.store's docstring"
    assert len(set(store_pkg.__all__)) == len(store_pkg.__all__)


def test_control_number_spellings() -> None:
    assert key_variants("905") == ["905", "0905", "000000905"]
    assert key_variants(" 000000905 ") == ["000000905", "905", "0905"]
    assert key_variants("0") == ["0", "0000", "000000000"]
    assert key_variants("SO-77") == ["SO-77"]


def test_business_keys_as_mapping_or_pairs() -> None:
    assert key_pairs({"tracking_number": ["1Z1", "1Z2", ""], "erp_order": "SO-1"}) == [
        ("tracking_number", "1Z1"),
        ("tracking_number", "1Z2"),
        ("erp_order", "SO-1"),
    ]
    assert key_pairs([("isa13", "000000905"), ("isa13", "000000905"), ("gs06", "905")]) == [
        ("isa13", "000000905"),
        ("gs06", "905"),
    ]
