"""bands: value ranges [from, to) mapped to points on the rubric scale."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from greenscore.methods.base import (
    Available,
    Axis,
    Band,
    Cohort,
    Context,
    Direction,
    FixedPoints,
    GroupScorer,
    Identifier,
    IndicatorBase,
    InputRange,
    LintProblem,
    Method,
    Option,
    Options,
    Standing,
    Values,
    check_numeric_input,
    draw_points,
    fmt,
    range_text,
    stack_inputs,
)

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

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


def points(spec: BandsIndicator) -> list[FixedPoints]:
    """Each band's points, located at its own 'points' key."""
    return [
        (
            ("bands", b, "points"),
            f"band {range_text((band.low, band.high), open_high=True)}",
            band.points,
        )
        for b, band in enumerate(spec.bands)
    ]


def edges(spec: BandsIndicator) -> tuple[float, ...]:
    """Every band's from and to."""
    return tuple(v for b in spec.bands for v in (b.from_, b.to) if v is not None)


def backwards(spec: BandsIndicator) -> str:
    return "its band points do not follow the direction: the table is written backwards"


def reach(spec: BandsIndicator, declared: InputRange, context: Context) -> float:
    """The best points among the bands the declared range meets (all bands when it meets none)."""
    lo, hi = declared or (-math.inf, math.inf)
    reachable = [b.points for b in spec.bands if b.low <= hi and b.high > lo] or [
        b.points for b in spec.bands
    ]
    return context.u(max(reachable))


def lint(spec: BandsIndicator, declared: InputRange, context: Context) -> list[LintProblem]:
    """Points against the direction, and bands outside the declared range (points off the scale
    are refused at load)."""
    problems: list[LintProblem] = []
    points = [b.points for b in spec.ordered_bands]
    rising = all(a <= b for a, b in itertools.pairwise(points))
    falling = all(a >= b for a, b in itertools.pairwise(points))
    if (spec.direction == "higher" and not rising) or (spec.direction == "lower" and not falling):
        problems.append(
            (
                "against-direction",
                ("bands",),
                f"indicator {spec.id!r} has direction {spec.direction!r} but its band points "
                f"({', '.join(fmt(p) for p in points)} from low to high values) do not "
                f"{'rise' if spec.direction == 'higher' else 'fall'} with the value",
            )
        )
    for b, band in enumerate(spec.bands):
        if declared is not None and (band.high <= declared[0] or band.low > declared[1]):
            problems.append(
                (
                    "goalpost-range",
                    ("bands", b),
                    f"band {range_text((band.low, band.high), open_high=True)} lies outside "
                    f"{spec.input!r}'s declared range {range_text(declared)} and is never used",
                )
            )
    return problems


def chances(available: Available) -> int:
    return 1 if available.numeric else 0


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """Up to four cuts on a twentieth grid of the input's range, points following the
    direction, the bands listed in a random order."""
    from hypothesis import strategies as st

    source = draw(st.sampled_from(list(available.numeric)))
    low, high = available.ranges[source]
    steps = draw(st.lists(st.integers(0, 20), min_size=1, max_size=4))
    cuts = sorted({round(low + k * (high - low) / 20, 6) for k in steps})
    pts = sorted(draw_points(draw, available.scale) for _ in range(len(cuts) + 1))
    if direction == "lower":
        pts.reverse()
    ends: list[float | None] = [None, *cuts, None]
    table = []
    for k, p in enumerate(pts):
        band: dict[str, Any] = {}
        if ends[k] is not None:
            band["from"] = ends[k]
        if ends[k + 1] is not None:
            band["to"] = ends[k + 1]
        band["points"] = p
        table.append(band)
    order = draw(st.permutations(list(range(len(table)))))
    return {"input": source, "direction": direction, "bands": [table[k] for k in order]}


METHOD = Method(
    name="bands",
    model=BandsIndicator,
    pack=pack,
    bounds=bounds,
    describe=describe,
    check_inputs=check_numeric_input,
    lever=lever,
    edges=edges,
    backwards=backwards,
    points=points,
    reach=reach,
    lint=lint,
    chances=chances,
    generate=generate,
)
