"""The combined improvement path: greedy moves across levers, trimmed, verified by evaluate."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from greenscore.engine.result import Assessment
from greenscore.engine.scores import Scores
from greenscore.explain.harness import Park
from greenscore.explain.levers import Lever
from greenscore.explain.single import found_gap, thresholds
from greenscore.explain.types import ImprovementPath, PathStep
from greenscore.explain.wording import diagnose
from greenscore.methods.base import fmt

_MAX_GREEDY_STEPS = 400
_FRACTIONS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0)
PATH_METHOD = (
    "greedy by gain per unit of normalised effort (continuous moves in chunks, discrete moves "
    "by band, category or item), then each move trimmed to the least that still reaches the tier; "
    "least total effort when every move is continuous under arithmetic aggregation"
)


@dataclass
class _State:
    """Positions of every lever during the greedy search (continuous value or option index)."""

    values: dict[int, float]
    picks: dict[int, int]
    order: list[int] = field(default_factory=list)

    def changes(self, levers: list[Lever]) -> dict[str, float]:
        out: dict[str, float] = {}
        for i, x in self.values.items():
            out[levers[i].var or ""] = x
        for i, j in self.picks.items():
            if j >= 0:
                out.update(levers[i].options[j].changes)
        return out

    def effort(self, levers: list[Lever], i: int) -> float:
        lever = levers[i]
        if lever.continuous:
            return lever.effort(self.values[i]) if i in self.values else 0.0
        j = self.picks.get(i, -1)
        return lever.options[j].effort if j >= 0 else 0.0

    def copy(self) -> _State:
        return _State(dict(self.values), dict(self.picks), list(self.order))


def combined_path(park: Park, all_levers: list[Lever]) -> tuple[ImprovementPath | None, str]:
    """One improvement path across indicators reaching the target tier, verified with evaluate."""
    levers: list[Lever] = []
    taken: set[str] = set()
    for lever in all_levers:
        if not lever.inputs & taken:
            levers.append(lever)
            taken |= lever.inputs
    if not levers:
        return None, "no indicator can improve"
    state = _greedy(park, levers)
    if state is None:
        best = _State(
            {i: lv.limit for i, lv in enumerate(levers) if lv.continuous},
            {i: _best_option(park, levers, i) for i, lv in enumerate(levers) if not lv.continuous},
        )
        scores = park.score([best.changes(levers)])
        if not park.reaches(scores)[0]:
            return None, diagnose(park, scores, 0, "with every indicator at its best")
        best.order = sorted([*best.values, *best.picks], key=lambda i: best.effort(levers, i))
        state = best
    _trim(park, levers, state, state.order[::-1])
    changes = state.changes(levers)
    after = park.verify(changes)
    if not park.reached(after):
        return None, "the plan found did not verify on re-evaluation"
    steps = []
    for i in sorted(set(state.values) | {i for i, j in state.picks.items() if j >= 0}):
        steps.append(_path_step(park, levers[i], state, i, levers, after))
    effort = sum(s.effort for s in steps)
    typed = {name: park.typed(name, x) for name, x in changes.items()}
    return (
        ImprovementPath(tuple(steps), typed, effort, after.total, after.tier.id, PATH_METHOD),
        "",
    )


def _best_option(park: Park, levers: list[Lever], i: int) -> int:
    lever = levers[i]
    scores = park.score([o.changes for o in lever.options])
    return int(np.argmax(scores.indicator_u[:, lever.step.position]))


def _greedy(park: Park, levers: list[Lever]) -> _State | None:
    """Take the move with the most progress per unit of effort until the tier is reached."""
    state = _State({}, {})
    for _ in range(_MAX_GREEDY_STEPS):
        now = park.score([state.changes(levers)])
        if park.reaches(now)[0]:
            return state
        short_now = float(park.shortfall(now)[0])
        candidates: list[tuple[int, float | int, float]] = []
        for i, lever in enumerate(levers):
            before = state.effort(levers, i)
            if lever.continuous:
                x = state.values.get(i, lever.start)
                for f in _FRACTIONS:
                    y = lever.snap(x + f * (lever.limit - x))
                    if lever.direction * (y - x) > 0:
                        candidates.append((i, y, lever.effort(y) - before))
            else:
                j = state.picks.get(i, -1)
                for o, option in enumerate(lever.options):
                    if o != j:
                        candidates.append((i, o, option.effort - before))
        if not candidates:
            return None
        rows = [_moved(state, levers, i, pos).changes(levers) for i, pos, _ in candidates]
        scores = park.score(rows)
        progress = short_now - park.shortfall(scores)
        fills = _fill_moves(park, levers, state, candidates, scores, now)
        if fills:
            fill_scores = park.score(
                [_moved(state, levers, i, y).changes(levers) for i, y, _ in fills]
            )
            candidates += fills
            progress = np.concatenate([progress, short_now - park.shortfall(fill_scores)])
        effort = np.array([max(c[2], 1e-15) for c in candidates])
        rate = np.where(progress > 1e-12, progress / effort, -np.inf)
        if not np.isfinite(rate).any():
            return None
        top = float(rate.max())
        near = np.flatnonzero(rate >= top * (1 - 1e-9))
        pick = int(near[np.argmax(progress[near])])
        i, pos, _ = candidates[pick]
        state = _moved(state, levers, i, pos)
    return None


def _fill_moves(
    park: Park,
    levers: list[Lever],
    state: _State,
    candidates: list[tuple[int, float | int, float]],
    scores: Scores,
    now: Scores,
) -> list[tuple[int, float | int, float]]:
    """For full continuous moves that overshoot the points needed, the move that just fills them."""
    total_now = float(park.merit(now)[0])
    need = park.threshold - total_now
    if need <= 0:
        return []
    fills = []
    for c, (i, pos, _) in enumerate(candidates):
        lever = levers[i]
        if not lever.continuous or pos != lever.snap(lever.limit):
            continue
        gain = float(park.merit(scores)[c]) - total_now
        if gain > need:
            x = state.values.get(i, lever.start)
            y = lever.snap(x + (need / gain) * (float(pos) - x))
            if lever.direction * (y - x) > 0 and y != pos:
                fills.append((i, y, lever.effort(y) - state.effort(levers, i)))
    return fills


def _moved(state: _State, levers: list[Lever], i: int, pos: float | int) -> _State:
    new = state.copy()
    if i not in new.order:
        new.order.append(i)
    if levers[i].continuous:
        new.values[i] = float(pos)
    else:
        new.picks[i] = int(pos)
    return new


def _trim(park: Park, levers: list[Lever], state: _State, order: list[int]) -> None:
    """Cut each move, last chosen first, back to the least that keeps the tier reached."""
    for i in order:
        lever = levers[i]
        if lever.continuous and i in state.values:
            without = state.copy()
            del without.values[i]
            fixed = park.fixed(without.changes(levers))
            found = thresholds(fixed, [replace(lever, limit=state.values[i])])[0]
            if found == lever.start and not np.isnan(lever.x0):
                del state.values[i]
            else:
                state.values[i] = found
        elif not lever.continuous and state.picks.get(i, -1) >= 0:
            current = lever.options[state.picks[i]].effort
            cheaper = [-1] + [o for o, opt in enumerate(lever.options) if opt.effort < current]
            rows = [_moved(state, levers, i, o).changes(levers) for o in cheaper]
            reach = park.reaches(park.score(rows))
            ok = [o for o, hit in zip(cheaper, reach, strict=True) if hit]
            if ok:
                best = min(ok, key=lambda o: -1.0 if o < 0 else lever.options[o].effort)
                if best < 0:
                    del state.picks[i]
                else:
                    state.picks[i] = best


def _path_step(
    park: Park, lever: Lever, state: _State, i: int, levers: list[Lever], after: Assessment
) -> PathStep:
    spec = lever.step.spec
    effort = state.effort(levers, i)
    items: tuple[str, ...] = ()
    label = ""
    if lever.continuous:
        changes = {lever.var or "": state.values[i]}
    else:
        option = lever.options[state.picks[i]]
        changes, items, label = option.changes, option.items, option.into
    gap = found_gap(park, lever, changes, after, True, effort, items, label)
    text = f"{spec.label or spec.id}: {gap.action} (effort {fmt(effort, 3)})"
    return PathStep(
        indicator=spec.id,
        label=spec.label,
        input=lever.var,
        via=lever.via,
        current=gap.current,
        required=gap.required,
        change=gap.change,
        items=items,
        effort=effort,
        score=gap.score,
        score_after=after.indicator(spec.id).score,
        action=gap.action,
        text=text,
    )
