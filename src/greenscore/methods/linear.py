"""linear: linear between two goalposts, capped at them unless cap is false, optionally on log10."""

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
    Direction,
    Goal,
    Goalposts,
    GroupScorer,
    Identifier,
    IndicatorBase,
    InputRange,
    LintProblem,
    Method,
    Standing,
    Values,
    check_numeric_input,
    direction_text,
    draw_number,
    fmt,
    range_text,
    stack_inputs,
)

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

FloatArray = np.ndarray


class LinearIndicator(IndicatorBase):
    """Linear between goalposts, capped at them unless cap is false, optionally on a log scale."""

    method: Literal["linear"]
    input: Identifier
    direction: Direction = "higher"
    goalposts: Goalposts
    cap: bool = True
    log: bool = False

    @model_validator(mode="after")
    def _log_positive(self) -> LinearIndicator:
        if self.log and min(self.goalposts.worst, self.goalposts.best) <= 0:
            raise ValueError("log goalposts must both be positive")
        if self.log and not self.cap and self.goalposts.best < self.goalposts.worst:
            raise ValueError(
                "an uncapped log scale cannot run past a best goalpost below the worst: values "
                "towards zero would score without bound; keep cap: true"
            )
        return self


def linear(
    x: FloatArray,
    worst: float | FloatArray,
    best: float | FloatArray,
    *,
    cap: bool | FloatArray = True,
    log: bool | FloatArray = False,
) -> FloatArray:
    """(x − worst) / (best − worst), floored at 0, capped at 1 where cap; on log10 where log.

    Parameters broadcast over the last axis, so one call scores a whole group of indicators.
    """
    if np.any(log):
        logged = np.log10(np.where(x > 0, x, np.nan))
        x_t = np.where(log, np.where(x > 0, logged, -np.inf), x)
        worst = np.where(log, np.log10(np.where(log, worst, 1.0)), worst)
        best = np.where(log, np.log10(np.where(log, best, 1.0)), best)
    else:
        x_t = x
    u = np.fmax((x_t - worst) / (np.subtract(best, worst)), 0.0)
    u = np.where(cap, np.fmin(u, 1.0), u)
    return np.where(np.isnan(x), np.nan, u)


def pack(specs: Sequence[LinearIndicator], context: Context) -> GroupScorer:
    """One kernel call for every linear indicator: goalposts, cap and log as columns."""
    worst = np.array([s.goalposts.worst for s in specs])[:, None]
    best = np.array([s.goalposts.best for s in specs])[:, None]
    cap = np.array([s.cap for s in specs])[:, None]
    log = np.array([s.log for s in specs])[:, None]

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = stack_inputs(specs, values, n)
        return x, linear(x, worst, best, cap=cap, log=log)

    return score


def bounds(spec: LinearIndicator, context: Context) -> tuple[float, float]:
    """0 at the worst goalpost; 1 at the best, or unbounded past it when uncapped."""
    return 0.0, 1.0 if spec.cap else float("inf")


def describe(spec: LinearIndicator) -> str:
    g = spec.goalposts
    extra = (
        [direction_text(spec.direction)]
        + (["log scale"] if spec.log else [])
        + ([] if spec.cap else ["uncapped"])
    )
    return f"goalposts {fmt(g.worst)} → {fmt(g.best)}, {', '.join(x for x in extra if x)}"


def lever(spec: LinearIndicator, standing: Standing) -> Goal | str:
    """From the worst to the best goalpost; effort on log10 for log goalposts."""
    axis = standing.axis()
    if isinstance(axis, str):
        return axis
    g = spec.goalposts
    scale = abs(math.log10(g.best / g.worst)) if spec.log else abs(g.best - g.worst)
    return Goal(axis, g.best, g.worst, scale, spec.log, 1 if g.best > g.worst else -1)


def edges(spec: LinearIndicator) -> tuple[float, ...]:
    """The goalposts: where the score starts and stops changing."""
    return (spec.goalposts.worst, spec.goalposts.best)


def backwards(spec: LinearIndicator) -> str:
    g = spec.goalposts
    return (
        f"its goalposts (worst {fmt(g.worst)}, best {fmt(g.best)}) reward "
        f"{'lower' if g.best < g.worst else 'higher'} values: swap them or fix the direction"
    )


def reach(spec: LinearIndicator, declared: InputRange, context: Context) -> float:
    """Unbounded when uncapped; else the better end of a finite declared range, or 1."""
    if not spec.cap:
        return math.inf
    if declared is None or not all(math.isfinite(b) for b in declared):
        return 1.0
    g = spec.goalposts
    ends = np.array(declared, dtype=float)
    return float(np.nanmax(linear(ends, g.worst, g.best, log=spec.log)))


def lint(spec: LinearIndicator, declared: InputRange, context: Context) -> list[LintProblem]:
    """Goalposts that reward the opposite of the direction, or lie outside the declared range."""
    g = spec.goalposts
    problems: list[LintProblem] = []
    if (spec.direction == "higher" and g.best < g.worst) or (
        spec.direction == "lower" and g.best > g.worst
    ):
        problems.append(
            (
                "against-direction",
                ("goalposts",),
                f"indicator {spec.id!r} has direction {spec.direction!r} but its goalposts "
                f"(worst {fmt(g.worst)}, best {fmt(g.best)}) reward the opposite",
            )
        )
    if declared is not None:
        for key, value in (("worst", g.worst), ("best", g.best)):
            if not declared[0] <= value <= declared[1]:
                problems.append(
                    (
                        "goalpost-range",
                        ("goalposts", key),
                        f"goalpost {key} {fmt(value)} lies outside {spec.input!r}'s declared "
                        f"range {range_text(declared)}",
                    )
                )
    return problems


def chances(available: Available) -> int:
    """Twice the lots of the other methods: the most common method in real rubrics."""
    return 2 if available.numeric else 0


def _goalposts(draw: DrawFn, span: tuple[float, float], direction: str) -> tuple[float, float]:
    low, high = span
    pad = (high - low) * 0.25
    first = draw_number(draw, low - pad, high + pad, (high - low) / 40)
    second = draw_number(draw, low - pad, high + pad, (high - low) / 40)
    if first == second:
        second = round(first + (high - low) / 10, 6)
    worst, best = sorted((first, second))
    return (worst, best) if direction == "higher" else (best, worst)


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """Goalposts around the input's range, the direction sometimes by an alias, at times log or
    uncapped."""
    from hypothesis import strategies as st

    source = draw(st.sampled_from(list(available.numeric)))
    worst, best = _goalposts(draw, available.ranges[source], direction)
    written = draw(st.sampled_from([direction, direction[:3]]))
    fields: dict[str, Any] = {
        "input": source,
        "direction": {"hig": "max", "low": "min"}.get(written, written),
        "goalposts": {"worst": worst, "best": best},
    }
    if min(worst, best) > 0 and not draw(st.integers(0, 4)):
        fields["log"] = True
    if not draw(st.integers(0, 7)) and not (fields.get("log") and best < worst):
        fields["cap"] = False
    return fields


METHOD = Method(
    name="linear",
    model=LinearIndicator,
    pack=pack,
    bounds=bounds,
    describe=describe,
    check_inputs=check_numeric_input,
    lever=lever,
    edges=edges,
    backwards=backwards,
    reach=reach,
    lint=lint,
    chances=chances,
    generate=generate,
)
