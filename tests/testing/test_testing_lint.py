"""Static lint: each finding names its code and points at the line in the rubric file."""

from __future__ import annotations

from pathlib import Path

import pytest

import greenscore
from greenscore.testing import LINT_CODES, ConsistencyReport, Finding, lint

HEAD = """name: lint example
version: "1"
"""


def _lint(tmp_path: Path, body: str) -> list[Finding]:
    path = tmp_path / "rubric.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return lint(path)


def _line(findings: list[Finding], code: str) -> int:
    found = [f for f in findings if f.code == code]
    assert found, f"no {code} finding in {[str(f) for f in findings]}"
    assert found[0].location is not None
    return found[0].location.line


def test_default_rubric_has_only_notes_about_parks_without_land():
    """Both land ratios divide by developed_land, whose declared range (min 0) allows 0."""
    findings = lint(greenscore.default_rubric())
    assert [(f.code, f.severity, f.path) for f in findings] == [
        ("derived-fault", "note", "derived[0].formula"),
        ("derived-fault", "note", "derived[1].formula"),
    ]
    assert all("divides by zero" in f.message for f in findings)
    assert all("developed_land = 0" in f.message for f in findings)


def test_every_code_is_documented():
    text = (Path(__file__).resolve().parents[2] / "docs" / "testing-rubrics.md").read_text("utf-8")
    for code in LINT_CODES:
        assert f"`{code}`" in text


def test_unused_inputs_and_derived(tmp_path):
    findings = _lint(
        tmp_path,
        """inputs:
  - {id: x, min: 0, max: 10}
  - {id: spare, min: 0, max: 10}
derived:
  - {id: twice, formula: x * 2}
dimensions:
  - {id: d, indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}]}
tiers: [{id: only, min_score: 0}]
""",
    )
    assert sorted(f.message for f in findings) == [
        "derived input 'twice' is unused",
        "input 'spare' is read by no indicator, derived input or veto",
    ]
    assert [f.location.line for f in findings if f.location] == [7, 5]


def test_zero_weight_and_unreachable_tier(tmp_path):
    findings = _lint(
        tmp_path,
        """inputs:
  - {id: x, min: 0, max: 10}
  - {id: y, min: 0, max: 10}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}, onto: [0, 80]}
      - {id: j, input: y, method: linear, goalposts: {worst: 0, best: 10}, weight: 0}
tiers:
  - {id: top, min_score: 90}
  - {id: low, min_score: 0}
""",
    )
    assert {f.code for f in findings} == {"zero-weight", "unreachable-tier"}
    assert _line(findings, "zero-weight") == 10
    assert _line(findings, "unreachable-tier") == 12
    assert "can give is 80" in next(f.message for f in findings if f.code == "unreachable-tier")


def test_conditions_that_can_never_hold(tmp_path):
    findings = _lint(
        tmp_path,
        """inputs:
  - {id: x, min: 0, max: 10}
dimensions:
  - {id: d, indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}, onto: [0, 70]}]}
vetoes:
  - {id: fee, kind: deduct, points: 1, reason: a fixed fee for everyone}
tiers:
  - id: top
    min_score: 60
    conditions: [{type: indicator_min, indicator: i, score: 75}]
  - id: mid
    min_score: 40
    conditions: [{type: no_veto, vetoes: [fee]}]
  - {id: low, min_score: 0}
""",
    )
    messages = [f.message for f in findings if f.code == "unreachable-tier"]
    assert len(messages) == 2
    assert "can score at most 70" in messages[0]
    assert "applies to every park" in messages[1]


def test_tier_ranges(tmp_path):
    findings = _lint(
        tmp_path,
        """rounding: {decimals: 0}
inputs:
  - {id: x, min: 0, max: 10}
dimensions:
  - {id: d, indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}]}
tiers:
  - {id: a, min_score: 50.6}
  - {id: b, min_score: 50.2}
  - {id: c, min_score: 0}
  - {id: d, min_score: -1}
""",
    )
    ranges = [f for f in findings if f.code == "tier-range"]
    assert [f.path for f in ranges] == ["tiers[2].min_score", "tiers[1].min_score"]
    assert "no rounded total" in ranges[1].message


def test_ranges_directions_points_labels_and_vetoes(tmp_path):
    findings = _lint(
        tmp_path,
        """inputs:
  - {id: x, label: Share, min: 0, max: 100}
  - {id: y, label: share, min: 0, max: 10}
  - {id: z, min: 0, max: 10}
  - {id: bad, type: boolean}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, direction: higher, goalposts: {worst: 90, best: 120}}
      - id: j
        input: y
        method: bands
        direction: higher
        bands:
          - {to: 5, points: 100}
          - {from: 5, to: 20, points: 130}
          - {from: 20, points: 10}
      - {id: k, input: z, method: linear, direction: lower, goalposts: {worst: 0, best: 10}}
vetoes:
  - {id: v, kind: cap_tier, when: bad, tier: top, reason: never binds}
tiers:
  - {id: top, min_score: 50}
  - {id: low, min_score: 0}
""",
    )
    codes = sorted(f.code for f in findings)
    assert codes == [
        "against-direction",
        "against-direction",
        "duplicate-label",
        "goalpost-range",
        "goalpost-range",
        "points-outside-scale",
        "toothless-veto",
    ]
    assert _line(findings, "duplicate-label") == 5
    assert _line(findings, "toothless-veto") == 22
    assert str(findings[0]).startswith(str(tmp_path / "rubric.yaml") + ":")


@pytest.mark.parametrize("code", sorted(LINT_CODES))
def test_findings_of_every_code_are_errors_warnings_or_notes(code):
    finding = Finding(code, "m", "p")
    assert finding.severity in ("error", "warning", "note")
    assert finding.to_dict()["line"] is None


RATIOS = """inputs:
  - {id: x, min: 0}
  - {id: awards, type: integer, min: 0}
dimensions:
  - {id: d, indicators: [{id: ratio, input: x, method: linear, goalposts: {worst: 0, best: 1}, cap: false}]}
tiers:
  - {id: a, min_score: 90, max_share: 0.2}
  - {id: b, min_score: 0}
"""


def test_clamp_ties_warn_where_a_quota_meets_totals_held_at_the_maximum(tmp_path):
    """An uncapped ratio can pass 100; held at 100 its parks tie, and tier a has a quota."""
    findings = _lint(tmp_path, RATIOS)
    (tie,) = [f for f in findings if f.code == "clamp-ties"]
    assert tie.severity == "warning" and tie.path == "tiers[0].max_share"
    assert _line(findings, "clamp-ties") == 9
    assert "indicators ratio can score past it" in tie.message
    assert "total: {ceiling: false}" in tie.message
    without_ceiling = _lint(tmp_path, RATIOS + "total: {ceiling: false}\n")
    assert not [f for f in without_ceiling if f.code == "clamp-ties"]
    capped = RATIOS.replace(", cap: false", "")
    assert not [f for f in _lint(tmp_path, capped) if f.code == "clamp-ties"]
    bonus = capped + "vetoes:\n  - {id: prize, kind: bonus, points: awards, reason: r}\n"
    (tie,) = [f for f in _lint(tmp_path, bonus) if f.code == "clamp-ties"]
    assert "bonus items prize add points" in tie.message


def test_bonuses_count_towards_the_highest_total(tmp_path):
    """Scores reach 100 at most; with no ceiling, a bonus of at most 5 makes 105 reachable and
    106 not."""
    body = RATIOS.replace(", cap: false", "").replace(", max_share: 0.2", "")
    body += "total: {ceiling: false}\n"
    bonus = "vetoes:\n  - {id: prize, kind: bonus, points: 2 * awards, cap: 5, reason: r}\n"
    for top, reachable in ((105, True), (106, False)):
        text = body.replace("min_score: 90", f"min_score: {top}") + bonus
        unreachable = [f for f in _lint(tmp_path, text) if f.code == "unreachable-tier"]
        assert bool(unreachable) is not reachable


DIVISIONS = """inputs:
  - {id: x, min: 1, max: 10}
  - {id: y, min: 0, max: 10}
  - {id: z, type: integer, min: 0, max: 10}
  - {id: w, min: 1}
  - {id: free}
  - {id: b, type: boolean}
  - {id: big, min: 0, max: 1e300}
derived:
  - {id: plain, formula: x / y}
  - {id: guarded, formula: "x / y if y > 0 else 0"}
  - {id: shifted, formula: x / (z - 5)}
  - {id: by_flag, formula: x / b}
  - {id: positive, formula: x / w}
  - {id: unbounded, formula: x / free}
  - {id: safe_shift, formula: x / (y + 1)}
  - {id: chained, formula: plain * 2}
  - {id: huge, formula: big * 1e10}
dimensions:
  - id: d
    indicators:
"""


def test_defect10_derived_inputs_that_can_divide_by_zero_or_overflow_are_noted(tmp_path):
    """Each formula is judged by hand: y, z - 5, b and free can be 0 within their declared
    ranges, and 1e300 * 1e10 is beyond the largest float; w >= 1 and y + 1 >= 1 cannot be 0,
    the guard keeps its division out, and 'chained' only inherits 'plain''s fault."""
    names = ["plain", "guarded", "shifted", "by_flag", "positive", "unbounded", "safe_shift"]
    names += ["chained", "huge"]
    body = DIVISIONS + "".join(
        f"      - {{id: i_{n}, input: {n}, method: linear, goalposts: {{worst: 0, best: 1}}}}\n"
        for n in names
    )
    findings = _lint(tmp_path, body + "tiers: [{id: only, min_score: 0}]\n")
    noted = [f for f in findings if f.code == "derived-fault"]
    assert [f.path for f in noted] == [
        "derived[0].formula",
        "derived[2].formula",
        "derived[3].formula",
        "derived[5].formula",
        "derived[8].formula",
    ]
    assert [f.location.line for f in noted if f.location] == [12, 14, 15, 17, 20]
    assert "divides by zero: x / (z - 5) with x = 1, z = 5" in noted[1].message
    assert "x / b with b = 0" in noted[2].message
    assert "overflows: big * 1e10 with big = 1e+300" in noted[4].message
    assert {f.severity for f in noted} == {"note"}


def test_notes_never_fail_a_check():
    note = Finding("derived-fault", "m", "p")
    warning = Finding("unused-input", "m", "p")
    assert ConsistencyReport("r", "1", None, (), (note,)).ok
    assert ConsistencyReport("r", "1", None, (), (note,)).blocking_findings == ()
    assert not ConsistencyReport("r", "1", None, (), (note, warning)).ok
