"""``greenscore evaluate``: score one park profile (YAML or JSON) and explain the result."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from greenscore.cli import add_rubric_option, echo

MAX_PROFILE_BYTES = 2_000_000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score one park profile and explain its tier",
        description="Score one park profile (a YAML or JSON mapping of field: value) and print "
        "why it lands in its tier.",
    )
    parser.add_argument("profile", metavar="PROFILE", help="profile file (.yaml, .yml or .json)")
    add_rubric_option(parser)
    parser.add_argument("--json", action="store_true", help="print the assessment as JSON")
    parser.set_defaults(handler=run)


def load_profile(path: str | os.PathLike[str]) -> Mapping[str, Any]:
    """A profile file's mapping of field values; YAML is read safely, JSON strictly (a repeated
    key, a number beyond a float or deep nesting is refused with its line and column)."""
    from greenscore.errors import InputFileError, RubricError
    from greenscore.io import parse_json, plain_number
    from greenscore.rubric.safe_yaml import read_located

    shown = os.fspath(path)
    suffix = Path(shown).suffix.lower()
    if suffix == ".json":
        try:
            with open(shown, "rb") as handle:
                raw = handle.read(MAX_PROFILE_BYTES + 1)
        except OSError as e:
            raise InputFileError(f"cannot read {shown}: {e.strerror or e}") from e
        if len(raw) > MAX_PROFILE_BYTES:
            raise InputFileError(f"cannot read {shown}: over {MAX_PROFILE_BYTES:,} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise InputFileError(f"cannot read {shown}: line {line} is not valid UTF-8") from e
        data = parse_json(text, shown)
    elif suffix in (".yaml", ".yml"):
        if not Path(shown).is_file():
            raise InputFileError(f"profile file not found: {shown}")
        try:
            data = read_located(shown, max_bytes=MAX_PROFILE_BYTES).data
        except RubricError as e:
            if any("must be a YAML mapping" in p.message for p in e.problems):
                detail = "a profile must be a mapping of field: value"
            else:
                detail = "; ".join(str(p) for p in e.problems)
            raise InputFileError(f"cannot read {shown}: {detail}") from e
    else:
        raise InputFileError(f"cannot read {shown}: a profile must be a .yaml, .yml or .json file")
    if not isinstance(data, Mapping):
        raise InputFileError(f"cannot read {shown}: a profile must be a mapping of field: value")
    return {key: plain_number(value) for key, value in data.items()}


def run(args: argparse.Namespace) -> int:
    from greenscore.engine.evaluate import evaluate

    assessment = evaluate(load_profile(args.profile), args.rubric)
    if args.json:
        echo(assessment.to_json(indent=2), json=True)
    else:
        echo(assessment.explain())
    return 0
