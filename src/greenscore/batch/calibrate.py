"""calibrate(): freeze a rubric's cohort statistics and place cut-offs from one base year,
pool by pool when the rubric has pools."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from greenscore.batch.assess import DataLike, Errors, assess
from greenscore.engine.compile import IndicatorStep
from greenscore.engine.places import QUOTA_KEY
from greenscore.engine.plan import compile_rubric
from greenscore.errors import DataProblem, ProfileError
from greenscore.methods import is_cohort, method_of
from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric, rubric_yaml


def calibrate(
    rubric: RubricLike, data: DataLike, *, period: Any = None, errors: Errors = "raise"
) -> m.Rubric:
    """A copy of the rubric with its cohort statistics frozen from one period's valid rows.

    Cohort methods (minmax, percentile with its sorted reference values, zscore) and tier places
    (the cut-off totals of limits and minimums) then score every later year against this base
    year, and evaluate() can score a single park. With pools, each pool is frozen on its own
    (the ``cohort`` block is keyed by pool). Write the result with ``rubric_yaml``.
    """
    loaded = load_rubric(rubric)
    loaded_plan = compile_rubric(loaded)
    steps = [s for s in loaded_plan.indicators if is_cohort(s.spec)]
    if not steps and not loaded_plan.place_tiers:
        return loaded
    base = loaded.model_copy(update={"cohort": None})
    plan = compile_rubric(base)
    batch = assess(data, base, period=period, previous=None, errors=errors)
    scores = batch.scores
    cutoffs = plan.place_cutoffs(scores) if plan.place_tiers else {}
    problems: list[DataProblem] = []
    pools: dict[str, dict[str, Any]] = {}
    for p, label in enumerate(scores.pools.labels):
        members = scores.pools.members[p]
        stats = plan.cohort_statistics(scores.values, members[scores.ranked[members]])
        where = f" in pool {label!r}" if plan.pooled else ""
        problems += _unusable(steps, stats, where)
        frozen: dict[str, Any] = {s.id: _plain(stats[s.id]) for s in steps}
        if plan.place_tiers:
            frozen.update(cutoffs.get(label, {QUOTA_KEY: {}}))
        pools[label] = frozen
    if problems:
        raise ProfileError(problems, source=batch.prepared.source.name if batch.prepared else None)
    cohort = pools if plan.pooled else pools[scores.pools.labels[0]]
    return load_rubric(rubric_yaml(loaded.model_copy(update={"cohort": cohort})))


def _unusable(
    steps: list[IndicatorStep], stats: Mapping[str, Mapping[str, Any]], where: str
) -> list[DataProblem]:
    """Indicators whose statistics give nothing to score against: no valid value, or all equal."""
    problems = []
    for s in steps:
        stat = stats[s.id]
        inputs = ", ".join(s.spec.inputs)
        if _stats_missing(stat):
            problems.append(
                DataProblem(
                    inputs,
                    None,
                    f"indicator {s.id!r} ({s.spec.method}) has no valid values to calibrate "
                    f"on{where}",
                )
            )
            continue
        flat = method_of(s.spec).flat
        if flat is not None and flat(stat):
            problems.append(
                DataProblem(
                    inputs,
                    None,
                    f"indicator {s.id!r} ({s.spec.method}) cannot be calibrated{where}: the base "
                    "year's values are all equal (or fewer than two), so they give nothing to "
                    "score against",
                )
            )
    return problems


def _plain(stats: Mapping[str, Any]) -> dict[str, Any]:
    """Statistics as plain numbers and lists, for YAML."""
    return {
        key: [float(v) for v in value] if isinstance(value, np.ndarray) else float(value)
        for key, value in stats.items()
    }


def _stats_missing(stats: Mapping[str, Any]) -> bool:
    for value in stats.values():
        if isinstance(value, np.ndarray):
            if value.size == 0:
                return True
        elif math.isnan(float(value)):
            return True
    return False
