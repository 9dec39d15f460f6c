"""The track-record properties of greenscore check (issue 10): they hold for the example rubric
and find a surcharge that falls in the third consecutive year of class D."""

from __future__ import annotations

from pathlib import Path

from greenscore.testing import check_rubric

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "track-record" / "zones-track.yaml"
TRACK = ("track_new_entities", "track_streak", "track_escalation")

GAP_IN_ESCALATION = """
name: gap
version: "1"
inputs: [{id: x, min: 0, max: 100}]
dimensions:
  - id: d
    indicators: [{id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
consequence_values: [{id: surcharge, unit: yuan/kWh}]
tiers:
  - {id: A, min_score: 50}
  - {id: D, consequence: {kind: penalty, values: {surcharge: 0.05}}}
track:
  combine: {surcharge: highest}
  rules:
    - {id: second, when: streak(tier_D) == 2, periods: 2, gives: {values: {surcharge: 0.10}}}
    - {id: fourth, when: streak(tier_D) >= 4, periods: 4, gives: {values: {surcharge: 0.15}}}
"""


def test_track_properties_hold_for_the_example() -> None:
    report = check_rubric(EXAMPLE, properties=TRACK, max_examples=25, run_lint=False)
    assert [(c.name, c.passed) for c in report.checks] == [(name, True) for name in TRACK]


def test_escalation_finds_the_third_year_paying_less_than_the_second() -> None:
    """Class D for 2 years: 0.10; for 3 years no rule fires, so the tier's 0.05 applies."""
    report = check_rubric(
        GAP_IN_ESCALATION, properties=["track_escalation"], max_examples=10, run_lint=False
    )
    (check,) = report.checks
    assert not check.passed
    assert "surcharge falls from 0.1 to 0.05 when tier 'D' lasts 3 periods instead of 2" in (
        check.explanation or ""
    )


def test_rubrics_without_track_rules_pass_with_a_note() -> None:
    report = check_rubric(None, properties=TRACK, max_examples=5, run_lint=False)
    assert all(c.passed and c.notes == ("no track rules",) for c in report.checks)
