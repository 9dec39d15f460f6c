"""minmax: min–max scaling over the cohort's range of values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from greenscore.methods._cohort import (
    CohortIndicator,
    chances,
    cohort_lever,
    describe,
    generate,
    packer,
    valid,
)
from greenscore.methods.base import Method, check_numeric_input, unit_bounds

FloatArray = np.ndarray


def minmax(x: FloatArray, low: float, high: float) -> FloatArray:
    """Min–max over a cohort's range, clipped to [0, 1]; a constant cohort scores everyone best."""
    if not high > low:
        return np.where(np.isnan(x), np.nan, 1.0)
    return np.clip((x - low) / (high - low), 0.0, 1.0)


def _apply(x: FloatArray, stats: Mapping[str, Any], spec: CohortIndicator) -> FloatArray:
    return minmax(x, stats["min"], stats["max"])


def statistics(spec: CohortIndicator, x: np.ndarray) -> dict[str, Any]:
    """The cohort's least and greatest valid value (NaN when it has none)."""
    x = valid(x)
    return {
        "min": float(x.min()) if len(x) else math.nan,
        "max": float(x.max()) if len(x) else math.nan,
    }


def flat(stats: Mapping[str, Any]) -> bool:
    return bool(stats["min"] == stats["max"])


def span(spec: CohortIndicator, stats: Mapping[str, Any]) -> tuple[float, float]:
    """The cohort's minimum and maximum."""
    return stats.get("min", math.nan), stats.get("max", math.nan)


METHOD = Method(
    name="minmax",
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
