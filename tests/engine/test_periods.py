"""Progress indicators (statistics over periods) and quota tiers, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

import greenscore
from greenscore.engine.derive import lag_column
from greenscore.engine.places import QUOTA_KEY
from greenscore.engine.plan import compile_rubric

PROGRESS = """
name: progress
version: "1"
inputs:
  - {id: income, min: 0}
  - {id: carbon, min: 0}
derived:
  - {id: growth, history: {input: income, statistic: relative_change}}
  - {id: income_3y, history: {input: income, statistic: mean, periods: 3}}
  - {id: carbon_falls, history: {input: carbon, statistic: falls_every_period, periods: 3}}
dimensions:
  - id: d
    indicators:
      - {id: growth, input: growth, method: linear, goalposts: {worst: 0, best: 0.2}}
      - {id: size, input: income_3y, method: linear, goalposts: {worst: 0, best: 300}}
vetoes:
  - {id: carbon_gate, kind: cap_tier, when: "not carbon_falls", tier: mid, reason: Carbon intensity must fall every year}
missing: worst
tiers:
  - {id: top, min_score: 40}
  - {id: mid, min_score: 20}
  - {id: low, min_score: 0}
"""


def test_progress_against_previous_periods() -> None:
    history = [{"income": 100, "carbon": 0.9}, {"income": 80, "carbon": 1.0}]
    result = greenscore.evaluate({"income": 110, "carbon": 0.8}, PROGRESS, history=history)
    # growth (110 − 100) / 100 = 0.1 on 0 → 0.2 → 50; three-year mean (110 + 100 + 80) / 3
    assert result.indicator("growth").score == pytest.approx(50)
    size = (110 + 100 + 80) / 3 / 300 * 100
    assert result.indicator("size").score == pytest.approx(size)
    assert result.raw_total == pytest.approx((50 + size) / 2)
    assert result.tier.id == "top" and not result.vetoes


def test_multi_period_gate() -> None:
    history = [{"income": 100, "carbon": 0.7}, {"income": 80, "carbon": 1.0}]
    result = greenscore.evaluate({"income": 140, "carbon": 0.8}, PROGRESS, history=history)
    assert result.score_tier == "top"
    assert result.tier.id == "mid" and result.vetoes[0].id == "carbon_gate"


def test_a_new_park_without_history_scores_its_progress_as_missing() -> None:
    result = greenscore.evaluate({"income": 140, "carbon": 0.8}, PROGRESS)
    assert result.indicator("growth").value is None
    assert result.indicator("growth").score == 0
    assert "scored as worst" in (result.indicator("growth").treatment or "")


def test_relative_change_from_zero_is_missing_not_infinite() -> None:
    result = greenscore.evaluate(
        {"income": 10, "carbon": 0.5},
        PROGRESS,
        history=[{"income": 0, "carbon": 0.6}, {"income": 0, "carbon": 0.7}],
    )
    assert result.indicator("growth").value is None


def test_history_values_are_validated() -> None:
    with pytest.raises(greenscore.ProfileError) as info:
        greenscore.evaluate({"income": 1, "carbon": 1}, PROGRESS, history=[{"income": "lots"}])
    assert info.value.problems[0].field == "history[0].income"


QUOTA = """
name: quota
version: "1"
inputs: [{id: x}]
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
tiers:
  - {id: excellent, min_score: 60, max_share: 0.2}
  - {id: good, min_score: 40, max_share: 0.4}
  - {id: rest, min_score: 0}
"""


def tiers_for(values: list[float], rubric: str = QUOTA) -> list[str]:
    plan = compile_rubric(greenscore.load_rubric(rubric))
    scores = plan.score({"x": np.array(values, dtype=float)}, len(values))
    return [plan.tier_ids[t] for t in scores.tier]


def test_quota_keeps_the_best_share() -> None:
    # 10 parks: 20 % → 2 excellent, 40 % → 4 good, the rest fall through
    values = [95, 90, 85, 80, 75, 70, 65, 50, 30, 10]
    assert tiers_for(values) == ["excellent"] * 2 + ["good"] * 4 + ["rest"] * 4


def test_quota_ties_are_resolved_against_the_quota() -> None:
    # three parks tie for the two excellent places: all three drop to good
    values = [90, 90, 90, 80, 50, 45, 30, 20, 10, 5]
    assert tiers_for(values) == ["good"] * 4 + ["rest"] * 6


def test_quota_never_lifts_a_park_below_the_minimum_score() -> None:
    assert tiers_for([30, 20, 10]) == ["rest"] * 3


def test_quota_rubric_needs_a_cohort_or_calibration() -> None:
    with pytest.raises(greenscore.CohortRequiredError, match="quota"):
        greenscore.evaluate({"x": 99}, QUOTA)
    calibrated = greenscore.load_rubric(QUOTA).model_copy(
        update={"cohort": {QUOTA_KEY: {"excellent": 85.0, "good": 65.0}}}
    )
    assert greenscore.evaluate({"x": 90}, calibrated).tier.id == "excellent"
    assert greenscore.evaluate({"x": 84}, calibrated).tier.id == "good"
    assert greenscore.evaluate({"x": 50}, calibrated).tier.id == "rest"


def test_lag_column_names() -> None:
    assert lag_column("income", 2) == "income@-2"
