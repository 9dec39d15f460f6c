"""``greenscore calibrate``: freeze a base year's cohort statistics into a new rubric file."""

from __future__ import annotations

import argparse
from typing import Any

from greenscore.cli import (
    EXIT_USAGE,
    add_encoding_option,
    add_rubric_option,
    echo,
    encoding_misuse,
    output_files_ok,
    read_input,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="freeze a base year's cohort statistics into a new rubric",
        description=(
            "Compute the statistics that cohort methods (minmax, percentile, zscore, a ratio to "
            "the cohort's mean or median) need from "
            "one period's valid rows and write a new rubric YAML, so later years are scored "
            "against a fixed base year and single parks can be evaluated."
        ),
    )
    parser.add_argument(
        "data", metavar="DATA", help="base-year table (.csv, .xlsx, .parquet, .jsonl)"
    )
    add_rubric_option(parser)
    parser.add_argument(
        "-o", "--output", metavar="NEW_RUBRIC", required=True, help="calibrated rubric to write"
    )
    parser.add_argument("--period", metavar="PERIOD", help="base period (default: latest)")
    parser.add_argument(
        "--errors",
        choices=("raise", "flag"),
        default="raise",
        help="raise: stop on any invalid row (default); flag: calibrate on the valid rows",
    )
    add_encoding_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenscore.batch.assess import assess
    from greenscore.batch.calibrate import calibrate
    from greenscore.io import atomic_write_text, ensure_not_input, greenscore_version
    from greenscore.methods import is_cohort
    from greenscore.rubric.load import load_rubric, rubric_yaml

    misuse = encoding_misuse(args.encoding, args.data)
    if misuse:
        echo(f"greenscore calibrate: error: {misuse}", err=True)
        return EXIT_USAGE
    ensure_not_input(args.output, args.data, args.rubric)
    if not output_files_ok("calibrate", args.output):
        return EXIT_USAGE
    source = read_input(args.data, args.encoding)
    rubric = load_rubric(args.rubric)
    batch = assess(source, rubric, period=args.period, errors=args.errors)
    calibrated = calibrate(rubric, source, period=args.period, errors=args.errors)
    header = (
        f"# Calibrated by greenscore {greenscore_version()} on {batch.provenance.created_at}\n"
        f"# from {source.path} (sha256 {source.sha256}), period {batch.period}: "
        f"{batch.accounting['scored']} valid rows of {batch.accounting['input_rows']}.\n"
    )
    atomic_write_text(args.output, header + rubric_yaml(calibrated))
    frozen = calibrated.cohort or {}
    cohort_ids = [ind.id for _, ind in calibrated.iter_indicators() if is_cohort(ind)]
    if not cohort_ids:
        echo(
            "note: the rubric has no cohort indicators (minmax, percentile, zscore, or a ratio "
            "to a cohort statistic); written unchanged"
        )
    for indicator_id in cohort_ids:
        stats = frozen.get(indicator_id, {})
        shown = ", ".join(
            f"{key} = {value:g}" if isinstance(value, float) else f"{key}: {len(value)} values"
            for key, value in stats.items()
        )
        echo(f"{indicator_id}: {shown}")
    echo(f"wrote {args.output}")
    return 0
