"""Issue 13 item 7, part 3: a structure error no longer hides the name and formula problems of
the same file; one RubricError lists both, where removing the offending keys leaves a rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

import greenscore
from greenscore import RubricError


def error_text(tmp_path: Path, text: str) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(path)
    return str(info.value).replace(str(path), "r.yaml")


TYPOS_AND_NAMES = """\
name: t
version: "1"
inputs:
  - {id: revenue, min: 0}
  - {id: land, min: 1}
derived:
  - {id: per_ha, formula: revnue / land}
dimensions:
  - id: d
    indicators:
      - {id: i, input: per_ha, method: linear, goalposts: {worst: 0, best: 10}, wieght: 2}
      - {id: j, input: lnd, method: linear, goalposts: {worst: 5, best: 15}, weight: "2"}
vetoes:
  - {id: v, kind: force_tier, when: land > 0 and import, tier: fial, reason: x}
tiers:
  - {id: top, min_score: 50}
  - {id: fail, min_score: 0}
"""


def test_defect_a_typo_hid_the_reference_and_formula_problems(tmp_path: Path) -> None:
    """An unknown key and a quoted number (structure) used to be all that was reported; the
    misspelt input names, the unsafe formula and the undeclared tier now come with them."""
    assert error_text(tmp_path, TYPOS_AND_NAMES) == (
        "invalid rubric r.yaml: 6 problems\n"
        "  r.yaml:7:18: derived[0].formula: formula refers to undeclared input 'revnue' "
        "(did you mean 'revenue'?)\n"
        "  r.yaml:11:81: dimensions[0].indicators[0].wieght: unknown key 'wieght' "
        "(did you mean 'weight'?)\n"
        "  r.yaml:12:17: dimensions[0].indicators[1].input: undeclared input 'lnd' "
        "(did you mean 'land'?)\n"
        "  r.yaml:12:78: dimensions[0].indicators[1].weight: expected a number, found the text "
        "'2': numbers are written without quotes, so write 2\n"
        "  r.yaml:14:31: vetoes[0].when: unsafe or invalid formula 'land > 0 and import': "
        "invalid syntax (column 14)\n"
        "  r.yaml:14:58: vetoes[0].tier: undeclared tier 'fial' (did you mean 'fail'?)"
    )


def test_a_typo_no_longer_hides_a_check_of_its_own_item(tmp_path: Path) -> None:
    """A deduction with a misspelt 'when' and no points: both are reported at once."""
    text = (
        TYPOS_AND_NAMES.replace(
            "{id: v, kind: force_tier, when: land > 0 and import, tier: fial, reason: x}",
            "{id: v, kind: deduct, whn: land > 0, reason: x}",
        )
        .replace("revnue", "revenue")
        .replace("lnd", "land")
        .replace('"2"', "2")
    )
    assert error_text(tmp_path, text) == (
        "invalid rubric r.yaml: 3 problems\n"
        "  r.yaml:11:81: dimensions[0].indicators[0].wieght: unknown key 'wieght' "
        "(did you mean 'weight'?)\n"
        "  r.yaml:14:5: vetoes[0]: a deduct item needs 'points' (a number or a formula)\n"
        "  r.yaml:14:27: vetoes[0].whn: unknown key 'whn' (did you mean 'when'?)"
    )


def test_a_value_set_aside_adds_no_problem_of_its_own(tmp_path: Path) -> None:
    """The quoted min_score of the middle tier is set aside to check names; a tier without a
    min_score above 'fail' would be a problem of order, which is not reported from that."""
    text = TYPOS_AND_NAMES.replace(
        "  - {id: top, min_score: 50}\n",
        '  - {id: top, min_score: 80}\n  - {id: mid, min_score: "50"}\n  - {id: low, min_score: 20}\n',
    )
    found = error_text(tmp_path, text)
    assert "tiers[1].min_score: expected a number, found the text '50'" in found
    assert "never reached" not in found and "tiers[2]" not in found
    assert found.startswith("invalid rubric r.yaml: 7 problems\n")


def test_a_structure_error_that_cannot_be_set_aside_still_stops_the_checks(
    tmp_path: Path,
) -> None:
    """Equal goalposts leave no valid indicator to check names on: only structure is reported."""
    text = TYPOS_AND_NAMES.replace("{worst: 5, best: 15}", "{worst: 5, best: 5}")
    found = error_text(tmp_path, text)
    assert "worst and best are equal" in found
    assert "undeclared" not in found


def test_a_valid_rubric_is_unchanged_by_the_salvage() -> None:
    fixed = (
        TYPOS_AND_NAMES.replace("revnue", "revenue")
        .replace(", wieght: 2", "")
        .replace("lnd", "land")
        .replace('"2"', "2")
        .replace(" and import", "")
        .replace("fial", "fail")
    )
    rubric = greenscore.load_rubric(fixed)
    assert [d.id for d in rubric.derived] == ["per_ha"]
