"""The improvement path: applied and re-evaluated it reaches the next tier, with the least
effort where that can be computed by hand."""

from __future__ import annotations

import pytest

import greenscore
from greenscore import evaluate
from greenscore.explain.gap import next_tier_gap


def test_every_park_below_the_top_reaches_the_next_tier_with_its_path(jiangxi, tier_index):
    """All 94 parks: the improvement path, applied and re-evaluated, reaches the next tier; the
    only parks without a path are the top tier and those under a one-vote veto."""
    rubric = greenscore.default_rubric()
    below_top = [row for row in jiangxi if row[1].tier.id != rubric.tiers[0].id]
    assert len(jiangxi) == 94
    assert len(below_top) == 87
    reached, vetoed = 0, 0
    for profile, assessment, gap in below_top:
        forced = [v for v in assessment.vetoes if v.kind == "force_tier"]
        if forced:
            vetoed += 1
            assert gap.status == "vetoed" and gap.path is None
            assert all(not g.reachable for g in gap.indicators)
            continue
        assert gap.status == "reachable", gap.explain()
        after = evaluate(gap.path.apply(profile))
        target = tier_index(gap.target)
        assert tier_index(after.tier.id) <= target, gap.explain()
        assert after.total == pytest.approx(gap.path.total_after)
        assert gap.path.effort > 0
        reached += 1
    assert (reached, vetoed) == (84, 3)


def _lowest_rounding_to(score: float) -> float:
    """The least raw total the engine rounds up to ``score`` at one decimal: round_half_up counts
    a value within a few ulps of the decimal tie as the tie, so 10x ≥ 10·score − 0.5 is enough
    (to far within the 1e-9 these tests allow)."""
    return (10 * score - 0.5) / 10


def test_golden_two_linear_indicators(two_linear):
    """Hand computation: total = (3a + b) / 4, rounded half up to 0.1.

    From a = b = 40 (total 40) the next tier needs a rounded total of 60, i.e. 3a + b ≥ 4·t with
    t = 59.95 (see _lowest_rounding_to): a alone ≥ 66.6; b alone would need 119.8 >
    100. The cheapest path raises a (three times the weight per unit of effort) and leaves b.
    """
    gap = next_tier_gap({"a": 40, "b": 40}, rubric=two_linear)
    assert gap.target == "mid" and gap.points_needed == pytest.approx(20.0)
    a_needed = (4 * _lowest_rounding_to(60) - 40) / 3
    a = gap.indicator("ia")
    assert a.reachable and a.required == pytest.approx(a_needed, abs=1e-9)
    assert a.action == "raise a from 40 to 66.6 (+26.6)"
    b = gap.indicator("ib")
    assert not b.reachable and "even at its best the total would be 55" in b.reason
    assert [s.indicator for s in gap.path.steps] == ["ia"]
    assert gap.path.steps[0].required == pytest.approx(a_needed, abs=1e-9)
    assert gap.path.effort == pytest.approx((a_needed - 40) / 100, abs=1e-9)


def test_golden_path_fills_the_best_rate_first(two_linear):
    """From a = 90, b = 10 (total 70): the top tier needs 3a + b ≥ 319.8. a alone would need
    103.27 (capped at 100: unreachable); b alone needs 49.8 (effort 0.398). The least-effort path
    raises a to its cap (effort 0.1, +7.5 points) then b to 19.8 (effort 0.098): 0.198 in all."""
    gap = next_tier_gap({"a": 90, "b": 10}, rubric=two_linear)
    assert gap.target == "top"
    assert not gap.indicator("ia").reachable
    needed = 4 * _lowest_rounding_to(80)
    assert gap.indicator("ib").required == pytest.approx(needed - 270, abs=1e-9)
    steps = {s.indicator: s for s in gap.path.steps}
    assert steps["ia"].required == pytest.approx(100.0)
    assert steps["ib"].required == pytest.approx(needed - 300, abs=1e-9)
    assert gap.path.effort == pytest.approx(0.1 + (needed - 310) / 100, abs=1e-9)
    assert evaluate(gap.path.apply({"a": 90, "b": 10}), two_linear).tier.id == "top"


def test_mixed_path_verifies(mixed, mixed_rubric, mixed_profile):
    gap = mixed
    assert gap.status == "reachable"
    after = evaluate(gap.path.apply(mixed_profile), mixed_rubric)
    assert after.tier.id in ("top", "mid")
