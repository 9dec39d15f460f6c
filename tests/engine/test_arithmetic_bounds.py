"""Values that stop being finite numbers are located problems, never "not reported" (issue 12, 10).

The bundled rubric derives tax_per_ha = tax_revenue * 10000 / developed_land and
income_per_km2 = main_business_income / (developed_land / 100).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import greenscore
from greenscore.engine.plan import compile_rubric

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


def test_defect10_overflowing_derived_ratio_is_a_profile_error_not_not_reported() -> None:
    # 1e308 * 10000 is beyond the largest float (about 1.8e308)
    found = profile_problems(good_park(tax_revenue=1e308))
    assert [field for field, _ in found] == ["tax_per_ha"]
    assert "overflows" in found[0][1]
    assert "not reported" not in found[0][1]
    assert "tax_revenue * 10000 / developed_land" in found[0][1]


def test_defect10_division_by_zero_in_a_derived_input_is_a_profile_error() -> None:
    found = profile_problems(good_park(developed_land=0))
    assert [field for field, _ in found] == ["income_per_km2", "tax_per_ha"]
    assert all("divides by zero" in problem for _, problem in found)


def test_defect10_zero_over_zero_is_a_located_problem() -> None:
    found = profile_problems({"a": 0, "b": 0}, RATIO)
    assert [field for field, _ in found] == ["q"]
    assert "a / b" in found[0][1]


def test_defect10_missing_operand_is_still_not_reported() -> None:
    # b is optional and absent: q = a / b is missing (scored as worst), r = 1 * 2 = 2 → 20
    result = greenscore.evaluate({"a": 5}, RATIO)
    assert result.indicator("i").value is None
    assert "not reported" in result.indicator("i").explanation
    assert result.indicator("j").score == pytest.approx(20)


def test_defect10_overflowing_row_is_flagged_in_a_batch_and_the_others_are_scored() -> None:
    table = pd.DataFrame({"park_id": ["P1", "P2", "P3"], "a": [5, 1e308, 4], "b": [1, 1e-10, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = greenscore.assess(table, RATIO, errors="flag")
    assert batch.accounting == {"input_rows": 3, "scored": 1, "flagged": 2, "other_periods": 0}
    flagged = batch.flagged
    assert list(flagged["row"]) == [3, 4]
    assert list(flagged["entity"]) == ["P2", "P3"]
    assert list(flagged["field"]) == ["q", "q"]
    assert list(flagged["problem"]) == [
        "overflows: a / b with a = 1e+308, b = 1e-10",
        "divides by zero: a / b with a = 4, b = 0",
    ]
    assert list(batch.results["park_id"]) == ["P1"]


def test_defect10_number_too_large_for_a_float_is_an_overflow_problem() -> None:
    found = profile_problems(good_park(tax_revenue="1e400"))
    assert found == [("tax_revenue", "overflows: the number is too large (beyond ±1.8e308)")]


def test_defect10_python_integer_too_large_for_a_float_is_an_overflow_problem() -> None:
    found = profile_problems(good_park(tax_revenue=10**400))
    assert found == [("tax_revenue", "overflows: the number is too large (beyond ±1.8e308)")]


def test_defect10_huge_numbers_in_a_long_column_are_flagged_as_overflows() -> None:
    # ten rows take the vectorised path; rows 3 and 7 hold numbers beyond the float range
    a: list[Any] = [1] * 10
    a[3], a[7] = "1e400", 10**400
    table = pd.DataFrame({"park_id": [f"P{i}" for i in range(10)], "a": a, "b": [1] * 10})
    batch = greenscore.assess(table, RATIO, errors="flag")
    assert batch.accounting["scored"] == 8
    assert list(batch.flagged["entity"]) == ["P3", "P7"]
    assert set(batch.flagged["problem"]) == {"overflows: the number is too large (beyond ±1.8e308)"}


HISTORY = """
name: history
version: "1"
inputs: [{id: x}]
derived:
  - {id: m, history: {input: x, statistic: mean, periods: 2}}
  - {id: c, history: {input: x, statistic: change, periods: 2}}
dimensions:
  - id: d
    indicators:
      - {id: i, input: m, method: linear, goalposts: {worst: 0, best: 10}}
      - {id: j, input: c, method: linear, goalposts: {worst: 0, best: 10}}
missing: worst
tiers: [{id: all, min_score: 0}]
"""


def test_defect10_mean_of_huge_values_is_their_mean_not_an_overflow() -> None:
    # the mean of 1.7e308 and 1.5e308 is 1.6e308, a float, although their sum is not;
    # the change from 1.5e308 is 0.2e308: both at or past the best goalpost, so 100 each
    result = greenscore.evaluate({"x": 1.7e308}, HISTORY, history=[{"x": 1.5e308}])
    assert result.indicator("i").value == pytest.approx(1.6e308)
    assert result.indicator("j").value == pytest.approx(0.2e308)
    assert result.total == pytest.approx(100)


def test_defect10_change_beyond_the_float_range_is_a_located_problem() -> None:
    # 1.7e308 − (−1.7e308) = 3.4e308, beyond the largest float (about 1.8e308)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(greenscore.ProfileError) as info:
            greenscore.evaluate({"x": 1.7e308}, HISTORY, history=[{"x": -1.7e308}])
    (problem,) = info.value.problems
    assert problem.field == "c"
    assert problem.problem == "overflows: the change of 'x' is too large for a number"


def test_defect10_deriving_never_warns() -> None:
    # lag columns as a batch builds them: a relative change from 0 (missing, by design) and a
    # mean of two numbers whose sum overflows; derive() runs outside score()'s own errstate
    text = HISTORY.replace("statistic: change", "statistic: relative_change")
    plan = compile_rubric(greenscore.load_rubric(text))
    columns = {"x": np.array([5.0, 1.7e308]), "x@-1": np.array([0.0, 1.7e308])}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, faults = plan.derive(columns, 2)
    assert np.isnan(values["c"][0]) and values["c"][1] == 0.0
    assert values["m"][1] == 1.7e308
    assert faults == {}


def test_defect10_calibrating_huge_cohort_values_never_warns() -> None:
    rubric = """
name: z
version: "1"
inputs: [{id: a}]
dimensions:
  - id: d
    indicators: [{id: i, input: a, method: zscore}]
tiers: [{id: all, min_score: 0}]
"""
    table = pd.DataFrame({"park_id": [f"P{i}" for i in range(4)], "a": [1.7e308, -1.7e308] * 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        calibrated = greenscore.calibrate(rubric, table)
    assert calibrated.cohort is not None and calibrated.cohort["i"]["mean"] == 0.0


BOOLEAN = """
name: flag
version: "1"
inputs: [{id: f, type: boolean}]
dimensions:
  - id: d
    indicators: [{id: i, input: f, method: linear, goalposts: {worst: 0, best: 1}}]
tiers: [{id: all, min_score: 0}]
"""


def test_defect10_an_integer_beyond_the_float_range_in_a_boolean_cell_is_a_cell_problem() -> None:
    found = profile_problems({"f": 10**400}, BOOLEAN)
    assert found == [("f", "expected true or false")]
    cells: list[Any] = [True] * 10
    cells[4] = 10**400
    table = pd.DataFrame({"park_id": [f"P{i}" for i in range(10)], "f": cells})
    batch = greenscore.assess(table, BOOLEAN, errors="flag")
    assert batch.accounting["scored"] == 9
    assert list(batch.flagged["entity"]) == ["P4"]
    assert list(batch.flagged["problem"]) == ["expected true or false"]
