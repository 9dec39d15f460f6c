"""Each indicator alone: the smallest change of one lever that reaches the next tier, verified."""

from __future__ import annotations

import numpy as np

from greenscore.engine.compile import IndicatorStep
from greenscore.engine.result import Assessment
from greenscore.explain.harness import Park, score_of, shown_value
from greenscore.explain.levers import Lever
from greenscore.explain.types import IndicatorGap
from greenscore.explain.wording import as_float, diagnose, safe_round, unit_of
from greenscore.methods import method_of
from greenscore.methods.base import fmt

_POINTS = 64
"""Candidate points per step of the bracketing search (a 64-way bisection)."""
_RELATIVE = 1e-12
_VERIFY = 1e-9


def unreachable(
    park: Park, step: IndicatorStep, var: str | None, via: str | None, why: str
) -> IndicatorGap:
    spec = step.spec
    current = None if var is None else shown_value(park, var, float(park.columns[var][0]))
    return IndicatorGap(
        indicator=spec.id,
        label=spec.label,
        method=method_of(spec).name,
        reachable=False,
        input=var,
        via=via,
        current=current,
        required=None,
        change=None,
        items=(),
        score=score_of(park, step),
        score_after=None,
        total_after=None,
        tier_after=None,
        verified=True,
        action=f"not reachable through this indicator alone: {why}",
        reason=why,
        text=f"{spec.label or spec.id}: not reachable through this indicator alone: {why}",
    )


def single_gaps(park: Park, levers: list[Lever]) -> dict[str, IndicatorGap]:
    """For each lever alone, the smallest change that reaches the target tier, verified."""
    out: dict[str, IndicatorGap] = {}
    continuous = [lv for lv in levers if lv.continuous]
    for lever in levers:
        if not lever.continuous:
            out[lever.step.id] = _discrete_gap(park, lever)
    if not continuous:
        return out
    ends = park.score([{lv.var or "": lv.limit} for lv in continuous])
    reach = park.reaches(ends)
    searching = []
    for i, lever in enumerate(continuous):
        if reach[i]:
            searching.append(lever)
        else:
            why = diagnose(park, ends, i, "even at its best")
            out[lever.step.id] = unreachable(park, lever.step, lever.var, lever.via, why)
    found = thresholds(park, searching)
    for lever, x in zip(searching, found, strict=True):
        out[lever.step.id] = _continuous_gap(park, lever, x)
    return out


def thresholds(park: Park, levers: list[Lever]) -> list[float]:
    """The least move of each lever's input from its start that reaches the target tier.

    A bracketing search run for all levers at once: each step scores 63 interior points per
    lever and keeps the sub-interval where the tier is first reached, down to 1e-12 relative
    (absolute below 1) or one unit for whole-number inputs.
    """
    lo = [lv.start for lv in levers]
    hi = [lv.limit for lv in levers]
    if levers:
        first = park.reaches(park.score([{lv.var or "": lv.start} for lv in levers]))
        hi = [lv.start if first[i] else hi[i] for i, lv in enumerate(levers)]
    for _ in range(200):
        active = [i for i, lv in enumerate(levers) if not _narrow(lv, lo[i], hi[i])]
        if not active:
            break
        changes = []
        grids = {}
        for i in active:
            lever = levers[i]
            grid = np.linspace(lo[i], hi[i], _POINTS + 1)[1:-1]
            if lever.integer:
                grid = np.unique(np.round(grid))
                grid = grid[(grid != lo[i]) & (grid != hi[i])]
            grids[i] = grid
            changes += [{lever.var or "": float(x)} for x in grid]
        reached = park.reaches(park.score(changes))
        offset = 0
        for i in active:
            grid = grids[i]
            hits = reached[offset : offset + len(grid)]
            offset += len(grid)
            if hits.any():
                j = int(np.argmax(hits))
                hi[i] = float(grid[j])
                if j > 0:
                    lo[i] = float(grid[j - 1])
            elif len(grid):
                lo[i] = float(grid[-1])
    return hi


def _narrow(lever: Lever, lo: float, hi: float) -> bool:
    gap = abs(hi - lo)
    if lever.integer:
        return gap <= 1
    return gap <= _RELATIVE * max(abs(lo), abs(hi), 1.0) or np.nextafter(lo, hi) == hi


def _continuous_gap(park: Park, lever: Lever, x: float) -> IndicatorGap:
    """Verify a found threshold with evaluate: x reaches, a hair (1e-9) short of x does not."""
    var = lever.var or ""
    after = park.verify({var: x})
    ok = park.reached(after)
    if x != lever.start:
        delta = 1.0 if lever.integer else _VERIFY * max(1.0, abs(x))
        short = x - lever.direction * delta
        if lever.direction * (short - lever.start) < 0:
            short = lever.start
        ok = ok and not park.reached(park.verify({var: short}))
    return found_gap(park, lever, {var: x}, after, ok, lever.effort(x))


def found_gap(
    park: Park,
    lever: Lever,
    changes: dict[str, float],
    after: Assessment,
    verified: bool,
    effort: float,
    items: tuple[str, ...] = (),
    label: str = "",
) -> IndicatorGap:
    step = lever.step
    spec = step.spec
    var = lever.var
    current: float | str | None
    required: float | str | None
    if var is not None:
        current = shown_value(park, var, lever.x0)
        required = shown_value(park, var, changes[var])
    else:
        current, required = float(lever.achieved), float(lever.achieved + len(items))
    change = (
        required - current if isinstance(required, float) and isinstance(current, float) else None
    )
    action = _change_text(park, lever, current, required, change, items, label)
    text = f"{spec.label or spec.id}: {action}"
    text += f" → total {fmt(after.total)}, {after.tier.label or after.tier.id}"
    if not verified:
        text += " (NOT VERIFIED: re-evaluation disagrees)"
    return IndicatorGap(
        indicator=spec.id,
        label=spec.label,
        method=method_of(spec).name,
        reachable=True,
        input=var,
        via=lever.via,
        current=current,
        required=required,
        change=change,
        items=items,
        score=score_of(park, step),
        score_after=after.indicator(spec.id).score,
        total_after=after.total,
        tier_after=after.tier.id,
        verified=verified,
        action=action,
        reason="",
        text=text,
    )


def _change_text(
    park: Park,
    lever: Lever,
    current: float | str | None,
    required: float | str | None,
    change: float | None,
    items: tuple[str, ...],
    label: str,
) -> str:
    """The change in words: items to achieve, a value to reach (on the safe side), a category."""
    if lever.var is None:
        before, after = fmt(as_float(current)), fmt(as_float(required))
        return f"achieve {', '.join(items)} ({before} → {after} items)"
    unit = unit_of(park.plan, lever.var)
    if isinstance(required, str):
        was = current if current is not None else "not reported"
        return f"move {lever.var} from {was} to {required}"
    direction = lever.direction if lever.continuous else (1 if (change or 0) >= 0 else -1)
    shown = safe_round(as_float(required), direction)
    if current is None:
        verb = "report" + (" at least" if direction > 0 else " at most")
        text = f"{verb} {lever.var} = {shown} {unit}".rstrip() + " (not reported now)"
    else:
        verb = "raise" if (change or 0) > 0 else "lower"
        sign = "+" if (change or 0) > 0 else "−"
        by = safe_round(abs(as_float(change)), 1)
        text = f"{verb} {lever.var} from {fmt(as_float(current))} to {shown} {unit}".rstrip()
        text += f" ({sign}{by})"
    if lever.via is not None:
        v = as_float(required) * lever.k
        text += f", so {lever.via} = {fmt(v)} {unit_of(park.plan, lever.via)}".rstrip()
    if label:
        text += f", into {label}"
    return text


def _discrete_gap(park: Park, lever: Lever) -> IndicatorGap:
    """The cheapest single option of a band, category or checklist lever that reaches the tier."""
    scores = park.score([o.changes for o in lever.options])
    reach = park.reaches(scores)
    hits = [i for i in range(len(lever.options)) if reach[i]]
    if not hits:
        best = max(
            range(len(lever.options)),
            key=lambda i: float(scores.indicator_u[i, lever.step.position]),
        )
        why = diagnose(park, scores, best, "even at its best option")
        return unreachable(park, lever.step, lever.var, lever.via, why)
    option = lever.options[hits[0]]
    after = park.verify(option.changes)
    ok = park.reached(after)
    return found_gap(
        park, lever, option.changes, after, ok, option.effort, option.items, option.into
    )
