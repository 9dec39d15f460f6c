"""Gap to the next tier: the least change of each indicator alone, and one improvement path.

Every search scores candidate profiles through the compiled plan (as ``evaluate`` does) and
every answer is verified by re-evaluating the changed profile with :func:`greenscore.evaluate`.
See docs/reports.md for the methods and the meaning of "normalised effort". The search is split
along its seams: result types (types.py), the scoring harness (harness.py), wording (wording.py),
levers (levers.py), each indicator alone (single.py) and the combined improvement path (path.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from greenscore.engine.compile import IndicatorStep
from greenscore.engine.evaluate import evaluate
from greenscore.engine.inputs import profile_mapping
from greenscore.engine.plan import Plan, compile_rubric
from greenscore.engine.result import Assessment
from greenscore.errors import CohortRequiredError, GreenscoreError
from greenscore.explain.harness import Park
from greenscore.explain.levers import Lever, lever_for
from greenscore.explain.path import combined_path
from greenscore.explain.single import single_gaps, unreachable
from greenscore.explain.types import IndicatorGap, Status, TierGap
from greenscore.explain.wording import blocked_conditions, veto_requirement
from greenscore.methods import moved_inputs
from greenscore.methods.base import fmt
from greenscore.rubric.load import RubricLike, load_rubric


def next_tier_gap(
    assessment_or_profile: Any, profile: Any = None, rubric: RubricLike = None
) -> TierGap:
    """The gap from a park's tier to the next: each indicator alone, and one improvement path.

    Pass an Assessment with the profile it was made from (an Assessment holds scores, not every
    raw input), or just a profile. ``rubric`` defaults to the bundled one and must be the rubric
    the assessment was made with.
    """
    loaded = load_rubric(rubric)
    plan = compile_rubric(loaded)
    if plan.needs_cohort:
        raise CohortRequiredError.for_task(plan.cohort_items, "the gap to the next tier")
    if isinstance(assessment_or_profile, Assessment):
        if profile is None:
            raise GreenscoreError(
                "next_tier_gap(assessment, profile): an Assessment holds scores, not every raw "
                "input; pass the profile it was made from as well"
            )
        assessment = assessment_or_profile
        if assessment.rubric_sha256 != plan.sha256:
            raise GreenscoreError(
                f"the assessment was made with rubric sha256 {assessment.rubric_sha256[:12]}…, "
                f"not {plan.sha256[:12]}… ({loaded.name} {loaded.version}): pass its rubric"
            )
        data = profile_mapping(profile)
        fresh = evaluate(data, loaded)
        if fresh.tier.id != assessment.tier.id or abs(fresh.total - assessment.total) > 1e-9:
            raise GreenscoreError(
                f"the profile scores {fmt(fresh.total)} ({fresh.tier.id}), not the assessment's "
                f"{fmt(assessment.total)} ({assessment.tier.id}): pass the profile it was made from"
            )
    else:
        if profile is not None:
            raise GreenscoreError("pass either an Assessment and its profile, or a profile alone")
        data = profile_mapping(assessment_or_profile)
        assessment = evaluate(data, loaded)
    return _gap(plan, assessment, data)


def _gap(plan: Plan, a: Assessment, data: Mapping[str, Any]) -> TierGap:
    rubric = plan.rubric
    current = plan.tier_index[a.tier.id]
    base: dict[str, Any] = {
        "entity": a.entity,
        "period": None if a.period is None else str(a.period),
        "tier": a.tier.id,
        "tier_label": a.tier.label,
        "total": a.total,
    }
    if current == 0:
        return TierGap(
            **base,
            target=None,
            target_label=None,
            target_min_score=None,
            points_needed=None,
            status="top",
            reason="already in the top tier",
            veto_requirements=(),
            indicators=(),
            path=None,
        )
    target = current - 1
    tier = rubric.tiers[target]
    park = Park(plan, data, target)
    requirements = tuple(veto_requirement(plan, park, v.id) for v in a.vetoes if v.kind != "bonus")
    head: dict[str, Any] = {
        **base,
        "target": tier.id,
        "target_label": tier.label,
        "target_min_score": tier.min_score,
        "points_needed": max(0.0, park.floor - plan.sign * a.total),
        "veto_requirements": requirements,
    }
    name = tier.label or tier.id
    forced = [v for v in a.vetoes if v.kind == "force_tier"]
    capped = [
        v
        for v in a.vetoes
        if v.kind == "cap_tier" and v.tier is not None and plan.tier_index[v.tier] > target
    ]
    blocked = blocked_conditions(plan, park, tier)
    status: Status | None = None
    if forced:
        status, why = "vetoed", "vetoed: " + "; ".join(v.reason for v in forced)
        reason = f"{why}; no indicator can change the tier until the veto is lifted"
    elif capped:
        status, why = "capped", "capped: " + "; ".join(v.reason for v in capped)
        reason = f"{why}; {name} is out of reach this period whatever the indicators"
    elif blocked:
        status, why = "blocked", "tier condition fails: " + "; ".join(blocked)
        reason = f"{why}; no indicator can satisfy it"
    if status is not None:
        gaps = tuple(_blocked_gap(park, step, why) for step in plan.indicators)
        return TierGap(**head, status=status, reason=reason, indicators=gaps, path=None)
    levers, gaps_by_id = _levers(park)
    gaps_by_id.update(single_gaps(park, levers))
    gaps = tuple(gaps_by_id[step.id] for step in plan.indicators)
    improvement, why_not = combined_path(park, levers)
    if plan.sign > 0:
        need = f"{fmt(max(park.floor, rubric.scale.min))} on the rounded total"
    else:
        need = f"at most {fmt(min(park.bound, rubric.scale.max))} on the rounded total"
    if improvement is None:
        reason = f"{name} needs {need}; not reachable by improving the indicators: {why_not}"
        return TierGap(**head, status="unreachable", reason=reason, indicators=gaps, path=None)
    short = max(0.0, park.floor - plan.sign * a.total)
    reason = f"{name} needs {need}: {fmt(short)} points short"
    if not short:
        reason = f"{name} needs {need} and its conditions: the score suffices, a condition fails"
    return TierGap(**head, status="reachable", reason=reason, indicators=gaps, path=improvement)


def _blocked_gap(park: Park, step: IndicatorStep, why: str) -> IndicatorGap:
    """An indicator that cannot lift a vetoed or capped park, whatever its value."""
    inputs = moved_inputs(step.spec)
    return replace(
        unreachable(park, step, None, None, why), input=inputs[0] if len(inputs) == 1 else None
    )


def _levers(park: Park) -> tuple[list[Lever], dict[str, IndicatorGap]]:
    """One lever per improvable indicator, and the gaps of indicators that cannot move."""
    levers: list[Lever] = []
    gaps: dict[str, IndicatorGap] = {}
    for step in park.plan.indicators:
        lever = lever_for(park, step)
        if isinstance(lever, str):
            gaps[step.id] = unreachable(park, step, None, None, lever)
        else:
            levers.append(lever)
    return levers, gaps
