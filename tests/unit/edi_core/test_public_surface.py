"""``crossdock.edi``'s public surface, guarded as httpx guards its own (tests/test_exported_members.py):
every exported name is importable from the package, is the object its module defines, is public, and
the package exports the whole ``__all__`` of each module it draws from."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import crossdock.edi as edi

SHADOWED = {"translate", "validate"}
"""Functions reached through their module of the same name (``crossdock.edi.translate.translate``)."""


def test_all_is_unique_and_public() -> None:
    assert len(edi.__all__) == len(set(edi.__all__))
    assert not [name for name in edi.__all__ if name.startswith("_")]


@pytest.mark.parametrize("name", edi.__all__)
def test_every_exported_name_is_importable_and_is_the_modules_own(name: str) -> None:
    value = getattr(edi, name)
    home = importlib.import_module(edi._HOME[name])
    assert value is getattr(home, name)
    defined_in = getattr(value, "__module__", None)
    if inspect.isclass(value) or inspect.isfunction(value):  # constants and type aliases have no home of their own
        assert defined_in is not None and defined_in.startswith("crossdock.edi.")
        assert not any(part.startswith("_") for part in defined_in.split("."))


def test_the_package_exports_each_modules_whole_all() -> None:
    for module_name, names in edi._EXPORTS.items():
        module = importlib.import_module(module_name)
        declared = getattr(module, "__all__", None)
        if declared is None:  # sets.mapping: the names a caller of a translation meets
            assert set(names) <= set(vars(module))
            continue
        assert set(declared) - SHADOWED == set(names), module_name
    assert set(edi.__all__) == set(edi._HOME)


def test_nothing_else_public_lives_in_the_package_namespace() -> None:
    for name in edi.__all__:
        getattr(edi, name)
    leaked = [name for name, value in vars(edi).items()
              if not name.startswith("_") and not inspect.ismodule(value) and name not in edi.__all__]  # fmt: skip
    assert leaked == []
    assert [name for name in dir(edi) if not inspect.ismodule(getattr(edi, name))] == sorted(edi.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'X12Parser'"):
        edi.X12Parser  # noqa: B018


def test_importing_the_reader_does_not_load_pyx12_or_the_translators() -> None:
    heavy = ("pyx12", "crossdock.edi.translate", "pydantic")
    code = "import sys\nfrom crossdock.edi import X12Reader, scan_envelopes\n"
    code += f"print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_one_level_and_severity_type_for_both_reports() -> None:
    from crossdock.edi import envelope_report, report
    from crossdock.edi.envelope import check_envelopes

    from .samples import interchange, render
    from .test_envelope import with_row

    assert (envelope_report.Level, envelope_report.Severity) == (report.Level, report.Severity)
    # Given an interchange whose IEA names another control number, When its envelopes are checked
    (found,) = check_envelopes(render(with_row(interchange(), "IEA", 2, "000000009")))
    # Then the issue's level and severity are the validation report's, ready for it without translation
    (issue,) = found.issues
    assert type(issue.level) is report.Level and type(issue.severity) is report.Severity
