"""check_rubric on the bundled rubric and on the deliberately broken examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import strategies as st

import greenscore
from greenscore.testing import (
    PROPERTIES,
    ConsistencyReport,
    allowances,
    assert_consistent,
    check_rubric,
)
from greenscore.testing._properties import Setup, Violation
from greenscore.testing._report import run_setup

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "examples" / "broken"
EXPECTED = {
    "bands-backwards.yaml": ("monotone", {"against-direction"}),
    "goalposts-swapped.yaml": ("monotone", {"against-direction"}),
    "unreachable-tier.yaml": ("tiers_reachable", {"unreachable-tier"}),
    "contradicting-condition.yaml": ("tiers_reachable", {"unreachable-tier"}),
    "optional-raises-score.yaml": ("missing_never_pays", set()),
}


@pytest.fixture(scope="module")
def default_report() -> ConsistencyReport:
    return check_rubric(max_examples=60)


def test_default_rubric_holds_every_property(default_report):
    assert not default_report.blocking_findings
    assert {f.severity for f in default_report.findings} <= {"note"}
    assert [c.name for c in default_report.checks if not c.passed] == []
    assert default_report.ok


def test_a_known_violation_can_be_allowed_with_its_counterexample_kept():
    path = BROKEN / "optional-raises-score.yaml"
    report = check_rubric(path, max_examples=30, allow=["missing_never_pays"])
    assert report.ok
    check = report.check("missing_never_pays")
    assert not check.passed and check.allowed and check.counterexample is not None


def test_broken_examples_are_all_covered():
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_example_fails_the_right_property(name):
    prop, codes = EXPECTED[name]
    path = BROKEN / name
    assert path.read_text(encoding="utf-8").startswith("# BROKEN:")
    report = check_rubric(path, max_examples=60)
    assert not report.ok
    assert {c.name for c in report.failed} == {prop}
    check = report.check(prop)
    assert check.counterexample is not None and check.counterexample["profile"]
    assert check.explanation
    assert {f.code for f in report.findings} == codes
    assert prop in str(report) and "counterexample" in str(report)


def test_counterexamples_are_shrunk():
    report = check_rubric(BROKEN / "optional-raises-score.yaml", max_examples=60)
    example = report.check("missing_never_pays").counterexample
    assert example == {
        "input": "water_reuse_rate",
        "value": 40.0,
        "profile": {"solid_waste_utilisation": 95.0, "water_reuse_rate": 40.0},
    }
    monotone = check_rubric(BROKEN / "bands-backwards.yaml", max_examples=60).check("monotone")
    assert monotone.counterexample is not None
    assert monotone.counterexample["profile"]["solid_waste_utilisation"] == 50.0


def test_runs_are_reproducible_and_seedable():
    path = BROKEN / "goalposts-swapped.yaml"
    first = check_rubric(path, max_examples=30).check("monotone")
    again = check_rubric(path, max_examples=30).check("monotone")
    assert first == again
    seeded = check_rubric(path, max_examples=30, seed=11)
    assert seeded.seed == 11 and not seeded.check("monotone").passed


def test_report_converts_to_plain_data():
    report = check_rubric(BROKEN / "bands-backwards.yaml", max_examples=20)
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert [c["name"] for c in data["checks"]] == list(PROPERTIES)
    finding = data["findings"][0]
    assert finding["code"] == "against-direction" and finding["line"] == 19
    assert finding["file"].endswith("bands-backwards.yaml")


def test_assert_consistent_raises_with_the_report():
    with pytest.raises(AssertionError, match="missing_never_pays"):
        assert_consistent(BROKEN / "optional-raises-score.yaml", max_examples=20)


def test_a_fixed_rubric_is_consistent(tmp_path):
    text = (BROKEN / "optional-raises-score.yaml").read_text(encoding="utf-8")
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(text.replace(", required: false}\ntiers", "}\ntiers"), encoding="utf-8")
    report = assert_consistent(fixed, max_examples=30)
    assert report.ok and all(c.passed for c in report.checks)


def test_rubric_comment_allows_a_known_violation(tmp_path):
    text = (BROKEN / "optional-raises-score.yaml").read_text(encoding="utf-8")
    line = "# greenscore-check: allow missing_never_pays -- optional by design\n"
    path = tmp_path / "accepted.yaml"
    path.write_text(line + text, encoding="utf-8")
    report = check_rubric(path, max_examples=20)
    assert report.ok
    allowed = report.check("missing_never_pays").allowed
    assert allowed == "optional by design (rubric line 1)"
    assert "ALLOWED" in str(report)


def test_allowances_parse_names_and_reasons():
    text = (
        "a: 1\n#greenscore-check: allow monotone, zero-weight\n# greenscore-check: allow x -- y\n"
    )
    assert allowances(text) == {
        "monotone": "no reason given (rubric line 2)",
        "zero-weight": "no reason given (rubric line 2)",
        "x": "y (rubric line 3)",
    }


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="cannot allow"):
        check_rubric(allow=["monotonic"], max_examples=5)
    with pytest.raises(ValueError, match="unknown property"):
        check_rubric(properties=["nope"], max_examples=5)


def test_failures_shrink_and_engine_errors_are_reported():
    def body(x: int) -> Violation | None:
        if x >= 1000:
            return Violation("too big")
        return None if x < 17 else Violation(str(1 // (x - x)))

    setup = Setup("x stays small", st.integers(0, 10**6), body, lambda x: {"x": x})
    problem = run_setup(setup, max_examples=200, seed=None)
    assert problem is not None
    assert problem.counterexample == {"x": 17}
    assert problem.explanation.startswith("scoring raised ZeroDivisionError")


def test_properties_can_be_chosen(default_report):
    report = check_rubric(
        greenscore.default_rubric(), max_examples=10, properties=["bounded"], run_lint=False
    )
    assert [c.name for c in report.checks] == ["bounded"] and report.ok
    assert len(default_report.checks) == len(PROPERTIES)


RATIO = """\
name: ratio rubric
version: "1"
inputs:
  - {id: tax, min: 0, max: 100}
  - {id: land, min: 1, max: 10}
derived:
  - {id: tax_per_ha, formula: tax / land}
dimensions:
  - id: d
    indicators:
      - id: yield_
        input: tax_per_ha
        method: bands
        direction: higher
        bands:
          - {to: 5, points: 100}
          - {from: 5, points: 40}
tiers:
  - {id: top, min_score: 50}
  - {id: bottom, min_score: 0}
"""


def test_issue9_monotone_covers_indicators_fed_by_derived_inputs() -> None:
    """Bands that pay 100 below a tax per ha of 5 and 40 above it run against direction 'higher';
    the indicator reads tax / land, so monotone moves tax or land (the sign of each found by
    probing the formula) and catches it, where it used to skip the indicator."""
    report = check_rubric(RATIO, properties=["monotone"], run_lint=False)
    check = report.check("monotone")
    assert not check.passed
    assert "derived input 'tax_per_ha'" in check.explanation
    assert check.counterexample is not None
    assert check.counterexample["derived"] == "tax_per_ha"
    assert check.counterexample["input"] in ("tax", "land")
    before = check.counterexample["profile"]
    after = {**before, check.counterexample["input"]: check.counterexample["to"]}
    assert after["tax"] / after["land"] > before["tax"] / before["land"]


def test_monotone_holds_for_a_ratio_read_the_right_way_round() -> None:
    """Linear goalposts 0–20 on tax / land with direction 'higher': more tax or less land never
    lowers the score, and no indicator is left out."""
    text = RATIO.split("      - id: yield_")[0] + (
        "      - {id: yield_, input: tax_per_ha, method: linear, goalposts: {worst: 0, best: 20}}\n"
        + RATIO.split("          - {from: 5, points: 40}\n")[1]
    )
    check = check_rubric(text, properties=["monotone"], run_lint=False).check("monotone")
    assert check.passed, check.explanation
    assert not any("not checked" in note for note in check.notes)


GATED = """\
name: progress gate
version: "1"
inputs:
  - {id: income, min: 0}
  - {id: carbon, min: 0}
derived:
  - {id: carbon_falls, history: {input: carbon, statistic: falls_every_period, periods: 3}}
dimensions:
  - id: d
    indicators:
      - {id: size, input: income, method: linear, goalposts: {worst: 0, best: 300}}
vetoes:
  - {id: carbon_gate, kind: cap_tier, when: "not carbon_falls", tier: mid, reason: r}
tiers:
  - {id: top, min_score: 80}
  - {id: mid, min_score: 20}
  - {id: low, min_score: 0}
"""


def test_issue9_tiers_reachable_meets_a_history_gate() -> None:
    """'top' needs carbon to fall over 3 periods; a lone profile has no earlier periods, so the
    gate used to cap every profile at 'mid'. The check now carries earlier values (carbon@-1,
    carbon@-2): the best profile has income 300 (score 100) and carbon falling into this year."""
    check = check_rubric(GATED, properties=["tiers_reachable"], run_lint=False).check(
        "tiers_reachable"
    )
    assert check.passed, check.explanation
    assert "top: the best profile" in check.notes[0]


FORCED_UNDER_QUOTA = """
name: forced under a quota
version: "1"
inputs:
  - {id: x, min: 0, max: 100}
  - {id: protected, type: boolean}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
vetoes:
  - {id: listed, kind: force_tier, when: protected, tier: B, reason: on the protected list}
tiers:
  - {id: A, min_score: 85, max_share: 0.2}
  - {id: B, min_score: 60, max_share: 0.4}
  - {id: C, min_score: 0}
"""


def test_veto_dominant_scores_the_vetoed_profile_among_rows_filling_the_places():
    """The issue-9 defect (a quota moving a forced tier) only shows when others compete for the
    forced tier's places: the property scores the vetoed profile with ⌈1 / 0.2⌉ = 5 best
    profiles, which overflow A into B, and the forced profile must stay in B."""
    ctx = greenscore.testing.context_for(greenscore.load_rubric(FORCED_UNDER_QUOTA))
    assert ctx.place_rows == 5
    vetoed = {**ctx.best_profile, "protected": True, "x": 10}
    s = ctx.score([vetoed, *[ctx.best_profile] * ctx.place_rows])
    assert [ctx.tier_id(t) for t in s.tier] == ["B"] + ["C"] * 5
    report = check_rubric(FORCED_UNDER_QUOTA, properties=["veto_dominant"], run_lint=False)
    assert [c.passed for c in report.checks] == [True]
