"""evaluate(): one profile through the compiled plan, the same path a batch takes."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from greenscore.engine.inputs import is_missing, profile_mapping
from greenscore.engine.plan import (
    MISSING_ERROR,
    Plan,
    Scores,
    compile_rubric,
    lag_column,
)
from greenscore.engine.result import Assessment, build_assessment
from greenscore.errors import CohortRequiredError, DataProblem, ProfileError
from greenscore.methods import is_cohort
from greenscore.rubric import models as m
from greenscore.rubric.load import load_rubric

RubricLike = str | os.PathLike[str] | m.Rubric | None


def row_problems(plan: Plan, scores: Scores, row: int) -> list[tuple[str, str]]:
    """(field, problem) for what scoring itself found wrong with a row: missing-data errors."""
    problems = []
    for step in plan.indicators:
        if scores.indicator_status[row, step.position] == MISSING_ERROR:
            source = ", ".join(step.spec.inputs) or step.id
            problems.append(
                (
                    source,
                    f"indicator {step.id!r} cannot be scored: its value is missing or invalid and "
                    "its missing-data policy is 'error'",
                )
            )
    for v, veto in enumerate(plan.rubric.vetoes):
        if scores.veto_unknown[row, v]:
            problems.append(
                (
                    str(veto.points),
                    f"veto {veto.id!r} cannot be worked out: its points are missing or invalid "
                    "(e.g. a division by zero), so the deduction is unknown",
                )
            )
    if np.isnan(scores.raw_total[row]):
        problems.append(("<all>", "no indicator could be scored: every one is missing"))
    return problems


def _history_columns(
    plan: Plan, history: Sequence[Any], entity: str | None
) -> dict[str, np.ndarray]:
    """Lagged columns (input@-k) from earlier profiles, most recent first, validated like any."""
    columns: dict[str, np.ndarray] = {}
    problems: list[DataProblem] = []
    for name, periods in plan.history_inputs.items():
        coercer = plan.validator.coercers[name]
        for lag in range(1, periods):
            value = profile_mapping(history[lag - 1]).get(name) if lag <= len(history) else None
            result = math.nan if is_missing(value) else coercer.one(value)
            if isinstance(result, str):
                problems.append(
                    DataProblem(f"history[{lag - 1}].{name}", value, result, entity=entity)
                )
                result = math.nan
            columns[lag_column(name, lag)] = np.array([result])
    if problems:
        raise ProfileError(problems)
    return columns


def evaluate(profile: Any, rubric: RubricLike = None, *, history: Sequence[Any] = ()) -> Assessment:
    """Score one park's profile: total, tier and consequence, dimensions, indicators, vetoes.

    ``profile`` is a mapping, pandas Series, dataclass or pydantic model; ``rubric`` a path, YAML
    text, a loaded Rubric, or None for the bundled Jiangxi rubric. ``history`` holds the park's
    earlier profiles, most recent first, for rubrics with progress indicators.
    """
    loaded = load_rubric(rubric)
    plan = compile_rubric(loaded)
    if plan.needs_cohort:
        cohort = [s.id for s in plan.indicators if is_cohort(s.spec)]
        cohort += [f"tier {plan.tier_ids[t]!r} (a quota)" for t in plan.quota_tiers]
        raise CohortRequiredError(
            f"the rubric scores {', '.join(cohort)} against the whole cohort: assess a batch with "
            "greenscore.assess(), or calibrate the rubric on a base year first"
        )
    data = profile_mapping(profile)
    columns = plan.validator.profile(data)
    entity = data.get(loaded.entity)
    entity_text = None if is_missing(entity) else str(entity)
    if plan.history_inputs:
        columns.update(_history_columns(plan, history, entity_text))
    scores = plan.score(columns, 1)
    if scores.error_rows[0] or np.isnan(scores.raw_total[0]):
        raise ProfileError(
            [
                DataProblem(field, data.get(field), problem, entity=entity_text)
                for field, problem in row_problems(plan, scores, 0)
            ]
        )
    period = data.get(loaded.period)
    return build_assessment(
        plan,
        scores,
        0,
        entity=entity_text,
        period=None if is_missing(period) else period,
        sha256=plan.sha256,
    )
