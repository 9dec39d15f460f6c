"""Gap to the next tier: the smallest change of each indicator alone, and one combined plan.

Every search scores candidate profiles through the compiled plan (the path ``evaluate`` takes) and
every answer is verified by re-evaluating the changed profile with :func:`greenscore.evaluate`.
See docs/reports.md for the methods and the meaning of "normalised effort".
"""

from __future__ import annotations

import ast
import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np

from greenscore.rubric import models as m
from greenscore.engine.evaluate import RubricLike, evaluate
from greenscore.engine.inputs import profile_mapping
from greenscore.rubric.load import load_rubric
from greenscore.engine.plan import (
    COHORT_METHODS,
    QUOTA_KEY,
    IndicatorStep,
    Plan,
    Scores,
    compile_rubric,
)
from greenscore.engine.result import Assessment, fmt
from greenscore.errors import CohortRequiredError, GreenscoreError

Status = Literal["top", "vetoed", "capped", "blocked", "reachable", "unreachable"]

_POINTS = 64
"""Candidate points per step of the bracketing search (a 64-way bisection)."""
_RELATIVE = 1e-12
_VERIFY = 1e-9
_MAX_GREEDY_STEPS = 400
_FRACTIONS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0)
PLAN_METHOD = (
    "greedy by gain per unit of normalised effort (continuous moves in chunks, discrete moves "
    "by band, category or item), then each move trimmed to the least that still reaches the tier; "
    "least total effort when every move is continuous under arithmetic aggregation"
)


@dataclass(frozen=True)
class IndicatorGap:
    """What one indicator alone must change to lift the park into the next tier, or why it cannot.

    ``input`` is the raw input to change (the numerator input when the indicator reads a derived
    input ``via``); ``required`` is its value at the smallest sufficient change, exact to 1e-9;
    ``items`` are the checklist items to achieve.
    """

    indicator: str
    label: str
    method: str
    reachable: bool
    input: str | None
    via: str | None
    current: float | str | None
    required: float | str | None
    change: float | None
    items: tuple[str, ...]
    score: float | None
    score_after: float | None
    total_after: float | None
    tier_after: str | None
    verified: bool
    action: str
    reason: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PlanStep:
    """One indicator's part of a combined improvement plan."""

    indicator: str
    label: str
    input: str | None
    via: str | None
    current: float | str | None
    required: float | str | None
    change: float | None
    items: tuple[str, ...]
    effort: float
    score: float | None
    score_after: float | None
    action: str
    text: str


@dataclass(frozen=True)
class ImprovementPlan:
    """Changes to several inputs that together reach the next tier, verified by re-evaluation."""

    steps: tuple[PlanStep, ...]
    changes: dict[str, Any]
    effort: float
    total_after: float
    tier_after: str
    method: str

    def apply(self, profile: Any) -> dict[str, Any]:
        """The profile with this plan's changes applied, ready for ``evaluate``."""
        return {**profile_mapping(profile), **self.changes}


@dataclass(frozen=True)
class TierGap:
    """How far a park is from its next tier: per-indicator gaps and one combined plan."""

    entity: str | None
    period: str | None
    tier: str
    tier_label: str
    total: float
    target: str | None
    target_label: str | None
    target_min_score: float | None
    points_needed: float | None
    status: Status
    reason: str
    veto_requirements: tuple[str, ...]
    indicators: tuple[IndicatorGap, ...]
    plan: ImprovementPlan | None

    def indicator(self, indicator_id: str) -> IndicatorGap:
        return next(g for g in self.indicators if g.indicator == indicator_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, JSON-ready."""
        return asdict(self)

    def explain(self) -> str:
        """The gap in words: what each indicator alone would need, then the combined plan."""
        who = " ".join(x for x in (self.entity, self.period) if x) or "profile"
        head = f"{who}: {fmt(self.total)} → {self.tier_label or self.tier} ({self.tier})"
        lines = [head, f"  {self.reason}"]
        lines += [f"  veto: {text}" for text in self.veto_requirements]
        if self.indicators and self.status not in ("vetoed", "top"):
            lines.append("  each indicator alone:")
            lines += [f"    - {g.text}" for g in self.indicators]
        if self.plan is not None:
            lines.append(
                f"  combined plan (total effort {fmt(self.plan.effort, 3)}; verified: "
                f"{fmt(self.plan.total_after)} → {self.plan.tier_after}):"
            )
            lines += [f"    - {step.text}" for step in self.plan.steps]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()


@dataclass
class _Option:
    """One discrete position of a lever: the input values it sets and its effort from the start."""

    changes: dict[str, float]
    effort: float
    label: str
    items: tuple[str, ...] = ()


@dataclass
class _Lever:
    """One indicator's way to improve: a continuous input to move, or discrete options."""

    step: IndicatorStep
    var: str | None
    via: str | None
    x0: float
    continuous: bool
    k: float = 1.0
    start: float = math.nan
    limit: float = math.nan
    direction: int = 1
    integer: bool = False
    low: float = -math.inf
    high: float = math.inf
    scale: float = 1.0
    log: bool = False
    options: list[_Option] = field(default_factory=list)

    @property
    def inputs(self) -> set[str]:
        if self.continuous:
            return {self.var} if self.var else set()
        return {name for option in self.options for name in option.changes}

    def effort(self, x: float) -> float:
        """Normalised effort of moving the continuous input from its start to x."""
        if self.log:
            floor = 1e-12
            a, b = max(self.k * self.start, floor), max(self.k * x, floor)
            return abs(math.log10(b) - math.log10(a)) / self.scale
        return abs(self.k * (x - self.start)) / self.scale

    def snap(self, x: float) -> float:
        """x clipped to the input's bounds and, for whole-number inputs, rounded away from start."""
        x = min(max(x, self.low), self.high)
        if self.integer:
            tol = 1e-9 * max(1.0, abs(x))
            x = math.ceil(x - tol) if self.direction > 0 else math.floor(x + tol)
            x = min(max(x, math.ceil(self.low)), math.floor(self.high))
        return float(x)


class _Park:
    """One park's validated inputs, scored in batches of candidate changes."""

    def __init__(self, plan: Plan, data: Mapping[str, Any], target: int) -> None:
        self.plan = plan
        self.rubric = plan.rubric
        self.data = data
        self.columns = plan.validator.profile(data)
        self.values = plan.compute_values(self.columns, 1)
        self.target = target
        self.tier = plan.rubric.tiers[target]
        decimals = plan.rubric.rounding.decimals if plan.rubric.rounding else None
        half = 0.5 * 10.0**-decimals if decimals is not None else 0.0
        floor = self.tier.min_score
        cutoff = (plan.rubric.cohort or {}).get(QUOTA_KEY, {}).get(self.tier.id)
        if self.tier.max_share is not None and cutoff is not None:
            floor = max(floor, float(cutoff))
        self.threshold = floor - half
        self.now = self.score([{}])

    def score(self, changes: Sequence[Mapping[str, float]]) -> Scores:
        n = max(len(changes), 1)
        cols = {name: np.repeat(col, n) for name, col in self.columns.items()}
        for i, change in enumerate(changes):
            for name, value in change.items():
                cols[name][i] = value
        return self.plan.score(cols, n)

    def reaches(self, scores: Scores) -> np.ndarray:
        ok = ~scores.error_rows & ~np.isnan(scores.raw_total)
        return np.asarray(ok & (scores.tier <= self.target), dtype=bool)

    def shortfall(self, s: Scores) -> np.ndarray:
        """Points missing to the target tier's score plus condition deficits, per row."""
        scale = self.rubric.scale
        total = np.clip(s.raw_total - s.deductions, scale.min, scale.max)
        short = np.maximum(0.0, self.threshold - np.nan_to_num(total, nan=scale.min))
        plan = self.plan
        for cond in self.tier.conditions:
            if isinstance(cond, m.DimensionMin):
                ids = cond.dimensions or [plan.dimensions[i].spec.id for i in plan.top]
                for dim in ids:
                    got = np.nan_to_num(s.dimension_score[:, plan.dimension_index[dim]], nan=0.0)
                    short = short + np.maximum(0.0, cond.score - got)
            elif isinstance(cond, m.IndicatorMin):
                col = plan.indicator_index[cond.indicator]
                got = np.nan_to_num(s.indicator_score[:, col], nan=0.0)
                short = short + np.maximum(0.0, cond.score - got)
        return np.asarray(short, dtype=float)

    def typed(self, name: str, x: float) -> Any:
        """A column value back in the form a profile holds: bool, category, int or float."""
        spec = self.plan.inputs[name]
        if spec.type == "boolean":
            return bool(x)
        if spec.type == "category":
            return (spec.categories or [])[int(x)]
        if spec.type == "integer":
            return round(x)
        return float(x)

    def fixed(self, changes: Mapping[str, float]) -> _Park:
        """This park with some inputs already changed, for searching one more."""
        new = copy.copy(self)
        new.columns = {
            name: np.array([changes.get(name, float(col[0]))]) for name, col in self.columns.items()
        }
        return new

    def profile_with(self, changes: Mapping[str, float]) -> dict[str, Any]:
        return {**self.data, **{k: self.typed(k, v) for k, v in changes.items()}}

    def verify(self, changes: Mapping[str, float]) -> Assessment:
        return evaluate(self.profile_with(changes), self.rubric)

    def reached(self, assessment: Assessment) -> bool:
        return self.plan.tier_index[assessment.tier.id] <= self.target


def next_tier_gap(
    assessment_or_profile: Any, profile: Any = None, rubric: RubricLike = None
) -> TierGap:
    """The gap from a park's tier to the next: each indicator alone, and one combined plan.

    Pass an Assessment with the profile it was made from (an Assessment holds scores, not every
    raw input), or just a profile. ``rubric`` defaults to the bundled one and must be the rubric
    the assessment was made with.
    """
    loaded = load_rubric(rubric)
    plan = compile_rubric(loaded)
    if plan.needs_cohort:
        raise CohortRequiredError(
            "the rubric scores some indicators against the cohort or caps a tier's share of "
            "parks: calibrate it on a base year (greenscore calibrate) before computing gaps"
        )
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
            plan=None,
        )
    target = current - 1
    tier = rubric.tiers[target]
    park = _Park(plan, data, target)
    requirements = tuple(_veto_requirement(plan, park, v.id) for v in a.vetoes)
    head: dict[str, Any] = {
        **base,
        "target": tier.id,
        "target_label": tier.label,
        "target_min_score": tier.min_score,
        "points_needed": max(0.0, tier.min_score - a.total),
        "veto_requirements": requirements,
    }
    name = tier.label or tier.id
    forced = [v for v in a.vetoes if v.kind == "force_tier"]
    capped = [
        v
        for v in a.vetoes
        if v.kind == "cap_tier" and v.tier is not None and plan.tier_index[v.tier] > target
    ]
    blocked = _blocked_conditions(plan, park, tier)
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
        gaps = tuple(_blocked_gap(plan, park, step, why) for step in plan.indicators)
        return TierGap(**head, status=status, reason=reason, indicators=gaps, plan=None)
    levers, gaps_by_id = _levers(park)
    gaps_by_id.update(_single_gaps(park, levers))
    gaps = tuple(gaps_by_id[step.id] for step in plan.indicators)
    improvement, why_not = _combined(park, levers)
    need = f"{fmt(tier.min_score)} on the rounded total"
    if improvement is None:
        reason = f"{name} needs {need}; not reachable by improving the indicators: {why_not}"
        return TierGap(**head, status="unreachable", reason=reason, indicators=gaps, plan=None)
    short = max(0.0, tier.min_score - a.total)
    reason = f"{name} needs {need}: {fmt(short)} points short"
    if not short:
        reason = f"{name} needs {need} and its conditions: the score suffices, a condition fails"
    return TierGap(**head, status="reachable", reason=reason, indicators=gaps, plan=improvement)


def _blocked_conditions(plan: Plan, park: _Park, tier: m.Tier) -> list[str]:
    """Tier conditions no indicator can satisfy: vetoes that must not apply."""
    fired = park.now.veto_fired[0]
    problems = []
    for cond in tier.conditions:
        if isinstance(cond, m.NoVeto):
            for v, veto in enumerate(plan.rubric.vetoes):
                wanted = (cond.vetoes is None or veto.id in cond.vetoes) and (
                    cond.kinds is None or veto.kind in cond.kinds
                )
                if wanted and fired[v]:
                    problems.append(
                        f"{tier.label or tier.id} requires that veto {veto.id} not apply"
                    )
    return problems


def _blocked_gap(plan: Plan, park: _Park, step: IndicatorStep, why: str) -> IndicatorGap:
    """An indicator that cannot lift a vetoed or capped park, whatever its value."""
    del plan
    inputs = step.spec.inputs
    return replace(
        _unreachable(park, step, None, None, why), input=inputs[0] if len(inputs) == 1 else None
    )


def _score_of(park: _Park, step: IndicatorStep) -> float | None:
    value = float(park.now.indicator_score[0, step.position])
    return None if math.isnan(value) else value


def _veto_requirement(plan: Plan, park: _Park, veto_id: str) -> str:
    """What lifting a veto requires, in words: the negated condition and the current values."""
    veto = plan.rubric.vetoes[plan.veto_index[veto_id]]
    label = veto.label or veto.id
    if veto.kind == "deduct":
        return f"{label}: {veto.reason} (points are deducted from the total)"
    if veto.when is None:
        return f"{label}: {veto.reason} (applies unconditionally)"
    needed = _negate(veto.when, plan)
    names = sorted(parse_names(veto.when) & set(park.values))
    now = ", ".join(f"{n} = {fmt(float(park.values[n][0]))}" for n in names)
    return f"{label}: {veto.reason}; lifting it requires {needed} (now {now})"


def parse_names(text: str) -> set[str]:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


_NEGATED = {
    ast.Gt: "≤",
    ast.GtE: "<",
    ast.Lt: "≥",
    ast.LtE: ">",
    ast.Eq: "≠",
    ast.NotEq: "=",
}


def _negate(text: str, plan: Plan) -> str:
    """A veto condition turned round: 'major_incidents > 0' → 'Major … incidents ≤ 0'."""

    def label(name: str) -> str:
        spec = plan.inputs.get(name)
        return f"{spec.label} ({name})" if spec is not None and spec.label else name

    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return f"that `{text}` no longer hold"
    if isinstance(node, ast.Name):
        return f"{label(node.id)} to be false"
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.Not)
        and isinstance(node.operand, ast.Name)
    ):
        return f"{label(node.operand.id)} to be true"
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.left, ast.Name)
        and isinstance(node.comparators[0], ast.Constant)
        and type(node.ops[0]) in _NEGATED
    ):
        value = node.comparators[0].value
        shown = fmt(float(value)) if isinstance(value, int | float) else repr(value)
        return f"{label(node.left.id)} {_NEGATED[type(node.ops[0])]} {shown}"
    return f"that `{text}` no longer hold"


def _numerator_input(formula: str, inputs: Mapping[str, m.Input]) -> str | None:
    """The one declared input in a derived formula's numerator (times constants), if any."""
    try:
        node = ast.parse(formula, mode="eval").body
    except SyntaxError:
        return None
    denominator: ast.expr | None = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        name = _scaled_name(node.left)
        denominator = node.right
    else:
        name = _scaled_name(node)
    if name is None or name not in inputs or inputs[name].type not in ("number", "integer"):
        return None
    if denominator is not None and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(denominator)
    ):
        return None
    return name


def _scaled_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        return _scaled_name(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left = _scaled_name(node.left)
        if left is not None and _is_number(node.right):
            return left
        if isinstance(node.op, ast.Mult) and _is_number(node.left):
            return _scaled_name(node.right)
    return None


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        return _is_number(node.operand)
    return isinstance(node, ast.Constant) and isinstance(node.value, int | float)


def _unit(plan: Plan, name: str) -> str:
    spec = plan.inputs.get(name)
    if spec is not None:
        return spec.unit
    derived = next((d for d in plan.rubric.derived if d.id == name), None)
    return derived.unit if derived is not None else ""


def _levers(park: _Park) -> tuple[list[_Lever], dict[str, IndicatorGap]]:
    """One lever per improvable indicator, and the gaps of indicators that cannot move."""
    levers: list[_Lever] = []
    gaps: dict[str, IndicatorGap] = {}
    for step in park.plan.indicators:
        lever = _lever(park, step)
        if isinstance(lever, str):
            gaps[step.id] = _unreachable(park, step, None, None, lever)
        else:
            levers.append(lever)
    return levers, gaps


def _unreachable(
    park: _Park, step: IndicatorStep, var: str | None, via: str | None, why: str
) -> IndicatorGap:
    spec = step.spec
    current = None if var is None else _shown_value(park, var, float(park.columns[var][0]))
    return IndicatorGap(
        indicator=spec.id,
        label=spec.label,
        method=spec.method,
        reachable=False,
        input=var,
        via=via,
        current=current,
        required=None,
        change=None,
        items=(),
        score=_score_of(park, step),
        score_after=None,
        total_after=None,
        tier_after=None,
        verified=True,
        action=f"not reachable through this indicator alone: {why}",
        reason=why,
        text=f"{spec.label or spec.id}: not reachable through this indicator alone: {why}",
    )


def _shown_value(park: _Park, name: str, x: float) -> float | str | None:
    if math.isnan(x):
        return None
    typed = park.typed(name, x)
    return typed if isinstance(typed, str) else float(typed)


def _lever(park: _Park, step: IndicatorStep) -> _Lever | str:
    """The lever for one indicator, or the reason it has none."""
    plan = park.plan
    spec = step.spec
    u0 = float(park.now.indicator_u[0, step.position])
    if isinstance(spec, m.ChecklistIndicator):
        return _checklist_lever(park, step)
    name = spec.input
    var, via, k = name, None, 1.0
    if name not in plan.inputs:
        derived = next(d for d in plan.rubric.derived if d.id == name)
        if derived.formula is None:
            return f"fed by the derived input {name}, a statistic over earlier periods"
        numerator = _numerator_input(derived.formula, plan.inputs)
        if numerator is None:
            return (
                f"fed by the derived input {name} (= {derived.formula}), which has no single "
                "input in its numerator to vary"
            )
        var, via = numerator, name
        if math.isnan(float(park.columns[var][0])):
            return f"fed by the derived input {name}, whose input {var} is not reported"
        probe_columns = {n: np.repeat(c, 2) for n, c in park.columns.items()}
        probe_columns[var] = np.array([0.0, 1.0])
        probe = plan.compute_values(probe_columns, 2)[name]
        k = float(probe[1] - probe[0])
        if not math.isfinite(k) or k == 0:
            return (
                f"fed by the derived input {name} (= {derived.formula}), whose denominator is "
                "zero or missing"
            )
    spec_in = plan.inputs[var]
    x0 = float(park.columns[var][0])
    lever = _Lever(
        step=step,
        var=var,
        via=via,
        x0=x0,
        continuous=True,
        k=k,
        integer=spec_in.type == "integer",
        low=-math.inf if spec_in.min is None else spec_in.min,
        high=math.inf if spec_in.max is None else spec_in.max,
    )
    v0 = float(park.values[name][0])
    if isinstance(spec, m.BandsIndicator | m.CategoricalIndicator):
        lever.continuous = False
        lever.options = (
            _band_options(park, lever, spec, v0)
            if isinstance(spec, m.BandsIndicator)
            else _category_options(park, lever, spec)
        )
        if not lever.options:
            kind = "band" if isinstance(spec, m.BandsIndicator) else "category"
            return f"already in its best {kind}"
        return lever
    goal = _goal(park, spec, v0)
    if isinstance(goal, str):
        return goal
    best, worst, lever.scale, lever.log = goal
    v_dir = 1 if best > worst else -1
    if isinstance(spec, m.TargetIndicator) and not math.isnan(v0):
        v_dir = 1 if spec.target > v0 else -1
    lever.direction = v_dir * (1 if k > 0 else -1)
    lever.start = worst / k if math.isnan(x0) else x0
    lever.limit = lever.snap(best / k)
    if lever.direction * (lever.limit - lever.start) <= 0:
        if u0 >= 1.0:
            return (
                f"capped at its best already (scores {fmt(float(_score_of(park, step) or 0), 2)})"
            )
        bound = lever.high if lever.direction > 0 else lever.low
        return f"{var} is at its bound ({fmt(bound)}) already"
    return lever


def _goal(park: _Park, spec: Any, v0: float) -> tuple[float, float, float, bool] | str:
    """(best point, worst point, effort scale, log) on the indicator's raw value, or a reason."""
    if isinstance(spec, m.LinearIndicator):
        g = spec.goalposts
        scale = abs(math.log10(g.best / g.worst)) if spec.log else abs(g.best - g.worst)
        return g.best, g.worst, scale, spec.log
    if isinstance(spec, m.TargetIndicator):
        scale = spec.worst_distance - spec.tolerance
        below = math.isnan(v0) or v0 < spec.target
        if below:
            return spec.target - spec.tolerance, spec.target - spec.worst_distance, scale, False
        return spec.target + spec.tolerance, spec.target + spec.worst_distance, scale, False
    if spec.method in COHORT_METHODS:
        stats = (park.rubric.cohort or {}).get(spec.id, {})
        higher = spec.direction == "higher"
        if spec.method == "minmax":
            lo, hi = stats.get("min", math.nan), stats.get("max", math.nan)
        elif spec.method == "zscore":
            mean, std = stats.get("mean", math.nan), stats.get("std", math.nan)
            lo, hi = mean - spec.zscore_range * std, mean + spec.zscore_range * std
        else:
            reference = np.asarray(stats.get("reference", []), dtype=float)
            lo, hi = (float(reference[0]), float(reference[-1])) if reference.size else (0.0, 0.0)
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            return "the cohort is constant: every park scores the same"
        best, worst = (hi, lo) if higher else (lo, hi)
        return best, worst, hi - lo, False
    return f"method {spec.method!r} has no gap search"


def _band_options(park: _Park, lever: _Lever, spec: m.BandsIndicator, v0: float) -> list[_Option]:
    """For each band scoring more than now, the nearest value in it."""
    bands = spec.ordered_bands
    edges = [b.from_ for b in bands if b.from_ is not None]
    span = (max(edges) - min(edges)) if len(edges) > 1 else max(abs(edges[0]), 1.0) if edges else 1
    current = float("-inf")
    if not math.isnan(v0):
        current = next(b.points for b in bands if b.low <= v0 < b.high)
    origin = v0
    if math.isnan(v0):
        worst = min(bands, key=lambda b: b.points)
        origin = worst.low if math.isfinite(worst.low) else worst.high
    options = []
    for band in bands:
        if band.points <= current:
            continue
        v = _nearest_in_band(band, origin, lever)
        if v is None:
            continue
        x = v / lever.k
        options.append(
            _Option(
                {lever.var or "": x},
                abs(v - origin) / span,
                _band_text(band),
            )
        )
    return sorted(options, key=lambda o: o.effort)


def _nearest_in_band(band: m.Band, origin: float, lever: _Lever) -> float | None:
    """The value in [low, high) nearest to origin, on the indicator's raw scale, within bounds."""
    k = lever.k
    lo_x, hi_x = sorted((band.low / k, band.high / k))
    lo_x, hi_x = max(lo_x, lever.low), min(hi_x, lever.high)
    if lo_x > hi_x:
        return None
    x0 = origin / k
    edges: list[float]
    if lever.integer:
        edges = [math.ceil(lo_x), math.ceil(lo_x) + 1, math.floor(hi_x), math.floor(hi_x) - 1]
        edges.append(min(max(round(x0), math.ceil(lo_x)), math.floor(hi_x)))
    else:
        edges = [lo_x, float(np.nextafter(lo_x, np.inf)), hi_x, float(np.nextafter(hi_x, -np.inf))]
        edges.append(min(max(x0, lo_x), hi_x))
    inside = [
        float(x)
        for x in edges
        if math.isfinite(x) and lever.low <= x <= lever.high and band.low <= x * k < band.high
    ]
    if not inside:
        return None
    return min(inside, key=lambda x: abs(x - x0)) * k


def _band_text(band: m.Band) -> str:
    low = "" if band.from_ is None else f"≥{fmt(band.from_)}"
    high = "" if band.to is None else f"<{fmt(band.to)}"
    return f"band {' '.join(x for x in (low, high) if x) or 'any'} ({fmt(band.points)} points)"


def _category_options(park: _Park, lever: _Lever, spec: m.CategoricalIndicator) -> list[_Option]:
    categories = park.plan.inputs[spec.input].categories or []
    x0 = lever.x0
    current = spec.points[categories[int(x0)]] if not math.isnan(x0) else -math.inf
    origin = (
        x0
        if not math.isnan(x0)
        else min(range(len(categories)), key=lambda i: spec.points[categories[i]])
    )
    span = max(len(categories) - 1, 1)
    options = [
        _Option({spec.input: float(i)}, abs(i - origin) / span, c)
        for i, c in enumerate(categories)
        if spec.points[c] > current
    ]
    return sorted(options, key=lambda o: (o.effort, spec.points[o.label]))


def _checklist_lever(park: _Park, step: IndicatorStep) -> _Lever | str:
    spec: m.ChecklistIndicator = step.spec
    plan = park.plan
    names = [item.input for item in spec.items]
    derived = [n for n in names if n not in plan.inputs]
    if derived:
        return f"checklist items {', '.join(derived)} are derived, not reported"
    todo = [item for item in spec.items if park.columns[item.input][0] != 1.0]
    if not todo:
        return "every checklist item is achieved already"
    todo.sort(key=lambda item: -item.points)
    missing = {item.input: 0.0 for item in spec.items if math.isnan(park.columns[item.input][0])}
    options = []
    for count in range(1, len(todo) + 1):
        chosen = tuple(item.input for item in todo[:count])
        changes = {**missing, **dict.fromkeys(chosen, 1.0)}
        options.append(_Option(changes, count / len(spec.items), ", ".join(chosen), chosen))
    return _Lever(step=step, var=None, via=None, x0=math.nan, continuous=False, options=options)


def _single_gaps(park: _Park, levers: list[_Lever]) -> dict[str, IndicatorGap]:
    """For each lever alone, the smallest change that reaches the target tier, verified."""
    out: dict[str, IndicatorGap] = {}
    continuous = [lv for lv in levers if lv.continuous]
    for lever in levers:
        if not lever.continuous:
            out[lever.step.id] = _discrete_gap(park, lever)
    if not continuous:
        return out
    ends = park.score([{lv.var or "": lv.limit} for lv in continuous])
    reach = park.reaches(ends)
    searching = []
    for i, lever in enumerate(continuous):
        if reach[i]:
            searching.append(lever)
        else:
            why = _diagnose(park, ends, i, "even at its best")
            out[lever.step.id] = _unreachable(park, lever.step, lever.var, lever.via, why)
    found = _thresholds(park, searching)
    for lever, x in zip(searching, found, strict=True):
        out[lever.step.id] = _continuous_gap(park, lever, x)
    return out


def _thresholds(park: _Park, levers: list[_Lever]) -> list[float]:
    """The least move of each lever's input from its start that reaches the target tier.

    A bracketing search run for all levers at once: each step scores 63 interior points per
    lever and keeps the sub-interval where the tier is first reached, down to 1e-12 relative
    (absolute below 1) or one unit for whole-number inputs.
    """
    lo = [lv.start for lv in levers]
    hi = [lv.limit for lv in levers]
    if levers:
        first = park.reaches(park.score([{lv.var or "": lv.start} for lv in levers]))
        hi = [lv.start if first[i] else hi[i] for i, lv in enumerate(levers)]
    for _ in range(200):
        active = [i for i, lv in enumerate(levers) if not _narrow(lv, lo[i], hi[i])]
        if not active:
            break
        changes = []
        grids = {}
        for i in active:
            lever = levers[i]
            grid = np.linspace(lo[i], hi[i], _POINTS + 1)[1:-1]
            if lever.integer:
                grid = np.unique(np.round(grid))
                grid = grid[(grid != lo[i]) & (grid != hi[i])]
            grids[i] = grid
            changes += [{lever.var or "": float(x)} for x in grid]
        reached = park.reaches(park.score(changes))
        offset = 0
        for i in active:
            grid = grids[i]
            hits = reached[offset : offset + len(grid)]
            offset += len(grid)
            if hits.any():
                j = int(np.argmax(hits))
                hi[i] = float(grid[j])
                if j > 0:
                    lo[i] = float(grid[j - 1])
            elif len(grid):
                lo[i] = float(grid[-1])
    return hi


def _narrow(lever: _Lever, lo: float, hi: float) -> bool:
    gap = abs(hi - lo)
    if lever.integer:
        return gap <= 1
    return gap <= _RELATIVE * max(abs(lo), abs(hi), 1.0) or np.nextafter(lo, hi) == hi


def _continuous_gap(park: _Park, lever: _Lever, x: float) -> IndicatorGap:
    """Verify a found threshold with evaluate: x reaches, a hair (1e-9) short of x does not."""
    var = lever.var or ""
    after = park.verify({var: x})
    ok = park.reached(after)
    if x != lever.start:
        delta = 1.0 if lever.integer else _VERIFY * max(1.0, abs(x))
        short = x - lever.direction * delta
        if lever.direction * (short - lever.start) < 0:
            short = lever.start
        ok = ok and not park.reached(park.verify({var: short}))
    return _found_gap(park, lever, {var: x}, after, ok, lever.effort(x))


def _found_gap(
    park: _Park,
    lever: _Lever,
    changes: dict[str, float],
    after: Assessment,
    verified: bool,
    effort: float,
    items: tuple[str, ...] = (),
    label: str = "",
) -> IndicatorGap:
    step = lever.step
    spec = step.spec
    var = lever.var
    current: float | str | None
    required: float | str | None
    if var is not None:
        current = _shown_value(park, var, lever.x0)
        required = _shown_value(park, var, changes[var])
    else:
        achieved = sum(1 for item in spec.items if park.columns[item.input][0] == 1.0)
        current, required = float(achieved), float(achieved + len(items))
    change = (
        required - current if isinstance(required, float) and isinstance(current, float) else None
    )
    action = _change_text(park, lever, current, required, change, items, label)
    text = f"{spec.label or spec.id}: {action}"
    text += f" → total {fmt(after.total)}, {after.tier.label or after.tier.id}"
    if not verified:
        text += " (NOT VERIFIED: re-evaluation disagrees)"
    return IndicatorGap(
        indicator=spec.id,
        label=spec.label,
        method=spec.method,
        reachable=True,
        input=var,
        via=lever.via,
        current=current,
        required=required,
        change=change,
        items=items,
        score=_score_of(park, step),
        score_after=after.indicator(spec.id).score,
        total_after=after.total,
        tier_after=after.tier.id,
        verified=verified,
        action=action,
        reason="",
        text=text,
    )


def _change_text(
    park: _Park,
    lever: _Lever,
    current: float | str | None,
    required: float | str | None,
    change: float | None,
    items: tuple[str, ...],
    label: str,
) -> str:
    if lever.var is None:
        return f"achieve {', '.join(items)} ({fmt(_f(current))} → {fmt(_f(required))} items)"
    unit = _unit(park.plan, lever.var)
    if isinstance(required, str):
        was = current if current is not None else "not reported"
        return f"move {lever.var} from {was} to {required}"
    direction = lever.direction if lever.continuous else (1 if (change or 0) >= 0 else -1)
    shown = _safe_round(_f(required), direction)
    if current is None:
        verb = "report" + (" at least" if direction > 0 else " at most")
        text = f"{verb} {lever.var} = {shown} {unit}".rstrip() + " (not reported now)"
    else:
        verb = "raise" if (change or 0) > 0 else "lower"
        sign = "+" if (change or 0) > 0 else "−"
        by = _safe_round(abs(_f(change)), 1)
        text = f"{verb} {lever.var} from {fmt(_f(current))} to {shown} {unit}".rstrip()
        text += f" ({sign}{by})"
    if lever.via is not None:
        v = _f(required) * lever.k
        text += f", so {lever.via} = {fmt(v)} {_unit(park.plan, lever.via)}".rstrip()
    if label:
        text += f", into {label}"
    return text


def _f(value: float | str | None) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _safe_round(x: float, direction: int, digits: int = 4) -> str:
    """x shown to `digits` decimals, rounded away from the unsafe side (up when raising)."""
    factor = 10.0**digits
    scaled = x * factor
    rounded = math.ceil(scaled - 1e-6) if direction > 0 else math.floor(scaled + 1e-6)
    return fmt(rounded / factor, digits)


def _discrete_gap(park: _Park, lever: _Lever) -> IndicatorGap:
    """The cheapest single option of a band, category or checklist lever that reaches the tier."""
    scores = park.score([o.changes for o in lever.options])
    reach = park.reaches(scores)
    hits = [i for i in range(len(lever.options)) if reach[i]]
    if not hits:
        best = max(
            range(len(lever.options)),
            key=lambda i: float(scores.indicator_u[i, lever.step.position]),
        )
        why = _diagnose(park, scores, best, "even at its best option")
        return _unreachable(park, lever.step, lever.var, lever.via, why)
    option = lever.options[hits[0]]
    after = park.verify(option.changes)
    ok = park.reached(after)
    label = "" if lever.var is None or option.items else option.label
    if lever.var is not None and park.plan.inputs[lever.var].type == "category":
        label = ""
    return _found_gap(park, lever, option.changes, after, ok, option.effort, option.items, label)


def _diagnose(park: _Park, scores: Scores, row: int, when: str) -> str:
    """Why a scored candidate misses the target tier: total too low, or which condition fails."""
    plan = park.plan
    tier = park.tier
    name = tier.label or tier.id
    total = float(scores.total[row])
    if total < tier.min_score:
        return f"{when} the total would be {fmt(total)}, below the {fmt(tier.min_score)} of {name}"
    failing = []
    for cond in tier.conditions:
        if isinstance(cond, m.DimensionMin):
            ids = cond.dimensions or [plan.dimensions[i].spec.id for i in plan.top]
            for dim in ids:
                got = float(scores.dimension_score[row, plan.dimension_index[dim]])
                if not got >= cond.score:
                    label = plan.dimensions[plan.dimension_index[dim]].spec.label or dim
                    failing.append(f"{label} scores {fmt(got, 2)} < {fmt(cond.score)}")
        elif isinstance(cond, m.IndicatorMin):
            got = float(scores.indicator_score[row, plan.indicator_index[cond.indicator]])
            if not got >= cond.score:
                failing.append(
                    f"indicator {cond.indicator} scores {fmt(got, 2)} < {fmt(cond.score)}"
                )
    if failing:
        return f"tier condition fails: {name} requires " + "; ".join(failing)
    reached = plan.tier_ids[int(scores.tier[row])]
    return f"{when} the park would reach only {reached}"


@dataclass
class _State:
    """Positions of every lever during the greedy search (continuous value or option index)."""

    values: dict[int, float]
    picks: dict[int, int]
    order: list[int] = field(default_factory=list)

    def changes(self, levers: list[_Lever]) -> dict[str, float]:
        out: dict[str, float] = {}
        for i, x in self.values.items():
            out[levers[i].var or ""] = x
        for i, j in self.picks.items():
            if j >= 0:
                out.update(levers[i].options[j].changes)
        return out

    def effort(self, levers: list[_Lever], i: int) -> float:
        lever = levers[i]
        if lever.continuous:
            return lever.effort(self.values[i]) if i in self.values else 0.0
        j = self.picks.get(i, -1)
        return lever.options[j].effort if j >= 0 else 0.0

    def copy(self) -> _State:
        return _State(dict(self.values), dict(self.picks), list(self.order))


def _combined(park: _Park, all_levers: list[_Lever]) -> tuple[ImprovementPlan | None, str]:
    """One plan across indicators reaching the target tier, verified with evaluate."""
    levers: list[_Lever] = []
    taken: set[str] = set()
    for lever in all_levers:
        if not lever.inputs & taken:
            levers.append(lever)
            taken |= lever.inputs
    if not levers:
        return None, "no indicator can improve"
    state = _greedy(park, levers)
    if state is None:
        best = _State(
            {i: lv.limit for i, lv in enumerate(levers) if lv.continuous},
            {i: len(lv.options) - 1 for i, lv in enumerate(levers) if not lv.continuous},
        )
        best.picks = {i: _best_option(park, levers, i) for i in best.picks}
        scores = park.score([best.changes(levers)])
        if not park.reaches(scores)[0]:
            return None, _diagnose(park, scores, 0, "with every indicator at its best")
        best.order = sorted([*best.values, *best.picks], key=lambda i: best.effort(levers, i))
        state = best
    _trim(park, levers, state, state.order[::-1])
    changes = state.changes(levers)
    after = park.verify(changes)
    if not park.reached(after):
        return None, "the plan found did not verify on re-evaluation"
    steps = []
    for i in sorted(set(state.values) | {i for i, j in state.picks.items() if j >= 0}):
        steps.append(_plan_step(park, levers[i], state, i, levers, after))
    effort = sum(s.effort for s in steps)
    typed = {name: park.typed(name, x) for name, x in changes.items()}
    return (
        ImprovementPlan(tuple(steps), typed, effort, after.total, after.tier.id, PLAN_METHOD),
        "",
    )


def _best_option(park: _Park, levers: list[_Lever], i: int) -> int:
    lever = levers[i]
    scores = park.score([o.changes for o in lever.options])
    return int(np.argmax(scores.indicator_u[:, lever.step.position]))


def _greedy(park: _Park, levers: list[_Lever]) -> _State | None:
    """Take the move with the most progress per unit of effort until the tier is reached."""
    state = _State({}, {})
    for _ in range(_MAX_GREEDY_STEPS):
        now = park.score([state.changes(levers)])
        if park.reaches(now)[0]:
            return state
        short_now = float(park.shortfall(now)[0])
        candidates: list[tuple[int, float | int, float]] = []
        for i, lever in enumerate(levers):
            before = state.effort(levers, i)
            if lever.continuous:
                x = state.values.get(i, lever.start)
                for f in _FRACTIONS:
                    y = lever.snap(x + f * (lever.limit - x))
                    if lever.direction * (y - x) > 0:
                        candidates.append((i, y, lever.effort(y) - before))
            else:
                j = state.picks.get(i, -1)
                for o, option in enumerate(lever.options):
                    if o != j:
                        candidates.append((i, o, option.effort - before))
        if not candidates:
            return None
        rows = [_moved(state, levers, i, pos).changes(levers) for i, pos, _ in candidates]
        scores = park.score(rows)
        progress = short_now - park.shortfall(scores)
        fills = _fill_moves(park, levers, state, candidates, scores, now)
        if fills:
            fill_scores = park.score(
                [_moved(state, levers, i, y).changes(levers) for i, y, _ in fills]
            )
            candidates += fills
            progress = np.concatenate([progress, short_now - park.shortfall(fill_scores)])
        effort = np.array([max(c[2], 1e-15) for c in candidates])
        rate = np.where(progress > 1e-12, progress / effort, -np.inf)
        if not np.isfinite(rate).any():
            return None
        top = float(rate.max())
        near = np.flatnonzero(rate >= top * (1 - 1e-9))
        pick = int(near[np.argmax(progress[near])])
        i, pos, _ = candidates[pick]
        state = _moved(state, levers, i, pos)
    return None


def _fill_moves(
    park: _Park,
    levers: list[_Lever],
    state: _State,
    candidates: list[tuple[int, float | int, float]],
    scores: Scores,
    now: Scores,
) -> list[tuple[int, float | int, float]]:
    """For full continuous moves that overshoot the points needed, the move that just fills them."""
    scale = park.rubric.scale
    total_now = float(np.clip(now.raw_total[0] - now.deductions[0], scale.min, scale.max))
    need = park.threshold - total_now
    if need <= 0:
        return []
    fills = []
    for c, (i, pos, _) in enumerate(candidates):
        lever = levers[i]
        if not lever.continuous or pos != lever.snap(lever.limit):
            continue
        gain = float(np.clip(scores.raw_total[c] - scores.deductions[c], scale.min, scale.max))
        gain -= total_now
        if gain > need:
            x = state.values.get(i, lever.start)
            y = lever.snap(x + (need / gain) * (float(pos) - x))
            if lever.direction * (y - x) > 0 and y != pos:
                fills.append((i, y, lever.effort(y) - state.effort(levers, i)))
    return fills


def _moved(state: _State, levers: list[_Lever], i: int, pos: float | int) -> _State:
    new = state.copy()
    if i not in new.order:
        new.order.append(i)
    if levers[i].continuous:
        new.values[i] = float(pos)
    else:
        new.picks[i] = int(pos)
    return new


def _trim(park: _Park, levers: list[_Lever], state: _State, order: list[int]) -> None:
    """Cut each move, last chosen first, back to the least that keeps the tier reached."""
    for i in order:
        lever = levers[i]
        if lever.continuous and i in state.values:
            without = state.copy()
            del without.values[i]
            fixed = park.fixed(without.changes(levers))
            found = _thresholds(fixed, [replace(lever, limit=state.values[i])])[0]
            if found == lever.start and not np.isnan(lever.x0):
                del state.values[i]
            else:
                state.values[i] = found
        elif not lever.continuous and state.picks.get(i, -1) >= 0:
            current = lever.options[state.picks[i]].effort
            cheaper = [-1] + [o for o, opt in enumerate(lever.options) if opt.effort < current]
            rows = [_moved(state, levers, i, o).changes(levers) for o in cheaper]
            reach = park.reaches(park.score(rows))
            ok = [o for o, hit in zip(cheaper, reach, strict=True) if hit]
            if ok:
                best = min(ok, key=lambda o: -1.0 if o < 0 else lever.options[o].effort)
                if best < 0:
                    del state.picks[i]
                else:
                    state.picks[i] = best


def _plan_step(
    park: _Park, lever: _Lever, state: _State, i: int, levers: list[_Lever], after: Assessment
) -> PlanStep:
    spec = lever.step.spec
    effort = state.effort(levers, i)
    items: tuple[str, ...] = ()
    label = ""
    if lever.continuous:
        changes = {lever.var or "": state.values[i]}
    else:
        option = lever.options[state.picks[i]]
        changes, items = option.changes, option.items
        if lever.var is not None and park.plan.inputs[lever.var].type != "category":
            label = option.label
    gap = _found_gap(park, lever, changes, after, True, effort, items, label)
    text = f"{spec.label or spec.id}: {gap.action} (effort {fmt(effort, 3)})"
    return PlanStep(
        indicator=spec.id,
        label=spec.label,
        input=lever.var,
        via=lever.via,
        current=gap.current,
        required=gap.required,
        change=gap.change,
        items=items,
        effort=effort,
        score=gap.score,
        score_after=after.indicator(spec.id).score,
        action=gap.action,
        text=text,
    )
