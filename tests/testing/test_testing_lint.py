"""Static lint: each finding names its code and points at the line in the rubric file."""

from __future__ import annotations

from pathlib import Path

import pytest

import greenscore
from greenscore.testing import LINT_CODES, Finding, lint

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


def test_default_rubric_is_clean():
    assert lint(greenscore.default_rubric()) == []


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
def test_findings_of_every_code_are_errors_or_warnings(code):
    finding = Finding(code, "m", "p")
    assert finding.severity in ("error", "warning")
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
