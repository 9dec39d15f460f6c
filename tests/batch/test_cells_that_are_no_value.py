"""Cells a DataFrame, Parquet or JSON can hold that are no id, period or number: lists, mappings,
durations. Each is a located problem on its row (issue 12 fuzz findings), never a TypeError."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd
import pytest

import greenscore

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "examples" / "rubrics" / "worked-example.yaml"
JIANGXI_RUBRIC = ROOT / "rubrics" / "jiangxi-parks.yaml"


def _two_parks() -> pd.DataFrame:
    frame = pd.read_csv(ROOT / "examples" / "jiangxi" / "parks_2016.csv").iloc[:2]
    return frame.astype(object).reset_index(drop=True)


@pytest.mark.parametrize(
    ("column", "cell", "problem"),
    [
        ("park_id", ["JX001"], "expected text or a number, found a list"),
        ("park_id", {"id": "JX001"}, "expected text or a number, found a dict"),
        ("year", {"year": 2016}, "expected text or a number, found a dict"),
        (
            "year",
            datetime.timedelta(days=1),
            "expected a year such as 2016 or a text label, found a duration",
        ),
        ("tax_revenue", datetime.timedelta(days=1), "expected a number, found a duration"),
    ],
    ids=["list-id", "dict-id", "dict-period", "duration-period", "duration-number"],
)
def test_fuzz_finding_a_cell_that_is_no_value_flags_its_row(
    column: str, cell: object, problem: str
) -> None:
    frame = _two_parks()
    frame.at[1, column] = cell
    result = greenscore.assess(frame, JIANGXI_RUBRIC, errors="flag")
    assert result.accounting == {"input_rows": 2, "scored": 1, "flagged": 1, "other_periods": 0}
    flagged = result.flagged
    assert flagged["row"].tolist() == [3]
    assert column in flagged["field"].tolist()
    assert problem in flagged["problem"].tolist()


def test_fuzz_finding_a_whole_column_of_durations_flags_every_row() -> None:
    frame = _two_parks()
    frame["year"] = pd.to_timedelta([1, 2], unit="D")
    result = greenscore.assess(frame, JIANGXI_RUBRIC, errors="flag")
    assert result.accounting["flagged"] == 2 and result.accounting["scored"] == 0
