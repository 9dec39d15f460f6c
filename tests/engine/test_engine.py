"""Scoring methods, aggregations, missing data, vetoes and tiers against hand-computed values.

The worked example is examples/rubrics/worked-example.yaml, documented in docs/rubric-format.md;
every expected number below is worked out by hand from its goalposts in the comments.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pydantic
import pytest

import greenscore
from greenscore import ProfileError
from greenscore.methods import bands, checklist, linear, minmax, percentile, target, zscore

ROOT = Path(__file__).resolve().parents[2]
WORKED = ROOT / "examples" / "rubrics" / "worked-example.yaml"

PARK_A = {
    "park_id": "A",
    "year": 2016,
    "revenue": 200,
    "land": 2500,
    "plot_ratio": 0.8,
    "industrial_share": 65,
    "energy_intensity": 0.8,
    "water_reuse": 90,
    "green_plan": True,
    "sewage_plant": True,
    "audits_done": False,
    "cluster_income": 100,
    "stage": "integration",
    "major_incidents": 0,
    "serious_incidents": 0,
    "findings": 0,
}
# plot 0.8 in [0.6, 1.0) → 70; output 200 / 25 km² = 8 on 2 → 12 → 60;
# land mix 65 is 10 from 55, 5 past the tolerance of 5, over 20 → 1 − 0.25 → 75.
LAND = (70 + 60 + 75) / 3
# energy 0.8 on 1.2 → 0.4 → 0.5 → 60 + 40 × 0.5 = 80; water 90 → 100; 2 of 3 items → 60 + 40 × 2/3.
BASICS = 60 + 40 * 2 / 3
GREEN = (80 * 100 * BASICS) ** (1 / 3)
# cluster 100 on log goalposts 10 → 1000: (2 − 1) / (3 − 1) = 0.5 → 50; stage integration → 70.
SCALE_DIGITAL = (50 + 70) / 2
TOTAL_A = (2 * LAND + GREEN + SCALE_DIGITAL) / 4


@pytest.fixture(scope="module")
def worked() -> greenscore.Rubric:
    return greenscore.load_rubric(WORKED)


def test_worked_example_dimension_scores(worked: greenscore.Rubric) -> None:
    result = greenscore.evaluate(PARK_A, worked)
    assert result.indicator("plot").score == pytest.approx(70, abs=1e-12)
    assert result.indicator("output").score == pytest.approx(60, abs=1e-12)
    assert result.indicator("land_mix").score == pytest.approx(75, abs=1e-12)
    assert result.indicator("energy").score == pytest.approx(80, abs=1e-12)
    assert result.indicator("basics").score == pytest.approx(BASICS, abs=1e-12)
    assert result.indicator("cluster").score == pytest.approx(50, abs=1e-12)
    assert result.indicator("stage").score == pytest.approx(70, abs=1e-12)
    assert result.dimension("land_use").score == pytest.approx(LAND, abs=1e-12)
    assert result.dimension("green").score == pytest.approx(GREEN, abs=1e-12)
    assert result.dimension("scale_and_digital").score == pytest.approx(60, abs=1e-12)
    assert result.raw_total == pytest.approx(TOTAL_A, abs=1e-12)
    assert result.total == round(TOTAL_A, 1) == 71.3
    assert result.tier.id == "good"
    assert result.tier.consequence == "Commendation"


def test_weights_normalise_and_contributions_add_up(worked: greenscore.Rubric) -> None:
    assert worked.normalised_weights == {
        "land_use": 0.5,
        "green": 0.25,
        "scale_and_digital": 0.25,
    }
    result = greenscore.evaluate(PARK_A, worked)
    assert result.indicator("plot").weight == pytest.approx(0.5 / 3)
    assert result.indicator("cluster").weight == pytest.approx(0.25 * 0.5)
    assert sum(i.weight for i in result.indicators) == pytest.approx(1.0)
    assert sum(i.contribution for i in result.indicators) == pytest.approx(TOTAL_A)
    top = [d for d in result.dimensions if "/" not in d.path]
    assert sum(d.contribution for d in top) == pytest.approx(TOTAL_A)
    # geometric dimension: contributions shared in proportion to weight × score, summing to it
    green = [result.indicator(i).contribution for i in ("energy", "water", "basics")]
    assert sum(green) == pytest.approx(0.25 * GREEN)
    assert green[0] / green[1] == pytest.approx(80 / 100)


def test_optional_indicator_absent_is_dropped_and_reweighted(worked: greenscore.Rubric) -> None:
    profile = {**PARK_A, "water_reuse": None}
    result = greenscore.evaluate(profile, worked)
    water = result.indicator("water")
    assert water.score is None and water.weight == 0
    assert "optional indicator not reported" in (water.treatment or "")
    green = math.sqrt(80 * BASICS)
    assert result.dimension("green").score == pytest.approx(green, abs=1e-12)
    assert result.indicator("energy").weight == pytest.approx(0.25 / 2)


def test_missing_mandatory_under_worst_policy(worked: greenscore.Rubric) -> None:
    rubric = greenscore.load_rubric(
        WORKED.read_text(encoding="utf-8").replace(
            "{id: land, label: Developed land, unit: ha, min: 0}",
            "{id: land, label: Developed land, unit: ha, min: 0, required: false}",
        )
    )
    result = greenscore.evaluate({**PARK_A, "land": None}, rubric)
    output = result.indicator("output")
    assert output.score == 0 and "scored as worst" in (output.treatment or "")


OPTIONAL_LAND = WORKED.read_text(encoding="utf-8").replace(
    "{id: land, label: Developed land, unit: ha, min: 0}",
    "{id: land, label: Developed land, unit: ha, min: 0, required: false}",
)
NO_LAND = {k: v for k, v in PARK_A.items() if k != "land"}


def test_division_by_zero_is_a_located_problem_not_a_missing_value(
    worked: greenscore.Rubric,
) -> None:
    with pytest.raises(ProfileError) as info:
        greenscore.evaluate({**PARK_A, "land": 0}, worked)
    (problem,) = info.value.problems
    assert problem.field == "output_per_km2" and problem.problem.startswith("divides by zero")


def test_a_missing_operand_makes_a_missing_value() -> None:
    result = greenscore.evaluate(NO_LAND, OPTIONAL_LAND)
    assert result.indicator("output").value is None
    assert result.indicator("output").score == 0


def test_missing_under_error_policy_raises_profile_error() -> None:
    text = OPTIONAL_LAND.replace("missing: worst", "missing: error")
    with pytest.raises(ProfileError) as info:
        greenscore.evaluate(NO_LAND, text)
    assert "output" in str(info.value)


def test_missing_under_drop_policy_reweights() -> None:
    text = OPTIONAL_LAND.replace("missing: worst", "missing: drop")
    result = greenscore.evaluate(NO_LAND, text)
    assert result.indicator("output").score is None
    assert result.dimension("land_use").score == pytest.approx((70 + 75) / 2)


def test_cap_tier_veto_and_deduction(worked: greenscore.Rubric) -> None:
    best = {
        **PARK_A,
        "plot_ratio": 1.5,
        "revenue": 400,
        "industrial_share": 55,
        "energy_intensity": 0.3,
        "audits_done": True,
        "cluster_income": 2000,
        "stage": "innovation",
    }
    assert greenscore.evaluate(best, worked).tier.id == "excellent"
    capped = greenscore.evaluate({**best, "serious_incidents": 1}, worked)
    assert capped.total == 100 and capped.score_tier == "excellent"
    assert capped.tier.id == "good"
    assert [v.id for v in capped.vetoes] == ["serious_incident"]
    deducted = greenscore.evaluate({**best, "findings": 3}, worked)
    assert deducted.deductions == pytest.approx(1.5) and deducted.total == 98.5
    # the excellent tier also requires no deduction veto (a tier condition)
    assert deducted.tier.id == "good"


def test_force_tier_veto_dominates(worked: greenscore.Rubric) -> None:
    result = greenscore.evaluate({**PARK_A, "major_incidents": 1}, worked)
    assert result.total == 71.3 and result.tier.id == "fail"
    assert result.tier.consequence_kind == "penalty"
    assert result.vetoes[0].reason == "Major environmental or safety incident"


def test_deductions_are_floored_at_the_bottom_of_the_scale(worked: greenscore.Rubric) -> None:
    result = greenscore.evaluate({**PARK_A, "findings": 1000}, worked)
    assert result.total == 0


def test_tier_condition_dimension_min(worked: greenscore.Rubric) -> None:
    profile = {
        **PARK_A,
        "plot_ratio": 1.5,
        "revenue": 400,
        "industrial_share": 55,
        "energy_intensity": 0.3,
        "audits_done": True,
        "cluster_income": 10,
        "stage": "initial",
    }
    result = greenscore.evaluate(profile, worked)
    # land 100, green 100, scale_and_digital (0 + 30) / 2 = 15 → total 0.5×100 + 0.25×100 + 0.25×15
    assert result.raw_total == pytest.approx(78.75)
    assert result.total == 78.8 and result.tier.id == "good"
    profile["cluster_income"] = 1000
    result = greenscore.evaluate(profile, worked)
    # scale_and_digital (100 + 30) / 2 = 65 ≥ 60 → excellent at 91.25 → 91.3
    assert result.total == 91.3 and result.tier.id == "excellent"


def test_rounding_is_half_up_before_tiers() -> None:
    text = """
name: r
version: "1"
rounding: {decimals: 1}
inputs: [{id: x}]
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
tiers:
  - {id: hi, min_score: 84.5}
  - {id: lo, min_score: 0}
"""
    assert greenscore.evaluate({"x": 84.45}, text).total == 84.5
    assert greenscore.evaluate({"x": 84.45}, text).tier.id == "hi"
    assert greenscore.evaluate({"x": 84.44999}, text).tier.id == "lo"
    assert greenscore.evaluate({"x": 0.05}, text).total == 0.1


def test_minimum_aggregation_and_other_scales() -> None:
    text = """
name: r
version: "1"
scale: {min: 0, max: 1}
inputs: [{id: a}, {id: b}]
dimensions:
  - id: d
    aggregation: minimum
    indicators:
      - {id: ia, input: a, method: linear, goalposts: {worst: 0, best: 10}}
      - {id: ib, input: b, method: linear, goalposts: {worst: 0, best: 10}, onto: [0.5, 1]}
tiers:
  - {id: hi, min_score: 0.6}
  - {id: lo, min_score: 0}
"""
    result = greenscore.evaluate({"a": 7, "b": 2}, text)
    # ia 0.7; ib 0.5 + 0.5 × 0.2 = 0.6; the minimum is 0.6
    assert result.indicator("ib").score == pytest.approx(0.6)
    assert result.total == pytest.approx(0.6) and result.tier.id == "hi"
    assert result.indicator("ib").contribution == pytest.approx(0.6)
    assert result.indicator("ia").contribution == 0


def test_uncapped_linear_runs_past_best_but_total_stays_on_scale() -> None:
    text = """
name: r
version: "1"
inputs: [{id: a}, {id: b}]
dimensions:
  - id: d
    indicators:
      - {id: ia, input: a, method: linear, goalposts: {worst: 0, best: 10}, cap: false}
      - {id: ib, input: b, method: linear, goalposts: {worst: 0, best: 10}}
tiers: [{id: only, min_score: 0}]
"""
    result = greenscore.evaluate({"a": 15, "b": 2}, text)
    assert result.indicator("ia").score == pytest.approx(150)
    assert result.total == pytest.approx((150 + 20) / 2)
    assert greenscore.evaluate({"a": 40, "b": 10}, text).total == 100


def test_kernels_directly() -> None:
    x = np.array([np.nan, -1.0, 0.0, 2.5, 10.0, 12.0])
    np.testing.assert_allclose(
        linear.linear(x, 0.0, 10.0), [np.nan, 0, 0, 0.25, 1, 1], equal_nan=True
    )
    np.testing.assert_allclose(
        linear.linear(x, 10.0, 0.0), [np.nan, 1, 1, 0.75, 0, 0], equal_nan=True
    )
    np.testing.assert_allclose(
        linear.linear(np.array([1.0, 10.0, 100.0, 0.0]), 1.0, 100.0, log=True), [0, 0.5, 1, 0]
    )
    lows = np.array([-np.inf, 1.0, 2.0])
    np.testing.assert_allclose(
        bands.bands(np.array([0.5, 1.0, 1.99, 2.0, np.nan]), lows, np.array([0.1, 0.5, 1.0])),
        [0.1, 0.5, 0.5, 1.0, np.nan],
        equal_nan=True,
    )
    np.testing.assert_allclose(
        target.target(np.array([55.0, 60.0, 65.0, 45.0, 90.0]), 55.0, 5.0, 25.0),
        [1, 1, 0.75, 0.75, 0],
    )
    items = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, np.nan, 1.0]])
    np.testing.assert_allclose(
        checklist.checklist(items, np.array([2.0, 1.0, 1.0]), 2),
        [0.75, 0.0, np.nan],
        equal_nan=True,
    )
    np.testing.assert_allclose(minmax.minmax(np.array([1.0, 3.0, 5.0]), 1.0, 5.0), [0, 0.5, 1])
    ref = np.array([1.0, 2.0, 2.0, 4.0])
    # mid-ranks 0, 1.5, 1.5, 3 over n − 1 = 3
    np.testing.assert_allclose(percentile.percentile(ref, ref), [0, 0.5, 0.5, 1])
    np.testing.assert_allclose(
        zscore.zscore(np.array([0.0, 3.0, -9.0]), 0.0, 1.0, 3.0), [0.5, 1, 0]
    )


@dataclasses.dataclass
class Small:
    x: float


class SmallModel(pydantic.BaseModel):
    x: float


SMALL = """
name: r
version: "1"
inputs: [{id: x}]
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}]
tiers: [{id: only, min_score: 0}]
"""


@pytest.mark.parametrize(
    "profile", [{"x": 4}, pd.Series({"x": 4.0}), Small(4.0), SmallModel(x=4), {"x": "4"}]
)
def test_profile_kinds(profile: object) -> None:
    assert greenscore.evaluate(profile, SMALL).total == pytest.approx(40)


def test_profile_errors_list_every_problem() -> None:
    rubric = greenscore.default_rubric()
    profile = json.loads((ROOT / "examples" / "profiles" / "vetoed.json").read_text("utf-8"))
    profile.update(plot_ratio="high", informatization_stage="advanced", green_plan="maybe")
    profile.pop("tax_revenue")
    profile["leading_enterprises"] = 2.5
    profile["idle_land_share"] = 130
    with pytest.raises(ProfileError) as info:
        greenscore.evaluate(profile, rubric)
    table = {p.field: p.problem for p in info.value.problems}
    assert table == {
        "tax_revenue": "required field is missing",
        "leading_enterprises": "expected a whole number",
        "plot_ratio": "expected a number",
        "idle_land_share": "expected a value in [0, 100]",
        "green_plan": "expected true or false",
        "informatization_stage": (
            "unknown category; expected one of initial, single_coverage, integration, innovation"
        ),
    }
    assert len(info.value.table()) == 6


def test_assessment_is_immutable_and_serialisable(worked: greenscore.Rubric) -> None:
    result = greenscore.evaluate(PARK_A, worked)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 0  # type: ignore[misc]
    data = json.loads(result.to_json())
    assert data["tier"]["id"] == "good" and data["rubric_sha256"] == result.rubric_sha256
    assert data["indicators"][0]["explanation"].startswith("plot: 0.8 on bands")
    assert "71.3" in str(result) and "Commendation" in result.explain()


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2016, 2016), ("2016", 2016), (2016.0, 2016), ("2016Q1", "2016Q1"), (None, None)],
)
def test_period_is_the_period_key(
    worked: greenscore.Rubric, year: object, expected: object
) -> None:
    """A whole-number year is an int in the Assessment and its JSON, as in a batch's results."""
    result = greenscore.evaluate({**PARK_A, "year": year}, worked)
    assert result.period == expected and type(result.period) is type(expected)
    assert json.loads(result.to_json())["period"] == expected
    assert result.explain().startswith(" ".join(str(x) for x in ("A", expected) if x) + ":")


def test_a_missing_field_names_the_near_miss_key(worked: greenscore.Rubric) -> None:
    profile = {k: v for k, v in PARK_A.items() if k != "revenue"} | {"revenu": 200}
    with pytest.raises(ProfileError) as info:
        greenscore.evaluate(profile, worked)
    (problem,) = info.value.problems
    assert (problem.field, problem.problem) == (
        "revenue",
        "required field is missing (found 'revenu': a typo?)",
    )


def test_rubric_sha256_ignores_layout(worked: greenscore.Rubric) -> None:
    from greenscore.rubric.load import rubric_sha256, rubric_yaml

    again = greenscore.load_rubric(rubric_yaml(worked))
    assert rubric_sha256(again) == rubric_sha256(worked)
    assert greenscore.evaluate(PARK_A, again).total == greenscore.evaluate(PARK_A, worked).total


def test_cohort_rubric_needs_a_cohort() -> None:
    text = SMALL.replace("method: linear, goalposts: {worst: 0, best: 10}", "method: minmax")
    with pytest.raises(greenscore.CohortRequiredError):
        greenscore.evaluate({"x": 1}, text)


def test_rubric_format_doc_quotes_the_worked_example() -> None:
    """The YAML shown in docs/rubric-format.md for vetoes and tiers is the file the tests score."""
    doc = (ROOT / "docs" / "rubric-format.md").read_text(encoding="utf-8")
    example = WORKED.read_text(encoding="utf-8")
    for line in example.splitlines():
        if line.startswith("  - {id: major_incident") or line.startswith("  - {id: good"):
            assert line in doc
    assert "**71.3**" in doc and f"{math.sqrt(80 * BASICS):.3f}" in doc


ESCAPE = """
name: r
version: "1"
inputs: [{id: output, min: 0}, {id: area, min: 0}]
derived: [{id: density, formula: output / area}]
dimensions:
  - id: d
    indicators: [{id: i, input: output, method: linear, goalposts: {worst: 0, best: 10}}]
vetoes:
  - {id: sparse, kind: force_tier, when: density < 1, tier: low, reason: too sparse}
tiers: [{id: top, min_score: 50}, {id: low, min_score: 0}]
"""


def test_a_veto_that_cannot_be_evaluated_does_not_let_a_park_escape() -> None:
    """Area 0 makes density a division by zero: the profile is refused, never scored as 'top'."""
    assert greenscore.evaluate({"output": 10, "area": 100}, ESCAPE).tier.id == "low"
    assert greenscore.evaluate({"output": 10, "area": 5}, ESCAPE).tier.id == "top"
    with pytest.raises(ProfileError, match="divides by zero: output / area"):
        greenscore.evaluate({"output": 10, "area": 0}, ESCAPE)


def test_an_unknown_deduction_is_an_input_error() -> None:
    text = ESCAPE.replace(
        "{id: sparse, kind: force_tier, when: density < 1, tier: low, reason: too sparse}",
        "{id: fine, kind: deduct, points: 100 / area, reason: per hectare}",
    )
    assert greenscore.evaluate({"output": 10, "area": 10}, text).total == 90
    with pytest.raises(ProfileError, match="veto 'fine' cannot be worked out"):
        greenscore.evaluate({"output": 10, "area": 0}, text)
