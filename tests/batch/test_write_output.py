"""Writing results: every output checked before anything is written, and a folder replaced as
one set (old or new, never a mix), with interrupted runs cleaned up and concurrent runs refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.batch.assess import assess
from greenscore.batch.result import BatchResult
from greenscore.cli import main
from greenscore.errors import OutputError
from greenscore.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"

RUBRIC = """
name: Output test rubric
version: "1"
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: main
    indicators:
      - {id: x_score, input: x, method: linear, goalposts: {worst: 0, best: 100}}
tiers:
  - {id: top, min_score: 50}
  - {id: low, min_score: 0}
"""


@pytest.fixture(scope="module")
def rubric() -> greenscore.Rubric:
    return load_rubric(RUBRIC)


def batch(rubric: greenscore.Rubric, xs: list[float]) -> BatchResult:
    ids = [f"P{i}" for i in range(len(xs))]
    return assess(pd.DataFrame({"park_id": ids, "year": 2016, "x": xs}), rubric)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent: Path, *keep: str) -> list[str]:
    """Entries of ``parent`` and its folders named ``keep`` that no run should leave behind."""
    names = [p.name for p in parent.iterdir() if p.name not in keep]
    for folder in keep:
        names += [f"{folder}/{p.name}" for p in (parent / folder).iterdir() if p.name[0] == "."]
    return sorted(names)


# --- defect 7: Excel's row limit and contradictory options ---------------------------------------


def test_excel_row_limit_is_refused_before_any_file_is_written(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    """1,048,576 flagged rows plus a header exceed Excel's 1,048,576-row sheet: refused, with the
    table, its rows and the limit named, before the CSVs replace last run's files."""
    out = tmp_path / "out"
    batch(rubric, [80.0, 20.0]).write(out)
    before = snapshot(out)
    n = 1_048_576
    flagged = pd.DataFrame(
        {"row": np.arange(2, n + 2), "entity": "P0", "field": "x", "value": "?", "problem": "p"}
    )
    huge = dataclasses.replace(batch(rubric, [10.0]), flagged=flagged)
    with pytest.raises(OutputError) as info:
        huge.write(out)
    text = str(info.value)
    assert "'flagged'" in text and "1,048,576 rows" in text and "1,048,575" in text
    assert "csv" in text and "parquet" in text
    assert snapshot(out) == before
    assert leftovers(tmp_path, "out") == []


def test_one_csv_file_with_format_xlsx_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.csv"
    code = main(["assess", str(JIANGXI / "parks_2016.csv"), "-o", str(target), "--format", "xlsx"])
    err = capsys.readouterr().err
    assert code == 2
    assert "x.csv" in err and "xlsx" in err and "folder" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_contradictory_formats_raise_output_error(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    with pytest.raises(OutputError, match="give a folder instead"):
        batch(rubric, [1.0]).write(tmp_path / "one.csv", formats=["xlsx"])
    with pytest.raises(OutputError, match="unknown format"):
        batch(rubric, [1.0]).write(tmp_path / "folder", formats=["pdf"])
    assert list(tmp_path.iterdir()) == []
