"""Levers: how an indicator can move towards the next tier, continuously or by discrete options.

Everything that depends on an indicator's scoring method lives here, one function per method
(``linear_goal``, ``target_goal``, ``cohort_goal`` with its ``minmax``/``zscore``/``percentile``
spans, ``bands_lever``, ``categorical_lever``, ``checklist_lever``); the searches that use levers
know nothing of methods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from greenscore.engine.plan import IndicatorStep
from greenscore.engine.result import fmt
from greenscore.explain.harness import Park, score_of
from greenscore.explain.wording import numerator_input
from greenscore.rubric import models as m


@dataclass
class Option:
    """One discrete position of a lever: the input values it sets and its effort from the start.

    ``into`` names the band the option moves into, for the wording (empty for other methods).
    """

    changes: dict[str, float]
    effort: float
    label: str
    items: tuple[str, ...] = ()
    into: str = ""


@dataclass
class Lever:
    """One indicator's way to improve: a continuous input to move, or discrete options.

    ``achieved`` counts a checklist's items achieved now (0 for other methods).
    """

    step: IndicatorStep
    var: str | None
    via: str | None
    x0: float
    continuous: bool
    k: float = 1.0
    start: float = math.nan
    limit: float = math.nan
    direction: int = 1
    integer: bool = False
    low: float = -math.inf
    high: float = math.inf
    scale: float = 1.0
    log: bool = False
    options: list[Option] = field(default_factory=list)
    achieved: int = 0

    @property
    def inputs(self) -> set[str]:
        if self.continuous:
            return {self.var} if self.var else set()
        return {name for option in self.options for name in option.changes}

    def effort(self, x: float) -> float:
        """Normalised effort of moving the continuous input from its start to x."""
        if self.log:
            floor = 1e-12
            a, b = max(self.k * self.start, floor), max(self.k * x, floor)
            return abs(math.log10(b) - math.log10(a)) / self.scale
        return abs(self.k * (x - self.start)) / self.scale

    def snap(self, x: float) -> float:
        """x clipped to the input's bounds and, for whole-number inputs, rounded away from start."""
        x = min(max(x, self.low), self.high)
        if self.integer:
            tol = 1e-9 * max(1.0, abs(x))
            x = math.ceil(x - tol) if self.direction > 0 else math.floor(x + tol)
            x = min(max(x, math.ceil(self.low)), math.floor(self.high))
        return float(x)


class Goal(NamedTuple):
    """Where a continuous indicator's raw value scores best and worst, and how effort is measured.

    ``direction`` is +1 when the raw value improves upwards, -1 downwards.
    """

    best: float
    worst: float
    scale: float
    log: bool
    direction: int


def lever_for(park: Park, step: IndicatorStep) -> Lever | str:
    """The lever for one indicator, or the reason it has none."""
    spec = step.spec
    if isinstance(spec, m.ChecklistIndicator):
        return checklist_lever(park, step, spec)
    found = _input_lever(park, step)
    if isinstance(found, str):
        return found
    lever, v0 = found
    if isinstance(spec, m.BandsIndicator):
        return bands_lever(park, lever, spec, v0)
    if isinstance(spec, m.CategoricalIndicator):
        return categorical_lever(park, lever, spec)
    if isinstance(spec, m.LinearIndicator):
        goal: Goal | str = linear_goal(spec)
    elif isinstance(spec, m.TargetIndicator):
        goal = target_goal(spec, v0)
    elif isinstance(spec, m.CohortIndicator):
        goal = cohort_goal(park, spec)
    else:
        goal = f"method {spec.method!r} has no gap search"
    if isinstance(goal, str):
        return goal
    return _continuous_lever(park, lever, goal)


def _input_lever(park: Park, step: IndicatorStep) -> tuple[Lever, float] | str:
    """The input an indicator's value moves through (the numerator of a derived input), as a
    lever not yet placed, with the indicator's raw value now; or why there is none."""
    plan = park.plan
    name = step.spec.input
    var, via, k = name, None, 1.0
    if name not in plan.inputs:
        derived = next(d for d in plan.rubric.derived if d.id == name)
        if derived.formula is None:
            return f"fed by the derived input {name}, a statistic over earlier periods"
        numerator = numerator_input(derived.formula, plan.inputs)
        if numerator is None:
            return (
                f"fed by the derived input {name} (= {derived.formula}), which has no single "
                "input in its numerator to vary"
            )
        var, via = numerator, name
        if math.isnan(float(park.columns[var][0])):
            return f"fed by the derived input {name}, whose input {var} is not reported"
        probe_columns = {n: np.repeat(c, 2) for n, c in park.columns.items()}
        probe_columns[var] = np.array([0.0, 1.0])
        probe = plan.compute_values(probe_columns, 2)[name]
        k = float(probe[1] - probe[0])
        if not math.isfinite(k) or k == 0:
            return (
                f"fed by the derived input {name} (= {derived.formula}), whose denominator is "
                "zero or missing"
            )
    spec_in = plan.inputs[var]
    lever = Lever(
        step=step,
        var=var,
        via=via,
        x0=float(park.columns[var][0]),
        continuous=True,
        k=k,
        integer=spec_in.type == "integer",
        low=-math.inf if spec_in.min is None else spec_in.min,
        high=math.inf if spec_in.max is None else spec_in.max,
    )
    return lever, float(park.values[name][0])


def _continuous_lever(park: Park, lever: Lever, goal: Goal) -> Lever | str:
    """The lever placed between its start and the input value that scores best, or why not."""
    best, worst, lever.scale, lever.log, v_dir = goal
    k, x0 = lever.k, lever.x0
    lever.direction = v_dir * (1 if k > 0 else -1)
    lever.start = worst / k if math.isnan(x0) else x0
    lever.limit = lever.snap(best / k)
    if lever.direction * (lever.limit - lever.start) <= 0:
        step = lever.step
        if float(park.now.indicator_u[0, step.position]) >= 1.0:
            return f"capped at its best already (scores {fmt(float(score_of(park, step) or 0), 2)})"
        bound = lever.high if lever.direction > 0 else lever.low
        return f"{lever.var} is at its bound ({fmt(bound)}) already"
    return lever


def linear_goal(spec: m.LinearIndicator) -> Goal:
    """linear: from the worst to the best goalpost, effort on log10 for log goalposts."""
    g = spec.goalposts
    scale = abs(math.log10(g.best / g.worst)) if spec.log else abs(g.best - g.worst)
    return Goal(g.best, g.worst, scale, spec.log, 1 if g.best > g.worst else -1)


def target_goal(spec: m.TargetIndicator, v0: float) -> Goal:
    """target: towards the tolerance edge on the side of the target the value is on."""
    scale = spec.worst_distance - spec.tolerance
    below = math.isnan(v0) or v0 < spec.target
    if below:
        best, worst = spec.target - spec.tolerance, spec.target - spec.worst_distance
    else:
        best, worst = spec.target + spec.tolerance, spec.target + spec.worst_distance
    direction = 1 if best > worst else -1
    if not math.isnan(v0):
        direction = 1 if spec.target > v0 else -1
    return Goal(best, worst, scale, False, direction)


def cohort_goal(park: Park, spec: m.CohortIndicator) -> Goal | str:
    """minmax, zscore, percentile: across the calibrated cohort's range, in its direction."""
    stats: dict[str, Any] = (park.rubric.cohort or {}).get(spec.id, {})
    if spec.method == "minmax":
        lo, hi = minmax_span(stats)
    elif spec.method == "zscore":
        lo, hi = zscore_span(spec, stats)
    else:
        lo, hi = percentile_span(stats)
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        return "the cohort is constant: every park scores the same"
    best, worst = (hi, lo) if spec.direction == "higher" else (lo, hi)
    return Goal(best, worst, hi - lo, False, 1 if best > worst else -1)


def minmax_span(stats: dict[str, Any]) -> tuple[float, float]:
    """minmax: the cohort's minimum and maximum."""
    return stats.get("min", math.nan), stats.get("max", math.nan)


def zscore_span(spec: m.CohortIndicator, stats: dict[str, Any]) -> tuple[float, float]:
    """zscore: the mean ± zscore_range standard deviations."""
    mean, std = stats.get("mean", math.nan), stats.get("std", math.nan)
    return mean - spec.zscore_range * std, mean + spec.zscore_range * std


def percentile_span(stats: dict[str, Any]) -> tuple[float, float]:
    """percentile: the lowest and highest reference value."""
    reference = np.asarray(stats.get("reference", []), dtype=float)
    return (float(reference[0]), float(reference[-1])) if reference.size else (0.0, 0.0)


def bands_lever(park: Park, lever: Lever, spec: m.BandsIndicator, v0: float) -> Lever | str:
    """bands: one option per band scoring more than now, at the nearest value in it."""
    lever.continuous = False
    lever.options = _band_options(park, lever, spec, v0)
    return lever if lever.options else "already in its best band"


def _band_options(park: Park, lever: Lever, spec: m.BandsIndicator, v0: float) -> list[Option]:
    """For each band scoring more than now, the nearest value in it."""
    bands = spec.ordered_bands
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
        v = _nearest_in_band(band, origin, lever)
        if v is None:
            continue
        x = v / lever.k
        text = _band_text(band)
        options.append(Option({lever.var or "": x}, abs(v - origin) / span, text, into=text))
    return sorted(options, key=lambda o: o.effort)


def _nearest_in_band(band: m.Band, origin: float, lever: Lever) -> float | None:
    """The value in [low, high) nearest to origin, on the indicator's raw scale, within bounds."""
    k = lever.k
    lo_x, hi_x = sorted((band.low / k, band.high / k))
    lo_x, hi_x = max(lo_x, lever.low), min(hi_x, lever.high)
    if lo_x > hi_x:
        return None
    x0 = origin / k
    edges: list[float]
    if lever.integer:
        edges = [math.ceil(lo_x), math.ceil(lo_x) + 1, math.floor(hi_x), math.floor(hi_x) - 1]
        edges.append(min(max(round(x0), math.ceil(lo_x)), math.floor(hi_x)))
    else:
        edges = [lo_x, float(np.nextafter(lo_x, np.inf)), hi_x, float(np.nextafter(hi_x, -np.inf))]
        edges.append(min(max(x0, lo_x), hi_x))
    inside = [
        float(x)
        for x in edges
        if math.isfinite(x) and lever.low <= x <= lever.high and band.low <= x * k < band.high
    ]
    if not inside:
        return None
    return min(inside, key=lambda x: abs(x - x0)) * k


def _band_text(band: m.Band) -> str:
    low = "" if band.from_ is None else f"≥{fmt(band.from_)}"
    high = "" if band.to is None else f"<{fmt(band.to)}"
    return f"band {' '.join(x for x in (low, high) if x) or 'any'} ({fmt(band.points)} points)"


def categorical_lever(park: Park, lever: Lever, spec: m.CategoricalIndicator) -> Lever | str:
    """categorical: one option per category scoring more than now, nearest in declared order."""
    lever.continuous = False
    categories = park.plan.inputs[spec.input].categories or []
    x0 = lever.x0
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
    lever.options = sorted(options, key=lambda o: (o.effort, spec.points[o.label]))
    return lever if lever.options else "already in its best category"


def checklist_lever(park: Park, step: IndicatorStep, spec: m.ChecklistIndicator) -> Lever | str:
    """checklist: achieve the missing items, highest points first, one option per count."""
    plan = park.plan
    names = [item.input for item in spec.items]
    derived = [n for n in names if n not in plan.inputs]
    if derived:
        return f"checklist items {', '.join(derived)} are derived, not reported"
    todo = [item for item in spec.items if park.columns[item.input][0] != 1.0]
    if not todo:
        return "every checklist item is achieved already"
    todo.sort(key=lambda item: -item.points)
    missing = {item.input: 0.0 for item in spec.items if math.isnan(park.columns[item.input][0])}
    options = []
    for count in range(1, len(todo) + 1):
        chosen = tuple(item.input for item in todo[:count])
        changes = {**missing, **dict.fromkeys(chosen, 1.0)}
        options.append(Option(changes, count / len(spec.items), ", ".join(chosen), chosen))
    achieved = sum(1 for item in spec.items if park.columns[item.input][0] == 1.0)
    return Lever(
        step=step,
        var=None,
        via=None,
        x0=math.nan,
        continuous=False,
        options=options,
        achieved=achieved,
    )
