"""Rubric authoring that guides (issue 13, item 7): each trip's exact message, at the wrong line."""

from __future__ import annotations

import pytest

import greenscore
from greenscore import RubricError


def messages(text: str) -> list[str]:
    """Every problem of a rubric as a user reads it: line:column: path: message."""
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(text)
    return [str(p).removeprefix("<string>:") for p in info.value.problems]


POINTS = """\
name: t
version: "1"
scale: {min: 0, max: 10}
total: {ceiling: false}
inputs:
  - {id: x, min: 0, max: 10}
  - {id: c, type: category, categories: [A, B]}
dimensions:
  - id: d
    indicators:
      - id: i
        input: x
        method: bands
        bands:
          - {to: 5, points: 10}
          - {from: 5, points: 12.5}
      - {id: j, input: c, method: categorical, points: {A: -1, B: 5}}
tiers:
  - {id: top, min_score: 5}
  - {id: bottom, min_score: 0}
"""


def test_issue13_band_and_category_points_outside_the_scale_are_refused_at_load() -> None:
    """Points past the scale gave totals above the maximum; total: {ceiling: false} does not
    make them right, as points are an indicator's score."""
    scale = "band and category points are scores on the scale, so write a number from 0 to 10"
    assert messages(POINTS) == [
        "16:23: dimensions[0].indicators[0].bands[1].points: band [5, ∞) scores 12.5, "
        f"outside the scale 0–10: {scale}",
        "17:57: dimensions[0].indicators[1].points.A: category 'A' scores -1, "
        f"outside the scale 0–10: {scale}",
    ]


def test_issue13_points_at_the_ends_of_the_scale_load() -> None:
    rubric = greenscore.load_rubric(POINTS.replace("12.5", "10").replace("A: -1", "A: 0"))
    assert rubric.scale.max == 10
