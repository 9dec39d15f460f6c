"""Levers: how an indicator can move towards the next tier, continuously or by discrete options.

Each scoring method says how the gap search inverts it (its ``lever`` in the registry) from a
view of the park (:class:`ParkStanding`); this module finds the input an indicator's raw value
moves through and turns the method's answer into a :class:`Lever`. The searches that use
levers know nothing of methods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from greenscore.engine.compile import IndicatorStep
from greenscore.explain.harness import Park, score_of
from greenscore.explain.wording import numerator_input
from greenscore.methods import method_of, moved_inputs
from greenscore.methods.base import Axis, Context, Goal, Option, fmt

__all__ = ["Lever", "Option", "ParkStanding", "input_axis", "lever_for"]


@dataclass
class Lever:
    """One indicator's way to improve: a continuous input to move, or discrete options.

    ``achieved`` counts a checklist's items achieved now (0 for other methods).
    """

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
    options: list[Option] = field(default_factory=list)
    achieved: int = 0

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


class ParkStanding:
    """One park and one of its indicators as a method's lever sees them (methods.base.Standing)."""

    def __init__(self, park: Park, step: IndicatorStep) -> None:
        self.park = park
        self.step = step

    @property
    def context(self) -> Context:
        return self.park.plan.context

    def axis(self) -> Axis | str:
        return input_axis(self.park, self.step)

    def reported(self, name: str) -> float | None:
        if name not in self.park.plan.inputs:
            return None
        return float(self.park.columns[name][0])

    def statistics(self) -> Mapping[str, Any]:
        stats: Mapping[str, Any] = (self.park.rubric.cohort or {}).get(self.step.id, {})
        return stats


def lever_for(park: Park, step: IndicatorStep) -> Lever | str:
    """The lever for one indicator, or the reason it has none."""
    found = method_of(step.spec).lever(step.spec, ParkStanding(park, step))
    if isinstance(found, str):
        return found
    if isinstance(found, Goal):
        return _continuous_lever(park, step, _lowering(found) if park.plan.sign < 0 else found)
    if park.plan.sign < 0:
        return (
            "a lower total is better, and the search lowers only indicators scored on a "
            "continuous input (this one's options raise its score)"
        )
    if found.axis is None:
        return Lever(
            step=step,
            var=None,
            via=None,
            x0=math.nan,
            continuous=False,
            options=list(found.options),
            achieved=found.achieved,
        )
    lever = _on_axis(step, found.axis, continuous=False)
    lever.options = list(found.options)
    lever.achieved = found.achieved
    return lever


def input_axis(park: Park, step: IndicatorStep) -> Axis | str:
    """The input an indicator's value moves through (the numerator of a derived input), with
    its value and the indicator's raw value now; or why there is none."""
    plan = park.plan
    read = moved_inputs(step.spec)
    if len(read) != 1:
        return f"reads {len(read)} inputs, not one to vary"
    name = read[0]
    var, via, k = name, None, 1.0
    if name not in plan.inputs:
        derived = next(d for d in plan.rubric.derived if d.id == name)
        if derived.formula is None:
            return f"fed by the derived input {name}, a statistic over earlier periods"
        numerator = numerator_input(derived.formula, plan.inputs)
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
    return Axis(
        var=var,
        via=via,
        x0=float(park.columns[var][0]),
        v0=float(park.values[name][0]),
        k=k,
        low=-math.inf if spec_in.min is None else spec_in.min,
        high=math.inf if spec_in.max is None else spec_in.max,
        integer=spec_in.type == "integer",
    )


def _on_axis(step: IndicatorStep, axis: Axis, continuous: bool) -> Lever:
    return Lever(
        step=step,
        var=axis.var,
        via=axis.via,
        x0=axis.x0,
        continuous=continuous,
        k=axis.k,
        integer=axis.integer,
        low=axis.low,
        high=axis.high,
    )


def _lowering(goal: Goal) -> Goal:
    """The goal read for a lower-is-better total: the way to the raw value that scores least."""
    return Goal(goal.axis, goal.worst, goal.best, goal.scale, goal.log, -goal.direction)


def _continuous_lever(park: Park, step: IndicatorStep, goal: Goal) -> Lever | str:
    """The lever placed between its start and the input value that scores best, or why not."""
    lever = _on_axis(step, goal.axis, continuous=True)
    lever.scale, lever.log = goal.scale, goal.log
    k, x0 = lever.k, lever.x0
    lever.direction = goal.direction * (1 if k > 0 else -1)
    lever.start = goal.worst / k if math.isnan(x0) else x0
    lever.limit = lever.snap(goal.best / k)
    if lever.direction * (lever.limit - lever.start) <= 0:
        u = float(park.now.indicator_u[0, step.position])
        if (u >= 1.0) if park.plan.sign > 0 else (u <= 0.0):
            return f"capped at its best already (scores {fmt(float(score_of(park, step) or 0), 2)})"
        bound = lever.high if lever.direction > 0 else lever.low
        return f"{lever.var} is at its bound ({fmt(bound)}) already"
    return lever
