"""A tier's numeric consequences in the results table, the Assessment, explain() and the rubric's
wording, by hand on five firms (issue 9, item 8).

Score = x (linear 0 → 100). Tiers A ≥ 80 (land quota +10 %), B ≥ 60 (no values), C ≥ 40
(surcharge 0.05 元/kWh), D (surcharge 0.1 元/kWh, land quota −10 %); a violation forces D.
F1 90 → A; F2 70 with a violation → D; F3 65 → B; F4 50 → C; F5 10 → D.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

import greenscore
from greenscore.batch.write import rubric_table
from greenscore.engine.describe import consequence_values_text, rubric_rows

RUBRIC = """
name: firms
version: "1"
entity: firm_id
inputs:
  - {id: x, min: 0, max: 100}
  - {id: violation, type: boolean}
dimensions:
  - id: d
    indicators: [{id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
vetoes:
  - {id: v, kind: force_tier, tier: D, when: violation, reason: Serious violation}
consequence_values:
  - {id: electricity_surcharge, label: 电价加价, unit: 元/kWh}
  - {id: land_quota_change, label: 用地指标调整, unit: "%"}
tiers:
  - {id: A, min_score: 80, consequence: {kind: reward, text: 优先, values: {land_quota_change: 10}}}
  - {id: B, min_score: 60}
  - {id: C, min_score: 40, consequence: {kind: penalty, text: 提升, values: {electricity_surcharge: 0.05}}}
  - id: D
    min_score: 0
    consequence:
      kind: penalty
      text: 限制
      values: {land_quota_change: -10, electricity_surcharge: 0.1}
"""
ROWS = [
    ("F1", 90, False),
    ("F2", 70, True),
    ("F3", 65, False),
    ("F4", 50, False),
    ("F5", 10, False),
]


def _batch(rubric: str = RUBRIC) -> greenscore.BatchResult:
    frame = pd.DataFrame([{"firm_id": f, "year": 2024, "x": x, "violation": v} for f, x, v in ROWS])
    return greenscore.assess(frame, rubric)


def _column(batch: greenscore.BatchResult, name: str) -> list[float | None]:
    by_firm = batch.results.set_index("firm_id")[name]
    return [None if math.isnan(v) else float(v) for v in (by_firm[f] for f, _, _ in ROWS)]


def test_results_carry_the_reached_tiers_values_and_leave_the_rest_empty() -> None:
    batch = _batch()
    assert batch.results.set_index("firm_id")["tier"].tolist() == ["A", "D", "B", "C", "D"]
    assert _column(batch, "consequence.electricity_surcharge") == [None, 0.1, None, 0.05, 0.1]
    assert _column(batch, "consequence.land_quota_change") == [10.0, -10.0, None, None, -10.0]
    assert batch.results["consequence.land_quota_change"].dtype == float
    columns = list(batch.results.columns)
    at = columns.index("consequence")
    assert columns[at + 1 : at + 3] == [
        "consequence.electricity_surcharge",
        "consequence.land_quota_change",
    ]


def test_the_csv_leaves_a_cell_empty_where_the_tier_carries_no_value(tmp_path: Path) -> None:
    _batch().to_csv(tmp_path / "results.csv")
    text = (tmp_path / "results.csv").read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    at = header.index("consequence.electricity_surcharge")
    cells = {row.split(",")[0]: row.split(",")[at : at + 2] for row in text[1:]}
    assert cells == {
        "F1": ["", "10.0"],
        "F2": ["0.1", "-10.0"],
        "F3": ["", ""],
        "F4": ["0.05", ""],
        "F5": ["0.1", "-10.0"],
    }


def test_a_rubric_without_declarations_adds_no_columns() -> None:
    plain = RUBRIC.split("consequence_values:")[0] + (
        "tiers:\n  - {id: A, min_score: 80}\n  - {id: D, min_score: 0}\n"
    )
    batch = _batch(plain)
    assert not [c for c in batch.results.columns if c.startswith("consequence.")]
    assert "consequence_values" not in rubric_table(batch.rubric).columns


def test_the_assessment_holds_the_values_as_a_mapping_in_declaration_order() -> None:
    batch = _batch()
    forced = batch.assessment("F2")
    assert forced.score_tier == "B"
    assert forced.tier.consequence_values == {
        "electricity_surcharge": 0.1,
        "land_quota_change": -10,
    }
    assert list(forced.tier.consequence_values) == ["electricity_surcharge", "land_quota_change"]
    assert batch.assessment("F3").tier.consequence_values == {}
    assert forced.to_dict()["tier"]["consequence_values"] == {
        "electricity_surcharge": 0.1,
        "land_quota_change": -10,
    }


def test_explain_words_the_values_with_their_labels_and_units() -> None:
    lines = _batch().assessment("F2").explain().splitlines()
    assert lines[1:3] == [
        "  consequence (penalty): 限制",
        "  consequence values: 电价加价 0.1 元/kWh; 用地指标调整 -10 %",
    ]
    assert not any(
        "consequence values" in line for line in _batch().assessment("F3").explain().splitlines()
    )


def test_the_rubric_sheet_and_methodology_word_each_tiers_values() -> None:
    rubric = greenscore.load_rubric(RUBRIC)
    assert consequence_values_text(rubric, {"land_quota_change": 10}) == "用地指标调整 10 %"
    table = rubric_table(rubric)
    tiers = table[table["kind"] == "tier"].set_index("id")["consequence_values"]
    assert tiers.to_dict() == {
        "A": "用地指标调整 10 %",
        "B": None,
        "C": "电价加价 0.05 元/kWh",
        "D": "电价加价 0.1 元/kWh; 用地指标调整 -10 %",
    }
    rows = {r.id: r.summary for r in rubric_rows(rubric) if r.kind == "tier"}
    assert rows["C"] == "total ≥ 40 → penalty: 提升 (电价加价 0.05 元/kWh)"
    assert rows["B"] == "total ≥ 60 → none: —"
