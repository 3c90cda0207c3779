"""X12 EDI: read, validate (pyx12), acknowledge (997), write and translate to and from canonical
documents. Pure: takes bytes or binary streams, never paths, sockets or sessions.

The public surface is ``__all__`` below, grouped by topic; ``tests/unit/edi_core/test_public_surface.py``
keeps it complete (every name in the ``__all__`` of the modules listed in :data:`_EXPORTS`) and
free of private names. Names load on first use, so ``from crossdock.edi import X12Reader`` does
not import pyx12 or the translators.

Two functions are reached through their module, because the module has the same name:
``crossdock.edi.translate.translate`` (read and translate a whole file) and
``crossdock.edi.validate.validate`` (validate a whole file with the pyx12 maps).
"""

import importlib as _importlib
import typing as _typing

__all__ = [
    # segments and delimiters
    "DEFAULT_DELIMITERS",
    "Delimiters",
    "Segment",
    "detect_delimiters",
    # reading (streaming) and the cheap envelope scan
    "MAX_SET_BYTES",
    "MAX_SET_SEGMENTS",
    "EnvelopeScan",
    "ReadWarning",
    "ScannedInterchange",
    "TransactionSet",
    "WarningCode",
    "X12Reader",
    "read_transaction_sets",
    "scan_envelopes",
    # translation to and from canonical documents
    "TRANSLATORS",
    "FileResult",
    "InterchangeAckResult",
    "Lookups",
    "MappingWarning",
    "SetResult",
    "Translation",
    "TranslationStatus",
    "UnmappedSegment",
    "iter_translations",
    "render",
    "translate_set",
    "translate_ta1",
    # validation and its report
    "MAX_ISSUES_PER_SET",
    "EnvelopeChecker",
    "GroupReport",
    "InterchangeReport",
    "Issue",
    "Level",
    "SetReport",
    "Severity",
    "Status",
    "ValidationReport",
    "X12Validator",
    "check_envelopes",
    "default_validator",
    # acknowledgments (997, TA1)
    "ACK_SETS",
    "ack_body",
    "build_acknowledgments",
    "build_acks",
    "needs_ack",
    # writing: envelopes, control numbers, partner profiles
    "MAX_CONTROL_NUMBER",
    "ControlKind",
    "ControlNumberAllocator",
    "InMemoryControlNumbers",
    "PartnerProfile",
    "build_interchange",
    "build_interchange_groups",
    "isa_segment",
    "iter_interchange",
    "load_partner_profile",
    "profile_delimiters",
    "render_segments",
]

_EXPORTS = {
    "crossdock.edi.segment": ("DEFAULT_DELIMITERS", "Delimiters", "Segment"),
    "crossdock.edi.reader": ("MAX_SET_BYTES", "MAX_SET_SEGMENTS", "ReadWarning", "TransactionSet", "WarningCode",
                             "X12Reader", "detect_delimiters", "read_transaction_sets"),
    "crossdock.edi.scan": ("EnvelopeScan", "ScannedInterchange", "scan_envelopes"),
    "crossdock.edi.translate": ("TRANSLATORS", "FileResult", "InterchangeAckResult", "SetResult", "TranslationStatus",
                                "iter_translations", "render", "translate_set", "translate_ta1"),
    "crossdock.edi.sets.mapping": ("Lookups", "MappingWarning", "Translation", "UnmappedSegment"),
    "crossdock.edi.report": ("GroupReport", "InterchangeReport", "Issue", "Level", "SetReport", "Severity", "Status",
                             "ValidationReport"),
    "crossdock.edi.validate": ("MAX_ISSUES_PER_SET", "X12Validator", "default_validator"),
    "crossdock.edi.envelope": ("EnvelopeChecker", "check_envelopes"),
    "crossdock.edi.ack": ("ACK_SETS", "ack_body", "build_acknowledgments", "build_acks", "needs_ack"),
    "crossdock.edi.control": ("MAX_CONTROL_NUMBER", "ControlKind", "ControlNumberAllocator", "InMemoryControlNumbers"),
    "crossdock.edi.partners": ("PartnerProfile", "load_partner_profile"),
    "crossdock.edi.writer": ("build_interchange", "build_interchange_groups", "isa_segment", "iter_interchange",
                             "profile_delimiters", "render_segments"),
}  # fmt: skip
"""The module that defines each public name (the modules whose ``__all__`` this package re-exports)."""

_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

if _typing.TYPE_CHECKING:
    from crossdock.edi.ack import ACK_SETS, ack_body, build_acknowledgments, build_acks, needs_ack
    from crossdock.edi.control import (
        MAX_CONTROL_NUMBER,
        ControlKind,
        ControlNumberAllocator,
        InMemoryControlNumbers,
    )
    from crossdock.edi.envelope import EnvelopeChecker, check_envelopes
    from crossdock.edi.partners import PartnerProfile, load_partner_profile
    from crossdock.edi.reader import (
        MAX_SET_BYTES,
        MAX_SET_SEGMENTS,
        ReadWarning,
        TransactionSet,
        WarningCode,
        X12Reader,
        detect_delimiters,
        read_transaction_sets,
    )
    from crossdock.edi.report import (
        GroupReport,
        InterchangeReport,
        Issue,
        Level,
        SetReport,
        Severity,
        Status,
        ValidationReport,
    )
    from crossdock.edi.scan import EnvelopeScan, ScannedInterchange, scan_envelopes
    from crossdock.edi.segment import DEFAULT_DELIMITERS, Delimiters, Segment
    from crossdock.edi.sets.mapping import Lookups, MappingWarning, Translation, UnmappedSegment
    from crossdock.edi.translate import (
        TRANSLATORS,
        FileResult,
        InterchangeAckResult,
        SetResult,
        TranslationStatus,
        iter_translations,
        render,
        translate_set,
        translate_ta1,
    )
    from crossdock.edi.validate import MAX_ISSUES_PER_SET, X12Validator, default_validator
    from crossdock.edi.writer import (
        build_interchange,
        build_interchange_groups,
        isa_segment,
        iter_interchange,
        profile_delimiters,
        render_segments,
    )


def __getattr__(name: str) -> object:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *(key for key in globals() if not key.startswith("_"))})
