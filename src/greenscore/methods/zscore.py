"""zscore: z-scores over the cohort, from −zscore_range to +zscore_range, mapped onto [0, 1]."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from greenscore.methods import _cohort
from greenscore.methods._cohort import (
    CohortIndicator,
    chances,
    cohort_lever,
    describe,
    packer,
    valid,
)
from greenscore.methods.base import Available, Method, check_numeric_input, unit_bounds

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

FloatArray = np.ndarray


def zscore(x: FloatArray, mean: float, std: float, spread: float) -> FloatArray:
    """z-scores from −spread to +spread mapped linearly onto [0, 1]; a constant cohort scores 0.5."""
    if not std > 0:
        return np.where(np.isnan(x), np.nan, 0.5)
    return np.clip(((x - mean) / std + spread) / (2.0 * spread), 0.0, 1.0)


def _apply(x: FloatArray, stats: Mapping[str, Any], spec: CohortIndicator) -> FloatArray:
    return zscore(x, stats["mean"], stats["std"], spec.zscore_range)


def statistics(spec: CohortIndicator, x: np.ndarray) -> dict[str, Any]:
    """The cohort's mean and population standard deviation (NaN when it has no valid value)."""
    x = valid(x)
    return {
        "mean": float(x.mean()) if len(x) else math.nan,
        "std": float(x.std(ddof=0)) if len(x) else math.nan,
    }


def flat(stats: Mapping[str, Any]) -> bool:
    return bool(stats["std"] == 0)


def span(spec: CohortIndicator, stats: Mapping[str, Any]) -> tuple[float, float]:
    """The mean ± zscore_range standard deviations."""
    mean, std = stats.get("mean", math.nan), stats.get("std", math.nan)
    return mean - spec.zscore_range * std, mean + spec.zscore_range * std


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """As the other cohort methods, sometimes with a narrower zscore_range."""
    from hypothesis import strategies as st

    fields = _cohort.generate(draw, available, direction)
    if draw(st.booleans()):
        fields["zscore_range"] = draw(st.sampled_from([1.0, 2.0, 3.0]))
    return fields


METHOD = Method(
    name="zscore",
    model=CohortIndicator,
    pack=packer(_apply),
    bounds=unit_bounds,
    describe=describe,
    check_inputs=check_numeric_input,
    statistics=statistics,
    flat=flat,
    lever=cohort_lever(span),
    chances=chances,
    generate=generate,
)
