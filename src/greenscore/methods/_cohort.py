"""What the cohort methods (minmax, percentile, zscore) share: their model and their packing.

The three share one model so that a rubric may write ``zscore_range`` on any of them, as the
format always allowed, and the JSON schema keeps one ``CohortIndicator`` definition.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from greenscore.methods.base import (
    Available,
    Cohort,
    Context,
    Goal,
    GroupScorer,
    Identifier,
    IndicatorBase,
    NonNegative,
    Standing,
    Values,
    direction_text,
)

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

FloatArray = np.ndarray
CohortKernel = Callable[[FloatArray, Mapping[str, Any], "CohortIndicator"], FloatArray]
"""A cohort kernel applied with an indicator's frozen statistics: x -> normalised value."""
Span = Callable[["CohortIndicator", Mapping[str, Any]], tuple[float, float]]
"""The raw values a cohort method scores from worst to best, from its frozen statistics."""


class CohortIndicator(IndicatorBase):
    """Scored against the whole cohort (min–max, percentile rank or z-score); see calibrate()."""

    method: Literal["minmax", "percentile", "zscore"]
    input: Identifier
    direction: Literal["higher", "lower"] = "higher"
    zscore_range: NonNegative = Field(default=3.0, description="z-scores ±this map to worst/best")


def packer(kernel: CohortKernel) -> Callable[[Sequence[CohortIndicator], Context], GroupScorer]:
    """A pack function that scores each indicator with its statistics, turned for 'lower'.

    The plan checks that every cohort indicator has statistics before it scores.
    """

    def pack(specs: Sequence[CohortIndicator], context: Context) -> GroupScorer:
        def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
            raw = np.empty((len(specs), n))
            u = np.empty((len(specs), n))
            for c, spec in enumerate(specs):
                x = values[spec.input]
                v = kernel(x, cohort[spec.id], spec)
                raw[c] = x
                u[c] = 1.0 - v if spec.direction == "lower" else v
            return raw, u

        return score

    return pack


def valid(x: np.ndarray) -> np.ndarray:
    """The cohort's values without the missing ones."""
    x = np.asarray(x, dtype=float)
    return np.asarray(x[~np.isnan(x)])


def describe(spec: CohortIndicator) -> str:
    return f"{spec.method} over the cohort, {direction_text(spec.direction)}"


def cohort_lever(span: Span) -> Callable[[CohortIndicator, Standing], Goal | str]:
    """A lever across the calibrated cohort's span of raw values, in the indicator's direction."""

    def lever(spec: CohortIndicator, standing: Standing) -> Goal | str:
        axis = standing.axis()
        if isinstance(axis, str):
            return axis
        lo, hi = span(spec, standing.statistics())
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            return "the cohort is constant: every park scores the same"
        best, worst = (hi, lo) if spec.direction == "higher" else (lo, hi)
        return Goal(axis, best, worst, hi - lo, False, 1 if best > worst else -1)

    return lever


def chances(available: Available) -> int:
    """One lot, which the cohort methods share in a generated rubric."""
    return 1 if available.declared else 0


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """A declared numeric input (not a derived one) and the drawn direction."""
    from hypothesis import strategies as st

    return {"input": draw(st.sampled_from(list(available.declared))), "direction": direction}
