"""Formulas that fit real assessment rules (issue 9, item 9): counting reported inputs in a veto."""

from __future__ import annotations

import math

import numpy as np
import pytest

import greenscore
from greenscore import RubricError
from greenscore.rubric.formula import FormulaError, parse_formula

NAN = math.nan

REPORTED = """\
name: reported
version: "1"
inputs:
  - {id: x, min: 0, max: 10}
  - {id: a, required: false}
  - {id: b, required: false}
  - {id: c, required: false}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}
vetoes:
  - {id: few, kind: force_tier, when: "reported(a, b, c) < 2", tier: bottom, reason: r}
tiers:
  - {id: top, min_score: 50}
  - {id: bottom, min_score: 0}
"""


def test_reported_counts_the_arguments_that_are_not_missing() -> None:
    """Row by row, by hand: (1, NaN, 0) has 2 reported; (NaN, NaN, NaN) 0; ±inf is missing."""
    formula = parse_formula("reported(a, b, c)")
    got = formula(
        {
            "a": np.array([1.0, NAN, 5.0, math.inf]),
            "b": np.array([NAN, NAN, 6.0, 2.0]),
            "c": np.array([0.0, NAN, 7.0, NAN]),
        }
    )
    np.testing.assert_array_equal(got, [2.0, 0.0, 3.0, 1.0])
    assert parse_formula("reported(1, 2)")({}) == 2.0
    assert not formula.is_boolean()


def test_reported_counts_whole_expressions_and_needs_an_argument() -> None:
    """An argument that cannot be worked out (a missing operand) is not reported."""
    got = parse_formula("reported(a / b, c)")({"a": [1.0, 1.0], "b": [2.0, NAN], "c": [NAN, 3.0]})
    np.testing.assert_array_equal(got, [1.0, 1.0])
    with pytest.raises(FormulaError, match=r"reported\(\) takes 1 to 100 arguments, got 0"):
        parse_formula("reported()")


def test_reported_reads_presence_not_value() -> None:
    """Names only inside reported() are counted, never valued; a name also read outside is."""
    assert parse_formula("reported(a, b) < 2").valued == frozenset()
    assert parse_formula("reported(a) + b").valued == frozenset({"b"})
    assert parse_formula("reported(a) < 1 or a > 3").valued == frozenset({"a"})


def test_issue9_veto_counts_reported_optional_inputs() -> None:
    """ "At least 2 of the 3 optional figures reported": a veto reading optional inputs only
    through reported() loads (leaving one blank cannot escape it) and forces the tier when fewer
    than 2 are reported. x = 8 scores 80 on goalposts 0–10, so the score alone gives 'top'."""
    rubric = greenscore.load_rubric(REPORTED)
    two = greenscore.evaluate({"x": 8, "a": 1, "b": None, "c": 0}, rubric)
    assert (two.total, two.tier.id) == (80.0, "top")
    one = greenscore.evaluate({"x": 8, "a": None, "b": None, "c": 0}, rubric)
    assert (one.total, one.tier.id) == (80.0, "bottom")
    assert [v.id for v in one.vetoes] == ["few"]
    assert two.vetoes == ()


def test_a_veto_reading_an_optional_value_is_still_refused() -> None:
    """Outside reported() an optional input's value can be left blank to escape: refused."""
    text = REPORTED.replace('"reported(a, b, c) < 2"', '"reported(a, b, c) < 2 or a > 5"')
    with pytest.raises(RubricError, match="reads optional input 'a'"):
        greenscore.load_rubric(text)


TAX = """\
name: per-ha tax
version: "1"
missing: worst
entity: firm
period: year
inputs:
  - {id: tax, min: 0}
  - {id: land, min: 0}
derived:
  - {id: tax_per_ha, formula: tax / land}
  - {id: tax_per_ha_3y, history: {input: tax_per_ha, statistic: mean, periods: 3}}
dimensions:
  - id: d
    indicators:
      - {id: level, input: tax_per_ha_3y, method: linear, goalposts: {worst: 0, best: 20}}
tiers:
  - {id: top, min_score: 50}
  - {id: bottom, min_score: 0}
"""


def test_issue9_history_of_a_derived_input_in_evaluate() -> None:
    """The 3-period mean of tax / land: 2016 120/10 = 12, 2015 90/10 = 9, 2014 60/5 = 12; mean
    11, which scores 100 × 11 / 20 = 55 on goalposts 0–20. The mean of the ratios, not the ratio
    of the summed tax and land (270 / 25 = 10.8)."""
    history = [{"tax": 90, "land": 10}, {"tax": 60, "land": 5}]
    result = greenscore.evaluate({"tax": 120, "land": 10}, TAX, history=history)
    assert result.indicator("level").value == pytest.approx(11.0)
    assert result.total == pytest.approx(55.0)
    assert result.tier.id == "top"


def test_issue9_history_of_a_derived_input_in_a_batch() -> None:
    """A batch derives per period, then lags: firm F's 2016 mean is (12 + 9 + 12) / 3 = 11, as
    above; firm G lacks 2014, so its mean is missing and scores the worst, 0."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "firm": ["F", "F", "F", "G", "G"],
            "year": [2014, 2015, 2016, 2015, 2016],
            "tax": [60.0, 90.0, 120.0, 10.0, 10.0],
            "land": [5.0, 10.0, 10.0, 1.0, 1.0],
        }
    )
    result = greenscore.assess(frame, TAX, period=2016).results.set_index("firm")
    assert result.loc["F", "ind.level"] == pytest.approx(55.0)
    assert result.loc["G", "ind.level"] == 0.0


def test_history_of_a_statistic_is_refused_with_a_reason() -> None:
    """Earlier periods have no statistic over periods of their own, so that is a rubric error,
    and an undeclared name is suggested among the derived inputs too."""
    text = TAX.replace(
        "  - {id: tax_per_ha_3y,",
        "  - {id: growth, history: {input: tax, statistic: change}}\n"
        "  - {id: twice, formula: growth * 2}\n"
        "  - {id: again, history: {input: twice, statistic: change}}\n"
        "  - {id: typo, history: {input: tax_per_hb, statistic: change}}\n"
        "  - {id: tax_per_ha_3y,",
    )
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(text)
    messages = {p.path: p.message for p in info.value.problems}
    assert "reads 'growth', a statistic over periods" in messages["derived[3].history.input"]
    assert "did you mean 'tax_per_ha'?" in messages["derived[4].history.input"]
