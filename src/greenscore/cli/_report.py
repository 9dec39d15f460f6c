"""``greenscore report``: assess a table and write the HTML report, Excel workbook and summary."""

from __future__ import annotations

import argparse
from typing import Any

from greenscore.cli import (
    EXIT_USAGE,
    add_assessment_options,
    echo,
    output_files_ok,
    read_inputs,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="assess a table and write a printable HTML report, an Excel workbook, a summary",
        description=(
            "Assess every park of one period in DATA (as `greenscore assess` does) and write a "
            "self-contained HTML report (overview, ranking, one section per park with its gap to "
            "the next tier, methodology, provenance), an Excel workbook for offices and/or a "
            "Markdown summary. Give at least one of -o, --xlsx, --markdown."
        ),
    )
    parser.add_argument(
        "data", metavar="DATA", help="input table of the assessment (.csv, .xlsx, .parquet, .jsonl)"
    )
    parser.add_argument("-o", "--output", metavar="HTML", help="HTML report to write")
    parser.add_argument("--xlsx", metavar="XLSX", help="Excel workbook to write")
    parser.add_argument("--markdown", metavar="MD", help="Markdown summary to write")
    add_assessment_options(parser, flag_help="report the valid rows and list the others")
    parser.add_argument(
        "--group-by",
        metavar="COLUMN",
        help="column to count, average and rank parks by (default: the first grouping "
        "attribute, e.g. city)",
    )
    parser.add_argument(
        "--no-gaps",
        action="store_true",
        help="leave out the gap to the next tier (faster for very large batches)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from greenscore.batch.assess import assess
    from greenscore.report import write_report

    if not (args.output or args.xlsx or args.markdown):
        echo(
            "error: give at least one output: -o HTML, --xlsx XLSX or --markdown MD",
            err=True,
        )
        return EXIT_USAGE
    if not output_files_ok("report", args.output, args.xlsx, args.markdown):
        return EXIT_USAGE
    tables = read_inputs("report", args.encoding, args.data, args.previous)
    if tables is None:
        return EXIT_USAGE
    source, previous = tables
    result = assess(source, args.rubric, period=args.period, previous=previous, errors=args.errors)
    written = write_report(
        result,
        html=args.output,
        xlsx=args.xlsx,
        markdown=args.markdown,
        group_by=args.group_by,
        with_gaps=not args.no_gaps,
    )
    scored = len(result.results)
    echo(f"assessed {scored} park{'s' if scored != 1 else ''}, period {result.period}")
    for path in written:
        echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0
