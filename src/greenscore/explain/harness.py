"""The scoring harness of the gap search: one park's inputs, scored in batches of changes."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from greenscore.engine.compile import IndicatorStep
from greenscore.engine.decide import condition_deficit, condition_parts
from greenscore.engine.evaluate import evaluate, failed_rows, profile_pool
from greenscore.engine.places import MINIMUM_KEY, QUOTA_KEY, Pools
from greenscore.engine.plan import Plan
from greenscore.engine.result import Assessment
from greenscore.engine.scores import Scores


def _floor(plan: Plan, pool: str, target: int) -> float:
    """The least merit (the total, or minus it where a lower total is better) that reaches the
    target tier by score and places: its score bound, the frozen cut-off of its limit, and
    beyond the frozen ceiling of every minimum below it."""
    tier = plan.rubric.tiers[target]
    floor = tier.floor
    frozen = plan.frozen_places(pool) or {}
    cutoff = (frozen.get(QUOTA_KEY) or {}).get(tier.id)
    if tier.limited and cutoff is not None:
        floor = max(floor, plan.sign * float(cutoff))
    for below in plan.rubric.tiers[target + 1 :]:
        ceiling = (frozen.get(MINIMUM_KEY) or {}).get(below.id)
        if below.guaranteed and ceiling is not None:
            floor = max(floor, float(np.nextafter(plan.sign * float(ceiling), np.inf)))
    return floor


class Park:
    """One park's validated inputs, scored in batches of candidate changes."""

    def __init__(self, plan: Plan, data: Mapping[str, Any], target: int) -> None:
        self.plan = plan
        self.rubric = plan.rubric
        self.data = data
        self.columns = plan.validator.profile(data)
        self.values = plan.compute_values(self.columns, 1)
        self.pool = profile_pool(plan, data)
        self.target = target
        self.tier = plan.rubric.tiers[target]
        decimals = plan.rubric.rounding.decimals if plan.rubric.rounding else None
        half = 0.5 * 10.0**-decimals if decimals is not None else 0.0
        self.floor = _floor(plan, self.pool, target)
        self.threshold = self.floor - half
        self.bound = plan.sign * self.floor
        self.parts = [p for c in self.tier.conditions for p in condition_parts(plan, c)]
        self.now = self.score([{}])

    def score(self, changes: Sequence[Mapping[str, float]]) -> Scores:
        n = max(len(changes), 1)
        cols = {name: np.repeat(col, n) for name, col in self.columns.items()}
        for i, change in enumerate(changes):
            for name, value in change.items():
                cols[name][i] = value
        return self.plan.score(cols, n, pools=Pools.single(n, self.pool))

    def reaches(self, scores: Scores) -> np.ndarray:
        ok = ~failed_rows(scores)
        return np.asarray(ok & (scores.tier <= self.target), dtype=bool)

    def shortfall(self, s: Scores) -> np.ndarray:
        """Points missing to the target tier's score plus the deficit of each condition, per row.

        Each dimension or indicator a condition names adds its own deficit (the engine's
        ``condition_deficit`` of one part); vetoes add none.
        """
        short = np.maximum(0.0, self.threshold - self.merit(s))
        for part in self.parts:
            short = short + condition_deficit(self.plan, part, s)
        return np.asarray(short, dtype=float)

    def merit(self, s: Scores) -> np.ndarray:
        """The bounded, unrounded total of each row read the rubric's way round (minus it where
        a lower total is better); a missing total counts as the worst end of the scale."""
        plan = self.plan
        worst = plan.scale_min if plan.sign > 0 else plan.scale_max
        total = np.nan_to_num(plan.bound_total(s.unclamped), nan=worst)
        return np.asarray(plan.sign * total, dtype=float)

    def typed(self, name: str, x: float) -> Any:
        """A column value back in the form a profile holds: bool, category, int or float."""
        spec = self.plan.inputs[name]
        if spec.type == "boolean":
            return bool(x)
        if spec.type == "category":
            return (spec.categories or [])[int(x)]
        if spec.type == "integer":
            return round(x)
        return float(x)

    def fixed(self, changes: Mapping[str, float]) -> Park:
        """This park with some inputs already changed, for searching one more."""
        new = copy.copy(self)
        new.columns = {
            name: np.array([changes.get(name, float(col[0]))]) for name, col in self.columns.items()
        }
        return new

    def profile_with(self, changes: Mapping[str, float]) -> dict[str, Any]:
        return {**self.data, **{k: self.typed(k, v) for k, v in changes.items()}}

    def verify(self, changes: Mapping[str, float]) -> Assessment:
        return evaluate(self.profile_with(changes), self.rubric)

    def reached(self, assessment: Assessment) -> bool:
        return self.plan.tier_index[assessment.tier.id] <= self.target


def score_of(park: Park, step: IndicatorStep) -> float | None:
    """The indicator's score now, or None when it has none."""
    value = float(park.now.indicator_score[0, step.position])
    return None if math.isnan(value) else value


def shown_value(park: Park, name: str, x: float) -> float | str | None:
    """A column value as a gap shows it: None when missing, the category, or a float."""
    if math.isnan(x):
        return None
    typed = park.typed(name, x)
    return typed if isinstance(typed, str) else float(typed)
