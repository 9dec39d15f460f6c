"""``greenscore schema``: the rubric format as JSON Schema, for editors that check YAML as you type."""

from __future__ import annotations

import argparse
import json
from typing import Any

from greenscore.cli import EXIT_USAGE, echo, output_files_ok

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def rubric_schema() -> dict[str, Any]:
    """JSON Schema of a rubric document, generated from the pydantic models the loader uses."""
    from greenscore import __version__
    from greenscore.rubric.models import Rubric

    schema = Rubric.model_json_schema(by_alias=True)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "greenscore rubric",
        "description": f"{schema.pop('description', '')} (greenscore {__version__})".strip(),
        **{k: v for k, v in schema.items() if k != "title"},
    }


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the rubric format as JSON Schema",
        description=(
            "Print the rubric format as JSON Schema. Point a YAML language server at it "
            "(e.g. '# yaml-language-server: $schema=greenscore-rubric.schema.json') for "
            "completion and checking while a rubric is typed."
        ),
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.output and not output_files_ok("schema", args.output):
        return EXIT_USAGE
    text = json.dumps(rubric_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from greenscore.io import atomic_write_text

        atomic_write_text(args.output, text)
    else:
        echo(text, json=True, end="")
    return 0
