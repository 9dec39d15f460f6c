"""evaluate(): one profile through the compiled plan, the same path a batch takes."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from greenscore import _model as m
from greenscore._inputs import is_missing, profile_mapping
from greenscore._load import load_rubric
from greenscore._plan import COHORT_METHODS, MISSING_ERROR, Plan, Scores, compile_rubric
from greenscore._result import Assessment, build_assessment
from greenscore.errors import CohortRequiredError, DataProblem, ProfileError

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
    if np.isnan(scores.raw_total[row]):
        problems.append(("<all>", "no indicator could be scored: every one is missing"))
    return problems


def evaluate(profile: Any, rubric: RubricLike = None) -> Assessment:
    """Score one park's profile: total, tier and consequence, dimensions, indicators, vetoes.

    ``profile`` is a mapping, pandas Series, dataclass or pydantic model; ``rubric`` a path, YAML
    text, a loaded Rubric, or None for the bundled Jiangxi rubric.
    """
    loaded = load_rubric(rubric)
    plan = compile_rubric(loaded)
    if plan.needs_cohort:
        cohort = [s.id for s in plan.indicators if s.spec.method in COHORT_METHODS]
        raise CohortRequiredError(
            f"the rubric scores {', '.join(cohort)} against the whole cohort: assess a batch with "
            "greenscore.assess(), or calibrate the rubric on a base year first"
        )
    data = profile_mapping(profile)
    columns = plan.validator.profile(data)
    scores = plan.score(columns, 1)
    entity = data.get(loaded.entity)
    entity_text = None if is_missing(entity) else str(entity)
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
