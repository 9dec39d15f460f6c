"""The engine under its own properties: every generated rubric keeps the engine's promises.

Properties that depend on the rubric's design are asserted only where the generated rubric
guarantees them (see ``_expected``); the rest must hold for every valid rubric.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenscore import load_rubric
from greenscore.rubric import models as m
from greenscore.testing import PROPERTIES, check_rubric, context_for, rubrics

ENGINE = [p for p in PROPERTIES.values() if p.engine]
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def _expected(rubric: m.Rubric, name: str) -> bool:
    """Whether a generated rubric must pass this property by construction."""
    ctx = context_for(rubric)
    if name == "bounded":
        uncapped = any(getattr(i, "cap", True) is False for _, i in rubric.iter_indicators())
        off_grid = False
        if rubric.rounding is not None:
            steps = rubric.scale.span * 10**rubric.rounding.decimals
            off_grid = abs(steps - round(steps)) > 1e-9
        return not (uncapped and rubric.total.ceiling) and not off_grid
    if name == "missing_never_pays":
        optional = {s.id for s in rubric.inputs if not s.required}
        return not any(
            (not step.spec.required or step.policy == "drop")
            and ctx.base_inputs(step.spec.inputs) & optional
            for step in ctx.plan.indicators
        )
    return True


def _run_engine_properties(rubric: m.Rubric, data: st.DataObject, draws: int) -> None:
    ctx = context_for(rubric)
    for prop in ENGINE:
        if not _expected(rubric, prop.name):
            continue
        setup = prop.prepare(ctx, 10)
        assert setup.failure is None, f"{prop.name}: {setup.failure}"
        if setup.strategy is None or setup.body is None:
            continue
        for _ in range(draws):
            example = data.draw(setup.strategy, label=prop.name)
            problem = setup.body(example)
            assert problem is None, f"{prop.name}: {problem.explanation}"


@settings(max_examples=40, deadline=None, suppress_health_check=HEALTH)
@given(rubrics(), st.data())
def test_engine_properties_hold_for_generated_rubrics(rubric, data):
    _run_engine_properties(rubric, data, draws=1)


@pytest.mark.slow
@settings(max_examples=800, deadline=None, suppress_health_check=HEALTH)
@given(rubrics(), st.data())
def test_engine_properties_hold_deep(rubric, data):
    _run_engine_properties(rubric, data, draws=3)


def _check_generated(rubric: m.Rubric, properties: list[str] | None = None) -> None:
    report = check_rubric(rubric, max_examples=15, run_lint=False, properties=properties)
    for check in report.checks:
        if PROPERTIES[check.name].engine and _expected(rubric, check.name):
            assert check.passed, f"{check.name}: {check.explanation} {check.counterexample}"


@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    suppress_health_check=[*HEALTH, HealthCheck.nested_given],
)
@given(rubrics(max_indicators=6))
def test_check_rubric_runs_on_generated_rubrics(rubric):
    """Three fixed generated rubrics and the engine's properties only, for a short and steady
    default run; the deep run below draws anew and also runs the rubric-design properties (the
    tier reachability search alone takes seconds per rubric)."""
    _check_generated(rubric, [p.name for p in ENGINE])


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[*HEALTH, HealthCheck.nested_given])
@given(rubrics())
def test_check_rubric_runs_on_generated_rubrics_deep(rubric):
    _check_generated(rubric)


ZERO_TOP_WEIGHTS = """
name: zero top-level weights
version: "1"
inputs: [{id: x, min: 0, max: 10}]
dimensions:
  - {id: g, weight: 0, indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}]}
tiers: [{id: only, min_score: 0}]
"""

ROUNDING_OFF_GRID = """
name: rounding past the scale
version: "1"
scale: {min: 0, max: 2.5}
rounding: {decimals: 0}
inputs: [{id: x, min: 0, max: 10}]
dimensions:
  - {id: g, indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}]}
tiers: [{id: top, min_score: 2}, {id: low, min_score: 0}]
"""

LOG_UNCAPPED = """
name: log goalposts, uncapped
version: "1"
inputs: [{id: x, min: 0, max: 10}, {id: y, min: 0, max: 10}]
dimensions:
  - id: g
    indicators:
      - {id: i, input: x, method: linear, direction: lower, goalposts: {worst: 5, best: 0.5}, log: true, cap: false}
      - {id: j, input: y, method: linear, goalposts: {worst: 0, best: 10}}
tiers: [{id: only, min_score: 0}]
"""


def test_top_level_weights_summing_to_zero_are_rejected():
    from greenscore import RubricError

    with pytest.raises(RubricError):
        load_rubric(ZERO_TOP_WEIGHTS)


def test_rounding_keeps_the_total_on_the_scale():
    from greenscore import evaluate

    assert evaluate({"x": 10}, load_rubric(ROUNDING_OFF_GRID)).total <= 2.5


def test_uncapped_log_goalposts_rewarding_low_values_are_refused():
    """Values towards zero would score without bound, so the rubric does not load."""
    from greenscore import RubricError

    with pytest.raises(RubricError, match="uncapped log scale"):
        load_rubric(LOG_UNCAPPED)
