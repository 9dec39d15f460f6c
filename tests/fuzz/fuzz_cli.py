"""The command line on hostile tables: ``greenscore assess DATA -o OUT`` exits 0 with the whole
results folder written, or 1 (2 for contradictory options) with the folder as it was; nothing it
prints moves the cursor or reorders text; no CSV cell it writes runs as a formula."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from fuzz_csv import CsvCase, csv_cases, csv_example
from fuzz_run import TABLE_RUBRIC_PATH, Kind, Outcome, strict
from fuzz_tables import text_of
from hypothesis import strategies as st

from greenscore.cli import main

_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
"""What must never reach a terminal raw: C0 and C1 controls (but the line feed), bidi controls."""
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass
class CliCase:
    """A table file, the options of the run and whether a previous run's folder is there."""

    table: CsvCase
    errors: str
    formats: list[str]
    previous: bool
    kinds: set[str] = field(default_factory=set)


@st.composite
def cli_cases(draw: st.DrawFn) -> CliCase:
    """A hostile CSV table assessed through the command line into a results folder."""
    table = draw(csv_cases())
    errors = draw(st.sampled_from(["raise", "flag", "flag"]))
    formats = draw(st.sampled_from([[], ["csv"], ["csv", "json"], ["parquet"], ["xlsx", "csv"]]))
    previous = draw(st.booleans())
    kinds = {"cli.assess"} | ({"cli.previous-folder"} if previous else set())
    if "cell.control-chars" in table.kinds:
        kinds.add("cli.terminal-text")
    return CliCase(table, errors, formats, previous, kinds | table.kinds)


def _snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """The command line run in-process: exit code, what it printed to stdout and to stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _check_printed(out: str, err: str) -> None:
    assert "Traceback" not in err, err
    for text in (out, err):
        unsafe = _UNSAFE.search(text)
        assert unsafe is None, f"printed raw {unsafe.group()!r}: {text[:2000]}"


def _check_csv_cells(path: Path) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            for cell in row:
                assert not _FORMULA.match(cell) or _NUMBER.fullmatch(cell), (path.name, cell)


def check_cli(folder: Path, case: CliCase) -> Outcome:
    """Run ``greenscore assess`` and hold the folder and the printed text to the rules."""
    data = folder / f"parks{case.table.suffix}"
    data.write_bytes(case.table.data)
    out = folder / "results"
    if case.previous:
        baseline = folder / "baseline.csv"
        baseline.write_bytes(csv_example([]).data)
        code, _, err = run_cli(
            [
                "assess",
                str(baseline),
                "--rubric",
                str(TABLE_RUBRIC_PATH),
                "-o",
                str(out),
                "--format",
                "csv",
                "parquet",
            ]
        )
        assert code == 0, err
    before = _snapshot(out)
    args = ["assess", str(data), "--rubric", str(TABLE_RUBRIC_PATH), "--errors", case.errors]
    args += ["-o", str(out)] + (["--format", *case.formats] if case.formats else [])
    with strict():
        code, printed, err = run_cli(args)
    _check_printed(printed, err)
    leftovers = {p.name for p in folder.iterdir()} - {data.name, out.name, "baseline.csv"}
    assert not leftovers, f"left beside the results: {leftovers}"
    if code != 0:
        assert code == 1, (code, err)
        assert err.startswith("error:"), err
        assert _snapshot(out) == before, "a failed run changed the results folder"
        return Outcome("exit 1", err.splitlines()[0])
    written = [Path(line.strip()) for line in printed.splitlines() if line.startswith("  ")]
    written = [p for p in written if p.parent == out]
    names = {p.name for p in written}
    after = _snapshot(out)
    assert names <= set(after), names - set(after)
    for name, content in after.items():
        if name in names:
            assert content, f"{name} is empty"
            if name.endswith(".csv"):
                _check_csv_cells(out / name)
        else:
            assert before.get(name) == content, f"{name} is neither written now nor carried over"
    return Outcome("exit 0", f"wrote {len(names)} files")


def _kind(id: str, description: str, example: str, expect: str, case: CliCase) -> Kind:
    def run(folder: Path) -> Outcome:
        return check_cli(folder, case)

    return Kind(id, "Command line", description, example, expect, run)


def _format_conflict(folder: Path) -> Outcome:
    data = folder / "parks.csv"
    data.write_bytes(csv_example([]).data)
    code, _, err = run_cli(["assess", str(data), "-o", str(folder / "x.csv"), "--format", "xlsx"])
    _check_printed("", err)
    assert code == 2 and not (folder / "x.csv").exists(), (code, err)
    return Outcome("exit 2", err.strip().replace(str(folder) + "/", ""))


def _output_is_input(folder: Path) -> Outcome:
    data = folder / "parks.csv"
    data.write_bytes(csv_example([]).data)
    before = data.read_bytes()
    code, _, err = run_cli(
        ["assess", str(data), "--rubric", str(TABLE_RUBRIC_PATH), "-o", str(data)]
    )
    _check_printed("", err)
    assert code == 1 and data.read_bytes() == before, (code, err)
    return Outcome("exit 1", err.strip().replace(str(folder) + "/", ""))


def _output_is_a_file(folder: Path) -> Outcome:
    data = folder / "parks.csv"
    data.write_bytes(csv_example([]).data)
    (folder / "results").write_text("not a folder")
    code, _, err = run_cli(
        ["assess", str(data), "--rubric", str(TABLE_RUBRIC_PATH), "-o", str(folder / "results")]
    )
    _check_printed("", err)
    assert code == 2 and (folder / "results").read_text() == "not a folder", (code, err)
    return Outcome("exit 2", err.strip().replace(str(folder) + "/", ""))


_ESCAPE_ROW = "P003,2020,\x1b[2J\u202eevil,120,800"

# fmt: off
KINDS = [
    _kind("cli.assess", "greenscore assess on a hostile table into a results folder", "any table above, -o results", "exit 0", CliCase(csv_example([]), "flag", [], False)),
    _kind("cli.previous-folder", "a failed run over last run's folder leaves it as it was", "a stray quote, -o over an existing folder", "exit 1", CliCase(csv_example(['P003,2020,"Nan']), "flag", [], True)),
    _kind("cli.terminal-text", "escape codes and bidi controls in names, printed", text_of(_ESCAPE_ROW), "exit 1", CliCase(csv_example([_ESCAPE_ROW]), "raise", [], False)),
    Kind("cli.format-conflict", "Command line", "-o naming one file and --format another", "-o x.csv --format xlsx", "exit 2", _format_conflict),
    Kind("cli.output-is-input", "Command line", "-o naming the input file", "-o parks.csv", "exit 1", _output_is_input),
    Kind("cli.output-is-a-file", "Command line", "-o naming an existing file as the results folder", "-o results (a file)", "exit 2", _output_is_a_file),
]
# fmt: on
