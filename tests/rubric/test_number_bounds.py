"""Weights are finite and bounded (issue 12, defect 10): refused at load time with their location."""

from __future__ import annotations

import warnings

import pytest

import greenscore
from greenscore import RubricError
from greenscore.methods.base import MAX_WEIGHT

RUBRIC = """\
name: t
version: "1"
inputs:
  - {id: x, min: 0, max: 10}
  - {id: y, min: 0, max: 10}
dimensions:
  - id: d
    weight: DIM
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}, weight: IND}
      - {id: j, input: y, method: linear, goalposts: {worst: 0, best: 10}}
  - id: e
    indicators:
      - {id: k, input: y, method: linear, goalposts: {worst: 0, best: 10}}
tiers:
  - {id: top, min_score: 50}
  - {id: bottom, min_score: 0}
"""


def rubric(dim: str = "1", ind: str = "1") -> str:
    return RUBRIC.replace("DIM", dim).replace("IND", ind)


def test_huge_indicator_weight_is_refused_at_load_time_with_its_location() -> None:
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(rubric(ind="1e308"))
    (problem,) = info.value.problems
    assert problem.path == "dimensions[0].indicators[0].weight"
    assert problem.location is not None and problem.location.line == 10
    assert "1000000" in problem.message


def test_huge_dimension_weight_is_refused_at_load_time_with_its_location() -> None:
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(rubric(dim="1e308"))
    (problem,) = info.value.problems
    assert problem.path == "dimensions[0].weight"
    assert problem.location is not None and problem.location.line == 8


@pytest.mark.parametrize("weight", [".inf", ".nan"])
def test_infinite_or_nan_weight_is_refused(weight: str) -> None:
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(rubric(ind=weight))
    assert info.value.problems[0].path == "dimensions[0].indicators[0].weight"


def test_weights_at_the_bound_score_without_warnings() -> None:
    # d weighs 1e6, e weighs 1: x = 10 and y = 0 give i = 100, j = 0, k = 0;
    # d = (1e6 * 100 + 1 * 0) / (1e6 + 1), total = d * 1e6 / (1e6 + 1)
    loaded = greenscore.load_rubric(rubric(dim=f"{MAX_WEIGHT:g}", ind=f"{MAX_WEIGHT:g}"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = greenscore.evaluate({"x": 10, "y": 0}, loaded)
    d = 1e6 * 100 / (1e6 + 1)
    assert result.raw_total == pytest.approx(d * 1e6 / (1e6 + 1))
