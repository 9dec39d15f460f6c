"""Rounding as published tables do it (issue 9): half up or half to even, with a guard of a few
units in the last place for decimal ties, and dimension scores rounded where a system publishes
them. Expected values are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.engine.decide import ROUNDING_GUARD_ULPS, round_half_even, round_half_up

ONE = """
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


def _round(x: float, decimals: int, even: bool = False) -> float:
    rounder = round_half_even if even else round_half_up
    return float(rounder(np.array([x]), decimals)[0])


def test_defect9_a_total_just_below_a_tie_rounds_down():
    """84.44999996 is 4e-8 below the tie 84.45, far more than a few ulps (about 1e-13 at this
    size): it rounds to 84.4. The old rule first rounded 844.4999996 to 6 decimals (844.5) and
    gave 84.5, lifting the park into the tier at 84.5."""
    assert _round(84.44999996, 1) == 84.4
    assert greenscore.evaluate({"x": 84.44999996}, ONE).total == 84.4
    assert greenscore.evaluate({"x": 84.44999996}, ONE).tier.id == "lo"


def test_the_float_nearest_a_decimal_tie_counts_as_the_tie():
    """84.45 is stored as 84.4500000000000028…; 0.285 as 0.284999999999999975…, whose hundredfold
    is 28.499999999999996, one ulp below 28.5. Both are ties: half up gives 84.5 and 0.29."""
    assert _round(84.45, 1) == 84.5
    assert _round(0.285, 2) == 0.29
    assert greenscore.evaluate({"x": 84.45}, ONE).tier.id == "hi"


def test_the_guard_is_a_few_ulps_and_no_more():
    """At 0 decimals the tie 844.5 itself is the value rounded: within the guard of it (3 ulps
    below) is the tie, rounded up; 10 ulps below is not, and rounds down."""
    tie = 844.5
    ulp = float(np.spacing(tie))
    assert ROUNDING_GUARD_ULPS == 4
    assert _round(tie - 3 * ulp, 0) == 845
    assert _round(tie - 10 * ulp, 0) == 844
    assert _round(tie + 10 * ulp, 0) == 845


@pytest.mark.parametrize(
    ("x", "decimals", "half_up", "half_even"),
    [
        (84.45, 1, 84.5, 84.4),  # tie after 4: up, or stay at the even 4
        (84.55, 1, 84.6, 84.6),  # tie after 5: up either way, 6 is even
        (84.35, 1, 84.4, 84.4),
        (2.5, 0, 3, 2),
        (3.5, 0, 4, 4),
        (0.125, 2, 0.13, 0.12),  # exact in binary
        (0.375, 2, 0.38, 0.38),
        (84.46, 1, 84.5, 84.5),  # not a tie: nearest either way
        (84.44, 1, 84.4, 84.4),
    ],
)
def test_half_up_and_half_to_even(x, decimals, half_up, half_even):
    assert _round(x, decimals) == half_up
    assert _round(x, decimals, even=True) == half_even


def test_half_even_mode_decides_the_tier():
    """84.45 rounds to even (84.4) under `mode: half_even`, below the tier at 84.5."""
    text = ONE.replace("rounding: {decimals: 1}", "rounding: {decimals: 1, mode: half_even}")
    result = greenscore.evaluate({"x": 84.45}, text)
    assert result.total == 84.4 and result.tier.id == "lo"
    assert greenscore.evaluate({"x": 84.55}, text).total == 84.6


TWO = """
name: dimensions rounded
version: "1"
rounding: {decimals: 1, dimensions: 1}
inputs: [{id: a}, {id: b}]
dimensions:
  - {id: d1, indicators: [{id: ia, input: a, method: linear, goalposts: {worst: 0, best: 100}}]}
  - {id: d2, indicators: [{id: ib, input: b, method: linear, goalposts: {worst: 0, best: 100}}]}
tiers:
  - {id: top, min_score: 70, conditions: [{type: dimension_min, score: 60}]}
  - {id: rest, min_score: 0}
"""


def test_dimension_scores_are_reported_rounded_and_the_total_uses_the_exact_ones():
    """d1 = 59.96 and d2 = 80.06 are reported as 60.0 and 80.1, and the condition 'every
    dimension ≥ 60' reads the reported 60.0. The total is (59.96 + 80.06) / 2 = 70.01 → 70.0;
    from the rounded scores it would have been 70.05 → 70.1."""
    profile = {"a": 59.96, "b": 80.06}
    result = greenscore.evaluate(profile, TWO)
    assert [d.score for d in result.dimensions] == [60.0, 80.1]
    assert result.total == 70.0 and result.tier.id == "top"
    contributions = [d.contribution for d in result.dimensions]
    assert contributions == pytest.approx([29.98, 40.03])
    assert sum(i.contribution for i in result.indicators) == pytest.approx(70.01)
    unrounded = greenscore.evaluate(profile, TWO.replace(", dimensions: 1", ""))
    assert unrounded.dimension("d1").score == pytest.approx(59.96)
    assert unrounded.tier.id == "rest"
    frame = pd.DataFrame([{"park_id": "P", "year": 2024, **profile}])
    results = greenscore.assess(frame, TWO).results
    assert (results["dim.d1"].iloc[0], results["dim.d2"].iloc[0]) == (60.0, 80.1)


def test_jiangxi_totals_are_those_of_the_old_rounding(jiangxi_batch):
    """The bundled rubric rounds half up to one decimal. On its example data the new guard
    gives every park the total the old rule gave, floor(round(10·x, 6) + 0.5) / 10, worked out
    here from each park's weighted score and deductions."""
    results = jiangxi_batch.results
    before = (results["raw_total"] - results["deductions"]).clip(0, 100).to_numpy()
    old = np.floor(np.round(before * 10, 6) + 0.5) / 10
    assert results["total"].to_numpy().tolist() == old.tolist()
