"""calibrate(): freeze a rubric's cohort statistics and quota cut-offs from one base year."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from greenscore.batch.assess import DataLike, Errors, assess
from greenscore.engine.decide import QUOTA_KEY
from greenscore.engine.plan import compile_rubric
from greenscore.errors import DataProblem, ProfileError
from greenscore.methods import is_cohort, method_of
from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric, rubric_yaml


def calibrate(
    rubric: RubricLike, data: DataLike, *, period: Any = None, errors: Errors = "raise"
) -> m.Rubric:
    """A copy of the rubric with its cohort statistics frozen from one period's valid rows.

    Cohort methods (minmax, percentile with its sorted reference values, zscore) and tier quotas
    (their cut-off totals) then score every later year against this base year, and evaluate()
    can score a single park. Write the result with ``rubric_yaml``.
    """
    loaded = load_rubric(rubric)
    loaded_plan = compile_rubric(loaded)
    steps = [s for s in loaded_plan.indicators if is_cohort(s.spec)]
    if not steps and not loaded_plan.quota_tiers:
        return loaded
    base = loaded.model_copy(update={"cohort": None})
    plan = compile_rubric(base)
    batch = assess(data, base, period=period, previous=None, errors=errors)
    stats = plan.cohort_statistics(batch.scores.values)
    empty = [
        DataProblem(
            ", ".join(s.spec.inputs),
            None,
            f"indicator {s.id!r} ({s.spec.method}) has no valid values to calibrate on",
        )
        for s in steps
        if _stats_missing(stats[s.id])
    ]
    for s in steps:
        stat = stats[s.id]
        if _stats_missing(stat):
            continue
        flat = method_of(s.spec).flat
        if flat is not None and flat(stat):
            empty.append(
                DataProblem(
                    ", ".join(s.spec.inputs),
                    None,
                    f"indicator {s.id!r} ({s.spec.method}) cannot be calibrated: the base year's "
                    "values are all equal (or fewer than two), so they give nothing to score against",
                )
            )
    if empty:
        raise ProfileError(empty, source=batch.prepared.source.name if batch.prepared else None)
    frozen: dict[str, dict[str, Any]] = {
        s.id: {
            key: [float(v) for v in value] if isinstance(value, np.ndarray) else float(value)
            for key, value in stats[s.id].items()
        }
        for s in steps
    }
    if plan.quota_tiers:
        frozen[QUOTA_KEY] = plan.quota_cutoffs(batch.scores)
    return load_rubric(rubric_yaml(loaded.model_copy(update={"cohort": frozen})))


def _stats_missing(stats: Mapping[str, Any]) -> bool:
    for value in stats.values():
        if isinstance(value, np.ndarray):
            if value.size == 0:
                return True
        elif math.isnan(float(value)):
            return True
    return False
