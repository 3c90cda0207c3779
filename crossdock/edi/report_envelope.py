"""Fold the envelope checks (:mod:`crossdock.edi.envelope`: counts, control numbers, trailers) into a
validation report, matching interchanges, groups and sets by the index of their ISA, GS and ST.

The envelope checker already reports :class:`~crossdock.edi.report.Issue` (the one issue type): its
``code`` is the X12 acknowledgment code that reports it (TA105 for an interchange, AK905 for a group,
AK502 for a set) when there is one and the check's own code otherwise, ``check`` the check's code.
Here the issues are only attached to their interchange, group or set, and a set's get their
position in the set.
"""

from __future__ import annotations

from dataclasses import replace

from crossdock.edi.envelope_report import GroupEnvelope, InterchangeEnvelope, SetEnvelope
from crossdock.edi.report import GroupReport, InterchangeReport, Issue, SetReport, ValidationReport


def _with_position(issue: Issue, set_report: SetReport) -> Issue:
    """Envelope issues of a set get their position in the set (ST = 1), as AK3/AK5 count."""
    if issue.segment_index is None or set_report.segment_index is None:
        return issue
    return replace(issue, segment_position=issue.segment_index - set_report.segment_index + 1)


def _merge_set(set_report: SetReport, found: SetEnvelope | None) -> SetReport:
    if found is None:
        return set_report
    extra = tuple(_with_position(i, set_report) for i in found.issues)
    return replace(set_report, issues=set_report.issues + extra, segment_count=found.segment_count)


def _merge_group(group: GroupReport, found: GroupEnvelope | None) -> GroupReport:
    if found is None:
        return group
    sets = {s.segment_index: s for s in found.sets}
    merged = tuple(_merge_set(s, sets.get(s.segment_index)) for s in group.sets)
    return replace(group, sets=merged, issues=group.issues + found.issues)


def _merge_interchange(interchange: InterchangeReport, found: InterchangeEnvelope | None) -> InterchangeReport:
    if found is None:
        return interchange
    groups = {g.segment_index: g for g in found.groups if not g.implicit}
    orphans = [i for g in found.groups if g.implicit for i in (*g.issues, *(x for s in g.sets for x in s.issues))]
    merged = tuple(_merge_group(g, groups.get(g.segment_index)) for g in interchange.groups)
    issues = interchange.issues + found.issues + tuple(orphans)
    return replace(interchange, groups=merged, issues=issues)


def merge_envelopes(report: ValidationReport, envelopes: list[InterchangeEnvelope]) -> ValidationReport:
    by_index = {e.segment_index: e for e in envelopes}
    return replace(report, interchanges=tuple(_merge_interchange(i, by_index.get(i.segment_index))
                                              for i in report.interchanges))
