"""``greenscore check``: lint a rubric and run the consistency properties; exit 0 only if all hold."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from greenscore.cli import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="prove a rubric behaves: lint plus consistency properties",
        description=(
            "Lint a rubric and test it with generated profiles: scores stay on the scale, "
            "indicators follow their direction, higher scores never lower the tier, vetoes win, "
            "blanks never pay, every tier is reachable, and the engine agrees with itself. "
            "Failures show a shrunk counterexample. Exit code 0 only when everything holds."
        ),
    )
    parser.add_argument(
        "rubrics",
        metavar="RUBRIC",
        nargs="*",
        type=Path,
        help="rubric YAML file(s) (default: the bundled rubric); several for pre-commit hooks",
    )
    parser.add_argument(
        "--max-examples",
        metavar="N",
        type=int,
        default=None,
        help="generated examples per property (default: 100)",
    )
    parser.add_argument(
        "--seed", metavar="S", type=int, help="random seed (default: a fixed, derandomized run)"
    )
    parser.add_argument(
        "--allow",
        metavar="NAME",
        action="append",
        default=[],
        help="accept a known violation of this property or lint code (repeatable, or comma-"
        "separated); a rubric can also say '# greenscore-check: allow NAME -- reason'",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenscore.testing import DEFAULT_MAX_EXAMPLES, LINT_CODES, PROPERTIES, check_rubric

    max_examples = DEFAULT_MAX_EXAMPLES if args.max_examples is None else args.max_examples
    if max_examples < 1:
        echo("error: --max-examples must be at least 1", err=True)
        return 2
    allow = [name.strip() for value in args.allow for name in value.split(",") if name.strip()]
    unknown = sorted(set(allow) - set(PROPERTIES) - set(LINT_CODES))
    if unknown:
        known = ", ".join([*PROPERTIES, *LINT_CODES])
        echo(f"error: cannot allow {', '.join(unknown)}: known names are {known}", err=True)
        return 2
    sources: list[Path | None] = list(args.rubrics) or [None]
    reports = [
        check_rubric(source, max_examples=max_examples, seed=args.seed, allow=allow)
        for source in sources
    ]
    if args.json:
        data = [r.to_dict() for r in reports]
        echo(
            json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2), json=True
        )
    else:
        echo("\n\n".join(str(r) for r in reports))
    return 0 if all(r.ok for r in reports) else 1
