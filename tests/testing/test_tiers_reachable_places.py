"""tiers_reachable on tiers given by places alone (issue 9, item 9): a cohort fills them."""

from __future__ import annotations

from greenscore.testing import check_rubric

PLACES_ONLY = """
name: places only
version: "1"
entity: id
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators:
      - id: i
        input: x
        method: bands
        direction: higher
        bands: [{to: 50, points: 0}, {from: 50, points: 100}]
tiers:
  - {id: commended, top: 2}
  - {id: normal}
  - {id: talk, bottom: 1}
"""


def test_issue9_tiers_reachable_fills_top_2_and_bottom_1_with_a_cohort() -> None:
    """Totals are 0 or 100 only. A lone profile among poor fillers is commended (100) or called
    in (0); 'normal' needs a cohort: three parks at 100 tie for the two commended places, so by
    the tie rule all three are normal. The check used to report 'normal' as never reached."""
    check = check_rubric(PLACES_ONLY, properties=["tiers_reachable"], run_lint=False).check(
        "tiers_reachable"
    )
    assert check.passed, check.explanation
    assert "normal: a cohort of" in check.notes[0]


def test_a_place_tier_whose_condition_no_one_meets_is_still_unreachable() -> None:
    """Commended also needs indicator i ≥ 100 and the bands now pay at most 60: no cohort
    fills it, and the check says so instead of counting the place as enough."""
    text = PLACES_ONLY.replace("points: 100}", "points: 60}").replace(
        "{id: commended, top: 2}",
        "{id: commended, top: 2, conditions: [{type: indicator_min, indicator: i, score: 100}]}",
    )
    check = check_rubric(text, properties=["tiers_reachable"], run_lint=False).check(
        "tiers_reachable"
    )
    assert not check.passed
    assert "tier 'commended' is never reached" in check.explanation
