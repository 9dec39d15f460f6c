"""bands: value ranges [from, to) mapped to points on the rubric scale."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from greenscore.methods.base import (
    Axis,
    Band,
    Cohort,
    Context,
    Direction,
    GroupScorer,
    Identifier,
    IndicatorBase,
    Method,
    Option,
    Options,
    Standing,
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


def _range_text(band: Band) -> str:
    """A band's range in words: '≥10 <20', '≥20', or 'any'."""
    low = "" if band.from_ is None else f"≥{fmt(band.from_)}"
    high = "" if band.to is None else f"<{fmt(band.to)}"
    return " ".join(x for x in (low, high) if x) or "any"


def describe(spec: BandsIndicator) -> str:
    parts = [f"{_range_text(band)}: {fmt(band.points)}" for band in spec.ordered_bands]
    return "bands " + "; ".join(parts)


def lever(spec: BandsIndicator, standing: Standing) -> Options | str:
    """One option per band scoring more than now, at the nearest value in it the input allows."""
    axis = standing.axis()
    if isinstance(axis, str):
        return axis
    options = _band_options(spec, axis)
    return Options(tuple(options), axis) if options else "already in its best band"


def _band_options(spec: BandsIndicator, axis: Axis) -> list[Option]:
    """For each band scoring more than now, the nearest value in it; effort over the band edges."""
    bands = spec.ordered_bands
    v0 = axis.v0
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
        v = _nearest_in_band(band, origin, axis)
        if v is None:
            continue
        x = v / axis.k
        text = f"band {_range_text(band)} ({fmt(band.points)} points)"
        options.append(Option({axis.var: x}, abs(v - origin) / span, text, into=text))
    return sorted(options, key=lambda o: o.effort)


def _nearest_in_band(band: Band, origin: float, axis: Axis) -> float | None:
    """The value in [low, high) nearest to origin, on the indicator's raw scale, within bounds."""
    k = axis.k
    lo_x, hi_x = sorted((band.low / k, band.high / k))
    lo_x, hi_x = max(lo_x, axis.low), min(hi_x, axis.high)
    if lo_x > hi_x:
        return None
    x0 = origin / k
    edges: list[float]
    if axis.integer:
        first = math.ceil(lo_x) if math.isfinite(lo_x) else -math.inf
        last = math.floor(hi_x) if math.isfinite(hi_x) else math.inf
        edges = [first, first + 1, last, last - 1]
        edges.append(min(max(round(x0), first), last))
    else:
        edges = [lo_x, float(np.nextafter(lo_x, np.inf)), hi_x, float(np.nextafter(hi_x, -np.inf))]
        edges.append(min(max(x0, lo_x), hi_x))
    inside = [
        float(x)
        for x in edges
        if math.isfinite(x) and axis.low <= x <= axis.high and band.low <= x * k < band.high
    ]
    if not inside:
        return None
    return min(inside, key=lambda x: abs(x - x0)) * k


METHOD = Method(
    name="bands",
    model=BandsIndicator,
    pack=pack,
    bounds=bounds,
    describe=describe,
    check_inputs=check_numeric_input,
    lever=lever,
)
