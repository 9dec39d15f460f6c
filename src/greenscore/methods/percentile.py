"""percentile: mid-rank percentile within the cohort's sorted values."""

from __future__ import annotations

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


def percentile(x: FloatArray, reference: FloatArray) -> FloatArray:
    """Mid-rank percentile of x within the sorted reference values: ties share the average rank."""
    n = len(reference)
    if n <= 1:
        return np.where(np.isnan(x), np.nan, 1.0)
    clean = np.where(np.isnan(x), 0.0, x)
    below = np.searchsorted(reference, clean, side="left")
    at_most = np.searchsorted(reference, clean, side="right")
    mid_rank = (below + np.maximum(at_most - 1, below)) / 2.0
    return np.where(np.isnan(x), np.nan, np.clip(mid_rank / (n - 1), 0.0, 1.0))


def _apply(x: FloatArray, stats: Mapping[str, Any], spec: CohortIndicator) -> FloatArray:
    return percentile(x, np.asarray(stats["reference"], dtype=float))


def statistics(spec: CohortIndicator, x: np.ndarray) -> dict[str, Any]:
    """The cohort's valid values, sorted: the reference every later value is ranked in."""
    return {"reference": np.sort(valid(x))}


def flat(stats: Mapping[str, Any]) -> bool:
    reference = stats["reference"]
    return bool(len(reference) < 2 or reference[0] == reference[-1])


def span(spec: CohortIndicator, stats: Mapping[str, Any]) -> tuple[float, float]:
    """The lowest and highest reference value."""
    reference = np.asarray(stats.get("reference", []), dtype=float)
    return (float(reference[0]), float(reference[-1])) if reference.size else (0.0, 0.0)


METHOD = Method(
    name="percentile",
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
