"""Issue 12, lesser item: a ``decimal.Decimal`` (as Parquet stores money, and as pandas object
columns hold it) is a number; a NaN or infinite Decimal, or an integer no float holds, is a
located problem like any other non-finite number, never "not a number", missing or a crash."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import greenscore
from greenscore.errors import ProfileError
from greenscore.io import from_frame, read_table

RUBRIC = """
name: money
version: "1"
inputs:
  - {id: income, min: 0, required: false}
dimensions:
  - id: main
    indicators:
      - {id: earning, input: income, method: linear, goalposts: {worst: 0, best: 200}}
tiers:
  - {id: high, min_score: 50}
  - {id: low, min_score: 0}
missing: worst
"""


@pytest.fixture
def rubric(tmp_path: Path) -> Path:
    path = tmp_path / "money.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    return path


def _frame(income: list[object]) -> pd.DataFrame:
    ids = [f"p{i}" for i in range(1, len(income) + 1)]
    return pd.DataFrame(
        {"park_id": ids, "year": [2016] * len(income), "income": pd.Series(income, dtype=object)}
    )


def test_lesser_decimal_in_a_dataframe_reads_as_a_float() -> None:
    frame = from_frame(_frame([Decimal("1364.64"), Decimal("0.1"), None])).frame
    assert [type(v) for v in frame["income"].tolist()[:2]] == [float, float]
    assert frame["income"].tolist()[:2] == [1364.64, 0.1]
    assert frame["income"].tolist()[2] is None


def test_lesser_decimal_in_a_dataframe_is_scored_as_a_number(rubric: Path) -> None:
    result = greenscore.assess(_frame([Decimal("150.00"), Decimal("50.5"), None]), rubric)
    # linear 0 → 200: 150 scores 75, 50.5 scores 25.25; the missing one scores worst (0).
    assert result.results["total"].tolist() == [75.0, 25.25, 0.0]
    assert result.results["tier"].tolist() == ["high", "low", "low"]


def test_lesser_decimal128_parquet_column_is_read_as_numbers(tmp_path: Path, rubric: Path) -> None:
    path = tmp_path / "parks.parquet"
    money = pa.array([Decimal("150.00"), Decimal("1364.64"), None], type=pa.decimal128(12, 2))
    table = pa.table({"park_id": ["p1", "p2", "p3"], "year": [2016] * 3, "income": money})
    pq.write_table(table, path)
    source = read_table(path)
    assert source.frame["income"].tolist()[:2] == [150.0, 1364.64]
    assert source.frame["income"].tolist()[2] is None
    result = greenscore.assess(source, rubric)
    # 150 of 200 scores 75; 1364.64 is past the best goalpost and is capped at 100.
    assert result.results["total"].tolist() == [75.0, 100.0, 0.0]


def test_lesser_arrow_backed_decimal_column_is_read_as_numbers() -> None:
    income = pd.Series(
        [Decimal("2.50"), None], dtype=pd.ArrowDtype(pa.decimal128(6, 2)), name="income"
    )
    frame = pd.DataFrame({"park_id": ["p1", "p2"], "year": [2016, 2016], "income": income})
    values = from_frame(frame).frame["income"].tolist()
    assert type(values[0]) is float and values[0] == 2.5
    assert values[1] is pd.NA


OVERFLOW = "overflows: the number is too large (beyond ±1.8e308)"


@pytest.mark.parametrize(
    ("value", "shown", "expected"),
    [
        (Decimal("NaN"), "NaN", "expected a finite number"),
        (Decimal("sNaN"), "NaN", "expected a finite number"),
        (Decimal("Infinity"), "Infinity", "expected a finite number"),
        (Decimal("-Infinity"), "-Infinity", "expected a finite number"),
        (Decimal("1E+400"), "1E+400", OVERFLOW),
        (10**400, "1" + "0" * 400, OVERFLOW),
    ],
    ids=["NaN", "sNaN", "Infinity", "-Infinity", "1E+400", "int 10**400"],
)
def test_lesser_non_finite_decimal_is_a_located_problem_not_missing(
    rubric: Path, value: object, shown: str, expected: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        greenscore.assess(_frame([Decimal("10"), value]), rubric)
    (problem,) = caught.value.problems
    assert (problem.row, problem.entity, problem.field) == (3, "p2", "income")
    assert problem.value == shown
    assert problem.problem == expected


def test_an_integer_past_python_digit_limit_is_shown_by_its_magnitude() -> None:
    frame = from_frame(_frame([10**5000, -(10**5000)])).frame
    assert frame["income"].tolist() == ["1e5000", "-1e5000"]


def test_frames_without_decimals_are_passed_through_unchanged() -> None:
    df = _frame([1, 2.5, "3"])
    assert from_frame(df).frame["income"].tolist() == [1, 2.5, "3"]
