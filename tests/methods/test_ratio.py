"""The `ratio` method: a value against a benchmark (a constant, another input, or the cohort's
mean or median), target ÷ value when lower is better, capped and mapped onto a sub-range.

Every expected score is worked out by hand in the test's docstring from the definition in
docs/rubric-format.md: ratio r = value ÷ benchmark (benchmark ÷ value when lower is better),
floored at 0, u = min(r, cap) ÷ cap, score = low + (high − low) × u on the scale or `onto`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.methods import REGISTRY, Context, is_cohort
from greenscore.methods.ratio import RatioIndicator, ratio
from greenscore.testing import assert_consistent, check_rubric

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "rubrics" / "target-completion.yaml"
SCALE = Context(0.0, 100.0)
NAN = math.nan


def _spec(**fields: object) -> RatioIndicator:
    return RatioIndicator.model_validate(
        {"id": "r", "method": "ratio", "input": "x", "benchmark": 20, **fields}
    )


# the kernel ---------------------------------------------------------------------------------


def test_kernel_value_over_a_benchmark_capped():
    """Benchmark 20, cap 1.2: 10/20 = 0.5 → 0.5/1.2 = 0.41667; 25/20 = 1.25 and 40/20 = 2 are
    held at 1.2 → 1; −5/20 is floored at 0; a missing value stays missing."""
    x = np.array([10.0, 25.0, 40.0, -5.0, NAN])
    out = ratio(x, np.full(5, 20.0), False, 1.2)
    np.testing.assert_allclose(out, [0.5 / 1.2, 1.0, 1.0, 0.0, NAN])


def test_kernel_lower_is_better_divides_the_benchmark_by_the_value():
    """Benchmark 0.5, cap 1.2: 0.5/0.4 = 1.25 held at 1.2 → 1; 0.5/0.5 = 1 → 1/1.2 = 0.8333;
    0.5/1 = 0.5 → 0.5/1.2 = 0.41667."""
    out = ratio(np.array([0.4, 0.5, 1.0]), np.full(3, 0.5), True, 1.2)
    np.testing.assert_allclose(out, [1.0, 1 / 1.2, 0.5 / 1.2])


def test_kernel_uncapped_keeps_the_ratio():
    """No cap: 10/20 = 0.5 and 30/20 = 1.5, the latter past full marks."""
    np.testing.assert_allclose(ratio(np.array([10.0, 30.0]), 20.0, False, math.inf), [0.5, 1.5])


def test_kernel_gives_no_number_for_a_divisor_of_zero_or_below():
    """10 ÷ 0 and 10 ÷ −2 have no meaning; nor has 0.5 ÷ 0 when lower is better: all NaN, which
    the method's faults then name (tested below through the engine)."""
    assert np.isnan(ratio(np.array([10.0, 10.0]), np.array([0.0, -2.0]), False, 1.0)).all()
    assert np.isnan(ratio(np.array([0.0, -1.0]), 0.5, True, 1.0)).all()


# scored through evaluate() and assess() ------------------------------------------------------

COLUMN = """
name: target completion
version: "1"
inputs:
  - {id: growth}
  - {id: growth_target}
dimensions:
  - id: d
    indicators:
      - {id: growth, method: ratio, input: growth, benchmark: {input: growth_target}, cap: 1.2, onto: [0, 12]}
tiers: [{id: good, min_score: 10}, {id: poor, min_score: 0}]
"""


def test_ratio_to_a_constant():
    """Tax 15 against a benchmark of 20, default cap 1: 15/20 = 0.75 → 75 points of 100."""
    text = COLUMN.replace("{input: growth_target}, cap: 1.2, onto: [0, 12]", "20").replace(
        "{id: growth_target}", "{id: other}"
    )
    result = greenscore.evaluate({"growth": 15.0, "other": 0.0}, text)
    assert result.indicator("growth").score == pytest.approx(75.0)


@pytest.mark.parametrize(
    ("growth", "target", "points"),
    [
        (9.0, 6.0, 12.0),  # 9/6 = 1.5, held at 1.2 → the top of onto, 12
        (6.0, 6.0, 10.0),  # completion 1 → 12 × 1/1.2 = 10
        (5.0, 8.0, 6.25),  # 5/8 = 0.625 → 12 × 0.625/1.2 = 6.25
        (-2.0, 8.0, 0.0),  # a fall against a growth target: floored at 0
    ],
)
def test_target_completion_capped_at_120_percent_onto_0_to_12(growth, target, points):
    """Each park's own target (a column), completion capped at 1.2, mapped onto 0–12 points:
    the ratio times 10, up to 12."""
    result = greenscore.evaluate({"growth": growth, "growth_target": target}, COLUMN)
    assert result.indicator("growth").score == pytest.approx(points)
    assert result.total == pytest.approx(points)


LOWER = COLUMN.replace("input: growth,", "input: growth, direction: lower,")


@pytest.mark.parametrize(
    ("actual", "target", "points"),
    [
        (0.4, 0.5, 12.0),  # 0.5/0.4 = 1.25, held at 1.2 → 12
        (0.6, 0.5, 0.5 / 0.6 * 10),  # 0.8333 → 12 × 0.8333/1.2 = 8.333
        (0.5, 0.5, 10.0),
    ],
)
def test_lower_is_better_scores_target_over_actual(actual, target, points):
    """Energy intensity against its target: target ÷ actual, so using less scores more."""
    result = greenscore.evaluate({"growth": actual, "growth_target": target}, LOWER)
    assert result.indicator("growth").score == pytest.approx(points)


COHORT = """
name: per-mu efficiency
version: "1"
inputs: [{id: tax, min: 0}]
dimensions:
  - id: d
    indicators: [{id: tax, method: ratio, input: tax, benchmark: {statistic: mean}, cap: 1.5}]
tiers: [{id: good, min_score: 50}, {id: poor, min_score: 0}]
"""
TAXES = [10.0, 20.0, 30.0, 60.0]


def _frame(taxes: list[float], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park_id": [f"P{i}" for i in range(len(taxes))],
            "year": [year] * len(taxes),
            "tax": taxes,
        }
    )


@pytest.mark.parametrize(
    ("benchmark", "scores"),
    [
        # mean (10 + 20 + 30 + 60) / 4 = 30: ratios 1/3, 2/3, 1, 2; cap 1.5 → 100 × r / 1.5
        ("{statistic: mean}", [100 / 4.5, 200 / 4.5, 100 / 1.5, 100.0]),
        # median (20 + 30) / 2 = 25: ratios 0.4, 0.8, 1.2, 2.4 → 26.67, 53.33, 80, 100
        ("{statistic: median}", [40 / 1.5, 80 / 1.5, 80.0, 100.0]),
        # twice the mean, 60: ratios 1/6, 1/3, 1/2, 1 → 100 × r / 1.5
        ("{statistic: mean, times: 2}", [100 / 9, 100 / 4.5, 100 / 3, 100 / 1.5]),
    ],
)
def test_ratio_to_a_statistic_of_the_cohort(benchmark: str, scores: list[float]):
    """Each firm against the average (or median) of the year's firms, as per-mu efficiency
    schemes score against the county average."""
    rubric = COHORT.replace("{statistic: mean}", benchmark)
    batch = greenscore.assess(_frame(TAXES), rubric)
    assert batch.results["ind.tax"].tolist() == pytest.approx(scores)


SUM_OF_RATIOS = """
name: per-mu efficiency, Huangyan style
version: "1"
total: {ceiling: false}
inputs: [{id: tax, min: 0}, {id: va, min: 0}]
dimensions:
  - id: d
    indicators:
      - {id: tax, method: ratio, input: tax, benchmark: 20, cap: false, weight: 60}
      - {id: va, method: ratio, input: va, benchmark: 100, cap: false, weight: 40}
tiers: [{id: a, min_score: 100}, {id: b, min_score: 0}]
"""


def test_a_sum_of_uncapped_ratios_passes_100():
    """score = Σ weight × (value ÷ benchmark) with weights 60 and 40 (reference doc, §2.1):
    tax 30/20 = 1.5 → 150 points, value added 50/100 = 0.5 → 50; the total
    (60 × 150 + 40 × 50) / 100 = 110, above the scale's 100 as the rubric allows."""
    result = greenscore.evaluate({"tax": 30.0, "va": 50.0}, SUM_OF_RATIOS)
    assert result.indicator("tax").score == pytest.approx(150.0)
    assert result.total == pytest.approx(110.0)
    assert result.tier.id == "a"


def _problems(batch: greenscore.BatchResult) -> list[tuple[str | None, str, object, str]]:
    return [(p.entity, p.field, p.value, p.problem) for p in batch.problems]


def test_defect_zero_benchmark_is_a_flagged_row_not_an_infinity():
    """A target of 0 gives no completion rate: the row is flagged, naming the benchmark and its
    value, while the other parks are scored (9/6 = 1.5 → 12; 3/6 = 0.5 → 5)."""
    frame = pd.DataFrame(
        {
            "park_id": ["A", "B", "C"],
            "year": [2024] * 3,
            "growth": [9.0, 4.0, 3.0],
            "growth_target": [6.0, 0.0, 6.0],
        }
    )
    batch = greenscore.assess(frame, COLUMN, errors="flag")
    assert batch.accounting["scored"] == 2
    assert batch.accounting["flagged"] == 1
    assert batch.results["ind.growth"].tolist() == pytest.approx([12.0, 5.0])
    assert _problems(batch) == [
        (
            "B",
            "growth_target",
            0.0,
            "zero benchmark: indicator 'growth' is the ratio growth ÷ growth_target, and "
            "growth_target is 0",
        )
    ]
    with pytest.raises(greenscore.ProfileError, match="zero benchmark"):
        greenscore.assess(frame, COLUMN)


def test_negative_benchmark_is_flagged():
    with pytest.raises(greenscore.ProfileError) as caught:
        greenscore.evaluate({"growth": 4.0, "growth_target": -2.0}, COLUMN)
    (problem,) = caught.value.problems
    assert (problem.field, problem.value) == ("growth_target", -2.0)
    assert problem.problem == (
        "negative benchmark: indicator 'growth' is the ratio growth ÷ growth_target, and "
        "growth_target is negative"
    )


def test_zero_actual_when_lower_is_better_is_flagged():
    """target ÷ 0 has no value: a located problem, not an infinite completion rate."""
    with pytest.raises(greenscore.ProfileError) as caught:
        greenscore.evaluate({"growth": 0.0, "growth_target": 0.5}, LOWER)
    (problem,) = caught.value.problems
    assert problem.field == "growth"
    assert problem.problem == (
        "divides by zero: indicator 'growth' is the ratio growth_target ÷ growth, and growth is 0"
    )


def test_a_cohort_mean_of_zero_flags_every_row():
    """Every firm paid no tax: the mean is 0 and no firm can be scored against it."""
    batch = greenscore.assess(_frame([0.0, 0.0]), COHORT, errors="flag")
    assert batch.accounting["flagged"] == 2
    assert {p.problem for p in batch.problems} == {
        "zero benchmark: indicator 'tax' is the ratio tax ÷ the cohort mean, and the cohort "
        "mean is 0"
    }


def test_an_uncapped_ratio_that_overflows_is_flagged():
    """1e300 ÷ 1e-10 is beyond the largest float."""
    text = COLUMN.replace("cap: 1.2, onto: [0, 12]", "cap: false")
    with pytest.raises(greenscore.ProfileError, match="overflows: indicator 'growth'"):
        greenscore.evaluate({"growth": 1e300, "growth_target": 1e-10}, text)


def test_a_missing_benchmark_is_a_missing_value():
    """No target reported: the missing-data policy applies, not a fault; under 'worst' the
    indicator scores 0."""
    optional = COLUMN.replace("{id: growth_target}", "{id: growth_target, required: false}")
    with pytest.raises(greenscore.ProfileError, match="missing-data policy is 'error'"):
        greenscore.evaluate({"growth": 4.0}, optional)
    worst = optional.replace('version: "1"', 'version: "1"\nmissing: worst')
    assert greenscore.evaluate({"growth": 4.0}, worst).total == 0.0


# what greenscore.testing asks of the method ---------------------------------------------------


def test_edges_are_zero_the_benchmark_and_full_marks():
    """Benchmark 20, cap 1.2: 0, 20 and 20 × 1.2 = 24. Lower, 0.5, cap 1.25: 0, 0.5 and
    0.5 / 1.25 = 0.4. A column benchmark varies by park: only 0."""
    method = REGISTRY["ratio"]
    assert method.edges(_spec(cap=1.2)) == pytest.approx((0.0, 20.0, 24.0))
    assert method.edges(_spec(benchmark=0.5, direction="lower", cap=1.25)) == pytest.approx(
        (0.0, 0.5, 0.4)
    )
    assert method.edges(_spec(benchmark={"input": "t"})) == (0.0,)


@pytest.mark.parametrize(
    ("fields", "declared", "best"),
    [
        ({"cap": 1.2}, (0.0, 18.0), 0.75),  # 18/20 = 0.9, 0.9/1.2
        ({"cap": 1.2}, (0.0, 30.0), 1.0),  # 30/20 = 1.5, held at 1.2
        ({"cap": False}, (0.0, 30.0), 1.5),  # uncapped: 30/20
        ({"cap": False}, (0.0, math.inf), math.inf),
        ({"benchmark": 0.5, "direction": "lower", "cap": 1.25}, (0.5, 2.0), 0.8),  # 1/1.25
        ({"benchmark": 0.5, "direction": "lower"}, (0.0, 2.0), 1.0),  # towards 0: any ratio
        ({"benchmark": {"input": "t"}}, None, 1.0),
        ({"benchmark": {"statistic": "mean"}, "cap": False}, (0.0, 5.0), math.inf),
    ],
)
def test_reach_within_the_declared_range(
    fields: dict[str, object], declared: tuple[float, float] | None, best: float
):
    spec = _spec(**fields)
    assert REGISTRY["ratio"].reach(spec, declared, SCALE) == pytest.approx(best)


def test_bounds_are_open_above_when_uncapped():
    method = REGISTRY["ratio"]
    assert method.bounds(_spec(), SCALE) == (0.0, 1.0)
    assert method.bounds(_spec(cap=False), SCALE) == (0.0, math.inf)


def test_lint_full_marks_outside_the_declared_range():
    """Benchmark 20, cap 1.2: full marks need x = 24, beyond x's declared [0, 18]."""
    method = REGISTRY["ratio"]
    assert method.lint(_spec(cap=1.2), (0.0, 18.0), SCALE) == [
        (
            "goalpost-range",
            ("benchmark",),
            "full marks need x at 24 (ratio 1.2 to the benchmark 20), outside 'x''s declared "
            "range [0, 18]",
        )
    ]
    assert method.lint(_spec(cap=1.2), (0.0, 30.0), SCALE) == []


# wording ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({}, "ratio x ÷ 20, higher is better, capped at 1"),
        (
            {"benchmark": {"input": "t"}, "direction": "lower", "cap": 1.2},
            "ratio t ÷ x, lower is better, capped at 1.2",
        ),
        (
            {"benchmark": {"statistic": "mean", "times": 2}, "cap": False},
            "ratio x ÷ (2 × the cohort mean), higher is better, uncapped (1 scores the top of "
            "the range, more scores past it)",
        ),
    ],
)
def test_describe(fields: dict[str, object], text: str):
    spec = _spec(**fields)
    assert REGISTRY["ratio"].describe(spec) == text


def test_explanation_names_the_ratio_and_the_cap():
    """Energy 0.5 against a target of 0.5 on the example rubric: completion 1, cap 1.2, on the
    0–120 scale: 120/1.2 = 100 points; weight 2/3 (targets) × 1/2 = 33.33 %, contributing 33.33."""
    profile = {
        "output_growth": 6.0,
        "output_growth_target": 6.0,
        "energy_intensity": 0.5,
        "energy_intensity_target": 0.5,
        "tax_per_mu": 20.0,
    }
    calibrated = greenscore.load_rubric(
        EXAMPLE.read_text(encoding="utf-8") + "cohort: {tax_vs_average: {mean: 20.0}}\n"
    )
    energy = greenscore.evaluate(profile, calibrated).indicator("energy_completion")
    assert energy.explanation == (
        "Energy intensity target completion: 0.5 tce/万元 on ratio energy_intensity_target ÷ "
        "energy_intensity, lower is better, capped at 1.2: 100 / 120; weight 33.33% → 33.33 points"
    )


# loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replacement", "path", "message"),
    [
        ("{input: growth_target, statistic: mean}", "benchmark", "found input and statistic"),
        ("growth_target", "benchmark", "write {input: growth_target}"),
        ("{statistic: mean, period: previous}", "benchmark", "earlier period is not supported"),
        ("{value: 5, times: 2}", "benchmark", "'times' scales an input or a statistic"),
        ("{input: growth_targte}", "benchmark.input", "did you mean 'growth_target'"),
        ("{input: growth}", "benchmark.input", "the ratio would always be 1"),
    ],
)
def test_a_bad_benchmark_is_refused_with_its_location(replacement: str, path: str, message: str):
    text = COLUMN.replace("{input: growth_target}", replacement)
    with pytest.raises(greenscore.RubricError) as caught:
        greenscore.load_rubric(text)
    found = [(p.path, p.message) for p in caught.value.problems]
    assert any(
        where == f"dimensions[0].indicators[0].{path}" and message in said for where, said in found
    ), found


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("true", "or false for no cap; got True"),
        ("'1.2'", "or false for no cap; got '1.2'"),
        ("0", "cap must be a ratio above 0"),
        ("-1", "above 0"),
    ],
)
def test_a_bad_cap_is_refused(written: str, message: str):
    with pytest.raises(greenscore.RubricError, match=message):
        greenscore.load_rubric(COLUMN.replace("cap: 1.2", f"cap: {written}"))


def test_a_constant_benchmark_must_be_positive():
    with pytest.raises(greenscore.RubricError, match="greater than 0"):
        greenscore.load_rubric(COLUMN.replace("{input: growth_target}", "0"))


def test_the_benchmark_input_must_be_numeric():
    text = COLUMN.replace(
        "  - {id: growth_target}", "  - {id: growth_target, type: category, categories: [a, b]}"
    )
    with pytest.raises(greenscore.RubricError, match="needs a numeric input"):
        greenscore.load_rubric(text)


def test_a_rubric_round_trips_through_yaml():
    """A bare number is written back as {value: …}; cap: false stays false."""
    text = COLUMN.replace("{input: growth_target}, cap: 1.2", "7.5, cap: false")
    loaded = greenscore.load_rubric(text)
    again = greenscore.load_rubric(greenscore.rubric_yaml(loaded))
    assert greenscore.rubric_sha256(again) == greenscore.rubric_sha256(loaded)
    spec = again.indicator("growth")
    assert isinstance(spec, RatioIndicator)
    assert (spec.benchmark.value, spec.cap) == (7.5, False)


# the cohort: evaluate() and calibrate() ------------------------------------------------------


def test_only_a_statistic_benchmark_needs_the_cohort():
    """A constant or a column benchmark scores one profile alone; the cohort mean does not."""
    assert not is_cohort(_spec())
    assert not is_cohort(_spec(benchmark={"input": "t"}))
    assert is_cohort(_spec(benchmark={"statistic": "median"}))
    with pytest.raises(greenscore.CohortRequiredError):
        greenscore.evaluate({"tax": 10.0}, COHORT)


def test_calibrate_freezes_the_cohort_mean():
    """Base year mean (10 + 20 + 30 + 60) / 4 = 30. A later firm with tax 36 scores
    36/30 = 1.2 → 100 × 1.2/1.5 = 80 against it, alone or in any later cohort."""
    calibrated = greenscore.calibrate(COHORT, _frame(TAXES))
    assert calibrated.cohort == {"tax": {"mean": 30.0}}
    assert greenscore.evaluate({"tax": 36.0}, calibrated).total == pytest.approx(80.0)
    later = greenscore.assess(_frame([36.0, 100.0], year=2025), calibrated)
    assert later.results["ind.tax"].tolist() == pytest.approx([80.0, 100.0])


def test_calibrate_refuses_a_base_year_mean_of_zero():
    """Every row of the base year is flagged, each naming the zero mean."""
    with pytest.raises(greenscore.ProfileError) as caught:
        greenscore.calibrate(COHORT, _frame([0.0, 0.0]))
    assert [(p.entity, p.problem) for p in caught.value.problems] == [
        (
            entity,
            "zero benchmark: indicator 'tax' is the ratio tax ÷ the cohort mean, and the "
            "cohort mean is 0",
        )
        for entity in ("P0", "P1")
    ]


def test_a_calibrated_cohort_without_the_statistic_asks_for_calibration_again():
    """Calibrated on the mean, then switched to the median: no median was frozen."""
    calibrated = greenscore.rubric_yaml(greenscore.calibrate(COHORT, _frame(TAXES)))
    switched = calibrated.replace("statistic: mean", "statistic: median")
    with pytest.raises(greenscore.ProfileError, match="hold no median for it: calibrate"):
        greenscore.evaluate({"tax": 36.0}, switched)


# the gap search and the checks ----------------------------------------------------------------

GAP = """
name: completion and reuse
version: "1"
inputs:
  - {id: energy, min: 0.001}
  - {id: energy_target, min: 0.001}
  - {id: reuse, min: 0, max: 100}
dimensions:
  - id: d
    indicators:
      - {id: e, method: ratio, input: energy, direction: lower, benchmark: {input: energy_target}, cap: 1.2}
      - {id: r, method: linear, input: reuse, goalposts: {worst: 0, best: 100}}
tiers: [{id: good, min_score: 80}, {id: poor, min_score: 0}]
"""


def test_the_gap_search_moves_the_value_not_its_target():
    """Energy 0.5 on a target of 0.5 scores 100/1.2 = 83.33, reuse 70 scores 70: total 76.67.
    Good needs 80, so e alone must reach 2 × 80 − 70 = 90 points: u = 0.9, completion
    0.9 × 1.2 = 1.08, energy 0.5 / 1.08 = 0.46296, shown on the safe side as 0.4629, a change
    of 0.5 − 0.46296 = 0.03704 shown as −0.0371."""
    profile = {"energy": 0.5, "energy_target": 0.5, "reuse": 70.0}
    gap = greenscore.next_tier_gap(profile, rubric=GAP)
    energy = gap.indicator("e")
    assert energy.reachable
    assert energy.input == "energy"
    assert energy.required == pytest.approx(0.5 / 1.08, rel=1e-6)
    assert str(energy) == "e: lower energy from 0.5 to 0.4629 (−0.0371) → total 80, good"


def test_a_vetoed_park_names_the_value_not_its_target():
    """Forced to poor by a veto, no indicator can lift the park; each gap still names the
    input a park would move: energy for the completion, not its target."""
    vetoed = GAP.replace(
        "tiers:",
        "vetoes: [{id: spill, kind: force_tier, when: reuse < 10, tier: poor, reason: spill}]\n"
        "tiers:",
    )
    profile = {"energy": 0.5, "energy_target": 0.5, "reuse": 5.0}
    gap = greenscore.next_tier_gap(profile, rubric=vetoed)
    assert gap.indicator("e").input == "energy"


def test_monotone_moves_a_benchmark_input_against_the_direction():
    """Raising a target lowers its completion: the check moves the target the other way, and
    passes (it would report a violation if it raised the target as it raises the value)."""
    report = check_rubric(COLUMN, max_examples=40, run_lint=False, properties=["monotone"])
    (check,) = report.checks
    assert check.passed, check.explanation


def test_the_completion_rubric_passes_greenscore_check():
    assert_consistent(GAP, max_examples=20)


# the example rubric -------------------------------------------------------------------------


def test_the_example_rubric_scores_three_parks_by_hand():
    """examples/rubrics/target-completion.yaml: scale 0–120 and cap 1.2 everywhere, so a ratio
    r scores 100 × min(r, 1.2); targets weigh 2, tax per mu 1; mean tax (30 + 20 + 10) / 3 = 20.
    A: growth 9/6 = 1.5 → 120; energy 0.5/0.45 = 1.1111 → 111.11; targets 115.56; tax 30/20 →
       120; total (2 × 115.56 + 120) / 3 = 117.04 → 117.0, excellent (≥ 100).
    B: growth 6/8 = 0.75 → 75; energy 0.5/0.5 → 100; targets 87.5; tax 20/20 → 100;
       total (175 + 100) / 3 = 91.67 → 91.7, met (≥ 90).
    C: growth 3/6 = 0.5 → 50; energy 0.6/0.8 = 0.75 → 75; targets 62.5; tax 10/20 → 50;
       total (125 + 50) / 3 = 58.33 → 58.3, failed (< 60)."""
    frame = pd.DataFrame(
        {
            "park_id": ["A", "B", "C"],
            "year": [2024] * 3,
            "output_growth": [9.0, 6.0, 3.0],
            "output_growth_target": [6.0, 8.0, 6.0],
            "energy_intensity": [0.45, 0.5, 0.8],
            "energy_intensity_target": [0.5, 0.5, 0.6],
            "tax_per_mu": [30.0, 20.0, 10.0],
        }
    )
    batch = greenscore.assess(frame, EXAMPLE)
    results = batch.results.set_index("park_id")
    assert results["total"].tolist() == [117.0, 91.7, 58.3]
    assert results["tier"].tolist() == ["excellent", "met", "failed"]
    assert results.loc["A", "ind.energy_completion"] == pytest.approx(100 / 0.9)


def test_the_example_rubric_passes_greenscore_check():
    assert_consistent(EXAMPLE, max_examples=20)
