"""Lower-is-better totals (issue 9, item 7): a hunger- or risk-style index declared once with
``total: {better: lower}``, read the right way round by ranks, places, tiers, explanations, the
gap to the next tier and calibration. With one linear 0–100 indicator each total equals x, so
every expected value below is worked out by hand in the docstrings."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore.batch.calibrate import calibrate
from greenscore.engine.describe import tier_rule, total_rule
from greenscore.engine.places import QUOTA_KEY
from greenscore.errors import RubricError
from greenscore.explain.gap import next_tier_gap
from greenscore.report._announce import group_table
from greenscore.report._excel import write_workbook
from greenscore.report._html import render_html
from greenscore.report._markdown import render_markdown
from greenscore.rubric.load import load_rubric

HEAD = """
name: hunger
version: "1"
entity: id
total: {better: lower}
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
"""

TIERS = """
tiers:
  - {id: low, max_score: 10, top: 2}
  - {id: moderate, max_score: 20}
  - {id: serious, max_score: 35}
  - {id: alarming}
"""

ROWS = {"A": 5.0, "B": 9.5, "C": 8.0, "D": 15.0, "E": 30.0, "F": 50.0}


def frame(rows: dict[str, float], pools: dict[str, str] | None = None) -> pd.DataFrame:
    data = {"id": list(rows), "year": 2024, "x": list(rows.values())}
    if pools is not None:
        data["level"] = [pools[k] for k in rows]
    return pd.DataFrame(data)


def by_id(result: greenscore.BatchResult, column: str) -> dict[str, object]:
    return dict(zip(result.results["id"], result.results[column], strict=True))


def test_lower_total_ranks_first_and_takes_the_top_places() -> None:
    """A 5, C 8 and B 9.5 are all at most 10, but low has top: 2, the two lowest (A, C): B drops
    to moderate with D 15; E 30 is serious (≤ 35), F 50 alarming. Ranks: tier first, then the
    lower total: A 1, C 2, B 3, D 4, E 5, F 6."""
    result = greenscore.assess(frame(ROWS), load_rubric(HEAD + TIERS))
    assert by_id(result, "tier") == {
        "A": "low",
        "B": "moderate",
        "C": "low",
        "D": "moderate",
        "E": "serious",
        "F": "alarming",
    }
    assert by_id(result, "rank") == {"A": 1, "C": 2, "B": 3, "D": 4, "E": 5, "F": 6}


def test_lower_total_places_per_pool_top_and_bottom() -> None:
    """Pool a: A 10 < B 20 < C 30, so A (lowest) is commended and C (highest) called in; pool b:
    E 40 < D 50, E commended, D called in."""
    tiers = """
pools: [level]
tiers:
  - {id: commended, top: 1}
  - {id: normal}
  - {id: talk, bottom: 1}
"""
    rows = {"A": 10.0, "B": 20.0, "C": 30.0, "D": 50.0, "E": 40.0}
    pools = {"A": "a", "B": "a", "C": "a", "D": "b", "E": "b"}
    result = greenscore.assess(frame(rows, pools), load_rubric(HEAD + tiers))
    assert by_id(result, "tier") == {
        "A": "commended",
        "B": "normal",
        "C": "talk",
        "D": "talk",
        "E": "commended",
    }
    assert by_id(result, "rank") == {"A": 1, "B": 2, "C": 3, "E": 1, "D": 2}


def test_max_score_is_inclusive_and_explained_as_lower_is_better() -> None:
    """x = 20 is at most 20: moderate, not serious. The explanation says lower is better and
    words the indicator's direction as which way scores more (more points are worse); the tier
    rule reads 'total ≤ 20' and the total rule says the lowest totals are favoured."""
    rubric = load_rubric(HEAD + TIERS.replace(", top: 2", ""))
    a = greenscore.evaluate({"id": "P", "x": 20}, rubric)
    assert (a.total, a.tier.id, a.tier.max_score) == (20.0, "moderate", 20.0)
    assert a.explain().splitlines()[0] == "P: 20 / 100 (lower is better) → moderate (moderate)"
    assert a.to_dict()["better"] == "lower"
    assert "goalposts 0 → 100, a higher value scores more: 20 / 100" in a.explain()
    assert tier_rule(rubric.tiers[1]) == "total ≤ 20"
    assert total_rule(rubric).startswith("A lower total is better")


def test_gap_to_the_next_tier_lowers_the_total() -> None:
    """P at x = 20 is moderate; low needs a total of at most 10, so 10 points short, reached by
    lowering x from 20 to 10 (total = x)."""
    rubric = load_rubric(HEAD + TIERS.replace(", top: 2", ""))
    gap = next_tier_gap({"id": "P", "x": 20}, rubric=rubric)
    assert (gap.tier, gap.target, gap.status) == ("moderate", "low", "reachable")
    assert gap.points_needed == pytest.approx(10.0)
    assert gap.reason == "low needs at most 10 on the rounded total: 10 points short"
    assert gap.indicators[0].required == pytest.approx(10.0)
    assert gap.indicators[0].action.startswith("lower x from 20 to 10")
    assert gap.path is not None and gap.path.changes == {"x": pytest.approx(10.0)}


def test_calibrated_place_cutoffs_are_totals_read_the_right_way_round() -> None:
    """Base year: low (top 2) kept A 5 and C 8, so the frozen cut-off is the highest total kept,
    8. A later lone park at 8 is low, one at 8.5 is moderate."""
    calibrated = calibrate(load_rubric(HEAD + TIERS), frame(ROWS))
    assert calibrated.cohort is not None
    assert calibrated.cohort[QUOTA_KEY] == {"low": 8.0}
    assert greenscore.evaluate({"x": 8}, calibrated).tier.id == "low"
    assert greenscore.evaluate({"x": 8.5}, calibrated).tier.id == "moderate"


@pytest.mark.parametrize(
    ("head", "tiers", "where", "words"),
    [
        (HEAD, "[{id: a, min_score: 10}, {id: b}]", "tiers[0].min_score", "write max_score"),
        (
            HEAD.replace("total: {better: lower}\n", ""),
            "[{id: a, max_score: 10}, {id: b}]",
            "tiers[0].max_score",
            "write min_score",
        ),
        (
            HEAD,
            "[{id: a, max_score: 20}, {id: b, max_score: 10}, {id: c}]",
            "tiers[1].max_score",
            "strictly increasing max_score",
        ),
        (
            HEAD,
            "[{id: a, max_score: 20}, {id: b, max_score: 90}]",
            "tiers[1].max_score",
            "set its max_score to the scale maximum",
        ),
    ],
)
def test_a_tier_bound_the_wrong_way_round_is_a_located_rubric_error(
    head: str, tiers: str, where: str, words: str
) -> None:
    with pytest.raises(RubricError) as caught:
        load_rubric(head + f"tiers: {tiers}\n")
    text = str(caught.value)
    assert re.search(rf"<string>:\d+:\d+: {re.escape(where)}: .*{re.escape(words)}", text), text


def test_better_and_max_score_stay_out_of_the_canonical_form_at_their_defaults() -> None:
    """A rubric that declares neither keeps the canonical form (and sha256) it had."""
    rubric = load_rubric(
        HEAD.replace("total: {better: lower}\n", "total: {deduction_cap: 5}\n")
        + "vetoes: [{id: v, kind: deduct, when: x > 50, points: 1, reason: r}]\n"
        + "tiers: [{id: a, min_score: 50}, {id: b}]\n"
    )
    dumped = rubric.model_dump(mode="json", by_alias=True)
    assert dumped["total"] == {
        "floor": True,
        "ceiling": True,
        "bonus_cap": None,
        "deduction_cap": 5.0,
    }
    assert all("max_score" not in tier for tier in dumped["tiers"])


MISSING = """
name: hunger with gaps
version: "1"
total: {better: lower}
inputs:
  - {id: x, min: 0, max: 100, required: false}
  - {id: y, min: 0, max: 50}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, missing: worst, method: linear, goalposts: {worst: 0, best: 100}}
      - {id: j, input: y, method: linear, goalposts: {worst: 0, best: 50}}
tiers:
  - {id: low, max_score: 10}
  - {id: alarming}
"""


def test_missing_worst_scores_the_highest_where_a_lower_total_is_better() -> None:
    """A blank x under 'worst' scores i 100 (the score worst for a lower-is-better total), not 0:
    total (100 + 5 / 50 × 100) / 2 = 55, alarming; reporting x = 0 would give 5, low."""
    rubric = load_rubric(MISSING)
    blank = greenscore.evaluate({"x": None, "y": 5}, rubric)
    assert (blank.indicator("i").score, blank.total, blank.tier.id) == (100.0, 55.0, "alarming")
    assert greenscore.evaluate({"x": 0, "y": 5}, rubric).total == 5.0


def test_missing_worst_on_an_uncapped_indicator_is_refused_where_lower_is_better() -> None:
    """An uncapped indicator has no highest score to give a blank: a located RubricError."""
    text = MISSING.replace("best: 100}}", "best: 100}, cap: false}")
    with pytest.raises(
        RubricError, match=r"indicators\[0\]\.missing: indicator 'i' has no highest"
    ):
        load_rubric(text)


def test_groups_rank_by_the_lower_mean_total_first() -> None:
    """Group a holds A 5, B 9.5, C 8 (mean 7.5), group b D 15, E 30, F 50 (mean 31.67): a is
    ranked 1st, since a lower total is better."""
    data = frame(ROWS).assign(city=["a", "a", "a", "b", "b", "b"])
    rubric = load_rubric(HEAD.replace("entity: id\n", "entity: id\nattributes: [city]\n") + TIERS)
    table = group_table(greenscore.assess(data, rubric), "city")
    assert dict(zip(table["city"], table["rank"], strict=True)) == {"a": 1, "b": 2}


def test_reports_show_each_tiers_max_score() -> None:
    """The Markdown tier table is headed Maximum and lists 10, 20, 35 and — (the fallback); the
    HTML overview and methodology tables are headed 'Maximum score' and 'Maximum total'."""
    batch = greenscore.assess(frame(ROWS), load_rubric(HEAD + TIERS))
    text = render_markdown(batch)
    assert "| Tier | Maximum | Parks | Share | Consequence |" in text
    assert "| low | 10 |" in text and "| serious | 35 |" in text and "| alarming | — |" in text
    html = render_html(batch, with_gaps=False)
    assert '<th class="n">Maximum score</th>' in html
    assert '<th class="n">Maximum total</th>' in html


def test_the_workbook_tier_sheet_has_a_max_score_column(tmp_path: Path) -> None:
    """The office workbook's tiers sheet lists max_score 10, 20, 35 and an empty fallback."""
    batch = greenscore.assess(frame(ROWS), load_rubric(HEAD + TIERS))
    path = write_workbook(batch, tmp_path / "report.xlsx", with_gaps=False)
    sheet = pd.read_excel(path, sheet_name="tiers")
    assert "min_score" not in sheet.columns
    assert sheet["max_score"].tolist()[:3] == [10.0, 20.0, 35.0]
    assert pd.isna(sheet["max_score"].tolist()[3])
