"""given: the input already is a score on the rubric's scale and is taken as it is.

Third-party evaluations often deliver indicator scores rather than raw figures. Writing them as
linear goalposts from the scale's minimum to its maximum divides and multiplies each score back,
which moves about one score in ten by a bit; this method hands the score to the plan unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import model_validator

from greenscore.methods.base import (
    Available,
    Cohort,
    Context,
    Goal,
    GroupScorer,
    Identifier,
    IndicatorBase,
    InputRange,
    LintProblem,
    Method,
    Standing,
    Values,
    check_numeric_input,
    fmt,
    range_text,
    stack_inputs,
    unit_bounds,
)

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

FloatArray = np.ndarray


class GivenIndicator(IndicatorBase):
    """An input that already is a score on the rubric's scale (e.g. a third party's rating).

    Taken as it is; a value past the scale is held at its end, so declare the input's min and
    max within the scale to have such values flagged as bad cells instead.
    """

    method: Literal["given"]
    input: Identifier
    direction: Literal["higher"] = "higher"

    @model_validator(mode="after")
    def _no_onto(self) -> GivenIndicator:
        if self.onto is not None:
            raise ValueError("a given score is already on the rubric's scale: it takes no 'onto'")
        return self


def given(x: FloatArray, low: float, high: float) -> FloatArray:
    """The scores as they are, held within [low, high]; NaN (missing) stays NaN."""
    held: FloatArray = np.clip(x, low, high)
    return held


def pack(specs: Sequence[GivenIndicator], context: Context) -> GroupScorer:
    """Every given indicator in one call: scores on the scale, not normalised values."""
    low, high = context.scale_min, context.scale_max

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = stack_inputs(specs, values, n)
        return x, given(x, low, high)

    return score


def describe(spec: GivenIndicator) -> str:
    return "a given score, taken as reported"


def lever(spec: GivenIndicator, standing: Standing) -> Goal | str:
    """Raise the score itself: from the scale's minimum (worst) to its maximum (best)."""
    axis = standing.axis()
    if isinstance(axis, str):
        return axis
    context = standing.context
    return Goal(axis, context.scale_max, context.scale_min, context.span, False, 1)


def reach(spec: GivenIndicator, declared: InputRange, context: Context) -> float:
    """The highest declared score as a share of the scale (1 when the range is open)."""
    if declared is None or not math.isfinite(declared[1]):
        return 1.0
    return float(np.clip(context.u(declared[1]), 0.0, 1.0))


def lint(spec: GivenIndicator, declared: InputRange, context: Context) -> list[LintProblem]:
    """An input whose declared range runs past the scale: such scores would be cut silently."""
    if declared is None:
        return []
    low, high = declared
    if low >= context.scale_min and high <= context.scale_max:
        return []
    return [
        (
            "points-outside-scale",
            ("input",),
            f"given scores of {spec.input!r} may lie outside the scale "
            f"{fmt(context.scale_min)}–{fmt(context.scale_max)} (declared range "
            f"{range_text(declared)}): declare its min and max within the scale so that such "
            "values are flagged",
        )
    ]


def _on_scale(available: Available) -> list[str]:
    """The numeric inputs whose values are drawn within the scale, so can stand for scores."""
    low, high = available.scale
    return [
        name
        for name in available.numeric
        if low <= available.ranges[name][0] and available.ranges[name][1] <= high
    ]


def chances(available: Available) -> int:
    return 1 if _on_scale(available) else 0


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """An input whose values lie within the scale, read as a score, never mapped onto a
    sub-range (so a common 'onto' drawn for every method is cleared); no direction."""
    from hypothesis import strategies as st

    return {"input": draw(st.sampled_from(_on_scale(available))), "onto": None}


METHOD = Method(
    name="given",
    model=GivenIndicator,
    pack=pack,
    bounds=unit_bounds,
    describe=describe,
    check_inputs=check_numeric_input,
    lever=lever,
    on_scale=True,
    reach=reach,
    lint=lint,
    chances=chances,
    generate=generate,
)
