"""The rubric in words (greenscore.engine.describe): every expected sentence is written by hand
from the small rubric below, and the weights in the total are worked out in the comments."""

from __future__ import annotations

import pytest

import greenscore
from greenscore.batch.write import rubric_table
from greenscore.engine import describe as words
from greenscore.report._data import methodology_table
from greenscore.rubric import models as m

SMALL = """\
name: small
version: "1"
scale: {min: 0, max: 10}
missing: worst
entity: park
period: year
inputs:
  - {id: revenue, unit: 亿元, min: 0}
  - {id: land, unit: km², min: 0}
  - {id: energy, unit: tce, min: 0}
  - {id: plan, type: boolean}
  - {id: audit, type: boolean}
  - {id: stage, type: category, categories: [low, high]}
  - {id: incidents, type: integer, min: 0}
  - {id: findings, type: integer, min: 0}
derived:
  - {id: density, label: Income per km², formula: revenue / land}
  - {id: energy_trend, history: {input: energy, statistic: mean, periods: 3}}
dimensions:
  - id: a
    label: Land
    weight: 3
    indicators:
      - {id: dens, label: Density, input: density, unit: 亿元/km², method: linear,
         goalposts: {worst: 1, best: 5}}
    dimensions:
      - id: a1
        aggregation: geometric
        weight: 1
        indicators:
          - {id: use, input: energy, unit: tce, method: linear, direction: lower,
             goalposts: {worst: 9, best: 1.5}, onto: [6, 10], weight: 3}
          - {id: basics, method: checklist, at_least: 1,
             items: [{input: plan}, {input: audit}]}
  - id: b
    aggregation: minimum
    indicators:
      - {id: st, input: stage, method: categorical, points: {low: 2.5, high: 10}, required: false}
vetoes:
  - {id: major, label: Major incident, kind: force_tier, when: incidents > 1, tier: low,
     reason: One-vote veto}
  - {id: minor, kind: cap_tier, when: incidents > 0, tier: mid, reason: Capped}
  - {id: found, kind: deduct, points: 0.5 * findings, reason: Half a point per finding}
  - {id: flat, kind: deduct, when: findings > 3, points: 2, reason: Two points off}
tiers:
  - id: top
    label: Top
    min_score: 8
    conditions:
      - {type: dimension_min, score: 6}
      - {type: dimension_min, dimensions: [a, b], score: 5.5}
      - {type: indicator_min, indicator: dens, score: 7}
      - {type: no_veto}
    consequence: {kind: reward, text: Praise}
  - id: mid
    min_score: 5
    conditions:
      - {type: no_veto, vetoes: [major, found]}
      - {type: no_veto, kinds: [deduct]}
      - {type: no_veto, vetoes: [found], kinds: [deduct, cap_tier]}
  - {id: low, min_score: 0, consequence: {kind: penalty, text: Rectify}}
"""


@pytest.fixture(scope="module")
def small() -> m.Rubric:
    return greenscore.load_rubric(SMALL)


def test_numbers_for_people() -> None:
    assert words.fmt(2.5) == "2.5"
    assert words.fmt(80.0) == "80"
    assert words.fmt(-0.00001) == "0"
    assert words.fmt(None) == "—"
    assert words.fmt(float("nan")) == "—"
    assert words.fmt(1 / 3, 2) == "0.33"


def test_titles_fall_back_to_ids(small: m.Rubric) -> None:
    assert words.title(small.tiers[0]) == "Top"
    assert words.title(small.tiers[1]) == "mid"
    assert words.title(small.vetoes[0]) == "Major incident"


def test_weights_in_total(small: m.Rubric) -> None:
    # a: 3 / (3 + 1) = 0.75, b: 0.25. Inside a (children a1 weight 1, dens weight 1): 0.375 each.
    # Inside a1 (use 3, basics 1): 0.375 × 0.75 and 0.375 × 0.25. b has one child: 0.25.
    assert words.weights_in_total(small) == pytest.approx(
        {
            "a": 0.75,
            "a1": 0.375,
            "dens": 0.375,
            "use": 0.28125,
            "basics": 0.09375,
            "b": 0.25,
            "st": 0.25,
        }
    )


def test_dimension_rules(small: m.Rubric) -> None:
    a, b = small.dimensions
    assert words.dimension_rule(a) == "weighted arithmetic mean of its 2 parts"
    assert words.dimension_rule(a.dimensions[0]) == "weighted geometric mean of its 2 parts"
    assert words.dimension_rule(b) == "lowest of its 1 part"


def test_method_sentences(small: m.Rubric) -> None:
    said = {i.id: words.method_sentence(i) for _, i in small.iter_indicators()}
    assert said == {
        "dens": "goalposts 1 → 5, higher is better",
        "use": "goalposts 9 → 1.5, lower is better, mapped onto 6–10",
        "basics": "checklist of 2 items, at least 1 of 2 required",
        "st": "categories low: 2.5, high: 10",
    }


def test_derived_rules(small: m.Rubric) -> None:
    density, trend = small.derived
    assert words.derived_rule(density) == "revenue / land"
    assert words.derived_rule(trend) == "mean of energy over the latest 3 periods"


def test_condition_texts(small: m.Rubric) -> None:
    top, mid, _ = small.tiers
    assert [words.condition_text(c) for c in top.conditions] == [
        "every top-level dimension at least 6",
        "a, b at least 5.5",
        "indicator dens at least 7",
        "no veto",
    ]
    assert [words.condition_text(c) for c in mid.conditions] == [
        "none of the vetoes major, found",
        "no veto of kind deduct",
        "none of the vetoes found of kind deduct, cap_tier",
    ]


def test_veto_rules(small: m.Rubric) -> None:
    assert [words.veto_rule(v) for v in small.vetoes] == [
        "when incidents > 1: tier forced to low",
        "when incidents > 0: tier capped at mid",
        "deduct 0.5 * findings points",
        "when findings > 3: deduct 2 points",
    ]
    assert words.veto_effect("deduct", None, 1.5) == "deduct 1.5 points"


def test_tier_rules(small: m.Rubric) -> None:
    assert [words.tier_rule(t) for t in small.tiers] == [
        "total ≥ 8; every top-level dimension at least 6; a, b at least 5.5; "
        "indicator dens at least 7; no veto",
        "total ≥ 5; none of the vetoes major, found; no veto of kind deduct; "
        "none of the vetoes found of kind deduct, cap_tier",
        "total ≥ 0",
    ]
    assert words.consequence_text("reward", "Praise") == "reward: Praise"
    assert words.consequence_text("none", "") == "none: —"


def test_rubric_table_reads_the_rows(small: m.Rubric) -> None:
    table = rubric_table(small).set_index("id")
    assert (
        list(table["kind"])
        == ["dimension", "indicator", "dimension"]
        + ["indicator"] * 2
        + [
            "dimension",
            "indicator",
        ]
        + ["veto"] * 4
        + ["tier"] * 3
    )
    assert table.loc["a1", "parent"] == "a"
    assert table.loc["a1", "rule"] == "weighted geometric mean of its 2 parts"
    assert table.loc["basics", "input"] == "plan, audit"
    assert table.loc["use", "rule"] == "goalposts 9 → 1.5, lower is better, mapped onto 6–10"
    assert table.loc["st", "missing"] == "worst"
    assert table.loc["flat", "rule"] == "when findings > 3: deduct 2 points"
    assert table.loc["flat", "reason"] == "Two points off"
    assert table.loc["low", "rule"] == "total ≥ 0"
    assert table.loc["low", "reason"] == "Rectify"


def test_methodology_table_says_the_same(small: m.Rubric) -> None:
    table = methodology_table(small).set_index("id")
    assert table.loc["a/a1", "rule"] == "weighted geometric mean of its 2 parts"
    assert table.loc["use", "rule"] == (
        "energy (tce): goalposts 9 → 1.5, lower is better, mapped onto 6–10"
    )
    assert table.loc["basics", "rule"] == (
        "plan, audit (—): checklist of 2 items, at least 1 of 2 required"
    )
    assert table.loc["energy_trend", "rule"] == "mean of energy over the latest 3 periods"
    assert table.loc["major", "rule"] == "when incidents > 1: tier forced to low — One-vote veto"
    assert table.loc["mid", "rule"] == (
        "total ≥ 5; none of the vetoes major, found; no veto of kind deduct; "
        "none of the vetoes found of kind deduct, cap_tier → none: —"
    )
    assert table.loc["top", "weight_in_total"] != table.loc["top", "weight_in_total"]
    assert table.loc["use", "weight_in_total"] == pytest.approx(0.28125)


def test_bonus_and_capped_items_in_words() -> None:
    assert words.veto_effect("bonus", None, 2) == "add 2 points"
    assert words.veto_effect("deduct", None, "0.3 * n", cap=3) == "deduct 0.3 * n points, at most 3"
    assert words.veto_effect("bonus", None, 3, capped_from=4.5) == "add 3 points, capped from 4.5"


def test_total_rules(small: m.Rubric) -> None:
    """Only what a rubric declares is worded: rounding alone gives the sentence reports always
    printed; bonuses, total caps and lifted bounds add one before it."""
    assert words.total_rule(small) == ""
    jiangxi = words.total_rule(greenscore.default_rubric())
    assert jiangxi == "The total is rounded half up to 1 decimal before tiers are assigned."
    bonus = m.Veto(id="prize", kind="bonus", points=1, reason="r")
    rich = small.model_copy(
        update={
            "vetoes": [*small.vetoes, bonus],
            "total": m.Total(ceiling=False, bonus_cap=4),
            "rounding": m.Rounding(decimals=2, mode="half_even", dimensions=1),
        }
    )
    assert words.total_rule(rich) == (
        "The total is the weighted score, plus bonus points (at most 4 in all), minus deductions, "
        "held at or above 0, with no ceiling: it can exceed 10. "
        "The total is rounded half to even to 2 decimals before tiers are assigned. "
        "Dimension scores are reported rounded the same way to 1 decimal; tier conditions read "
        "the rounded scores and the total is aggregated from the unrounded ones."
    )
