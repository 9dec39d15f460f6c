"""Gap to the next tier: exact single-indicator thresholds and combined plans that verifiably work."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore import GreenscoreError, evaluate, load_rubric
from greenscore.explain.gap import next_tier_gap

ROOT = Path(__file__).resolve().parents[2]
PARKS_2016 = ROOT / "examples" / "jiangxi" / "parks_2016.csv"

TWO_LINEAR = """
name: two linear indicators
version: "1"
rounding: {decimals: 1}
inputs:
  - {id: a, min: 0, max: 100}
  - {id: b, min: 0, max: 100}
dimensions:
  - id: d
    indicators:
      - {id: ia, input: a, method: linear, goalposts: {worst: 0, best: 100}, weight: 3}
      - {id: ib, input: b, method: linear, goalposts: {worst: 0, best: 100}, weight: 1}
tiers:
  - {id: top, min_score: 80}
  - {id: mid, min_score: 60}
  - {id: low, min_score: 0}
"""

MIXED = """
name: mixed methods
version: "1"
rounding: {decimals: 1}
inputs:
  - {id: income, min: 0}
  - {id: land, min: 0}
  - {id: firms, type: integer, min: 0, max: 50}
  - {id: industries, type: integer, min: 1, max: 20}
  - {id: stage, type: category, categories: [low, mid, high]}
  - {id: plan, type: boolean}
  - {id: audit, type: boolean}
  - {id: share, min: 0, max: 100}
  - {id: incidents, type: integer, min: 0}
derived:
  - {id: density, formula: "income * 100 / land"}
  - {id: mixed_ratio, formula: "(income + land) / land"}
dimensions:
  - id: d
    indicators:
      - {id: dens, input: density, method: linear, goalposts: {worst: 0, best: 50}, weight: 3}
      - {id: ratio, input: mixed_ratio, method: linear, goalposts: {worst: 1, best: 3}}
      - {id: firm_count, input: firms, method: linear, goalposts: {worst: 0, best: 10}}
      - id: focus
        input: industries
        method: bands
        direction: lower
        bands:
          - {to: 3, points: 100}
          - {from: 3, to: 5, points: 60}
          - {from: 5, points: 20}
      - id: stage
        input: stage
        method: categorical
        points: {low: 0, mid: 60, high: 100}
      - id: basics
        method: checklist
        at_least: 2
        items: [{input: plan}, {input: audit}]
      - {id: mix, input: share, method: target, target: 50, tolerance: 5, worst_distance: 30}
vetoes:
  - {id: major, kind: force_tier, when: incidents > 0, tier: low, reason: Major incident}
tiers:
  - {id: top, min_score: 90}
  - {id: mid, min_score: 40}
  - {id: low, min_score: 0}
"""


def _profiles() -> list[dict[str, object]]:
    frame = pd.read_csv(PARKS_2016, dtype=str, keep_default_na=False)
    return frame.to_dict(orient="records")


@pytest.fixture(scope="module")
def jiangxi(
    jiangxi_batch, jiangxi_gaps
) -> list[tuple[dict[str, object], greenscore.Assessment, object]]:
    """Each park's profile, assessment and gap, from the session's shared 2016 assessment."""
    parks = jiangxi_batch.results["park_id"].astype(str)
    return [
        (jiangxi_batch.profile(park), jiangxi_batch.assessment(park), jiangxi_gaps[park])
        for park in parks
    ]


def _tier_index(rubric: greenscore.Rubric, tier: str) -> int:
    return [t.id for t in rubric.tiers].index(tier)


def test_every_park_below_the_top_reaches_the_next_tier_with_its_plan(jiangxi):
    """All 94 parks: the combined plan, applied and re-evaluated, reaches the next tier; the only
    parks without a plan are the top tier and those under a one-vote veto."""
    rubric = greenscore.default_rubric()
    below_top = [row for row in jiangxi if row[1].tier.id != rubric.tiers[0].id]
    assert len(jiangxi) == 94
    assert len(below_top) == 87
    reached, vetoed = 0, 0
    for profile, assessment, gap in below_top:
        forced = [v for v in assessment.vetoes if v.kind == "force_tier"]
        if forced:
            vetoed += 1
            assert gap.status == "vetoed" and gap.plan is None
            assert all(not g.reachable for g in gap.indicators)
            continue
        assert gap.status == "reachable", gap.explain()
        after = evaluate(gap.plan.apply(profile))
        target = _tier_index(rubric, gap.target)
        assert _tier_index(rubric, after.tier.id) <= target, gap.explain()
        assert after.total == pytest.approx(gap.plan.total_after)
        assert gap.plan.effort > 0
        reached += 1
    assert (reached, vetoed) == (84, 3)


def test_single_indicator_gaps_are_exact_or_explained(jiangxi):
    """Each reachable single-indicator change reaches the tier and 1e-9 (or one unit) less does
    not; each unreachable one says why."""
    rubric = greenscore.default_rubric()
    checked = 0
    for profile, _, gap in jiangxi:
        if gap.status == "top":
            continue
        target = _tier_index(rubric, gap.target)
        for single in gap.indicators:
            if not single.reachable:
                assert single.reason and single.action.startswith("not reachable")
                continue
            assert single.verified, single.text
            if single.input is None or isinstance(single.required, str):
                continue
            spec = rubric.input(single.input)
            required = single.required
            changed = evaluate({**profile, single.input: _typed(spec, required)})
            assert _tier_index(rubric, changed.tier.id) <= target, single.text
            if single.current is None or single.change == 0:
                continue
            step = 1.0 if spec.type == "integer" else 1e-9 * max(1.0, abs(required))
            less = required - math.copysign(step, single.change)
            if (less - single.current) * single.change <= 0:
                less = single.current
            short = evaluate({**profile, single.input: _typed(spec, less)})
            assert _tier_index(rubric, short.tier.id) > target, single.text
            checked += 1
    assert checked > 100


def _typed(spec, value):
    return round(value) if spec.type == "integer" else float(value)


def test_vetoed_park_is_told_what_the_veto_requires(jiangxi):
    gap = next(g for p, a, g in jiangxi if a.entity == "JX021")
    assert gap.status == "vetoed"
    assert gap.plan is None
    assert any("major_incidents) ≤ 0" in text for text in gap.veto_requirements)
    assert "vetoed" in gap.reason and "no indicator can change the tier" in gap.reason
    assert "vetoed" in gap.explain()


def test_top_tier_has_no_gap(jiangxi):
    gap = next(g for p, a, g in jiangxi if a.entity == "JX001")
    assert gap.status == "top" and gap.target is None and gap.plan is None


def test_cap_veto_blocks_the_capped_tiers():
    profile = next(p for p in _profiles() if p["park_id"] == "JX001")
    capped = {**profile, "serious_incidents": "1"}
    gap = next_tier_gap(capped)
    assert evaluate(capped).tier.id == "good"
    assert gap.status == "capped" and gap.plan is None
    assert any("serious_incidents) ≤ 0" in text for text in gap.veto_requirements)


def _lowest_rounding_to(score: float) -> float:
    """The least raw total the engine rounds up to ``score`` at one decimal: round_half_up takes
    floor(round(10x, 6) + 0.5) / 10, so 10x ≥ 10·score − 0.5 − 5e-7 is enough."""
    return (10 * score - 0.5 - 5e-7) / 10


def test_golden_two_linear_indicators():
    """Hand computation: total = (3a + b) / 4, rounded half up to 0.1.

    From a = b = 40 (total 40) the next tier needs a rounded total of 60, i.e. 3a + b ≥ 4·t with
    t = 59.94999995 (see _lowest_rounding_to): a alone ≥ 66.59999993; b alone would need 119.8 >
    100. The cheapest plan raises a (three times the weight per unit of effort) and leaves b.
    """
    rubric = load_rubric(TWO_LINEAR)
    gap = next_tier_gap({"a": 40, "b": 40}, rubric=rubric)
    assert gap.target == "mid" and gap.points_needed == pytest.approx(20.0)
    a_needed = (4 * _lowest_rounding_to(60) - 40) / 3
    a = gap.indicator("ia")
    assert a.reachable and a.required == pytest.approx(a_needed, abs=1e-9)
    assert a.action == "raise a from 40 to 66.6 (+26.6)"
    b = gap.indicator("ib")
    assert not b.reachable and "even at its best the total would be 55" in b.reason
    assert [s.indicator for s in gap.plan.steps] == ["ia"]
    assert gap.plan.steps[0].required == pytest.approx(a_needed, abs=1e-9)
    assert gap.plan.effort == pytest.approx((a_needed - 40) / 100, abs=1e-9)


def test_golden_plan_fills_the_best_rate_first():
    """From a = 90, b = 10 (total 70): the top tier needs 3a + b ≥ 319.8. a alone would need
    103.27 (capped at 100: unreachable); b alone needs 49.8 (effort 0.398). The least-effort plan
    raises a to its cap (effort 0.1, +7.5 points) then b to 19.8 (effort 0.098): 0.198 in all
    (each less 2e-7 for the engine's rounding tolerance)."""
    rubric = load_rubric(TWO_LINEAR)
    gap = next_tier_gap({"a": 90, "b": 10}, rubric=rubric)
    assert gap.target == "top"
    assert not gap.indicator("ia").reachable
    needed = 4 * _lowest_rounding_to(80)
    assert gap.indicator("ib").required == pytest.approx(needed - 270, abs=1e-9)
    steps = {s.indicator: s for s in gap.plan.steps}
    assert steps["ia"].required == pytest.approx(100.0)
    assert steps["ib"].required == pytest.approx(needed - 300, abs=1e-9)
    assert gap.plan.effort == pytest.approx(0.1 + (needed - 310) / 100, abs=1e-9)
    assert evaluate(gap.plan.apply({"a": 90, "b": 10}), rubric).tier.id == "top"


MIXED_PROFILE = {
    "income": 30.0,
    "land": 100.0,
    "firms": 5,
    "industries": 6,
    "stage": "low",
    "plan": True,
    "audit": False,
    "share": 35.0,
    "incidents": 0,
}


@pytest.fixture(scope="module")
def mixed():
    rubric = load_rubric(MIXED)
    return rubric, next_tier_gap(MIXED_PROFILE, rubric=rubric)


def test_derived_input_moves_its_numerator(mixed):
    _, gap = mixed
    dens = gap.indicator("dens")
    assert dens.reachable and dens.input == "income" and dens.via == "density"
    assert dens.verified
    ratio = gap.indicator("ratio")
    assert not ratio.reachable and "no single input in its numerator" in ratio.reason


def test_discrete_methods_take_the_smallest_step(mixed):
    _, gap = mixed
    focus = gap.indicator("focus")
    assert focus.reachable and focus.required == 4.0 and focus.change == -2.0
    stage = gap.indicator("stage")
    assert stage.reachable and stage.required == "mid"
    basics = gap.indicator("basics")
    assert basics.reachable and basics.items == ("audit",)
    firms = gap.indicator("firm_count")
    assert firms.reachable and float(firms.required).is_integer()
    mix = gap.indicator("mix")
    assert mix.reachable and mix.change > 0 and mix.required <= 45 + 1e-9


def test_mixed_plan_verifies(mixed):
    rubric, gap = mixed
    assert gap.status == "reachable"
    after = evaluate(gap.plan.apply(MIXED_PROFILE), rubric)
    assert after.tier.id in ("top", "mid")
    assert isinstance(gap.plan.changes.get("firms", 0), int)


def test_vetoed_profile_gets_no_plan():
    rubric = load_rubric(MIXED)
    gap = next_tier_gap({**MIXED_PROFILE, "incidents": 2}, rubric=rubric)
    assert gap.status == "vetoed" and gap.plan is None
    assert gap.veto_requirements and "incidents ≤ 0 (now incidents = 2)" in gap.veto_requirements[0]


def test_assessment_and_profile_must_match():
    profile = _profiles()[3]
    assessment = evaluate(profile)
    with pytest.raises(GreenscoreError, match="pass the profile"):
        next_tier_gap(assessment)
    with pytest.raises(GreenscoreError, match="not the assessment's"):
        next_tier_gap(assessment, {**profile, "plot_ratio": "1.5"})
    with pytest.raises(GreenscoreError, match="rubric sha256"):
        next_tier_gap(assessment, profile, load_rubric(TWO_LINEAR))


def test_missing_optional_value_is_reported_as_a_value_to_report():
    profile = next(p for p in _profiles() if p["water_reuse_rate"] == "")
    gap = next_tier_gap(profile)
    water = gap.indicator("water_reuse")
    assert water.current is None
    if water.reachable:
        assert "not reported now" in water.action


def test_to_dict_is_plain_data(jiangxi):
    import json

    gap = next(g for p, a, g in jiangxi if g.status == "reachable")
    text = json.dumps(gap.to_dict(), ensure_ascii=False)
    assert gap.target in text


def test_quota_tier_targets_its_frozen_cutoff():
    """A tier capped at 10 % of parks, calibrated on 2016, admits from its frozen cut-off score
    (above its minimum): plans aim there and verify; uncalibrated, no gap is claimed."""
    from greenscore.batch.assess import calibrate
    from greenscore.errors import CohortRequiredError

    text = (ROOT / "rubrics" / "jiangxi-parks.yaml").read_text(encoding="utf-8")
    quota = load_rubric(
        text.replace("    min_score: 65\n", "    min_score: 65\n    max_share: 0.1\n")
    )
    calibrated = calibrate(quota, PARKS_2016)
    cutoff = calibrated.cohort["@tiers"]["good"]
    assert cutoff > 65
    targets = 0
    for profile in _profiles()[:40]:
        gap = next_tier_gap(profile, rubric=calibrated)
        if gap.target == "good" and gap.plan is not None:
            after = evaluate(gap.plan.apply(profile), calibrated)
            assert after.tier.id in ("good", "excellent") and after.total >= cutoff
            targets += 1
    assert targets > 10
    with pytest.raises(CohortRequiredError, match="calibrate"):
        next_tier_gap(_profiles()[0], rubric=quota)
