"""``greenscore demo``: the 2016 assessment of Jiangxi's 94 parks against 2015, then the other
bundled examples (development zones, per-mu efficiency of firms), from examples/."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greenscore.cli import EXIT_USAGE, echo, output_files_ok

DEFAULT_OUTPUT = "greenscore-demo-output"
CURRENT = Path("jiangxi") / "parks_2016.csv"
PREVIOUS = Path("jiangxi") / "parks_2015.csv"


@dataclass(frozen=True)
class Example:
    """A bundled example the demo assesses after Jiangxi's: its data file under examples/, the
    bundled rubric it is scored with, and the folder of its results under the output."""

    data: Path
    rubric: str
    folder: str


EXAMPLES = (
    Example(
        Path("development-zones") / "zones_2022.csv", "development-zones.yaml", "development-zones"
    ),
    Example(Path("per-mu") / "firms_2023.csv", "per-mu-efficiency.yaml", "per-mu"),
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the example annual assessment of Jiangxi's parks",
        description=(
            "Assess the 94 Jiangxi parks for 2016 against 2015 with the bundled rubric, print "
            "tier counts (overall and by city), transitions and the biggest movers, write the "
            "result files, and evaluate the example profiles; then assess the other bundled "
            "examples (development zones, per-mu efficiency of firms) with their rubrics. Reads "
            "the repository's examples/ folder, looked for from the current directory upwards."
        ),
    )
    parser.add_argument("--examples", metavar="DIR", help="the repository's examples/ folder")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default=DEFAULT_OUTPUT,
        help=f"folder for the result files (default: ./{DEFAULT_OUTPUT}/)",
    )
    parser.set_defaults(handler=run)


def find_examples(given: str | None) -> Path:
    """The examples folder: the one given, else examples/ in the current directory or above."""
    from greenscore.errors import InputFileError

    if given is not None:
        folder = Path(given)
        if not (folder / CURRENT).is_file():
            raise InputFileError(f"{folder} does not hold the example data {CURRENT}")
        return folder
    here = Path.cwd().resolve()
    for directory in (here, *here.parents):
        if (directory / "examples" / CURRENT).is_file():
            return directory / "examples"
    raise InputFileError(
        "cannot find the example data (examples/jiangxi/parks_2016.csv): run greenscore demo "
        "from the greenscore repository, or pass --examples DIR"
    )


def run(args: argparse.Namespace) -> int:
    from greenscore.batch.assess import assess
    from greenscore.batch.text import render_table
    from greenscore.cli._evaluate import load_profile
    from greenscore.engine.evaluate import evaluate
    from greenscore.errors import GreenscoreError
    from greenscore.report import write_report

    if not output_files_ok("demo", args.output, folder=True):
        return EXIT_USAGE
    examples = find_examples(args.examples)
    current, previous = examples / CURRENT, examples / PREVIOUS
    result = assess(current, previous=previous if previous.is_file() else None)
    echo(f"greenscore demo: {result.rubric.name} {result.rubric.version}")
    echo(f"data: {current}" + (f" against {previous}" if previous.is_file() else ""))
    echo()
    echo(result.summary())
    by_city = result.tier_counts("city") if "city" in result.results.columns else None
    if by_city is not None:
        echo("\nTiers by city")
        echo(
            render_table(
                ["city", *map(str, by_city.columns)],
                [
                    [str(city), *map(int, row)]
                    for city, row in zip(by_city.index, by_city.to_numpy(), strict=True)
                ],
                indent="  ",
            )
        )
    written = result.write(args.output, ("csv", "xlsx"))
    echo(f"\nwrote {len(written)} files into {args.output}/ (each with its provenance)")
    out = Path(args.output)
    report_files = write_report(result, html=out / "report.html", xlsx=out / "report.xlsx")
    echo(f"wrote the HTML report and the office workbook: {', '.join(map(str, report_files))}")
    profiles_dir = examples / "profiles"
    profiles = (
        sorted(p for p in profiles_dir.glob("*") if p.suffix.lower() in (".yaml", ".yml", ".json"))
        if profiles_dir.is_dir()
        else []
    )
    if profiles:
        echo("\nExample profiles")
        rows: list[list[Any]] = []
        for path in profiles:
            try:
                assessment = evaluate(load_profile(path))
            except GreenscoreError as error:
                rows.append([path.name, "—", None, f"error: {str(error).splitlines()[0]}"])
                continue
            rows.append([path.name, assessment.entity, assessment.total, str(assessment.tier)])
        echo(render_table(["profile", "park", "total", "tier"], rows, indent="  ", digits=1))
    for example in EXAMPLES:
        if (examples / example.data).is_file():
            _other_example(examples, example, out / example.folder)
    if (examples / "track-record").is_dir():
        from greenscore.cli._demo_track import track_example

        track_example(examples, out)
    return 0


def _other_example(examples: Path, example: Example, out: Path) -> None:
    """Assess one more bundled example with its rubric, print its summary and write its files."""
    from greenscore.batch.assess import assess
    from greenscore.rubric.load import bundled_rubric

    rubric = bundled_rubric(example.rubric)
    result = assess(examples / example.data, rubric)
    echo(f"\n{rubric.name} {rubric.version} (rubrics/{example.rubric})")
    echo(f"data: {examples / example.data}")
    echo()
    echo(result.summary())
    written = result.write(out, ("csv", "xlsx"))
    echo(f"\nwrote {len(written)} files into {out}/ (each with its provenance)")
