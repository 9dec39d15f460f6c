"""The `given` method: an input that already is a score on the rubric's scale, taken as it is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

import greenscore
from greenscore.methods import REGISTRY
from greenscore.methods.base import Axis, Context, Goal
from greenscore.methods.given import GivenIndicator
from greenscore.testing import assert_consistent, lint

RUBRIC = """
name: third-party ratings
version: "1"
inputs:
  - {id: rating, min: 0, max: 100}
  - {id: reuse, min: 0, max: 100}
dimensions:
  - id: d
    indicators:
      - {id: rated, method: given, input: rating, weight: 3}
      - {id: reused, method: linear, input: reuse, goalposts: {worst: 0, best: 100}}
tiers:
  - {id: good, min_score: 60}
  - {id: poor, min_score: 0}
"""


LOADED = greenscore.load_rubric(RUBRIC)


@pytest.fixture(scope="module")
def rubric() -> greenscore.Rubric:
    return LOADED


def _goalposts_round_trip(x: float) -> float:
    """What linear goalposts 0 → 100 make of a score: divide by the span, multiply back."""
    return 0.0 + (100.0 - 0.0) * ((x - 0.0) / (100.0 - 0.0))


def test_a_given_score_is_taken_exactly_where_goalposts_would_move_it(
    rubric: greenscore.Rubric,
) -> None:
    """57.99 survives as it is; the goalposts' round trip gives 57.989999999999995."""
    assert _goalposts_round_trip(57.99) != 57.99
    result = greenscore.evaluate({"rating": 57.99, "reuse": 40.0}, rubric)
    assert result.indicator("rated").score == 57.99


@hypothesis_given(st.floats(0, 100, allow_nan=False))
def test_every_score_on_the_scale_is_kept_bit_for_bit(score: float) -> None:
    result = greenscore.evaluate({"rating": score, "reuse": 0.0}, LOADED)
    assert result.indicator("rated").score == score


def test_the_total_weighs_the_given_score_like_any_other(rubric: greenscore.Rubric) -> None:
    """By hand: weights 3 and 1, scores 80 and 40, total (3 × 80 + 1 × 40) / 4 = 70 → good."""
    result = greenscore.evaluate({"rating": 80.0, "reuse": 40.0}, rubric)
    assert result.total == pytest.approx(70.0)
    assert result.tier.id == "good"
    rated = result.indicator("rated")
    assert rated.normalised == pytest.approx(0.8)
    assert rated.method == "given"


def test_scores_past_the_scale_are_held_at_its_ends() -> None:
    """Without declared bounds (so nothing flags the cell) 120 counts as 100 and −5 as 0."""
    loose = greenscore.load_rubric(RUBRIC.replace("{id: rating, min: 0, max: 100}", "{id: rating}"))
    assert greenscore.evaluate({"rating": 120.0, "reuse": 0.0}, loose).indicator(
        "rated"
    ).score == pytest.approx(100.0)
    assert greenscore.evaluate({"rating": -5.0, "reuse": 0.0}, loose).indicator(
        "rated"
    ).score == pytest.approx(0.0)


def test_an_out_of_range_score_is_a_bad_cell_when_bounds_are_declared(
    rubric: greenscore.Rubric,
) -> None:
    with pytest.raises(greenscore.ProfileError, match="rating"):
        greenscore.evaluate({"rating": 130.0, "reuse": 0.0}, rubric)


def test_a_missing_score_follows_the_missing_data_policy(rubric: greenscore.Rubric) -> None:
    """Policy 'worst': the scale's minimum, 0. By hand: (3 × 0 + 1 × 40) / 4 = 10."""
    worst = greenscore.load_rubric(
        RUBRIC.replace(
            "{id: rated, method: given,", "{id: rated, missing: worst, method: given,"
        ).replace(
            "{id: rating, min: 0, max: 100}", "{id: rating, min: 0, max: 100, required: false}"
        )
    )
    result = greenscore.evaluate({"reuse": 40.0}, worst)
    assert result.indicator("rated").score == 0.0
    assert result.total == pytest.approx(10.0)


def test_other_scales_work_too() -> None:
    """On a 0–1 scale a rating of 0.7 scores 0.7; with reuse 0.2 (0.2 normalised) and weights
    3 : 1 the total is (3 × 0.7 + 0.2) / 4 = 0.575."""
    text = (
        RUBRIC.replace('version: "1"', 'version: "1"\nscale: {min: 0, max: 1}')
        .replace("{id: rating, min: 0, max: 100}", "{id: rating, min: 0, max: 1}")
        .replace("min_score: 60", "min_score: 0.6")
    )
    result = greenscore.evaluate({"rating": 0.7, "reuse": 20.0}, greenscore.load_rubric(text))
    assert result.indicator("rated").score == 0.7
    assert result.total == pytest.approx(0.575)


def test_onto_is_refused_with_its_location() -> None:
    text = RUBRIC.replace(
        "{id: rated, method: given, input: rating, weight: 3}",
        "{id: rated, method: given, input: rating, weight: 3, onto: [0, 50]}",
    )
    with pytest.raises(greenscore.RubricError, match=r"indicators\[0\].*takes no 'onto'"):
        greenscore.load_rubric(text)


def test_a_category_input_is_refused() -> None:
    text = RUBRIC.replace(
        "  - {id: rating, min: 0, max: 100}",
        "  - {id: rating, min: 0, max: 100}\n  - {id: grade, type: category, categories: [a, b]}",
    ).replace("input: rating, weight: 3", "input: grade, weight: 3")
    with pytest.raises(greenscore.RubricError, match="numeric input"):
        greenscore.load_rubric(text)


def test_a_batch_scores_as_evaluate_does(rubric: greenscore.Rubric) -> None:
    frame = pd.DataFrame(
        {
            "park_id": ["A", "B", "C"],
            "year": [2024, 2024, 2024],
            "rating": [57.99, 100.0, 0.1],
            "reuse": [10.0, 55.5, 99.0],
        }
    )
    batch = greenscore.assess(frame, rubric)
    for park, row in zip(frame["park_id"], frame.to_dict("records"), strict=True):
        single = greenscore.evaluate(row, rubric)
        assert batch.assessment(park).to_dict() == single.to_dict()
    assert batch.results["ind.rated"].tolist() == [57.99, 100.0, 0.1]


def test_the_lever_raises_the_score_itself() -> None:
    axis = Axis("rating", None, 40.0, 40.0, low=0.0, high=100.0)

    class Standing:
        context = Context(0.0, 100.0)

        def axis(self) -> Axis:
            return axis

    spec = GivenIndicator(id="g", method="given", input="rating")
    assert REGISTRY["given"].lever(spec, Standing()) == Goal(axis, 100.0, 0.0, 100.0, False, 1)  # type: ignore[arg-type]


def test_the_gap_search_names_the_score_to_reach(rubric: greenscore.Rubric) -> None:
    """Reuse 40 and a rating of 50 give (150 + 40) / 4 = 47.5; good needs 60, so the rating alone
    must reach (4 × 60 − 40) / 3 = 66.67."""
    profile = {"rating": 50.0, "reuse": 40.0}
    gap = greenscore.next_tier_gap(profile, rubric=rubric)
    rated = gap.indicator("rated")
    assert rated.reachable
    assert rated.input == "rating"
    assert rated.required == pytest.approx(200 / 3, abs=1e-6)


def test_lint_flags_a_declared_range_past_the_scale() -> None:
    wide = RUBRIC.replace("{id: rating, min: 0, max: 100}", "{id: rating, min: 0, max: 150}")
    codes = [f.code for f in lint(wide)]
    assert "points-outside-scale" in codes
    within = RUBRIC
    assert "points-outside-scale" not in [f.code for f in lint(within)]


def test_lint_flags_an_input_without_declared_bounds() -> None:
    """Nothing then stops a score past the scale, which would be held at its end unseen."""
    open_ended = RUBRIC.replace("{id: rating, min: 0, max: 100}", "{id: rating}")
    findings = [f for f in lint(open_ended) if f.code == "points-outside-scale"]
    assert len(findings) == 1
    assert findings[0].path.endswith(".input")
    assert findings[0].severity == "error"


def test_the_rubric_passes_greenscore_check(rubric: greenscore.Rubric) -> None:
    assert_consistent(rubric, max_examples=30)


def test_kernel_keeps_missing_values_missing() -> None:
    from greenscore.methods.given import given

    out = given(np.array([np.nan, 50.0, 120.0]), 0.0, 100.0)
    np.testing.assert_array_equal(out, [np.nan, 50.0, 100.0])
