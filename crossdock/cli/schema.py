"""``crossdock schema``: JSON Schema of the canonical documents."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(rich_markup_mode=None, help="JSON Schema of the canonical documents.", no_args_is_help=True)


@app.command("export")
def export(directory: Path = typer.Argument(..., help="Folder to write <document>.schema.json files into.")) -> None:
    """Write one JSON Schema file per canonical document into DIRECTORY."""
    from crossdock.canonical import json_schemas

    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        path = directory / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        typer.echo(str(path))
