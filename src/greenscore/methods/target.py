"""target: full marks within a tolerance of a target value, falling linearly away from it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from greenscore.methods.base import (
    Cohort,
    Context,
    Direction,
    Finite,
    Goal,
    GroupScorer,
    Identifier,
    IndicatorBase,
    Method,
    NonNegative,
    Standing,
    Values,
    check_numeric_input,
    fmt,
    stack_inputs,
    unit_bounds,
)

FloatArray = np.ndarray


class TargetIndicator(IndicatorBase):
    """Full marks within tolerance of a target, falling linearly to the worst at worst_distance."""

    method: Literal["target"]
    input: Identifier
    direction: Direction = "target"
    target: Finite
    tolerance: NonNegative = 0.0
    worst_distance: Annotated[float, Field(gt=0, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _distance(self) -> TargetIndicator:
        if not self.worst_distance > self.tolerance:
            raise ValueError(
                f"worst_distance ({self.worst_distance}) must exceed tolerance ({self.tolerance})"
            )
        return self


def target(
    x: FloatArray,
    goal: float | FloatArray,
    tolerance: float | FloatArray,
    worst_distance: float | FloatArray,
) -> FloatArray:
    """1 within tolerance of the target, falling linearly to 0 at worst_distance from it."""
    distance = np.abs(x - goal)
    return 1.0 - np.clip((distance - tolerance) / (worst_distance - tolerance), 0.0, 1.0)


def pack(specs: Sequence[TargetIndicator], context: Context) -> GroupScorer:
    """One kernel call for every target indicator: target, tolerance and distance as columns."""
    goal = np.array([s.target for s in specs])[:, None]
    tolerance = np.array([s.tolerance for s in specs])[:, None]
    worst_distance = np.array([s.worst_distance for s in specs])[:, None]

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = stack_inputs(specs, values, n)
        return x, target(x, goal, tolerance, worst_distance)

    return score


def describe(spec: TargetIndicator) -> str:
    return (
        f"target {fmt(spec.target)} ± {fmt(spec.tolerance)}, worst at distance "
        f"{fmt(spec.worst_distance)}"
    )


def lever(spec: TargetIndicator, standing: Standing) -> Goal | str:
    """Towards the tolerance edge on the side of the target the value is on."""
    axis = standing.axis()
    if isinstance(axis, str):
        return axis
    v0 = axis.v0
    scale = spec.worst_distance - spec.tolerance
    below = math.isnan(v0) or v0 < spec.target
    if below:
        best, worst = spec.target - spec.tolerance, spec.target - spec.worst_distance
    else:
        best, worst = spec.target + spec.tolerance, spec.target + spec.worst_distance
    direction = 1 if best > worst else -1
    if not math.isnan(v0):
        direction = 1 if spec.target > v0 else -1
    return Goal(axis, best, worst, scale, False, direction)


METHOD = Method(
    name="target",
    model=TargetIndicator,
    pack=pack,
    bounds=unit_bounds,
    describe=describe,
    check_inputs=check_numeric_input,
    lever=lever,
)
