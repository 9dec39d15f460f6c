"""A period too large to be a year is a located data problem, never an OverflowError."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore.engine.inputs import PERIOD_LIMIT, period_key
from greenscore.errors import ProfileError

RUBRIC = """
name: period range
version: "1"
inputs:
  - {id: income, min: 0}
derived:
  - {id: growth, history: {input: income, statistic: relative_change}}
dimensions:
  - id: d
    indicators:
      - {id: size, input: income, method: linear, goalposts: {worst: 0, best: 100}}
      - {id: growth, input: growth, method: linear, goalposts: {worst: 0, best: 1}}
missing: worst
tiers:
  - {id: top, min_score: 50}
  - {id: low, min_score: 0}
"""

HUGE = 9223372036854775808
ROWS = [
    {"park_id": "p1", "year": 2015, "income": 10},
    {"park_id": "p1", "year": 2016, "income": 20},
    {"park_id": "p2", "year": 2016, "income": 30},
    {"park_id": "p3", "year": HUGE, "income": 40},
]


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "parks.csv"
    lines = ["park_id,year,income"] + [f"{r['park_id']},{r['year']},{r['income']}" for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "parks.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def _frame(tmp_path: Path) -> pd.DataFrame:
    return pd.DataFrame(ROWS, dtype=object)


@pytest.mark.parametrize(
    ("make", "row"), [(_csv, 5), (_jsonl, 4), (_frame, 5)], ids=["csv", "jsonl", "frame"]
)
def test_huge_year_is_a_located_problem_not_an_overflow(
    tmp_path: Path, make: object, row: int
) -> None:
    data = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ProfileError) as caught:
        greenscore.assess(data, RUBRIC, period=2016)
    [problem] = caught.value.problems
    assert (problem.row, problem.entity, problem.field) == (row, "p3", "year")
    assert str(problem.value) == str(HUGE)
    assert "out of range" in problem.problem


def test_huge_year_row_is_flagged_and_the_others_are_scored() -> None:
    result = greenscore.assess(pd.DataFrame(ROWS, dtype=object), RUBRIC, period=2016, errors="flag")
    assert sorted(result.results["park_id"]) == ["p1", "p2"]
    assert result.flagged["entity"].tolist() == ["p3"]
    assert result.accounting == {"input_rows": 4, "scored": 2, "flagged": 1, "other_periods": 1}


@pytest.mark.parametrize(
    "value", [HUGE, str(HUGE), float(HUGE), -HUGE, PERIOD_LIMIT + 1, f"{PERIOD_LIMIT + 1}.0"]
)
def test_period_key_refuses_whole_numbers_beyond_the_limit(value: object) -> None:
    assert period_key(value) is None


@pytest.mark.parametrize(
    ("value", "key"), [(2016, 2016), ("2016", 2016), ("2016.0", 2016), (PERIOD_LIMIT, PERIOD_LIMIT)]
)
def test_period_key_keeps_years(value: object, key: int) -> None:
    assert period_key(value) == key
