"""evaluate(): one profile as a batch of one, through assess()'s coercion, history and results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from greenscore.engine.inputs import (
    cells,
    coerce_column,
    entity_key,
    is_missing,
    lag_columns,
    period_key,
    profile_mapping,
)
from greenscore.engine.normalise import MISSING_ERROR
from greenscore.engine.places import Pools, pool_label, pool_text
from greenscore.engine.plan import Plan, compile_rubric
from greenscore.engine.result import Assessment, build_assessment
from greenscore.engine.scores import Scores
from greenscore.errors import CohortRequiredError, DataProblem, ProfileError
from greenscore.methods.base import fmt
from greenscore.rubric.load import RubricLike, load_rubric


def row_problems(plan: Plan, scores: Scores, row: int) -> list[tuple[str, str]]:
    """(field, problem) for what scoring itself found wrong with a row: a pool the rubric has no
    frozen statistics for, derived inputs that are not finite numbers (an overflow, a zero
    divisor), values an indicator cannot score (a benchmark of zero) and missing-data errors."""
    fault = scores.pool_faults.get(int(scores.pools.code[row]))
    if fault is not None:
        return [(", ".join(plan.rubric.pools), fault)]
    problems = [
        (name, plan.fault_text(name, scores.values, row))
        for name, rows in scores.value_faults.items()
        if rows[row]
    ]
    problems += [(f.field, f.problem) for f in scores.indicator_faults if f.rows[row]]
    faulty = bool(problems)
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
        noun = "bonus" if veto.kind == "bonus" else "deduction"
        if scores.veto_unknown[row, v]:
            problems.append(
                (
                    str(veto.points),
                    f"veto {veto.id!r} cannot be worked out: its points are missing or invalid "
                    f"(e.g. a division by zero), so the {noun} is unknown",
                )
            )
        if scores.veto_negative[row, v]:
            value = float(scores.veto_uncapped[row, v])
            opposite = "take points off" if veto.kind == "bonus" else "add points"
            problems.append(
                (
                    str(veto.points),
                    f"{veto.kind} item {veto.id!r} cannot be applied: its points formula "
                    f"{veto.points!r} gives {fmt(value, 6)}, below 0; a {noun} is 0 points or "
                    f"more (a negative one would {opposite} instead)",
                )
            )
    if np.isnan(scores.raw_total[row]) and scores.ranked[row] and not faulty:
        problems.append(("<all>", "no indicator could be scored: every one is missing"))
    return problems


def failed_rows(scores: Scores) -> np.ndarray:
    """Rows that cannot be scored: an error row, or a ranked row with no indicator scored."""
    return np.asarray(scores.error_rows | (np.isnan(scores.raw_total) & scores.ranked))


def profile_pool(plan: Plan, data: Mapping[str, Any], entity: str | None = None) -> str:
    """The pool of one profile, from its pool fields: needed only where pools decide something
    (cohort statistics or places); '' otherwise."""
    if not (plan.pooled and plan.relative):
        return ""
    parts: list[str] = []
    problems = []
    for name in plan.rubric.pools:
        text = pool_text(data.get(name))
        if text is None:
            problems.append(
                DataProblem(
                    name,
                    data.get(name),
                    "the pool field is empty: the rubric ranks within pools, so say which one "
                    "the entity belongs to",
                    entity=entity,
                )
            )
        else:
            parts.append(text)
    if problems:
        raise ProfileError(problems)
    return pool_label(parts)


def history_columns(
    plan: Plan,
    current: Mapping[str, np.ndarray],
    history: Sequence[Any],
    entity: str | None,
) -> dict[str, np.ndarray]:
    """Lagged columns (input@-k) for one profile from its earlier ones, most recent first.

    The profile and its history form a one-entity table, one period apart, validated by the batch's
    coercion and lagged by its lag builder. A missing earlier value leaves its lag missing.
    """
    depth = max(plan.history_inputs.values()) - 1
    earlier = [profile_mapping(p) for p in history[:depth]]
    values: dict[str, np.ndarray] = {}
    problems: list[DataProblem] = []
    for name, periods in plan.history_inputs.items():
        raw = cells([d.get(name) if lag < periods - 1 else None for lag, d in enumerate(earlier)])
        floats, bad = coerce_column(plan.validator.coercers[name], raw)
        problems += [
            DataProblem(f"history[{lag}].{name}", raw[lag], problem, entity=entity)
            for lag, problem in bad
            if not is_missing(raw[lag])
        ]
        values[name] = np.concatenate([current[name], floats])
    if problems:
        raise ProfileError(problems)
    n = len(earlier) + 1
    return lag_columns(
        np.zeros(n, dtype=np.int64),
        cells(range(n - 1, -1, -1)),
        values,
        rows=np.zeros(1, dtype=np.intp),
    )


def evaluate(profile: Any, rubric: RubricLike = None, *, history: Sequence[Any] = ()) -> Assessment:
    """Score one park's profile: total, tier and consequence, dimensions, indicators, vetoes.

    ``profile`` is a mapping, pandas Series, dataclass or pydantic model; ``rubric`` a path, YAML
    text, a loaded Rubric, or None for the bundled Jiangxi rubric. ``history`` holds the park's
    earlier profiles, most recent first, for rubrics with progress indicators.
    """
    loaded = load_rubric(rubric)
    plan = compile_rubric(loaded)
    if plan.needs_cohort:
        raise CohortRequiredError.for_task(plan.cohort_items, "scoring one profile")
    data = profile_mapping(profile)
    columns = plan.validator.profile(data)
    entity = entity_key(data.get(loaded.entity))
    if plan.history_inputs:
        columns.update(history_columns(plan, columns, history, entity))
    pools = Pools.single(1, profile_pool(plan, data, entity))
    scores = plan.score(columns, 1, pools=pools)
    if failed_rows(scores)[0]:
        raise ProfileError(
            [
                DataProblem(field, data.get(field), problem, entity=entity)
                for field, problem in row_problems(plan, scores, 0)
            ]
        )
    return build_assessment(
        plan, scores, 0, entity=entity, period=period_key(data.get(loaded.period))
    )
