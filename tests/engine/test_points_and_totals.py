"""Bonuses, deductions with caps, negative points refused, totals without a ceiling, and the
clamp explained (issue 9). Every expected number is worked out by hand in the docstrings."""

from __future__ import annotations

import pandas as pd
import pytest

import greenscore
from greenscore.engine.describe import rubric_rows
from greenscore.errors import ProfileError, RubricError

# ix scores x itself (goalposts 0 → 100, uncapped): a ratio to benchmark that can pass 100.
BASE = """
name: points
version: "1"
inputs:
  - {id: x, min: 0}
  - {id: findings, type: integer, min: 0}
  - {id: awards, type: integer, min: 0}
  - {id: green, type: boolean}
dimensions:
  - id: d
    indicators:
      - {id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}, cap: false}
vetoes:
  - {id: inspection, kind: deduct, points: 0.3 * findings, cap: 3, reason: "0.3 per finding, at most 3"}
  - {id: award, kind: bonus, points: 2 * awards, cap: 3, reason: "2 per award, at most 3"}
  - {id: green_park, kind: bonus, when: green, points: 2, reason: A national green park}
tiers:
  - {id: a, min_score: 90}
  - {id: b, min_score: 60}
  - {id: c, min_score: 0}
"""


def _park(**changes: object) -> dict[str, object]:
    return {"x": 80, "findings": 0, "awards": 0, "green": False, **changes}


def _rubric(extra: str = "") -> greenscore.Rubric:
    return greenscore.load_rubric(BASE + extra)


def test_bonus_points_are_added_and_shown_like_deductions():
    """x = 80, one award: 80 + 2 = 82, tier b; the bonus is listed with its reason."""
    result = greenscore.evaluate(_park(awards=1), _rubric())
    assert (result.raw_total, result.bonuses, result.deductions) == (80, 2, 0)
    assert result.total == 82 and result.tier.id == "b"
    assert [(v.id, v.kind, v.points) for v in result.vetoes] == [("award", "bonus", 2)]
    text = result.explain()
    assert "  weighted score 80 + bonuses 2\n" in text
    assert "  bonus award (add 2 points): 2 per award, at most 3" in text


def test_a_bonus_is_held_at_its_cap():
    """Two awards give 2 × 2 = 4 points, held at the item's cap of 3: 80 + 3 = 83."""
    result = greenscore.evaluate(_park(awards=2), _rubric())
    assert result.bonuses == 3 and result.total == 83
    (award,) = result.vetoes
    assert (award.points, award.capped_from) == (3, 4)
    assert "bonus award (add 3 points, capped from 4)" in result.explain()


def test_a_deduction_is_held_at_its_cap():
    """−0.3 per inspection finding, at most 3: 5 findings take 1.5 (78.5), 12 take 3.6 held at 3
    (77), 100 still 3 (77)."""
    rubric = _rubric()
    assert greenscore.evaluate(_park(findings=5), rubric).total == 78.5
    for findings in (12, 100):
        result = greenscore.evaluate(_park(findings=findings), rubric)
        assert result.deductions == 3 and result.total == 77
        assert result.vetoes[0].capped_from == pytest.approx(0.3 * findings)


def test_all_bonuses_together_are_held_at_the_rubric_cap():
    """Award 3 (two awards, held at 3) + green park 2 = 5, held at bonus_cap 4: 80 + 4 = 84."""
    rubric = _rubric("total: {bonus_cap: 4}\n")
    result = greenscore.evaluate(_park(awards=2, green=True), rubric)
    assert sum(v.points for v in result.vetoes) == 5
    assert result.bonuses == 4 and result.total == 84
    assert "+ bonuses 4 (the items give 5; at most 4 count)" in result.explain()


def test_all_deductions_together_are_held_at_the_rubric_cap():
    """A second deduction of 2 on top of 12 findings (3): 5, held at deduction_cap 4: 76."""
    text = BASE.replace(
        "vetoes:\n",
        "vetoes:\n  - {id: late, kind: deduct, points: 2, reason: Late report}\n",
    )
    result = greenscore.evaluate(
        _park(findings=12), greenscore.load_rubric(text + "total: {deduction_cap: 4}\n")
    )
    assert result.deductions == 4 and result.total == 76


def test_missing_data_never_earns_a_bonus():
    """A bonus whose condition cannot be worked out (0 / 0) is not given; a deduction with the
    same condition is taken (missing data never pays)."""
    text = BASE.replace(
        "vetoes:\n",
        "vetoes:\n"
        "  - {id: share, kind: bonus, when: awards / findings > 0.5, points: 1, reason: Share}\n"
        "  - {id: penalty, kind: deduct, when: awards / findings > 0.5, points: 1, reason: P}\n",
    )
    result = greenscore.evaluate(_park(), greenscore.load_rubric(text))
    assert [v.id for v in result.vetoes] == ["penalty"]
    assert result.total == 79


def test_no_veto_conditions_ignore_bonuses():
    """A bonus is not a veto: a tier that asks for no veto is still reached with a bonus."""
    text = BASE.replace(
        "  - {id: a, min_score: 90}", "  - {id: a, min_score: 90, conditions: [{type: no_veto}]}"
    )
    result = greenscore.evaluate(_park(x=89, awards=1), greenscore.load_rubric(text))
    assert result.total == 91 and result.tier.id == "a"


@pytest.mark.parametrize("kind", ["deduct", "bonus"])
def test_defect9_negative_constant_points_are_refused_at_load(kind):
    """Before issue 9 `kind: deduct, points: -2` loaded, and the engine dropped the negative
    deduction without a word (total unchanged, no veto recorded)."""
    text = BASE.replace(
        "vetoes:\n",
        f"vetoes:\n  - {{id: wrong, kind: {kind}, points: -2, reason: Written with a sign}}\n",
    )
    with pytest.raises(RubricError) as caught:
        greenscore.load_rubric(text)
    (problem,) = caught.value.problems
    assert problem.path == "vetoes[0].points"
    assert "points -2 is negative" in problem.message and "write 2" in problem.message
    assert problem.location is not None and problem.location.line == 14


def test_defect9_negative_points_of_a_row_flag_it():
    """A formula that comes out negative for a row (a data error) is a located problem naming
    the item, its formula and the value; the old engine clipped it to 0 and scored the row."""
    text = BASE.replace("inputs:\n", "inputs:\n  - {id: adjustment}\n").replace(
        "vetoes:\n",
        "vetoes:\n  - {id: adjust, kind: deduct, points: adjustment, reason: Adjustment}\n",
    )
    rubric = greenscore.load_rubric(text)
    with pytest.raises(ProfileError) as caught:
        greenscore.evaluate(_park(adjustment=-2), rubric)
    (problem,) = caught.value.problems
    assert problem.field == "adjustment" and problem.value == -2
    assert "deduct item 'adjust'" in problem.problem and "'adjustment' gives -2" in problem.problem
    assert greenscore.evaluate(_park(adjustment=2), rubric).total == 78

    frame = pd.DataFrame(
        [{"park_id": p, "year": 2024, **_park(adjustment=a)} for p, a in (("P1", 1), ("P2", -0.5))]
    )
    batch = greenscore.assess(frame, rubric, errors="flag")
    assert batch.results["park_id"].tolist() == ["P1"] and batch.results["total"].tolist() == [79]
    flagged = batch.flagged
    assert flagged["entity"].tolist() == ["P2"] and "gives -0.5" in flagged["problem"].iloc[0]
    assert batch.accounting["scored"] + batch.accounting["flagged"] == 2


def test_a_total_without_a_ceiling_keeps_its_order():
    """With `total: {ceiling: false}`, x = 104.2 plus an award (2) gives 106.2, not 100."""
    result = greenscore.evaluate(_park(x=104.2, awards=1), _rubric("total: {ceiling: false}\n"))
    assert result.total == pytest.approx(106.2) and result.clamped_from is None
    assert result.tier.id == "a"


def test_defect9_a_clamped_total_says_so_and_still_adds_up():
    """Before issue 9 a total of 106.2 became 100 without a word, and the explanation's parts
    (104.2 + 2) no longer added up to it. Now the clamp is its own line: 104.2 + 2 − 6.2 = 100."""
    result = greenscore.evaluate(_park(x=104.2, awards=1), _rubric())
    assert result.total == 100 and result.clamped_from == pytest.approx(106.2)
    text = result.explain()
    assert "  weighted score 104.2 + bonuses 2 = 106.2\n" in text
    assert "  clamped from 106.2 to 100 (the scale maximum): −6.2\n" in text
    contributions = sum(d.contribution for d in result.dimensions if "/" not in d.path)
    clamp = result.total - result.clamped_from
    assert contributions + result.bonuses - result.deductions + clamp == pytest.approx(100)


def test_a_floored_total_says_so():
    """x = 1 with 20 findings (6, held at 3): 1 − 3 = −2, floored at 0 (+2)."""
    result = greenscore.evaluate(_park(x=1, findings=20), _rubric())
    assert result.total == 0 and result.clamped_from == pytest.approx(-2)
    assert "  clamped from -2 to 0 (the scale minimum): +2\n" in result.explain()
    unfloored = greenscore.evaluate(_park(x=1, findings=20), _rubric("total: {floor: false}\n"))
    assert unfloored.total == pytest.approx(-2) and unfloored.tier.id == "c"


def test_results_carry_bonuses_and_the_clamp_per_row():
    """Four firms: x = 104.2 + one award (106.2, clamped to 100), 95 + one award (97), 80 and
    70 (no bonus). The bonuses and clamped_from columns say which."""
    frame = pd.DataFrame(
        [
            {"park_id": p, "year": 2024, **_park(x=x, awards=k)}
            for p, x, k in (("F1", 104.2, 1), ("F2", 95, 1), ("F3", 80, 0), ("F4", 70, 0))
        ]
    )
    results = greenscore.assess(frame, _rubric()).results.set_index("park_id")
    assert results["total"].tolist() == [100, 97, 80, 70]
    assert results["bonuses"].tolist() == [2, 2, 0, 0]
    assert results.loc["F1", "clamped_from"] == pytest.approx(106.2)
    assert results["clamped_from"].iloc[1:].isna().all()
    columns = list(results.columns)
    assert columns.index("bonuses") == columns.index("deductions") + 1


def test_defect9_clamped_ties_no_longer_hide_the_order_under_a_quota():
    """Ten firms scored by a ratio to benchmark (x = 130, 120, 110, 105, 90, 80, 70, 60, 50, 40)
    and tier a (≥ 90) capped at 20 %, i.e. 2 places. Held at 100, the four best tie and the
    results flag each clamp; without a ceiling the two best (130 and 120) take the places."""
    xs = (130, 120, 110, 105, 90, 80, 70, 60, 50, 40)
    frame = pd.DataFrame(
        [{"park_id": f"F{i}", "year": 2024, **_park(x=x)} for i, x in enumerate(xs)]
    )
    quota = BASE.replace("{id: a, min_score: 90}", "{id: a, min_score: 90, max_share: 0.2}")
    clamped = greenscore.assess(frame, greenscore.load_rubric(quota)).results
    assert clamped["total"].tolist()[:5] == [100, 100, 100, 100, 90]
    assert clamped["clamped_from"].tolist()[:4] == pytest.approx([130, 120, 110, 105])
    apart = greenscore.assess(frame, greenscore.load_rubric(quota + "total: {ceiling: false}\n"))
    tiers = apart.results.set_index("park_id")["tier"]
    assert tiers[tiers == "a"].index.tolist() == ["F0", "F1"]
    assert "clamped_from" not in apart.results.columns


def test_bonus_and_clamp_rubric_items_in_words():
    """The rubric sheet words an item's cap, and the rubric's own description adds the bounds."""
    rows = {r.id: r.rule for r in rubric_rows(_rubric("total: {bonus_cap: 4}\n"))}
    assert rows["inspection"] == "deduct 0.3 * findings points, at most 3"
    assert rows["award"] == "add 2 * awards points, at most 3"
    assert rows["green_park"] == "when green: add 2 points"
