"""An HL hierarchy too deep to walk is an EdiLimitError with the HL's position, never a RecursionError;
any shape of parent pointers translates or fails, and nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.edi.sets import hierarchy, x856
from crossdock.edi.translate import translate, translate_set
from crossdock.errors import EdiLimitError
from tests.unit.edi_sets.envelope import interchange, one_set

HEAD = "BSN*00*ASN-1*20261124*1200*0001\nHL*1**S\nN1*ST*ACME DC 7*92*0007\n"


def chain(levels: int) -> str:
    """A shipment level with ``levels`` item levels, each the child of the one before."""
    return HEAD + "".join(f"HL*{n}*{n - 1}*I\nLIN**SK*TEE-{n}\nSN1**1*EA\n" for n in range(2, levels + 2))


def test_a_thousand_nested_levels_are_refused_at_the_first_hl_too_deep() -> None:
    # Given the adversarial pass's 856: ~1,000 HL levels, each under the one before (30 KB)
    ts = one_set("856", chain(1000))
    # When it is translated, Then the translator refuses it at the 65th level, naming where
    with pytest.raises(EdiLimitError) as caught:
        x856.to_canonical(ts)
    error = caught.value
    assert error.segment_id == "HL" and error.element == 2 and error.offset is not None
    assert f"deeper than {hierarchy.MAX_DEPTH} levels" in str(error)
    assert "HL '65'" in str(error)
    # And through translate_set it is one failed set with that position, not an exception
    result = translate_set(ts)
    assert result.status == "failed"
    [(where, message)] = result.errors
    assert where.startswith("HL02, segment ") and "deeper than" in message


def test_a_hierarchy_at_the_limit_still_translates() -> None:
    result = translate_set(one_set("856", chain(hierarchy.MAX_DEPTH - 1)))
    assert result.status == "translated", result.errors


def test_the_command_reports_it_as_a_failed_set(tmp_path: Path) -> None:
    assert [s.status for s in translate(interchange("856", chain(3000))).sets] == ["failed"]
    deep = tmp_path / "deep.x12"
    deep.write_bytes(interchange("856", chain(3000)))
    outcome = CliRunner().invoke(app, ["edi", "translate", str(deep)])
    assert outcome.exit_code == 1
    assert "error HL02, segment 196" in outcome.output and "Traceback" not in outcome.output


@settings(max_examples=80, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(parents=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=400),
       levels=st.lists(st.sampled_from("SOTPIX"), min_size=1, max_size=400))  # fmt: skip
def test_any_parent_pointers_translate_or_fail(parents: list[int], levels: list[str]) -> None:
    # Given HL n pointing at any HL id (itself, a later one, one that does not exist, none)
    rows = []
    for n, parent in enumerate(parents, 1):
        pointer = "" if parent == 0 else str(parent)
        rows.append(f"HL*{n}*{pointer}*{levels[n % len(levels)]}\nLIN**SK*S-{n}\nSN1**1*EA\n")
    body = "BSN*00*ASN-1*20261124*1200*0001\n" + "".join(rows)
    # When it is translated, Then it is translated or failed: no RecursionError, no other exception
    result = translate_set(one_set("856", body))
    assert result.status in ("translated", "failed")
