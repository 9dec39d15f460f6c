"""Each method's lever (how the gap search inverts it), on hand-made standings.

Expected goals and options are worked out by hand from the method's definition in
docs/rubric-format.md: the raw values that score best and worst, the span effort is measured
on, and for discrete methods the positions that score more than now.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from greenscore.methods import REGISTRY
from greenscore.methods._cohort import CohortIndicator
from greenscore.methods.bands import BandsIndicator
from greenscore.methods.base import Axis, Context, Goal, Option, Options, no_lever
from greenscore.methods.categorical import CategoricalIndicator
from greenscore.methods.checklist import ChecklistIndicator
from greenscore.methods.linear import LinearIndicator
from greenscore.methods.ratio import RatioIndicator
from greenscore.methods.target import TargetIndicator

NAN = math.nan


@dataclass
class Standing:
    """A park as a lever sees it, written out by hand."""

    found: Axis | str = "no axis"
    values: dict[str, float | None] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    context: Context = field(default_factory=lambda: Context(0.0, 100.0))

    def axis(self) -> Axis | str:
        return self.found

    def reported(self, name: str) -> float | None:
        return self.values[name]

    def statistics(self) -> Mapping[str, Any]:
        return self.stats


def axis(v0: float) -> Axis:
    """Input v, read by the indicator directly, now at v0."""
    return Axis("v", None, v0, v0)


def on(v0: float) -> Standing:
    return Standing(axis(v0))


def linear(worst: float, best: float, log: bool = False) -> LinearIndicator:
    return LinearIndicator(
        id="i", method="linear", input="v", goalposts={"worst": worst, "best": best}, log=log
    )


@pytest.mark.parametrize(
    ("spec", "goal"),
    [
        (linear(10, 30), (30, 10, 20, False, 1)),
        (linear(50, 5), (5, 50, 45, False, -1)),
        (linear(1, 100, log=True), (100, 1, 2.0, True, 1)),
    ],
)
def test_linear_goes_from_the_worst_to_the_best_goalpost(
    spec: LinearIndicator, goal: tuple[float, float, float, bool, int]
) -> None:
    """Effort spans the goalposts (|30−10| = 20, |5−50| = 45, log10(100/1) = 2)."""
    assert REGISTRY["linear"].lever(spec, on(12.0)) == Goal(axis(12.0), *goal)


def test_a_lever_without_an_axis_says_why() -> None:
    assert REGISTRY["linear"].lever(linear(0, 1), Standing("fed by a statistic")) == (
        "fed by a statistic"
    )


TARGET = TargetIndicator(
    id="t", method="target", input="v", target=50, tolerance=5, worst_distance=25
)


@pytest.mark.parametrize(
    ("v0", "best", "worst", "direction"),
    [(40.0, 45, 25, 1), (70.0, 55, 75, -1), (NAN, 45, 25, 1)],
)
def test_target_moves_to_the_tolerance_edge_on_its_side(
    v0: float, best: float, worst: float, direction: int
) -> None:
    """Target 50 ± 5, worst at 25: below, 45 is best and 25 worst; above, 55 and 75; scale 20."""
    goal = REGISTRY["target"].lever(TARGET, on(v0))
    assert isinstance(goal, Goal)
    assert (goal.best, goal.worst, goal.scale, goal.log, goal.direction) == (
        best,
        worst,
        20,
        False,
        direction,
    )


@pytest.mark.parametrize(
    ("method", "stats", "lo", "hi"),
    [
        ("minmax", {"min": 2.0, "max": 12.0}, 2.0, 12.0),
        ("zscore", {"mean": 10.0, "std": 2.0}, 4.0, 16.0),
        ("percentile", {"reference": [1.0, 3.0, 9.0]}, 1.0, 9.0),
    ],
)
@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_cohort_methods_span_the_calibrated_cohort(
    method: str, stats: dict[str, Any], lo: float, hi: float, direction: str
) -> None:
    """minmax: min..max; zscore: mean ± 3·std = 10 ± 6; percentile: first..last reference."""
    spec = CohortIndicator(id="c", method=method, input="v", direction=direction)  # type: ignore[arg-type]
    goal = REGISTRY[method].lever(spec, Standing(axis(5.0), stats=stats))
    best, worst = (hi, lo) if direction == "higher" else (lo, hi)
    sign = 1 if direction == "higher" else -1
    assert isinstance(goal, Goal)
    assert (goal.best, goal.worst, goal.scale, goal.direction) == (best, worst, hi - lo, sign)


def test_a_constant_cohort_has_no_lever() -> None:
    spec = CohortIndicator(id="c", method="minmax", input="v")
    found = REGISTRY["minmax"].lever(spec, Standing(axis(5.0), stats={"min": 5.0, "max": 5.0}))
    assert found == "the cohort is constant: every park scores the same"


def ratio(benchmark: object, direction: str = "higher", cap: object = 1.0) -> RatioIndicator:
    return RatioIndicator.model_validate(
        {
            "id": "r",
            "method": "ratio",
            "input": "v",
            "benchmark": benchmark,
            "direction": direction,
            "cap": cap,
        }
    )


@pytest.mark.parametrize(
    ("spec", "standing", "goal"),
    [
        # 20 × cap 1.2 = 24 earns full marks; 0 scores 0; effort on 24 − 0
        (ratio(20, cap=1.2), on(12.0), (24.0, 0.0, 24.0, False, 1)),
        # uncapped: full marks (the top of the range) at the benchmark itself
        (ratio(20, cap=False), on(12.0), (20.0, 0.0, 20.0, False, 1)),
        # the park's own target, 8, reported beside its value
        (ratio({"input": "t"}), Standing(axis(5.0), {"t": 8.0}), (8.0, 0.0, 8.0, False, 1)),
        # twice the calibrated mean 30 = 60, cap 1.5: 90
        (
            ratio({"statistic": "mean", "times": 2}, cap=1.5),
            Standing(axis(50.0), stats={"mean": 30.0}),
            (90.0, 0.0, 90.0, False, 1),
        ),
        # lower is better: 0.5 ÷ cap 1.25 = 0.4 earns full marks; ten times that, 4, stands for
        # the worst; effort on log10, one decade
        (ratio(0.5, "lower", 1.25), on(0.6), (0.4, 4.0, 1.0, True, -1)),
    ],
)
def test_ratio_goes_to_the_value_that_earns_full_marks(
    spec: RatioIndicator, standing: Standing, goal: tuple[float, float, float, bool, int]
) -> None:
    found = REGISTRY["ratio"].lever(spec, standing)
    assert isinstance(found, Goal)
    assert (found.best, found.worst, found.scale, found.log, found.direction) == pytest.approx(goal)


@pytest.mark.parametrize(
    ("values", "stats", "reason"),
    [
        ({"t": NAN}, {}, "its benchmark t is not reported"),
        ({"t": None}, {}, "its benchmark t is derived, not reported"),
        ({"t": 0.0}, {}, "its benchmark is not a positive number"),
    ],
)
def test_ratio_without_a_usable_benchmark_has_no_lever(
    values: dict[str, float | None], stats: dict[str, Any], reason: str
) -> None:
    standing = Standing(axis(5.0), values, stats)
    assert REGISTRY["ratio"].lever(ratio({"input": "t"}), standing) == reason


BANDS = BandsIndicator(
    id="b",
    method="bands",
    input="v",
    bands=[
        {"to": 10, "points": 0},
        {"from": 10, "to": 20, "points": 50},
        {"from": 20, "points": 100},
    ],
)


def test_bands_offer_the_nearest_value_of_each_better_band() -> None:
    """From 12 (50 points) only [20, ∞) scores more; its nearest value is 20, effort 8 / 10."""
    found = REGISTRY["bands"].lever(BANDS, on(12.0))
    label = "band ≥20 (100 points)"
    assert found == Options((Option({"v": 20.0}, 0.8, label, into=label),), axis(12.0))


def test_bands_move_a_whole_number_numerator_within_its_bounds() -> None:
    """raw = 2 × n with n a whole number in [0, 50]: raw ≥ 20 first at n = 10; 12 → 20 is 0.8."""
    numerator = Axis("n", "v", 6.0, 12.0, k=2.0, low=0, high=50, integer=True)
    found = REGISTRY["bands"].lever(BANDS, Standing(numerator))
    assert isinstance(found, Options)
    assert [(o.changes, o.effort) for o in found.options] == [({"n": 10.0}, 0.8)]


def test_bands_in_the_best_band_have_no_lever() -> None:
    assert REGISTRY["bands"].lever(BANDS, on(25.0)) == "already in its best band"


def test_bands_on_an_unbounded_whole_number_input() -> None:
    """A whole-number input (raw = 2 × n, n = 6 now, no declared max) under an open top band.

    By hand: the band ≥20 needs n ≥ 10, the nearest whole number is 10 (raw 20); the band edges
    span 20 − 10 = 10, so the effort is |20 − 12| / 10 = 0.8.
    """
    numerator = Axis("n", "v", 6.0, 12.0, k=2.0, integer=True)
    found = REGISTRY["bands"].lever(BANDS, Standing(numerator))
    assert isinstance(found, Options)
    assert [(o.changes, o.effort) for o in found.options] == [({"n": 10.0}, pytest.approx(0.8))]


GRADE = CategoricalIndicator(
    id="g", method="categorical", input="grade", points={"none": 0, "basic": 50, "full": 100}
)
GRADES = Context(0.0, 100.0, {"grade": ["none", "basic", "full"]})


def test_categorical_offers_better_categories_nearest_first() -> None:
    """From code 0 ('none'), 'basic' is one step of two (0.5), 'full' two of two (1.0)."""
    standing = Standing(Axis("grade", None, 0.0, 0.0), context=GRADES)
    found = REGISTRY["categorical"].lever(GRADE, standing)
    assert isinstance(found, Options)
    assert [(o.changes, o.effort, o.label) for o in found.options] == [
        ({"grade": 1.0}, 0.5, "basic"),
        ({"grade": 2.0}, 1.0, "full"),
    ]


def test_categorical_not_reported_starts_from_the_worst_category() -> None:
    standing = Standing(Axis("grade", None, NAN, NAN), context=GRADES)
    found = REGISTRY["categorical"].lever(GRADE, standing)
    assert isinstance(found, Options)
    assert [(o.label, o.effort) for o in found.options] == [
        ("none", 0.0),
        ("basic", 0.5),
        ("full", 1.0),
    ]


CHECKLIST = ChecklistIndicator(
    id="k",
    method="checklist",
    items=[{"input": "a", "points": 2}, {"input": "b", "points": 1}, {"input": "c", "points": 3}],
)


def test_checklist_achieves_missing_items_highest_points_first() -> None:
    """a done, b not, c not reported: c (3 points) first, then c and b; efforts 1/3 and 2/3."""
    standing = Standing(values={"a": 1.0, "b": 0.0, "c": NAN})
    found = REGISTRY["checklist"].lever(CHECKLIST, standing)
    assert found == Options(
        (
            Option({"c": 1.0}, 1 / 3, "c", ("c",)),
            Option({"c": 1.0, "b": 1.0}, 2 / 3, "c, b", ("c", "b")),
        ),
        None,
        1,
    )


def test_checklist_items_must_be_reported_inputs() -> None:
    standing = Standing(values={"a": 1.0, "b": None, "c": 0.0})
    assert REGISTRY["checklist"].lever(CHECKLIST, standing) == (
        "checklist items b are derived, not reported"
    )


def test_a_method_without_a_lever_says_so() -> None:
    assert no_lever(linear(0, 1), on(0.0)) == "method 'linear' has no gap search"


def test_every_registered_method_has_a_lever() -> None:
    assert [name for name, method in REGISTRY.items() if method.lever is no_lever] == []
