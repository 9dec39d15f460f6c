"""ratio: the value divided by a benchmark, or the benchmark by the value when lower is better.

The benchmark is a constant, another input (a park's own annual target: the ratio is then its
target completion) or the cohort's mean or median of the same input in the same period (the
county average of per-mu efficiency), times a factor. The ratio is floored at 0 and capped at
``cap``, which earns full marks (the top of the scale, or of ``onto``), unless ``cap: false``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import field_validator, model_validator

from greenscore.methods.base import (
    Available,
    Cohort,
    Context,
    Goal,
    GroupScorer,
    Hint,
    Identifier,
    IndicatorBase,
    InputLike,
    InputProblem,
    InputRange,
    LintProblem,
    Method,
    Positive,
    RowFault,
    Standing,
    Values,
    _Model,
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

EARLIER_PERIOD = (
    "a benchmark from an earlier period is not supported yet: calibrate the rubric on that "
    "period's data instead (greenscore calibrate DATA --period P), which freezes its cohort "
    "statistic for later years; 'times: 2' then makes the benchmark twice that year's mean"
)


class Benchmark(_Model):
    """What a ratio is taken to: a constant (`value`, or a bare number), another input, or the
    cohort's mean or median of the indicator's own input in the same period; times a factor."""

    value: Positive | None = None
    input: Identifier | None = None
    statistic: Literal["mean", "median"] | None = None
    times: Positive = 1.0

    @model_validator(mode="before")
    @classmethod
    def _not_earlier(cls, data: Any) -> Any:
        if isinstance(data, dict) and "period" in data:
            raise ValueError(EARLIER_PERIOD)
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Benchmark:
        kinds = [k for k in ("value", "input", "statistic") if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = f"; found {' and '.join(kinds)}" if kinds else ""
            raise ValueError(
                "a benchmark is one of: a number, {input: NAME} or {statistic: mean} "
                f"(or median){found}"
            )
        if self.value is not None and self.times != 1.0:
            raise ValueError("'times' scales an input or a statistic; write the constant itself")
        return self


class RatioIndicator(IndicatorBase):
    """The value over a benchmark (the benchmark over the value when lower is better), floored
    at 0 and capped at `cap`, which earns full marks; `cap: false` leaves it uncapped."""

    method: Literal["ratio"]
    input: Identifier
    direction: Literal["higher", "lower"] = "higher"
    benchmark: Benchmark
    cap: Literal[False] | Positive = 1.0

    @field_validator("benchmark", mode="before")
    @classmethod
    def _constant(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a benchmark is a number, {input: NAME} or {statistic: mean}")
        if isinstance(value, int | float):
            return {"value": value}
        if isinstance(value, str):
            raise ValueError(
                f"write {{input: {value}}} for a benchmark read from another input, "
                "{statistic: mean} (or median) for the cohort's, or a number"
            )
        return value

    @field_validator("cap", mode="before")
    @classmethod
    def _cap(cls, value: Any) -> Any:
        if value is False:
            return value
        if value is True or not isinstance(value, int | float):
            raise ValueError(
                "cap is the ratio that earns full marks (1 for the benchmark itself, 1.2 for "
                f"120 %), or false for no cap; got {value!r}"
            )
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"cap must be a ratio above 0, or false for no cap; got {value}")
        return value

    @property
    def inputs(self) -> tuple[str, ...]:
        """Its own input, and the input its benchmark is read from (if any)."""
        other = self.benchmark.input
        return (self.input,) if other is None else (self.input, other)

    @property
    def capped(self) -> float:
        """The cap as a number: infinite when uncapped."""
        return math.inf if self.cap is False else float(self.cap)


def ratio(
    x: FloatArray,
    benchmark: FloatArray,
    lower: bool | FloatArray,
    cap: float | FloatArray,
) -> FloatArray:
    """x ÷ benchmark (benchmark ÷ x where lower), floored at 0, divided by cap where it is finite
    (full marks at the cap, nothing more above it).

    NaN where either value is missing or the divisor is not positive: the method's faults name
    those rows. Parameters broadcast, so one call scores a whole group of indicators.
    """
    divisor = np.where(lower, x, benchmark)
    dividend = np.where(lower, benchmark, x)
    defined = divisor > 0
    with np.errstate(over="ignore"):
        r = np.divide(dividend, divisor, out=np.full(defined.shape, np.nan), where=defined)
    r = np.maximum(r, 0.0)
    capped = np.isfinite(cap)
    u: FloatArray = np.where(capped, np.minimum(r, cap) / np.where(capped, cap, 1.0), r)
    return u


def _statistic(spec: RatioIndicator, cohort: Cohort) -> float:
    """The cohort statistic a benchmark is taken from (NaN when the cohort does not hold it)."""
    stats = cohort.get(spec.id) or {}
    return float(stats.get(spec.benchmark.statistic or "", math.nan))


def benchmark_values(spec: RatioIndicator, values: Values, cohort: Cohort, n: int) -> np.ndarray:
    """Each row's benchmark: the constant, the other input, or the cohort statistic, times the
    factor."""
    bench = spec.benchmark
    if bench.value is not None:
        return np.full(n, bench.value)
    if bench.input is not None:
        return bench.times * np.asarray(values[bench.input], dtype=float)
    return np.full(n, bench.times * _statistic(spec, cohort))


def pack(specs: Sequence[RatioIndicator], context: Context) -> GroupScorer:
    """One kernel call for every ratio indicator: benchmarks as rows, direction and cap as
    columns."""
    lower = np.array([s.direction == "lower" for s in specs])[:, None]
    cap = np.array([s.capped for s in specs])[:, None]

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = stack_inputs(specs, values, n)
        b = np.empty((len(specs), n))
        for c, spec in enumerate(specs):
            b[c] = benchmark_values(spec, values, cohort, n)
        return x, ratio(x, b, lower, cap)

    return score


def bounds(spec: RatioIndicator, context: Context) -> tuple[float, float]:
    """0 at a ratio of 0; 1 at the cap, or unbounded when uncapped."""
    return 0.0, 1.0 if spec.cap is not False else math.inf


def _benchmark_text(spec: RatioIndicator) -> str:
    bench = spec.benchmark
    if bench.value is not None:
        return fmt(bench.value)
    named = bench.input if bench.input is not None else f"the cohort {bench.statistic}"
    return named if bench.times == 1.0 else f"({fmt(bench.times)} × {named})"


def formula_text(spec: RatioIndicator) -> str:
    """The ratio in words: 'energy_target ÷ energy_intensity'."""
    bench = _benchmark_text(spec)
    return f"{bench} ÷ {spec.input}" if spec.direction == "lower" else f"{spec.input} ÷ {bench}"


def describe(spec: RatioIndicator) -> str:
    capped = (
        f"capped at {fmt(spec.cap)}"
        if spec.cap is not False
        else "uncapped (1 scores the top of the range, more scores past it)"
    )
    return f"ratio {formula_text(spec)}, {direction_text(spec.direction)}, {capped}"


def against_cohort(spec: RatioIndicator) -> bool:
    """A benchmark that is a statistic of the cohort."""
    return spec.benchmark.statistic is not None


def statistics(spec: RatioIndicator, x: np.ndarray) -> dict[str, Any]:
    """The cohort's mean or median of the valid values (NaN when there is none); nothing for a
    benchmark that is not a cohort statistic."""
    name = spec.benchmark.statistic
    if name is None:
        return {}
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if not len(x):
        return {name: math.nan}
    return {name: float(x.mean() if name == "mean" else np.median(x))}


def references(spec: RatioIndicator) -> tuple[str, ...]:
    """The input the benchmark is read from: a yardstick, not the park's own value."""
    return () if spec.benchmark.input is None else (spec.benchmark.input,)


def check_inputs(
    spec: RatioIndicator, inputs: Mapping[str, InputLike], known: Collection[str], hint: Hint
) -> list[InputProblem]:
    """Its input and its benchmark's input are numeric, declared or derived, and not the same."""
    problems = check_numeric_input(spec, inputs, known, hint)
    name = spec.benchmark.input
    if name is None:
        return problems
    path: tuple[str | int, ...] = ("benchmark", "input")
    if name not in known:
        problems.append((path, f"undeclared input {name!r}{hint(name, known)}"))
    elif (declared := inputs.get(name)) is not None and declared.type == "category":
        problems.append((path, f"a benchmark needs a numeric input; {name!r} is a category"))
    elif name == spec.input:
        problems.append((path, f"the benchmark is {name!r} itself: the ratio would always be 1"))
    return problems


def faults(spec: RatioIndicator, values: Values, cohort: Cohort, n: int) -> list[RowFault]:
    """Rows with both values present whose ratio cannot be taken: a benchmark of zero or below,
    a value of zero or below when lower is better, or an uncapped ratio that overflows."""
    x = np.asarray(values[spec.input], dtype=float)
    bench = spec.benchmark
    present = ~np.isnan(x)
    head = f"indicator {spec.id!r} is the ratio {formula_text(spec)}"
    if bench.statistic is not None and bench.statistic not in (cohort.get(spec.id) or {}):
        problem = (
            f"{head}, but the rubric's cohort statistics hold no {bench.statistic} for it: "
            "calibrate the rubric again"
        )
        return [(present, spec.input, problem)] if present.any() else []
    b = benchmark_values(spec, values, cohort, n)
    present &= ~np.isnan(b)
    field = spec.input if bench.input is None else bench.input
    which = _benchmark_text(spec)
    negative = f"{float(b[0]):g}" if bench.input is None and n else "negative"
    found: list[RowFault] = []
    for rows, what in (
        (present & (b == 0), f"zero benchmark: {head}, and {which} is 0"),
        (present & (b < 0), f"negative benchmark: {head}, and {which} is {negative}"),
    ):
        if rows.any():
            found.append((rows, field, what))
    if spec.direction == "lower":
        usable = present & (b > 0)
        for rows, what in (
            (usable & (x == 0), f"divides by zero: {head}, and {spec.input} is 0"),
            (usable & (x < 0), f"negative value: {head}, and {spec.input} is negative"),
        ):
            if rows.any():
                found.append((rows, spec.input, what))
    if spec.cap is False:
        r = ratio(x, b, spec.direction == "lower", math.inf)
        rows = present & np.isinf(r)
        if rows.any():
            found.append((rows, spec.input, f"overflows: {head}, too large for a number"))
    return found


def _full_marks(spec: RatioIndicator, b: float) -> float:
    """The value that earns full marks against benchmark b: at the cap (at ratio 1 uncapped)."""
    cap = 1.0 if spec.cap is False else spec.cap
    return b / cap if spec.direction == "lower" else cap * b


def lever(spec: RatioIndicator, standing: Standing) -> Goal | str:
    """Higher is better: from 0 up to the value earning full marks, as linear goalposts. Lower is
    better: down to the value earning full marks, effort on log10 (the score goes as 1 ÷ value),
    ten times that value standing for the worst."""
    axis = standing.axis()
    if isinstance(axis, str):
        return axis
    bench = spec.benchmark
    if bench.value is not None:
        b = bench.value
    elif bench.input is not None:
        now = standing.reported(bench.input)
        if now is None:
            return f"its benchmark {bench.input} is derived, not reported"
        if math.isnan(now):
            return f"its benchmark {bench.input} is not reported"
        b = bench.times * now
    else:
        b = bench.times * float(standing.statistics().get(bench.statistic or "", math.nan))
    if not b > 0:
        return "its benchmark is not a positive number"
    best = _full_marks(spec, b)
    if spec.direction == "lower":
        return Goal(axis, best, 10 * best, 1.0, True, -1)
    return Goal(axis, best, 0.0, best, False, 1)


def edges(spec: RatioIndicator) -> tuple[float, ...]:
    """0, where the ratio stops falling (or cannot be taken); against a constant, also the
    benchmark and the value earning full marks."""
    b = spec.benchmark.value
    if b is None:
        return (0.0,)
    return (0.0, b, _full_marks(spec, b))


def reach(spec: RatioIndicator, declared: InputRange, context: Context) -> float:
    """Against a constant: the score at the better end of the declared range; else 1 (capped)
    or unbounded."""
    cap = spec.capped
    b = spec.benchmark.value
    end = None if declared is None else declared[0 if spec.direction == "lower" else 1]
    if b is None or end is None or not math.isfinite(end):
        return 1.0 if math.isfinite(cap) else math.inf
    if spec.direction == "lower":
        if end <= 0:
            return 1.0 if math.isfinite(cap) else math.inf
        r = b / end
    else:
        r = max(end / b, 0.0)
    return min(r, cap) / cap if math.isfinite(cap) else r


def lint(spec: RatioIndicator, declared: InputRange, context: Context) -> list[LintProblem]:
    """Against a constant, full marks out of the input's declared range."""
    b = spec.benchmark.value
    if b is None or declared is None or spec.cap is False:
        return []
    full = _full_marks(spec, b)
    if declared[0] <= full <= declared[1]:
        return []
    return [
        (
            "goalpost-range",
            ("benchmark",),
            f"full marks need {spec.input} at {fmt(full)} (ratio {fmt(spec.cap)} to the "
            f"benchmark {fmt(b)}), outside {spec.input!r}'s declared range {range_text(declared)}",
        )
    ]


def chances(available: Available) -> int:
    return 1 if available.numeric else 0


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """A benchmark that is a positive constant, another input, or (where the rubric may score
    against the cohort) the cohort's mean or median; a cap of 1 to 2, at times none.

    Declared ranges keep every ratio defined, as a real rubric's should: a divisor (the
    benchmark input, or the input itself when lower is better) is declared above 0 and a cohort
    statistic is taken of an input declared not negative. Where the rubric offers no such input
    the direction falls back to higher, the benchmark to a constant.
    """
    from hypothesis import strategies as st

    positive = [name for name, floor in available.floors.items() if floor > 0]
    unsigned = [name for name, floor in available.floors.items() if floor >= 0]
    if direction == "lower" and not positive:
        direction = "higher"
    sources = list(available.numeric) if direction == "higher" else positive
    pairs = [(source, other) for other in positive for source in sources if source != other]
    averaged = unsigned if direction == "higher" else positive
    kinds = ["value"] + (["input"] if pairs else [])
    if available.cohort and averaged:
        kinds.append("statistic")
    kind = draw(st.sampled_from(kinds))
    benchmark: dict[str, Any]
    if kind == "input":
        source, other = draw(st.sampled_from(pairs))
        benchmark = {"input": other}
    elif kind == "statistic":
        source = draw(st.sampled_from(averaged))
        benchmark = {"statistic": draw(st.sampled_from(["mean", "median"]))}
    else:
        source = draw(st.sampled_from(sources))
        low, high = available.ranges[source]
        unit = (high - low) / 20
        value = draw_number(draw, max(low, unit), max(high, 2 * unit), unit)
        benchmark = {"value": value if value > 0 else unit}
    if kind != "value" and not draw(st.integers(0, 3)):
        benchmark["times"] = draw(st.sampled_from([0.5, 2.0]))
    fields: dict[str, Any] = {"input": source, "direction": direction, "benchmark": benchmark}
    if not draw(st.integers(0, 7)):
        fields["cap"] = False
    elif draw(st.booleans()):
        fields["cap"] = draw(st.sampled_from([1.2, 1.5, 2.0]))
    return fields


METHOD = Method(
    name="ratio",
    model=RatioIndicator,
    pack=pack,
    bounds=bounds,
    describe=describe,
    check_inputs=check_inputs,
    statistics=statistics,
    against_cohort=against_cohort,
    references=references,
    faults=faults,
    lever=lever,
    edges=edges,
    reach=reach,
    lint=lint,
    chances=chances,
    generate=generate,
)
