"""What a notebook shows of each result (its _repr_html_): compact tables with the values, tier
labels and bars, and every name from data or rubric escaped (issue 13, item 2)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.explain.types import TierGap

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"
HOSTILE = Path(__file__).with_name("hostile.yaml")
EVIL_ID = "<script>alert('id')</script>&"

Show = Callable[[object], Any]


@pytest.fixture(scope="module")
def hostile_batch() -> greenscore.BatchResult:
    """The hostile rubric's two parks, one named like a script; a = 0 fires its deduct veto."""
    frame = pd.DataFrame(
        {"park_id": [EVIL_ID, "P2"], "year": [2020, 2020], "a": [0, 90], "b": [50, 80]}
    )
    return greenscore.assess(frame, HOSTILE)


def test_assessment_shows_total_tier_dimensions_and_top_contributions(
    jiangxi_batch: greenscore.BatchResult, shown: Show
) -> None:
    """JX001 2016 by hand from the rubric: land use = (3×100 + 2×86 + 2×100 + 2×49.44 + 1×100)/10
    = 87.09 with tax per ha 157.94×10⁴/7081.2 = 223.04 on 50 → 400; it weighs 25 % of the total,
    so contributes 21.77. Top contributions are weight × score of the heaviest full scorers:
    plot ratio 0.25×3/10×100 = 7.5, leading enterprises 0.2×3/9×100 = 6.67, reforms
    0.15×2/5×100 = 6, two-integration 0.15×3/7×82.4 = 5.30, income per km² 0.25×2/10×100 = 5."""
    page = shown(jiangxi_batch.assessment("JX001"))
    lines = page.text.splitlines()
    assert lines[0] == "JX001 2016: 89.9 / 100 → 优秀 Excellent (excellent)"
    assert lines[1].startswith("reward: Public commendation and priority provincial support")
    assert "veto inspection_deduction (deduct 0.3 points): 0.3 points off" in page.text
    dims = page.rows(0)
    assert dims[0] == ["dimension", "score", "", "of total", "contributes"]
    assert dims[2] == ["Land use intensity", "87.09", "", "25%", "21.77"]
    assert [row[0] for row in dims[1:]] == [
        "Leading enterprises",
        "Land use intensity",
        "Green industrial chain",
        "Resources and energy",
        "Green management",
        "Integration of informatization and industrialization",
        "Institutional reform",
    ]
    assert page.bars[1] == pytest.approx(87.1)
    assert len(page.bars) == 7
    assert page.rows(1) == [
        ["indicator", "value", "score", "contributes"],
        ["Comprehensive plot ratio", "1.2", "100", "7.5"],
        ["Leading enterprises", "31 enterprises", "100", "6.67"],
        ["Management reforms", "4 of 4 items", "100", "6"],
        ["Two-integration index", "76.2", "82.4", "5.3"],
        ["Income per km²", "19.2713 亿元/km²", "100", "5"],
    ]
    assert "Top 5 contributions of 22 indicators" in page.text
    assert len(page.tables) == 2


def test_assessment_escapes_names_from_data_and_rubric(
    hostile_batch: greenscore.BatchResult, shown: Show
) -> None:
    page = shown(hostile_batch.assessment(EVIL_ID))
    assert page.text.splitlines()[0].startswith(f"{EVIL_ID} 2020: ")
    assert page.text.splitlines()[1] == "none: —"
    assert "<script>alert('veto')</script>" in page.text
    assert page.rows(0)[1][0] == "<img src=x onerror=\"alert('dimension')\">"
    assert page.rows(1)[1:] == [
        ['"><svg onload=alert(1)>', "50", "50", "12.5"],
        ["A & B <i>", "0 <u>", "0", "0"],
    ]
    assert set(page.tags) <= {
        "div",
        "p",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "caption",
    }
    assert '<script>alert("rubric")</script> 1 & <b>2</b>' in page.text


def test_batch_shows_accounting_tiers_with_bars_and_the_score_distribution(shown: Show) -> None:
    """The flagged 2016 run as docs/annual-assessment.md prints it: 94 rows = 81 + 13 + 0; tiers
    6 / 9 / 52 / 14 (7.4, 11.1, 64.2, 17.3 %); totals from 26.5 to 89.9."""
    batch = greenscore.assess(
        JIANGXI / "parks_2016_bad_cells.csv",
        previous=JIANGXI / "parks_2015.csv",
        errors="flag",
    )
    page = shown(batch)
    lines = page.text.splitlines()
    assert lines[0] == (
        "Jiangxi industrial park green development assessment 2016.1 · period 2016, "
        "compared with 2015"
    )
    assert lines[1] == "94 rows = 81 scored + 13 flagged + 0 of other periods"
    assert page.rows(0) == [
        ["tier", "label", "consequence", "parks", "share", ""],
        ["excellent", "优秀 Excellent", "reward", "6", "7.4%", ""],
        ["good", "良好 Good", "reward", "9", "11.1%", ""],
        ["pass", "合格 Pass", "none", "52", "64.2%", ""],
        ["fail", "不合格 Fail", "penalty", "14", "17.3%", ""],
    ]
    assert page.bars == pytest.approx([7.4, 11.1, 64.2, 17.3])
    scores = dict(zip(page.rows(1)[0], page.rows(1)[1], strict=True))
    assert (scores[""], scores["count"], scores["min"], scores["max"]) == (
        "total score",
        "81",
        "26.5",
        "89.9",
    )
    assert "inspection_deduction 52" in page.text
    summary = shown(batch.summary())
    assert summary.tables == page.tables
    assert summary.text.splitlines()[0] == "period 2016, compared with 2015"


def test_batch_counts_match_the_independent_baseline(
    jiangxi_batch: greenscore.BatchResult, shown: Show
) -> None:
    spec = importlib.util.spec_from_file_location("baseline", ROOT / "benchmarks" / "baseline.py")
    assert spec is not None and spec.loader is not None
    baseline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baseline)
    data = pd.read_csv(JIANGXI / "parks_2016.csv")
    columns = {}
    for field in greenscore.default_rubric().inputs:
        values = data[field.id]
        if field.type == "boolean":
            columns[field.id] = values.astype(str).str.lower().eq("true").to_numpy(float)
        elif field.type == "category":
            codes = {c: i for i, c in enumerate(field.categories or [])}
            columns[field.id] = values.map(codes).to_numpy(float)
        else:
            columns[field.id] = pd.to_numeric(values).to_numpy(float)
    _, tiers = baseline.score(columns)
    counts = [str(int(np.sum(tiers == t))) for t in ("excellent", "good", "pass", "fail")]
    assert [row[3] for row in shown(jiangxi_batch).rows(0)[1:]] == counts


def test_batch_escapes_rubric_text(hostile_batch: greenscore.BatchResult, shown: Show) -> None:
    page = shown(hostile_batch)
    assert page.text.splitlines()[0].startswith('<script>alert("rubric")</script> 1 & <b>2</b>')
    assert page.rows(0)[1][:2] == ["top", '"><b>top</b>']
    assert page.rows(0)[2][:2] == ["low", "low & slow"]


def test_gap_shows_the_plan_and_each_indicator_alone(
    jiangxi_gaps: Mapping[str, TierGap | str], shown: Show
) -> None:
    """JX010: 63.1 in pass, and good starts at 65 (rubric): 1.9 points short."""
    gap = jiangxi_gaps["JX010"]
    assert isinstance(gap, TierGap) and gap.path is not None
    page = shown(gap)
    lines = page.text.splitlines()
    assert lines[0] == "JX010 2016: 63.1 → 合格 Pass (pass)"
    assert lines[1] == "reachable: 良好 Good needs 65 on the rounded total: 1.9 points short"
    plan = page.rows(0)
    assert plan[0] == ["indicator", "change", "score", "effort"]
    assert [row[1] for row in plan[1:]] == [step.action for step in gap.path.steps]
    assert f"Combined plan: effort {round(gap.path.effort, 3):g}, verified 65 → good" in page.text
    alone = page.rows(1)
    assert alone[0] == ["indicator", "now", "alone", "total after"]
    reachable = [g for g in gap.indicators if g.reachable]
    assert len(alone) == 1 + len(gap.indicators)
    assert [row[2] for row in alone[1 : 1 + len(reachable)]] == [g.action for g in reachable]
    assert all(row[3].endswith("→ good") for row in alone[1 : 1 + len(reachable)])
    assert all(row[3] == "" for row in alone[1 + len(reachable) :])


def test_gap_of_a_top_or_vetoed_park_is_a_few_lines(
    jiangxi_batch: greenscore.BatchResult,
    jiangxi_gaps: Mapping[str, TierGap | str],
    shown: Show,
) -> None:
    top = jiangxi_gaps["JX001"]
    assert isinstance(top, TierGap)
    page = shown(top)
    assert page.text.splitlines()[:2] == [
        "JX001 2016: 89.9 → 优秀 Excellent (excellent)",
        "top: already in the top tier",
    ]
    assert page.tables == []
    vetoed = jiangxi_batch.results.loc[
        jiangxi_batch.results["vetoes"].str.contains("major_incident"), "park_id"
    ].iloc[0]
    gap = jiangxi_gaps[vetoed]
    assert isinstance(gap, TierGap) and gap.status == "vetoed"
    page = shown(gap)
    assert page.tables == []
    assert "veto: Major environmental or safety incident: One-vote veto (一票否决)" in page.text


def test_gap_escapes_names(hostile_batch: greenscore.BatchResult, shown: Show) -> None:
    assessment = hostile_batch.assessment(EVIL_ID)
    gap = greenscore.next_tier_gap(assessment, hostile_batch.profile(EVIL_ID), HOSTILE)
    page = shown(gap)
    assert page.text.splitlines()[0] == f"{EVIL_ID} 2020: {assessment.total:g} → low & slow (low)"
    names = [row[0] for row in page.rows(len(page.tables) - 1)[1:]]
    assert sorted(names) == sorted(["A & B <i>", '"><svg onload=alert(1)>'])


def test_rubric_shows_its_tree_with_weights_and_methods(shown: Show) -> None:
    """Weights by hand from rubrics/jiangxi-parks.yaml: top level 20/25/25/15/15 of 100; lead
    share 2 of 9 in its dimension (22.2 %), 4.4 % of the total; resources 3 of 5 of the green
    chain (60 %), 15 % of the total, each of its three indicators a third of that (5 %)."""
    page = shown(greenscore.default_rubric())
    lines = page.text.splitlines()
    assert lines[0] == "Jiangxi industrial park green development assessment 2016.1"
    assert lines[1] == (
        "scale 0–100 · total rounded to 1 decimal · missing data: worst · 33 inputs, 2 derived"
    )
    tree = page.rows(0)
    assert tree[0] == ["", "weight", "of total", "method", "reads"]
    assert tree[1] == ["Leading enterprises", "20%", "20%", "arithmetic", ""]
    rows = {row[0]: row[1:] for row in tree[2:]}
    assert rows["Lead-industry share"] == ["22.2%", "4.4%", "linear", "lead_industry_share"]
    assert rows["Resources and energy"] == ["60%", "15%", "geometric", ""]
    assert rows["Solid-waste utilisation"] == ["33.3%", "5%", "linear", "solid_waste_utilisation"]
    assert rows["Green management basics"] == [
        "50%",
        "5%",
        "checklist",
        "green_plan, central_sewage_treatment, circular_transformation, cleaner_production_audits",
    ]
    assert len(tree) == 1 + 7 + 22
    assert "goalposts 25 → 70, higher is better" in page.titles
    assert page.rows(1)[1] == [
        "excellent",
        "优秀 Excellent",
        "80",
        "1",
        "reward: Public commendation and priority provincial support for land, funds and projects",
    ]
    assert page.rows(2)[1] == ["major_incident", "force_tier", "major_incidents > 0", "fail"]
    assert page.rows(2)[5] == ["inspection_deduction", "deduct", "", "0.3 * inspection_findings"]


def test_rubric_escapes_labels_and_tooltips(shown: Show) -> None:
    page = shown(greenscore.load_rubric(HOSTILE))
    assert page.text.splitlines()[0] == '<script>alert("rubric")</script> 1 & <b>2</b>'
    names = [row[0] for row in page.rows(0)[1:]]
    assert names == [
        "<img src=x onerror=\"alert('dimension')\">",
        "A & B <i>",
        '"><svg onload=alert(1)>',
    ]
    assert page.rows(1)[1][4] == "reward: <script>alert('reward')</script>"
    assert "svg" not in page.tags and "img" not in page.tags and "b" not in page.tags
