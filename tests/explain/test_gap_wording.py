"""Formula inversion: which single input a derived input's numerator lets the gap search move."""

from __future__ import annotations

import pytest

from greenscore.explain.wording import numerator_input
from greenscore.rubric import models as m

INPUTS = {
    "income": m.Input(id="income"),
    "land": m.Input(id="land"),
    "firms": m.Input(id="firms", type="integer"),
    "stage": m.Input(id="stage", type="category", categories=["low", "high"]),
}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("income * 100 / land", "income"),
        ("income / (land / 100)", "income"),
        ("-2 * firms / land", "firms"),
        ("income", "income"),
        ("(income + land) / land", None),
        ("land / land", None),
        ("stage / land", None),
        ("density / land", None),
        ("income *", None),
    ],
)
def test_numerator_input(formula: str, expected: str | None) -> None:
    """By reading the formula: one declared numeric input times constants over anything that
    does not contain it; sums, categories, undeclared names and bad syntax give none."""
    assert numerator_input(formula, INPUTS) == expected
