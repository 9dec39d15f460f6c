"""The gap search in words: tier conditions, vetoes and what lifts them, and formula inversion."""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping

from greenscore.engine.decide import condition_met, condition_parts
from greenscore.engine.plan import Plan
from greenscore.engine.scores import Scores
from greenscore.explain.harness import Park
from greenscore.methods.base import fmt
from greenscore.rubric import models as m


def blocked_conditions(plan: Plan, park: Park, tier: m.Tier) -> list[str]:
    """Tier conditions no indicator can satisfy: vetoes that must not apply."""
    problems = []
    for cond in tier.conditions:
        for part in condition_parts(plan, cond):
            if isinstance(part, m.NoVeto) and not condition_met(plan, part, park.now)[0]:
                name = tier.label or tier.id
                problems += [f"{name} requires that veto {v} not apply" for v in part.vetoes or ()]
    return problems


def veto_requirement(plan: Plan, park: Park, veto_id: str) -> str:
    """What lifting a veto requires, in words: the negated condition and the current values."""
    veto = plan.rubric.vetoes[plan.veto_index[veto_id]]
    label = veto.label or veto.id
    if veto.kind == "deduct":
        return f"{label}: {veto.reason} (points are deducted from the total)"
    if veto.when is None:
        return f"{label}: {veto.reason} (applies unconditionally)"
    needed = _negate(veto.when, plan)
    condition = plan.veto_conditions[plan.veto_index[veto_id]]
    read = condition.names if condition is not None else frozenset()
    names = sorted(read & set(park.values))
    now = ", ".join(f"{n} = {fmt(float(park.values[n][0]))}" for n in names)
    return f"{label}: {veto.reason}; lifting it requires {needed} (now {now})"


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


def numerator_input(formula: str, inputs: Mapping[str, m.Input]) -> str | None:
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


def unit_of(plan: Plan, name: str) -> str:
    """The unit of an input or a derived input."""
    spec = plan.inputs.get(name)
    if spec is not None:
        return spec.unit
    derived = next((d for d in plan.rubric.derived if d.id == name), None)
    return derived.unit if derived is not None else ""


def as_float(value: float | str | None) -> float:
    """A shown value as a float; NaN for a category or a missing value."""
    return float(value) if isinstance(value, int | float) else math.nan


def safe_round(x: float, direction: int, digits: int = 4) -> str:
    """x shown to `digits` decimals, rounded away from the unsafe side (up when raising)."""
    factor = 10.0**digits
    scaled = x * factor
    rounded = math.ceil(scaled - 1e-6) if direction > 0 else math.floor(scaled + 1e-6)
    return fmt(rounded / factor, digits)


def _failing_text(plan: Plan, part: m.TierCondition, scores: Scores, row: int) -> list[str]:
    """A failing part of a tier condition in words: the score it names, got and needed."""
    match part:
        case m.DimensionMin(dimensions=[dim]):
            index = plan.dimension_index[dim]
            label = plan.dimensions[index].spec.label or dim
            got = float(scores.dimension_score[row, index])
            return [f"{label} scores {fmt(got, 2)} < {fmt(part.score)}"]
        case m.IndicatorMin():
            got = float(scores.indicator_score[row, plan.indicator_index[part.indicator]])
            return [f"indicator {part.indicator} scores {fmt(got, 2)} < {fmt(part.score)}"]
    return []


def diagnose(park: Park, scores: Scores, row: int, when: str) -> str:
    """Why a scored candidate misses the target tier: total too low, or which condition fails."""
    plan = park.plan
    tier = park.tier
    name = tier.label or tier.id
    total = float(scores.total[row])
    if plan.sign * total < park.floor:
        side = "below" if plan.sign > 0 else "above"
        return f"{when} the total would be {fmt(total)}, {side} the {fmt(park.bound)} of {name}"
    failing = []
    for cond in tier.conditions:
        for part in condition_parts(plan, cond):
            if not condition_met(plan, part, scores)[row]:
                failing += _failing_text(plan, part, scores, row)
    if failing:
        return f"tier condition fails: {name} requires " + "; ".join(failing)
    reached = plan.tier_ids[int(scores.tier[row])]
    return f"{when} the park would reach only {reached}"
