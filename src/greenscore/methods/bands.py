"""bands: value ranges [from, to) mapped to points on the rubric scale."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from greenscore.methods.base import (
    Band,
    Cohort,
    Context,
    Direction,
    GroupScorer,
    Identifier,
    IndicatorBase,
    Method,
    Values,
    check_numeric_input,
    fmt,
    stack_inputs,
)

FloatArray = np.ndarray


class BandsIndicator(IndicatorBase):
    """Value ranges mapped to points; bands must be contiguous and cover every value."""

    method: Literal["bands"]
    input: Identifier
    direction: Direction = "higher"
    bands: list[Band] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _contiguous(self) -> BandsIndicator:
        ordered = sorted(self.bands, key=lambda b: b.low)
        problems = []
        for band in ordered:
            if not band.low < band.high:
                problems.append(f"band [{band.low}, {band.high}) is empty")
        if ordered[0].low != -math.inf:
            problems.append(
                f"values below {ordered[0].low} fall in no band: leave 'from' out of the lowest band"
            )
        if ordered[-1].high != math.inf:
            problems.append(
                f"values from {ordered[-1].high} up fall in no band: leave 'to' out of the highest band"
            )
        for lower, upper in itertools.pairwise(ordered):
            if upper.low < lower.high:
                problems.append(
                    f"bands [{lower.low}, {lower.high}) and [{upper.low}, {upper.high}) overlap"
                )
            elif upper.low > lower.high:
                problems.append(f"gap between bands: no band covers [{lower.high}, {upper.low})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def ordered_bands(self) -> list[Band]:
        return sorted(self.bands, key=lambda b: b.low)


def bands(x: FloatArray, lows: FloatArray, points_u: FloatArray) -> FloatArray:
    """The normalised points of the band [low_i, low_{i+1}) holding x.

    One indicator: x (rows), lows and points (bands). A group: x (indicators × rows), lows and
    points (indicators × bands), each row of lows sorted from −inf and padded with +inf.
    """
    if x.ndim == 1:
        return np.asarray(bands(x[None, :], lows[None, :], points_u[None, :])[0])
    index = (x[:, :, None] >= lows[:, None, :]).sum(axis=2) - 1
    u = np.take_along_axis(points_u, np.maximum(index, 0), axis=1)
    return np.where(np.isnan(x), np.nan, u)


def pack(specs: Sequence[BandsIndicator], context: Context) -> GroupScorer:
    """One kernel call for every bands indicator: band tables padded to the widest."""
    tables = []
    for spec in specs:
        ordered = spec.ordered_bands
        lows = np.array([b.low for b in ordered], dtype=float)
        points_u = np.array([context.u(b.points) for b in ordered], dtype=float)
        tables.append((lows, points_u))
    width = max(len(lows) for lows, _ in tables)
    all_lows = np.array(
        [np.pad(lows, (0, width - len(lows)), constant_values=np.inf) for lows, _ in tables]
    )
    all_points = np.array([np.pad(p, (0, width - len(p)), mode="edge") for _, p in tables])

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = stack_inputs(specs, values, n)
        return x, bands(x, all_lows, all_points)

    return score


def bounds(spec: BandsIndicator, context: Context) -> tuple[float, float]:
    """The normalised points of the lowest- and highest-scoring bands."""
    points = [context.u(b.points) for b in spec.bands]
    return min(points), max(points)


def describe(spec: BandsIndicator) -> str:
    parts = []
    for band in spec.ordered_bands:
        low = "" if band.from_ is None else f"≥{fmt(band.from_)}"
        high = "" if band.to is None else f"<{fmt(band.to)}"
        parts.append(f"{' '.join(x for x in (low, high) if x) or 'any'}: {fmt(band.points)}")
    return "bands " + "; ".join(parts)


METHOD = Method(
    name="bands",
    model=BandsIndicator,
    pack=pack,
    bounds=bounds,
    describe=describe,
    check_inputs=check_numeric_input,
)
