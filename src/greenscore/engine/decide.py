"""Stage 5, decide: vetoes, deductions, rounding, tiers, caps, forced tiers and places.

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


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero for non-negative scores, as official tables do (84.45 → 84.5)."""
    factor = 10.0**decimals
    return np.floor(np.round(x * factor, 6) + 0.5) / factor


def _vetoes(plan: Plan, s: Scores) -> None:
    """Which vetoes fired on each row, and the points each deduction takes."""
    n = s.n
    for v, veto in enumerate(plan.rubric.vetoes):
        condition = plan.veto_conditions[v]
        if condition is None:
            fired = np.ones(n, dtype=bool)
        else:
            truth = rows_of(condition(s.values), n)
            fired = np.isnan(truth) | (truth != 0)
        if veto.kind == "deduct":
            spec = plan.veto_points[v]
            points = rows_of(spec(s.values) if isinstance(spec, Formula) else spec, n)
            unknown = fired & np.isnan(points)
            s.veto_unknown[:, v] = unknown
            points = np.where(fired & ~unknown, np.maximum(points, 0.0), 0.0)
            fired = points > 0
            s.veto_points[:, v] = points
        s.veto_fired[:, v] = fired


def decide(plan: Plan, s: Scores) -> Scores:
    """Fill in vetoes, deductions, the clamped and rounded total, and the tiers (in place).

    Places (engine/places.py) come last and never move a forced tier or a unit outside the
    ranking; a forced row takes up a place of its tier."""
    rubric = plan.rubric
    n = s.n
    _vetoes(plan, s)
    s.veto_fired[:, plan.unrated_vetoes] = s.unrated_fired
    s.error_rows = s.error_rows | (s.veto_unknown.any(axis=1) & s.ranked)
    s.deductions = s.veto_points.sum(axis=1)
    total = np.clip(s.raw_total - s.deductions, plan.scale_min, plan.scale_max)
    if rubric.rounding is not None:
        total = round_half_up(total - plan.scale_min, rubric.rounding.decimals) + plan.scale_min
        total = np.clip(total, plan.scale_min, plan.scale_max)
    s.total = total
    eligible = total[:, None] >= plan.tier_min[None, :]
    for t, tier_spec in enumerate(rubric.tiers):
        for cond in tier_spec.conditions:
            eligible[:, t] &= condition_met(plan, cond, s)
    eligible[:, plan.outside_tiers] = False
    eligible[:, plan.fallback] = True
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
    tier, s.pulled = place(plan, tier, s.total, eligible, s.fixed, s.pools, s.ranked)
    s.tier = np.where(s.ranked, tier, s.outside)
    s.total = np.where(s.ranked, s.total, np.nan)
    return s


def _top_dimensions(plan: Plan, cond: m.DimensionMin) -> list[str]:
    return cond.dimensions or [plan.dimensions[i].spec.id for i in plan.top]


def _no_veto_columns(plan: Plan, cond: m.NoVeto) -> list[int]:
    return [
        i
        for i, veto in enumerate(plan.rubric.vetoes)
        if (cond.vetoes is None or veto.id in cond.vetoes)
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
