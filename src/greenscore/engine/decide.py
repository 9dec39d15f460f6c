"""Stage 5, decide: vetoes, bonuses, deductions, bounds, rounding, tiers, caps, forced tiers, places.

Depends on nothing but the plan and the scores up to the weighted total (it writes the
decision into those Scores); public so that the property tests decide exactly as a batch does,
and so that the gap search words and measures tier conditions as the engine checks them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

import numpy as np

from greenscore.engine.derive import rows_of
from greenscore.engine.places import place
from greenscore.rubric import models as m
from greenscore.rubric.formula import Formula

if TYPE_CHECKING:
    from greenscore.engine.plan import Plan
    from greenscore.engine.scores import Scores

ROUNDING_GUARD_ULPS = 4
"""A value within this many units in the last place of x·10^d of a decimal tie counts as the tie:
enough to absorb the rounding error of the arithmetic that produced it, and no more."""


def _rounded(x: np.ndarray, decimals: int, half_even: bool) -> np.ndarray:
    """x rounded to `decimals`, with decimal ties (within the guard) up or to even."""
    factor = 10.0**decimals
    y = np.asarray(x, dtype=float) * factor
    low = np.floor(y)
    frac = y - low
    guard = ROUNDING_GUARD_ULPS * np.spacing(np.abs(y))
    tie = (np.abs(frac - 0.5) <= guard) & (guard < 0.5)
    up = (frac > 0.5) & ~tie
    if half_even:
        up |= tie & (np.mod(low, 2) == 1)
    else:
        up |= tie
    return np.asarray((low + up) / factor)


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half up, as official tables do (84.45 → 84.5, 84.44999996 → 84.4).

    A tie is a value within ROUNDING_GUARD_ULPS units in the last place of x·10^d of the decimal
    tie, so 84.45 (stored as 84.4500000000000028…) counts as one; ties go towards +∞.
    """
    return _rounded(x, decimals, half_even=False)


def round_half_even(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half to even, as many published indices do (84.45 → 84.4, 84.55 → 84.6).

    Ties are recognised with the same guard as round_half_up.
    """
    return _rounded(x, decimals, half_even=True)


def round_scores(x: np.ndarray, decimals: int, mode: str, base: float) -> np.ndarray:
    """Scores rounded by the rubric's rule, measured from the scale minimum `base`."""
    rounded = _rounded(x - base, decimals, half_even=mode == "half_even")
    return np.asarray(rounded + base)


def bound_total(plan: Plan, x: np.ndarray) -> np.ndarray:
    """Totals held within the rubric's floor and ceiling (the scale's ends, unless lifted)."""
    return np.asarray(np.clip(x, plan.total_low, plan.total_high))


def _vetoes(plan: Plan, s: Scores) -> None:
    """Which items fired on each row, and the points each deduction or bonus gives.

    Missing data never pays: a condition that cannot be worked out fires a veto or a deduction
    but no bonus; points that cannot be worked out, or come out negative, flag the row.
    """
    n = s.n
    for v, veto in enumerate(plan.rubric.vetoes):
        condition = plan.veto_conditions[v]
        if condition is None:
            fired = np.ones(n, dtype=bool)
        else:
            truth = rows_of(condition(s.values), n)
            unknown_when = np.isnan(truth)
            fired = (truth != 0) & ~unknown_when
            if veto.kind != "bonus":
                fired |= unknown_when
        if veto.kind in m.POINT_KINDS:
            spec = plan.veto_points[v]
            points = rows_of(spec(s.values) if isinstance(spec, Formula) else spec, n)
            unknown = fired & np.isnan(points)
            negative = fired & (points < 0)
            uncapped = np.where(fired & ~unknown, points, 0.0)
            capped = np.minimum(uncapped, veto.cap) if veto.cap is not None else uncapped
            s.veto_unknown[:, v] = unknown
            s.veto_negative[:, v] = negative
            s.veto_uncapped[:, v] = uncapped
            s.veto_points[:, v] = np.where(negative, 0.0, capped)
            fired = s.veto_points[:, v] > 0
        s.veto_fired[:, v] = fired


def _capped_sum(points: np.ndarray, cap: float | None) -> np.ndarray:
    total: np.ndarray = points.sum(axis=1)
    return total if cap is None else np.minimum(total, cap)


def decide(plan: Plan, s: Scores) -> Scores:
    """Fill in vetoes, bonuses, deductions, the bounded and rounded total, and the tiers (in place).

    The total is the weighted score + bonuses − deductions, held within the rubric's floor and
    ceiling, then rounded; reported dimension scores are rounded too when the rubric says so.
    Tiers and places compare the merit, the total read the rubric's way round (minus the total
    where a lower total is better). Places (engine/places.py) come last and never move a forced
    tier or a unit outside the ranking; a forced row takes up a place of its tier.
    """
    rubric = plan.rubric
    n = s.n
    _vetoes(plan, s)
    s.veto_fired[:, plan.unrated_vetoes] = s.unrated_fired
    unknown = s.veto_unknown.any(axis=1) | s.veto_negative.any(axis=1)
    s.error_rows = s.error_rows | (unknown & s.ranked)
    s.deductions = _capped_sum(s.veto_points[:, plan.deduct_items], rubric.total.deduction_cap)
    s.bonuses = _capped_sum(s.veto_points[:, plan.bonus_items], rubric.total.bonus_cap)
    s.unclamped = s.raw_total + s.bonuses - s.deductions
    total = bound_total(plan, s.unclamped)
    rounding = rubric.rounding
    if rounding is not None:
        total = round_scores(total, rounding.decimals, rounding.mode, plan.scale_min)
        total = bound_total(plan, total)
        if rounding.dimensions is not None:
            s.dimension_score = round_scores(
                s.dimension_exact, rounding.dimensions, rounding.mode, plan.scale_min
            )
    s.total = total
    eligible = eligibility(plan, s)
    s.score_tier = np.argmax(eligible, axis=1)
    tier: np.ndarray = s.score_tier.copy()
    forced = np.full(n, -1)
    for v, veto in enumerate(rubric.vetoes):
        if veto.kind == "cap_tier" and veto.tier is not None:
            cap = plan.tier_index[veto.tier]
            tier = np.where(s.veto_fired[:, v], np.maximum(tier, cap), tier)
        elif veto.kind == "force_tier" and veto.tier is not None:
            target_tier = plan.tier_index[veto.tier]
            forced = np.where(s.veto_fired[:, v], np.maximum(forced, target_tier), forced)
    s.fixed = (forced >= 0) | ~s.ranked
    tier = np.where(forced >= 0, forced, tier)
    tier, s.pulled = place(plan, tier, plan.sign * total, eligible, s.fixed, s.pools, s.ranked)
    s.tier = np.where(s.ranked, tier, s.outside)
    s.total = np.where(s.ranked, s.total, np.nan)
    return s


def eligibility(plan: Plan, s: Scores) -> np.ndarray:
    """Which tiers each row qualifies for by its total and the tiers' conditions (rows × tiers):
    what place limits move a row down through."""
    eligible = (plan.sign * s.total)[:, None] >= plan.tier_min[None, :]
    for t, tier_spec in enumerate(plan.rubric.tiers):
        for cond in tier_spec.conditions:
            eligible[:, t] &= condition_met(plan, cond, s)
    eligible[:, plan.outside_tiers] = False
    eligible[:, plan.fallback] = True
    return eligible


def _top_dimensions(plan: Plan, cond: m.DimensionMin) -> list[str]:
    return cond.dimensions or [plan.dimensions[i].spec.id for i in plan.top]


def _no_veto_columns(plan: Plan, cond: m.NoVeto) -> list[int]:
    return [
        i
        for i, veto in enumerate(plan.rubric.vetoes)
        if veto.kind != "bonus"
        and (cond.vetoes is None or veto.id in cond.vetoes)
        and (cond.kinds is None or veto.kind in cond.kinds)
    ]


def condition_parts(plan: Plan, cond: m.TierCondition) -> list[m.TierCondition]:
    """The condition as one condition per score or veto it names, to tell which part fails.

    A dimension minimum gives one part per dimension it covers, a no-veto condition one per veto;
    an indicator minimum is its own part. The condition holds where every part holds.
    """
    if isinstance(cond, m.DimensionMin):
        return [cond.model_copy(update={"dimensions": [d]}) for d in _top_dimensions(plan, cond)]
    if isinstance(cond, m.IndicatorMin):
        return [cond]
    if isinstance(cond, m.NoVeto):
        vetoes = plan.rubric.vetoes
        return [
            cond.model_copy(update={"vetoes": [vetoes[i].id], "kinds": None})
            for i in _no_veto_columns(plan, cond)
        ]
    assert_never(cond)


def condition_met(plan: Plan, cond: m.TierCondition, s: Scores) -> np.ndarray:
    """Whether a tier condition holds on each row of the scores."""
    if isinstance(cond, m.DimensionMin):
        cols = [plan.dimension_index[i] for i in _top_dimensions(plan, cond)]
        return np.asarray(np.all(s.dimension_score[:, cols] >= cond.score, axis=1))
    if isinstance(cond, m.IndicatorMin):
        return s.indicator_score[:, plan.indicator_index[cond.indicator]] >= cond.score
    if isinstance(cond, m.NoVeto):
        vetoes = _no_veto_columns(plan, cond)
        if not vetoes:
            return np.ones(s.n, dtype=bool)
        return np.asarray(~s.veto_fired[:, vetoes].any(axis=1))
    assert_never(cond)


def condition_deficit(plan: Plan, cond: m.TierCondition, s: Scores) -> np.ndarray:
    """Points a row lacks to meet a score condition (0 when met; a missing score counts as 0).

    A no-veto condition has no points to make up and gives 0: see condition_met.
    """
    if isinstance(cond, m.DimensionMin):
        short = np.zeros(s.n)
        for dim in _top_dimensions(plan, cond):
            got = np.nan_to_num(s.dimension_score[:, plan.dimension_index[dim]], nan=0.0)
            short = short + np.maximum(0.0, cond.score - got)
        return short
    if isinstance(cond, m.IndicatorMin):
        got = np.nan_to_num(s.indicator_score[:, plan.indicator_index[cond.indicator]], nan=0.0)
        return np.asarray(np.maximum(0.0, cond.score - got))
    if isinstance(cond, m.NoVeto):
        return np.zeros(s.n)
    assert_never(cond)
