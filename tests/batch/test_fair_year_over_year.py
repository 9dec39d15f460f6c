"""Year-over-year that is fair (issue 9, item 10): rank changes among the entities ranked in
both years within the same pool, movers sorted by what they are called, and the rubric's own
noun for its entities. With one linear 0–100 indicator each total equals x; every expected
value below is worked out by hand in the docstrings."""

from __future__ import annotations

import pandas as pd
import pytest

import greenscore
from greenscore.report._html import render_html
from greenscore.report._markdown import render_markdown
from greenscore.rubric.load import load_rubric

HEAD = """
name: zones
version: "1"
entity: id
noun: zones
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
"""
TIERS = "tiers: [{id: good, min_score: 80}, {id: rest}]\n"


def frame(year: int, rows: dict[str, float], pools: dict[str, str] | None = None) -> pd.DataFrame:
    data = {"id": list(rows), "year": year, "x": list(rows.values())}
    if pools is not None:
        data["level"] = [pools[k] for k in rows]
    return pd.DataFrame(data)


def by_id(result: greenscore.BatchResult, column: str) -> dict[str, object]:
    return {
        k: (None if pd.isna(v) else v)
        for k, v in zip(result.results["id"], result.results[column], strict=True)
    }


BEFORE = {"A": 90.0, "B": 80.0, "C": 70.0, "D": 60.0, "E": 50.0}
NOW = {"C": 65.0, "D": 68.0, "E": 55.0}


def test_issue9_item10_a_park_whose_score_fell_is_not_shown_climbing_when_others_left() -> None:
    """Last year A 90, B 80, C 70, D 60, E 50 ranked 1–5; A and B are gone. C fell to 65 and D
    rose to 68 past it. Published ranks say C went 3 → 2 (+1, 'climbing'); among the three
    present both years C was 1st and is now 2nd: −1. D 2nd → 1st: +1; E 3rd → 3rd: 0."""
    rubric = load_rubric(HEAD + TIERS)
    result = greenscore.assess(frame(2024, NOW), rubric, previous=frame(2023, BEFORE))
    assert by_id(result, "previous_rank") == {"C": 3, "D": 4, "E": 5}
    assert by_id(result, "rank") == {"C": 2, "D": 1, "E": 3}
    assert by_id(result, "rank_change") == {"C": -1, "D": 1, "E": 0}
    assert by_id(result, "score_change") == pytest.approx({"C": -5.0, "D": 8.0, "E": 5.0})


def test_issue9_item10_a_new_entity_moves_no_one_and_gets_no_rank_change() -> None:
    """F joins at 99 and takes rank 1; C, D, E keep the changes computed among themselves."""
    rubric = load_rubric(HEAD + TIERS)
    now = {**NOW, "F": 99.0}
    result = greenscore.assess(frame(2024, now), rubric, previous=frame(2023, BEFORE))
    assert by_id(result, "rank_change") == {"C": -1, "D": 1, "E": 0, "F": None}


POOLED = "pools: [level]\n" + TIERS


def test_issue9_item10_an_entity_whose_pool_changed_gets_no_rank_change_and_a_note() -> None:
    """Last year national N1 80, N2 70; provincial P1 60, P2 50, P3 40. P1 is promoted to
    national this year (75). Its ranks are in different pools: no rank change, a note instead.
    National among N1, N2 (both there both years): N1 85 1st → 1st (0), N2 65 2nd → 2nd (0);
    provincial among P2, P3: P2 45 1st → 2nd (−1), P3 48 2nd → 1st (+1)."""
    rubric = load_rubric(HEAD + POOLED)
    before = {"N1": 80.0, "N2": 70.0, "P1": 60.0, "P2": 50.0, "P3": 40.0}
    levels = {"N1": "national", "N2": "national", "P1": "provincial", "P2": "provincial"}
    levels["P3"] = "provincial"
    now = {"N1": 85.0, "N2": 65.0, "P1": 75.0, "P2": 45.0, "P3": 48.0}
    moved = {**levels, "P1": "national"}
    result = greenscore.assess(
        frame(2024, now, moved), rubric, previous=frame(2023, before, levels)
    )
    assert by_id(result, "rank_change") == {"N1": 0, "N2": 0, "P1": None, "P2": -1, "P3": 1}
    notes = by_id(result, "rank_note")
    assert notes["P1"] == "pool changed (provincial → national): no rank change"
    assert {k: v for k, v in notes.items() if k != "P1"} == dict.fromkeys(
        ["N1", "N2", "P2", "P3"], ""
    )


def test_issue9_item10_improvers_sort_by_score_change_and_the_summary_says_zones() -> None:
    """Improvers by score change: D +8, E +5; decliner: C −5. The summary names the entities by
    the rubric's noun (zones), not parks."""
    rubric = load_rubric(HEAD + TIERS)
    result = greenscore.assess(frame(2024, NOW), rubric, previous=frame(2023, BEFORE))
    up, down = result.movers() or (None, None)
    assert up is not None and down is not None
    assert list(up["id"]) == ["D", "E"] and list(down["id"]) == ["C"]
    text = str(result.summary())
    assert "Biggest improvers (by score change)" in text
    assert "| zones" in text or " zones " in text
    assert " parks" not in text


def test_issue9_item7_improvers_of_a_lower_is_better_index_are_the_biggest_falls() -> None:
    """With total: {better: lower} and max_score tiers, C's fall of 5 improves it and D's and E's
    rises worsen them: improvers [C], decliners D (+8) then E (+5). Fair ranks read lower first:
    before C 70, D 60, E 50 ranked E 1, D 2, C 3; now E 55, C 65, D 68 ranked E 1, C 2, D 3:
    C +1, D −1, E 0."""
    text = HEAD.replace("noun: zones\n", "total: {better: lower}\n")
    rubric = load_rubric(text + "tiers: [{id: good, max_score: 20}, {id: rest}]\n")
    result = greenscore.assess(frame(2024, NOW), rubric, previous=frame(2023, BEFORE))
    up, down = result.movers() or (None, None)
    assert up is not None and down is not None
    assert list(up["id"]) == ["C"] and list(down["id"]) == ["D", "E"]
    assert by_id(result, "rank_change") == {"C": 1, "D": -1, "E": 0}


def test_issue9_item10_reports_call_the_entities_by_the_rubric_noun() -> None:
    """The Markdown summary counts '3 zones scored' and heads its tier table 'Zones'; the HTML
    overview reads 'zones scored' and heads its tier table 'Zones'."""
    rubric = load_rubric(HEAD + TIERS)
    result = greenscore.assess(frame(2024, NOW), rubric, previous=frame(2023, BEFORE))
    text = render_markdown(result)
    assert "3 zones scored" in text and "| Tier | Minimum | Zones | In 2023 |" in text
    html = render_html(result, with_gaps=False)
    assert "zones scored</div>" in html and '<th class="n">Zones</th>' in html
