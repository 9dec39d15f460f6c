"""Gap wording: formula inversion (which input a derived input's numerator moves) and tier conditions."""

from __future__ import annotations

import pytest

from greenscore import load_rubric
from greenscore.engine.plan import compile_rubric
from greenscore.explain.harness import Park
from greenscore.explain.wording import blocked_conditions, diagnose, numerator_input
from greenscore.rubric import models as m

INPUTS = {
    "income": m.Input(id="income"),
    "land": m.Input(id="land"),
    "firms": m.Input(id="firms", type="integer"),
    "stage": m.Input(id="stage", type="category", categories=["low", "high"]),
}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("income * 100 / land", "income"),
        ("income / (land / 100)", "income"),
        ("-2 * firms / land", "firms"),
        ("income", "income"),
        ("(income + land) / land", None),
        ("land / land", None),
        ("stage / land", None),
        ("density / land", None),
        ("income *", None),
    ],
)
def test_numerator_input(formula: str, expected: str | None) -> None:
    """By reading the formula: one declared numeric input times constants over anything that
    does not contain it; sums, categories, undeclared names and bad syntax give none."""
    assert numerator_input(formula, INPUTS) == expected


CONDITIONS = """
name: tier conditions
version: "1"
rounding: {decimals: 1}
inputs:
  - {id: a, min: 0, max: 100}
  - {id: b, min: 0, max: 100}
  - {id: c, type: integer, min: 0}
dimensions:
  - id: d1
    label: First
    indicators: [{id: ia, input: a, method: linear, goalposts: {worst: 0, best: 100}}]
  - id: d2
    indicators: [{id: ib, input: b, method: linear, goalposts: {worst: 0, best: 100}}]
vetoes:
  - {id: v, kind: force_tier, when: c > 0, tier: low, reason: Incident}
tiers:
  - id: top
    min_score: 50
    conditions:
      - {type: dimension_min, score: 60}
      - {type: indicator_min, indicator: ib, score: 90}
      - {type: no_veto, kinds: [force_tier]}
  - {id: low, min_score: 0}
"""


def test_tier_conditions_in_the_gap_search() -> None:
    """a = 40, b = 80: dimensions 40 and 80 (total 60 ≥ 50), so the top tier fails only on its
    conditions: First is 60 − 40 = 20 short, d2 meets 60, ib is 90 − 80 = 10 short; the shortfall
    is the sum of the parts, 30. With c = 1 the veto blocks the tier as well."""
    plan = compile_rubric(load_rubric(CONDITIONS))
    park = Park(plan, {"a": 40, "b": 80, "c": 0}, 0)
    assert park.shortfall(park.now).tolist() == [30.0]
    assert diagnose(park, park.now, 0, "now") == (
        "tier condition fails: top requires First scores 40 < 60; indicator ib scores 80 < 90"
    )
    assert blocked_conditions(plan, park, plan.rubric.tiers[0]) == []
    vetoed = Park(plan, {"a": 40, "b": 80, "c": 1}, 0)
    assert blocked_conditions(plan, vetoed, plan.rubric.tiers[0]) == [
        "top requires that veto v not apply"
    ]
