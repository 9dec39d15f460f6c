"""categorical: each declared category of a category input mapped to points."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from greenscore.methods.base import (
    Available,
    Cohort,
    Context,
    Direction,
    Finite,
    FixedPoints,
    GroupScorer,
    Hint,
    Identifier,
    IndicatorBase,
    InputLike,
    InputProblem,
    InputRange,
    Method,
    Option,
    Options,
    Standing,
    Values,
    draw_points,
    fmt,
    stack_inputs,
)

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

FloatArray = np.ndarray


class CategoricalIndicator(IndicatorBase):
    """A category input mapped to points on the rubric scale."""

    method: Literal["categorical"]
    input: Identifier
    direction: Direction = "none"
    points: dict[str, Finite] = Field(min_length=1)


def categorical(codes: FloatArray, points_u: FloatArray) -> FloatArray:
    """The normalised points of each category code (codes index the declared categories).

    One indicator: codes (rows), points (categories); a group: codes (indicators × rows), points
    (indicators × categories, padded).
    """
    if codes.ndim == 1:
        return np.asarray(categorical(codes[None, :], points_u[None, :])[0])
    safe = np.where(np.isnan(codes), 0, codes).astype(np.intp)
    return np.where(np.isnan(codes), np.nan, np.take_along_axis(points_u, safe, axis=1))


def pack(specs: Sequence[CategoricalIndicator], context: Context) -> GroupScorer:
    """One kernel call for every categorical indicator: points in declared category order."""
    tables = [
        np.array([context.u(s.points[c]) for c in context.categories[s.input]], dtype=float)
        for s in specs
    ]
    width = max(len(p) for p in tables)
    points_u = np.array([np.pad(p, (0, width - len(p)), mode="edge") for p in tables])

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = stack_inputs(specs, values, n)
        return x, categorical(x, points_u)

    return score


def bounds(spec: CategoricalIndicator, context: Context) -> tuple[float, float]:
    """The normalised points of the lowest- and highest-scoring categories."""
    points = [context.u(p) for p in spec.points.values()]
    return min(points), max(points)


def describe(spec: CategoricalIndicator) -> str:
    return "categories " + ", ".join(f"{c}: {fmt(p)}" for c, p in spec.points.items())


def check_inputs(
    spec: CategoricalIndicator, inputs: Mapping[str, InputLike], known: Collection[str], hint: Hint
) -> list[InputProblem]:
    """The input is a declared category input and every category, and only those, has points."""
    name = spec.input
    if name not in known:
        return [(("input",), f"undeclared input {name!r}{hint(name, known)}")]
    declared = inputs.get(name)
    if declared is None or declared.type != "category":
        return [(("input",), "categorical indicator needs a category input")]
    categories = set(declared.categories or [])
    problems: list[InputProblem] = [
        (("points", extra), f"{extra!r} is not a category of {name!r}")
        for extra in sorted(set(spec.points) - categories)
    ]
    problems += [
        (("points",), f"no points for category {absent!r}")
        for absent in sorted(categories - set(spec.points))
    ]
    return problems


def value(spec: CategoricalIndicator, raw: float, context: Context) -> float | str:
    """The category's name for its code."""
    return context.categories[spec.input][int(raw)]


def lever(spec: CategoricalIndicator, standing: Standing) -> Options | str:
    """One option per category scoring more than now, nearest in declared order first."""
    axis = standing.axis()
    if isinstance(axis, str):
        return axis
    categories = list(standing.context.categories.get(spec.input, ()))
    x0 = axis.x0
    current = spec.points[categories[int(x0)]] if not math.isnan(x0) else -math.inf
    origin = (
        x0
        if not math.isnan(x0)
        else min(range(len(categories)), key=lambda i: spec.points[categories[i]])
    )
    span = max(len(categories) - 1, 1)
    options = [
        Option({spec.input: float(i)}, abs(i - origin) / span, c)
        for i, c in enumerate(categories)
        if spec.points[c] > current
    ]
    options.sort(key=lambda o: (o.effort, spec.points[o.label]))
    return Options(tuple(options), axis) if options else "already in its best category"


def category_points(spec: CategoricalIndicator) -> Mapping[str, float]:
    return spec.points


def points(spec: CategoricalIndicator) -> list[FixedPoints]:
    """Each category's points, located at the category's key."""
    return [
        (("points", category), f"category {category!r}", score)
        for category, score in spec.points.items()
    ]


def reach(spec: CategoricalIndicator, declared: InputRange, context: Context) -> float:
    """The normalised points of the best-scoring category."""
    return context.u(max(spec.points.values()))


def chances(available: Available) -> int:
    return 1 if available.categories else 0


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """Points on the scale for every category of one category input; the drawn direction is
    not used."""
    from hypothesis import strategies as st

    name = draw(st.sampled_from(list(available.categories)))
    points = {c: draw_points(draw, available.scale) for c in available.categories[name]}
    return {"input": name, "points": points}


METHOD = Method(
    name="categorical",
    model=CategoricalIndicator,
    pack=pack,
    bounds=bounds,
    describe=describe,
    check_inputs=check_inputs,
    value=value,
    lever=lever,
    category_points=category_points,
    points=points,
    reach=reach,
    chances=chances,
    generate=generate,
)
