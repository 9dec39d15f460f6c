"""Values that stop being finite numbers are located problems, never "not reported" (issue 12, 10).

The bundled rubric derives tax_per_ha = tax_revenue * 10000 / developed_land and
income_per_km2 = main_business_income / (developed_land / 100).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import greenscore

ROOT = Path(__file__).resolve().parents[2]

RATIO = """
name: ratio
version: "1"
inputs:
  - {id: a}
  - {id: b, required: false}
derived:
  - {id: q, formula: a / b}
  - {id: r, formula: "coalesce(b, 1) * 2"}
dimensions:
  - id: d
    indicators:
      - {id: i, input: q, method: linear, goalposts: {worst: 0, best: 10}}
      - {id: j, input: r, method: linear, goalposts: {worst: 0, best: 10}}
missing: worst
tiers: [{id: all, min_score: 0}]
"""


def good_park(**changes: Any) -> dict[str, Any]:
    text = (ROOT / "examples" / "profiles" / "good.yaml").read_text(encoding="utf-8")
    profile: dict[str, Any] = yaml.safe_load(text)
    profile.update(changes)
    return profile


def profile_problems(profile: Any, rubric: Any = None) -> list[tuple[str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(greenscore.ProfileError) as info:
            greenscore.evaluate(profile, rubric)
    return [(p.field, p.problem) for p in info.value.problems]


def test_overflowing_derived_ratio_is_a_profile_error_not_not_reported() -> None:
    # 1e308 * 10000 is beyond the largest float (about 1.8e308)
    found = profile_problems(good_park(tax_revenue=1e308))
    assert [field for field, _ in found] == ["tax_per_ha"]
    assert "overflows" in found[0][1]
    assert "not reported" not in found[0][1]
    assert "tax_revenue * 10000 / developed_land" in found[0][1]


def test_division_by_zero_in_a_derived_input_is_a_profile_error() -> None:
    found = profile_problems(good_park(developed_land=0))
    assert [field for field, _ in found] == ["income_per_km2", "tax_per_ha"]
    assert all("divides by zero" in problem for _, problem in found)


def test_zero_over_zero_is_a_located_problem() -> None:
    found = profile_problems({"a": 0, "b": 0}, RATIO)
    assert [field for field, _ in found] == ["q"]
    assert "a / b" in found[0][1]


def test_missing_operand_is_still_not_reported() -> None:
    # b is optional and absent: q = a / b is missing (scored as worst), r = 1 * 2 = 2 → 20
    result = greenscore.evaluate({"a": 5}, RATIO)
    assert result.indicator("i").value is None
    assert "not reported" in result.indicator("i").explanation
    assert result.indicator("j").score == pytest.approx(20)


def test_overflowing_row_is_flagged_in_a_batch_and_the_others_are_scored() -> None:
    table = pd.DataFrame({"park_id": ["P1", "P2", "P3"], "a": [5, 1e308, 4], "b": [1, 1e-10, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = greenscore.assess(table, RATIO, errors="flag")
    assert batch.accounting["scored"] == 1
    assert batch.accounting["flagged"] == 2
    flagged = batch.flagged
    assert list(flagged["entity"]) == ["P2", "P3"]
    assert list(flagged["field"]) == ["q", "q"]
    assert "overflows" in flagged["problem"].iloc[0]
    assert "divides by zero" in flagged["problem"].iloc[1]


def test_number_too_large_for_a_float_is_an_overflow_problem() -> None:
    found = profile_problems(good_park(tax_revenue="1e400"))
    assert found == [("tax_revenue", "overflows: the number is too large (beyond ±1.8e308)")]


def test_python_integer_too_large_for_a_float_is_an_overflow_problem() -> None:
    found = profile_problems(good_park(tax_revenue=10**400))
    assert found == [("tax_revenue", "overflows: the number is too large (beyond ±1.8e308)")]


def test_huge_numbers_in_a_long_column_are_flagged_as_overflows() -> None:
    # ten rows take the vectorised path; rows 3 and 7 hold numbers beyond the float range
    a: list[Any] = [1] * 10
    a[3], a[7] = "1e400", 10**400
    table = pd.DataFrame({"park_id": [f"P{i}" for i in range(10)], "a": a, "b": [1] * 10})
    batch = greenscore.assess(table, RATIO, errors="flag")
    assert batch.accounting["scored"] == 8
    assert list(batch.flagged["entity"]) == ["P3", "P7"]
    assert set(batch.flagged["problem"]) == {"overflows: the number is too large (beyond ±1.8e308)"}


MEAN = """
name: mean
version: "1"
inputs: [{id: x, min: 0}]
derived: [{id: m, history: {input: x, statistic: mean, periods: 2}}]
dimensions:
  - id: d
    indicators: [{id: i, input: m, method: linear, goalposts: {worst: 0, best: 10}}]
missing: worst
tiers: [{id: all, min_score: 0}]
"""


def test_overflowing_history_mean_is_a_located_problem() -> None:
    # 1.7e308 + 1.7e308 is beyond the largest float (about 1.8e308) before halving
    with pytest.raises(greenscore.ProfileError) as info:
        greenscore.evaluate({"x": 1.7e308}, MEAN, history=[{"x": 1.7e308}])
    (problem,) = info.value.problems
    assert problem.field == "m" and problem.problem.startswith("overflows")
