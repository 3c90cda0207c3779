"""``crossdock flows graph [--format mermaid|markdown] [--write FILE]``: the flow graph
(:mod:`crossdock.actors.graph`) as a Mermaid flowchart or as docs/flows.md's table of steps.

``--write docs/flows.md`` replaces the table between the file's flow-graph markers (exit 2 when the file
has none). The graph is imported when the command runs, so ``crossdock --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from crossdock.cli.boundary import CANNOT_RUN

app = typer.Typer(help="The flow graph: steps, lanes, what each takes and where it sends.", no_args_is_help=True)


class GraphFormat(StrEnum):
    MERMAID = "mermaid"
    MARKDOWN = "markdown"


@app.command("graph")
def graph_command(
    fmt: Annotated[
        GraphFormat, typer.Option("--format", help="mermaid (a flowchart) or markdown (docs/flows.md's table).")
    ] = GraphFormat.MERMAID,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Replace the table between the flow-graph markers of this Markdown file."),
    ] = None,
) -> None:
    """Print the flow graph: every step with its lane, the document it takes and the steps it may send to."""
    from crossdock.actors import graph_text
    from crossdock.actors.graph import FLOWS

    if write is None:
        text = graph_text.mermaid(FLOWS) if fmt is GraphFormat.MERMAID else graph_text.markdown(FLOWS)
        typer.echo(text, nl=False)
        return
    try:
        updated = graph_text.replace_table(write.read_text(encoding="utf-8"), graph_text.markdown(FLOWS))
        write.write_text(updated, encoding="utf-8")
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot update {write}: {exc}", err=True)
        raise typer.Exit(CANNOT_RUN) from None
    typer.echo(f"{write}: flow graph table updated")
