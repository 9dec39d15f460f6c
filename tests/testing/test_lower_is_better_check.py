"""greenscore check on lower-is-better totals (issue 9, item 7): the properties read the total
the right way round, and catch a rule that rewards a worse (higher) score."""

from __future__ import annotations

from greenscore.testing import check_rubric

HUNGER = """
name: hunger
version: "1"
total: {better: lower}
inputs:
  - {id: x, min: 0, max: 100}
  - {id: y, min: 0, max: 50}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}
      - {id: j, input: y, method: linear, goalposts: {worst: 0, best: 50}}
tiers:
  - {id: low, max_score: 10, top: 3}
  - {id: moderate, max_score: 20}
  - {id: serious, max_score: 35}
  - {id: alarming}
"""


def test_a_plain_lower_is_better_rubric_holds_every_property() -> None:
    """Before the properties read the merit, monotone and tier_order failed on this rubric: a
    higher total gives a worse tier here, as it should."""
    report = check_rubric(HUNGER, max_examples=30)
    failed = {c.name: c.explanation for c in report.checks if not c.passed}
    assert failed == {}
    reachable = report.check("tiers_reachable")
    assert "low: the best profile" in reachable.notes[0]
    assert "alarming: the worst profile" in reachable.notes[0]


def test_monotone_catches_a_condition_that_rewards_a_worse_score() -> None:
    """low (at most 30) also asks indicator i ≥ 20: at x = 10, y = 0 the total is 5 but i is
    10, so moderate (at most 40); raising x to 20 worsens the total to 10 yet meets the
    condition, giving low."""
    text = (
        HUNGER.replace(
            "{id: low, max_score: 10, top: 3}",
            "{id: low, max_score: 30, conditions: [{type: indicator_min, indicator: i, score: 20}]}",
        )
        .replace("max_score: 20}", "max_score: 40}")
        .replace("max_score: 35}", "max_score: 60}")
    )
    check = check_rubric(text, properties=["monotone"], run_lint=False).check("monotone")
    assert not check.passed
    assert "which is worse where a lower total is better, but improves the tier" in (
        check.explanation
    )
