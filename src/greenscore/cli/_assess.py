"""``greenscore assess``: score every park of one period in a table and write the result files."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from greenscore.cli import (
    EXIT_USAGE,
    add_assessment_options,
    echo,
    output_files_ok,
    read_inputs,
    rubric_columns,
)

PROGRESS_ROWS = 5000


def register(subparsers: Any) -> None:
    from greenscore.batch.formats import FORMATS

    parser = subparsers.add_parser(
        "assess",
        help="assess every park in a CSV, Excel, Parquet or JSON Lines table",
        description=(
            "Score every park of one period (default: the latest) and write results, flagged "
            "rows, tier transitions, a summary and the rubric, each with provenance. Exits 1 "
            "and lists every problem when the input is invalid (unless --errors flag)."
        ),
    )
    parser.add_argument("data", metavar="DATA", help="input table (.csv, .xlsx, .parquet, .jsonl)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="folder to write into, or one file ending in .csv/.xlsx/.parquet/.json; "
        "without it only the summary is printed",
    )
    add_assessment_options(parser, flag_help="score the valid rows and list the others")
    parser.add_argument(
        "--format",
        dest="formats",
        action="extend",
        nargs="+",
        choices=FORMATS,
        metavar="FORMAT",
        help=f"formats to write into a folder: {', '.join(FORMATS)} (default: csv xlsx)",
    )
    parser.add_argument(
        "--report",
        metavar="HTML",
        help="also write the printable HTML report (with each park's gap to the next tier)",
    )
    parser.add_argument(
        "--history",
        action="extend",
        nargs="+",
        metavar="DIR",
        default=[],
        help="result folders greenscore wrote for earlier periods, read instead of scoring "
        "those periods for the rubric's track rules",
    )
    parser.add_argument(
        "--group-by",
        metavar="COLUMN",
        help="column the report counts, averages and ranks parks by (default: the first "
        "grouping attribute, e.g. city); needs --report",
    )
    parser.add_argument(
        "--chunk-rows",
        metavar="N",
        type=_positive,
        help="assess a CSV or Parquet file (or a folder of them) N rows at a time, in bounded "
        "memory, writing csv and/or parquet results; a folder, or a file over 500 MB, is "
        "streamed unasked in chunks of 100,000 rows (see docs/scale.md)",
    )
    parser.add_argument(
        "--engine",
        choices=("pandas", "dask"),
        default="pandas",
        help="dask: read DATA (Parquet files: a glob such as 'data/*.parquet', a folder or a "
        "file) on a Dask cluster and write partitioned Parquet results; needs -o and "
        "pip install 'greenscore[dask]' (see docs/scale.md)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the scheduler to connect to, e.g. tcp://10.0.0.5:8786 "
        "(default: a LocalCluster of two workers on this machine)",
    )
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected a whole number of rows, got {text!r}") from e
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of rows, got {value}")
    return value


def run_dask(args: argparse.Namespace) -> int:
    """The Parquet files assessed on a Dask cluster, partition by partition."""
    from greenscore.batch.stream_files import assess_on_dask

    refused = [
        option
        for option, given in (
            ("--previous", args.previous),
            ("--report", args.report),
            ("--chunk-rows", args.chunk_rows),
            ("--format", args.formats),
        )
        if given
    ]
    if args.engine != "dask" or not args.output or refused:
        what = (
            "--scheduler needs --engine dask"
            if args.engine != "dask"
            else (
                f"{', '.join(refused)} cannot be used with --engine dask"
                if refused
                else "--engine dask needs -o OUT, the folder the partitioned results go to"
            )
        )
        echo(f"greenscore assess: error: {what}", err=True)
        return EXIT_USAGE
    result, written = assess_on_dask(
        args.data,
        args.rubric,
        output=args.output,
        scheduler=args.scheduler,
        period=args.period,
        errors=args.errors,
    )
    return _report_streamed(result, written)


def run_streamed(args: argparse.Namespace) -> int:
    """The table assessed in chunks (see greenscore.batch.stream): results and flagged rows
    written as they come, the accounting printed."""
    from greenscore.batch.stream_files import DEFAULT_CHUNK_ROWS, STREAM_FORMATS, assess_files

    refused = [
        option
        for option, given in (("--previous", args.previous), ("--report", args.report))
        if given
    ]
    formats = tuple(args.formats or ("csv",))
    odd = [f for f in formats if f not in STREAM_FORMATS]
    if refused or odd:
        what = ", ".join(refused + [f"--format {f}" for f in odd])
        echo(
            f"greenscore assess: error: {what} cannot be used when the table is assessed in "
            "chunks (--chunk-rows, a folder, or a file over 500 MB); formats: csv, parquet",
            err=True,
        )
        return EXIT_USAGE
    result, written = assess_files(
        args.data,
        args.rubric,
        output=args.output,
        chunk_rows=args.chunk_rows or DEFAULT_CHUNK_ROWS,
        formats=formats,
        period=args.period,
        errors=args.errors,
        encoding=args.encoding,
    )
    return _report_streamed(result, written)


def _report_streamed(result: Any, written: list[Any]) -> int:
    if written:
        echo(f"wrote {len(written)} file{'s' if len(written) != 1 else ''}:")
        for path in written:
            echo(f"  {path}")
        echo()
    counts = result.accounting
    echo(
        f"assessed in chunks ({result.reads} reads): {counts['input_rows']:,} rows, "
        f"{counts['scored']:,} scored, {counts['flagged']:,} flagged, "
        f"{counts['other_periods']:,} of other periods"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    from greenscore.batch.assess import assess
    from greenscore.batch.stream_files import should_stream
    from greenscore.batch.text import problem_table
    from greenscore.batch.write import output_formats
    from greenscore.errors import OutputError

    if args.engine == "dask" or args.scheduler:
        return run_dask(args)
    if args.chunk_rows or should_stream(args.data):
        return run_streamed(args)

    if args.output:
        try:
            output_formats(args.output, args.formats)
        except OutputError as error:
            echo(f"greenscore assess: error: {error}", err=True)
            return EXIT_USAGE
    if args.group_by and not args.report:
        echo("greenscore assess: error: --group-by needs --report HTML", err=True)
        return EXIT_USAGE
    if not output_files_ok("assess", args.report):
        return EXIT_USAGE
    parquet = any(str(p).lower().endswith(".parquet") for p in (args.data, args.previous) if p)
    columns = rubric_columns(args.rubric, args.group_by) if parquet else None
    tables = read_inputs("assess", args.encoding, args.data, args.previous, columns)
    if tables is None:
        return EXIT_USAGE
    source, previous = tables
    progress = sys.stderr.isatty() and len(source.frame) > PROGRESS_ROWS
    result = assess(
        source,
        args.rubric,
        period=args.period,
        previous=previous,
        errors=args.errors,
        progress=progress,
        history=args.history,
    )
    if result.problems:
        count = result.accounting["flagged"]
        echo(
            f"note: {count} row{'s' if count != 1 else ''} flagged and not scored "
            f"({len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}):",
            err=True,
        )
        echo(problem_table(result.problems, limit=200), err=True)
    prior = result.previous
    if prior is not None and prior.problems:
        count = prior.accounting["flagged"]
        echo(
            f"note: in last year's data {count} row{'s' if count != 1 else ''} could not be "
            f"scored ({len(prior.problems)} problem{'s' if len(prior.problems) != 1 else ''}); "
            "they count as not scored in the transitions:",
            err=True,
        )
        echo(problem_table(prior.problems, limit=40), err=True)
    if args.output:
        written = result.write(args.output, args.formats)
        echo(f"wrote {len(written)} file{'s' if len(written) != 1 else ''}:")
        for path in written:
            echo(f"  {path}")
        echo()
    if args.report:
        from greenscore.report import write_html

        echo(f"wrote the report: {write_html(result, args.report, group_by=args.group_by)}")
    echo(result.summary())
    return 0
