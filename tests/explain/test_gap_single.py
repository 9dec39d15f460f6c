"""Each indicator alone: exact thresholds (1e-9 or one unit less no longer reaches the tier),
the smallest discrete step, derived inputs moved through their numerator."""

from __future__ import annotations

import math

import greenscore
from greenscore import evaluate
from greenscore.explain.gap import next_tier_gap


def test_single_indicator_gaps_are_exact_or_explained(jiangxi, tier_index):
    """Each reachable single-indicator change reaches the tier and 1e-9 (or one unit) less does
    not; each unreachable one says why."""
    rubric = greenscore.default_rubric()
    checked = 0
    for profile, _, gap in jiangxi:
        if gap.status == "top":
            continue
        target = tier_index(gap.target)
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
            assert tier_index(changed.tier.id) <= target, single.text
            if single.current is None or single.change == 0:
                continue
            step = 1.0 if spec.type == "integer" else 1e-9 * max(1.0, abs(required))
            less = required - math.copysign(step, single.change)
            if (less - single.current) * single.change <= 0:
                less = single.current
            short = evaluate({**profile, single.input: _typed(spec, less)})
            assert tier_index(short.tier.id) > target, single.text
            checked += 1
    assert checked > 100


def _typed(spec, value):
    return round(value) if spec.type == "integer" else float(value)


def test_derived_input_moves_its_numerator(mixed):
    gap = mixed
    dens = gap.indicator("dens")
    assert dens.reachable and dens.input == "income" and dens.via == "density"
    assert dens.verified
    ratio = gap.indicator("ratio")
    assert not ratio.reachable and "no single input in its numerator" in ratio.reason


def test_discrete_methods_take_the_smallest_step(mixed):
    gap = mixed
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


def test_a_missing_optional_value_has_no_current_value(profiles):
    """Every 2016 park with a blank water reuse rate is short of the next tier by more than that
    indicator alone can give, so only the missing current value is checked here."""
    profile = next(p for p in profiles if p["water_reuse_rate"] == "")
    gap = next_tier_gap(profile)
    water = gap.indicator("water_reuse")
    assert water.current is None
    assert not water.reachable
