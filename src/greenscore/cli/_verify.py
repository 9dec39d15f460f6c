"""``greenscore verify``: check a results folder against its inputs and recompute every value."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from greenscore.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_encoding_option, echo

if TYPE_CHECKING:
    from greenscore.batch.verify import Difference, Verification

DEFAULT_LIMIT = 200
_OPTIONS = {"data": "--data", "previous": "--previous", "rubric": "--rubric"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check a results folder against its inputs and recompute every value",
        description=(
            "Read the provenance of a folder written by 'greenscore assess -o', say for each "
            "input (data, previous-year data, rubric) whether its sha256 still matches the "
            "recorded one, assess again from the inputs found and list every recorded value "
            "that differs (file, row, column, recorded, recomputed). Exit code 0 only when "
            "everything matches, 1 when anything differs, 2 for wrong usage."
        ),
    )
    parser.add_argument("folder", metavar="RESULT_DIR", help="folder written by greenscore assess")
    parser.add_argument("--data", metavar="FILE", help="the data file (default: the recorded path)")
    parser.add_argument(
        "--previous", metavar="FILE", help="last year's data (default: the recorded path)"
    )
    parser.add_argument(
        "--rubric", metavar="FILE", help="the rubric (default: the recorded path, or bundled)"
    )
    add_encoding_option(parser)
    parser.add_argument(
        "--limit",
        metavar="N",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"differences to list (default: {DEFAULT_LIMIT}; 0 lists all)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenscore.batch.verify import recorded_run, verify

    usage = "greenscore verify: error:"
    if args.limit < 0:
        echo(f"{usage} --limit must be 0 (all) or more", err=True)
        return EXIT_USAGE
    if not os.path.isdir(args.folder):
        echo(f"{usage} {args.folder} is not a folder; give the folder assess -o wrote", err=True)
        return EXIT_USAGE
    record = recorded_run(args.folder)
    if record is None:
        echo(
            f"{usage} {args.folder} holds no greenscore results with a readable provenance "
            "(results.csv and its .provenance.json, results.json, results.parquet or "
            "assessment.xlsx)",
            err=True,
        )
        return EXIT_USAGE
    if args.previous and "previous_path" in record and record["previous_path"] is None:
        echo(f"{usage} --previous given, but the recorded run used no previous-year file", err=True)
        return EXIT_USAGE
    found = verify(
        args.folder,
        data=args.data,
        previous=args.previous,
        rubric=args.rubric,
        encoding=args.encoding,
        limit=args.limit or None,
    )
    echo(report(found, args.folder))
    return EXIT_OK if found.ok else EXIT_INVALID


def report(found: Verification, folder: str) -> str:
    """What verify found, in words: the run, its inputs, its files, the values that differ."""
    from greenscore.io import greenscore_version

    prov = found.provenance
    period = f", period {prov.period}" if prov.period is not None else ""
    lines = [
        f"Results in {folder}",
        f"  written {prov.created_at} by greenscore {prov.greenscore_version}",
        f"  rubric {prov.rubric_name} {prov.rubric_version}{period}",
    ]
    if prov.greenscore_version != greenscore_version():
        lines.append(
            f"note: this is greenscore {greenscore_version()}; differences may come from the "
            "software rather than the inputs"
        )
    lines += ["", "Inputs"]
    for check in found.inputs:
        hint = ""
        if check.status == "missing":
            hint = f"; give it with {_OPTIONS[check.kind]} FILE"
        lines.append(f"  {check}{hint}")
    lines += ["", "Files"]
    fine = [f.name for f in found.files if f.status == "matches"]
    if fine:
        lines.append(f"  unchanged, of the recorded run: {', '.join(fine)}")
    lines += [f"  {f}" for f in found.files if f.status != "matches"]
    lines.append("")
    if not found.recomputed:
        lines.append(f"Not recomputed: {found.reason}")
    else:
        rows = sum(n for _, n in found.compared)
        head = f"Recomputed: {len(found.compared)} tables, {rows} rows compared: "
        if found.difference_count == 0:
            lines.append(head + "every value matches the recorded one")
        else:
            count = found.difference_count
            lines.append(head + f"{count} value{'s' if count != 1 else ''} differ{_s(count)}")
            lines.append(_difference_table(found.differences, count))
    lines += ["", _verdict(found)]
    return "\n".join(lines)


def _s(count: int) -> str:
    return "s" if count == 1 else ""


def _difference_table(differences: tuple[Difference, ...], count: int) -> str:
    from greenscore.batch.text import render_table

    table = render_table(
        ["file", "row", "column", "recorded", "recomputed"],
        [
            [
                d.file,
                "(every row)" if d.row is None else d.row,
                "(whole row)" if d.column is None else d.column,
                "(absent)" if d.recorded is None else d.recorded,
                "(absent)" if d.recomputed is None else d.recomputed,
            ]
            for d in differences
        ],
        indent="  ",
    )
    if count > len(differences):
        table += f"\n  … and {count - len(differences)} more (--limit 0 lists them all)"
    return table


def _verdict(found: Verification) -> str:
    if found.ok:
        return "verified: every input and every recorded value match"
    reasons = []
    inputs = [c for c in found.inputs if c.status != "matches"]
    if inputs:
        reasons.append(f"{len(inputs)} input{'s' if len(inputs) != 1 else ''} not confirmed")
    files = [f for f in found.files if f.status != "matches"]
    if files:
        reasons.append(f"{len(files)} file{'s' if len(files) != 1 else ''} not as recorded")
    if not found.recomputed:
        reasons.append("nothing recomputed")
    elif found.difference_count:
        count = found.difference_count
        reasons.append(f"{count} recorded value{'s' if count != 1 else ''} not reproduced")
    return "not verified: " + "; ".join(reasons)
