"""How the reading commands print: a table on a terminal, full rows when stdout is not one (never cut
to 80 columns), tab-separated values with ``--format tsv``, one JSON document with ``--json``.

Every value is printed as text: nothing a partner or a server sent (an error message quoting
``[se01-segment-count]``, a business key) is ever read as Rich markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer


class Format(StrEnum):
    TABLE = "table"
    TSV = "tsv"


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")]
FormatOption = Annotated[
    Format, typer.Option("--format", help="table (full rows when stdout is not a terminal) or tsv (tab-separated).")
]


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str, ensure_ascii=False) + "\n")


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], *, title: str | None = None, fmt: Format = Format.TABLE
) -> None:
    """``rows`` as a table (or TSV). Off a terminal the table is as wide as its widest row."""
    cells = [[_cell(value) for value in row] for row in rows]
    if fmt is Format.TSV:
        for row in [list(columns), *cells]:
            sys.stdout.write("\t".join(value.replace("\t", " ").replace("\n", " ") for value in row) + "\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*columns, title=Text(title) if title else None)
    for row in cells:
        table.add_row(*(Text(value) for value in row))
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: full rows, never wrapped or cut
        width = Console(width=1_000_000).measure(table).maximum
        console = Console(width=max(width, 20), highlight=False, soft_wrap=False)
    console.print(table)


def print_fields(fields: Mapping[str, object]) -> None:
    """``key: value`` lines, the key in bold on a terminal; values printed as they are."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    for key, value in fields.items():
        line = Text(f"{key}", style="bold")
        line.append(f": {_cell(value)}")
        console.print(line)


def print_line(text: str) -> None:
    """One line of text, as it is (no markup)."""
    sys.stdout.write(text + "\n")
