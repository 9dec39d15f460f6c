"""Fuzz: mutated rubrics are refused with every problem located, or load and score their table
with every row accounted for."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_cases import record
from fuzz_rubrics import RubricCase, check_rubric, rubric_cases
from fuzz_run import fuzz_settings
from hypothesis import given

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]


def _check(test: str, case: RubricCase) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_rubric(Path(folder), case)
    record(test, case.kinds, outcome)


@fuzz_settings("rubric-jiangxi")
@given(rubric_cases("jiangxi"))
def test_mutations_of_the_jiangxi_rubric_are_refused_where_wrong_or_score_every_row(
    case: RubricCase,
) -> None:
    _check("rubric-jiangxi", case)


@fuzz_settings("rubric-worked-example")
@given(rubric_cases("worked-example"))
def test_mutations_of_the_worked_example_are_refused_where_wrong_or_score_every_row(
    case: RubricCase,
) -> None:
    _check("rubric-worked-example", case)
