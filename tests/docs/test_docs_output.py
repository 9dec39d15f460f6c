"""What docs/annual-assessment.md shows a command printing is what the command prints.

A shown line that is only "…" stands for any number of printed lines; every other line must be
printed exactly, in order.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import greenscore
from greenscore.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "annual-assessment.md").read_text(encoding="utf-8")


def shown_after(marker: str) -> str:
    """The first unlabelled fenced block (printed output) after the first line holding marker."""
    label: str | None = None
    lines: list[str] = []
    for line in DOC[DOC.index(marker) :].splitlines():
        if label is None and line.startswith("```"):
            label, lines = line[3:].strip(), []
        elif label is not None and line == "```":
            if not label:
                return "".join(f"{kept}\n" for kept in lines)
            label = None
        elif label is not None:
            lines.append(line)
    raise AssertionError(f"no output block after {marker!r}")


def shows(shown: str, printed: str) -> bool:
    """Whether printed is shown exactly, each '…' line standing for any run of lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "…" else re.escape(line) + r"\n"
        for line in shown.splitlines()
    )
    return re.fullmatch(pattern, printed) is not None


def test_elision_stands_for_lines_but_nothing_else() -> None:
    assert shows("a\n…\nd\n", "a\nb\nc\nd\n")
    assert shows("a\n…\nd\n", "a\nd\n")
    assert not shows("a\n…\nd\n", "a\nb\n")
    assert not shows("a\nd\n", "a\nb\nd\n")


@pytest.fixture
def in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder where examples/ is the repository's, as the docs' commands expect."""
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_bad_cell_is_listed_as_shown(
    in_a_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["assess", "examples/jiangxi/parks_2016_bad_cells.csv"])
    printed = capsys.readouterr()
    assert code == 1
    assert shows(shown_after("## 2. Check the data"), printed.err), printed.err


def test_the_flagged_run_prints_what_is_shown(
    in_a_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "assess",
            "examples/jiangxi/parks_2016_bad_cells.csv",
            "--errors",
            "flag",
            "--previous",
            "examples/jiangxi/parks_2015.csv",
            "-o",
            "results-2016/",
        ]
    )
    printed = capsys.readouterr()
    assert code == 0
    assert shows(shown_after("## 3. Score the valid rows"), printed.out), printed.out


def test_several_periods_as_shown() -> None:
    result = greenscore.assess(ROOT / "examples" / "jiangxi" / "parks_2015_2016.csv")
    section = DOC[DOC.index("## 4. Last year") :]
    assert f"result.accounting      # {result.accounting}" in section
    assert f"result.other_periods   # {result.other_periods}" in section
    table = result.results[
        ["park_id", "year", "total", "tier", "rank", "score_change", "rank_change"]
    ].head(2)
    for line in table.to_string().splitlines():
        assert f"# {line}" in section


@pytest.fixture
def with_copied_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with copies of the example data the docs' verify commands use."""
    jiangxi = tmp_path / "examples" / "jiangxi"
    jiangxi.mkdir(parents=True)
    for name in ("parks_2016_bad_cells.csv", "parks_2015.csv"):
        shutil.copy(ROOT / "examples" / "jiangxi" / name, jiangxi / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_verify_prints_what_is_shown(
    with_copied_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both verify outputs the docs show: the untouched folder, then one data cell changed."""
    data = "examples/jiangxi/parks_2016_bad_cells.csv"
    previous = "examples/jiangxi/parks_2015.csv"
    args = ["--errors", "flag", "--previous", previous, "-o", "results-2016/"]
    assert main(["assess", data, *args]) == 0
    capsys.readouterr()
    assert main(["verify", "results-2016/"]) == 0
    printed = capsys.readouterr().out
    assert shows(shown_after("### Checking a results folder later"), printed), printed
    table = with_copied_data / data
    text = table.read_text(encoding="utf-8")
    assert text.count(",0.394,") == 1
    table.write_text(text.replace(",0.394,", ",0.9,"), encoding="utf-8")
    assert main(["verify", "results-2016/", "--limit", "8"]) == 1
    printed = capsys.readouterr().out
    assert shows(shown_after("energy intensity in the data file"), printed), printed
