"""Assessment.to_frame() and BatchResult.to_frame(): contents checked against hand computation,
the published example table and the independent numpy baseline (issue 13, item 2)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import greenscore

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"
_spec = importlib.util.spec_from_file_location("baseline", ROOT / "benchmarks" / "baseline.py")
assert _spec is not None and _spec.loader is not None
baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline)


def test_assessment_frame_has_one_row_per_indicator_in_rubric_order(
    jiangxi_batch: greenscore.BatchResult,
) -> None:
    frame = jiangxi_batch.assessment("JX001").to_frame()
    assert list(frame.columns) == [
        "indicator",
        "label",
        "dimension",
        "method",
        "value",
        "unit",
        "normalised",
        "score",
        "weight",
        "contribution",
        "treatment",
    ]
    ids = [ind.id for _, ind in greenscore.default_rubric().iter_indicators()]
    assert frame["indicator"].tolist() == ids
    assert len(ids) == 22


def test_assessment_frame_values_by_hand(jiangxi_batch: greenscore.BatchResult) -> None:
    """JX001 in examples/jiangxi/parks_2016.csv, scored by hand from rubrics/jiangxi-parks.yaml.

    Top-level weights 20/25/25/15/15 of 100.
    lead_share: 63.1 % on 25 → 70: u = 38.1/45; weight 0.20 × 2/9; contribution u×100×weight.
    idle_land: 4.2 % on 30 → 0 (lower): u = 25.8/30 = 0.86; weight 0.25 × 2/10 = 0.05 → 4.3.
    water_reuse: 84.9 % on 40 → 90 onto 60–100: u = 44.9/50 = 0.898, score 60 + 40u = 95.92;
    weight 0.25 × 3/5 × 1/3 = 0.05 (a geometric dimension: contribution not hand-checked here).
    green_checklist: 4 of 4 items, 100 points; weight 0.25 × 2/5 × 1/2 = 0.05 → 5.
    stage: 'integration' is 80 points of 100; weight 0.15 × 1/7.
    """
    frame = jiangxi_batch.assessment("JX001").to_frame().set_index("indicator")
    expected = {
        "lead_share": (
            "leading_enterprises",
            "linear",
            63.1,
            "%",
            38.1 / 45,
            100 * 38.1 / 45,
            0.2 * 2 / 9,
            100 * 38.1 / 45 * 0.2 * 2 / 9,
        ),
        "idle_land": ("land_use", "linear", 4.2, "%", 0.86, 86.0, 0.05, 4.3),
        "green_checklist": ("green_management", "checklist", 4.0, "", 1.0, 100.0, 0.05, 5.0),
        "stage": (
            "informatization",
            "categorical",
            "integration",
            "",
            0.8,
            80.0,
            0.15 / 7,
            80 * 0.15 / 7,
        ),
    }
    for ind, (dim, method, value, unit, u, score, weight, contribution) in expected.items():
        row = frame.loc[ind]
        assert (row["dimension"], row["method"], row["unit"]) == (dim, method, unit), ind
        assert row["value"] == (value if isinstance(value, str) else pytest.approx(value)), ind
        assert row["normalised"] == pytest.approx(u, abs=1e-12), ind
        assert row["score"] == pytest.approx(score, abs=1e-9), ind
        assert row["weight"] == pytest.approx(weight, abs=1e-12), ind
        assert row["contribution"] == pytest.approx(contribution, abs=1e-9), ind
        assert row["treatment"] is None
    water = frame.loc["water_reuse"]
    assert (water["value"], water["normalised"]) == (pytest.approx(84.9), pytest.approx(0.898))
    assert (water["score"], water["weight"]) == (pytest.approx(95.92), pytest.approx(0.05))
    assert frame["weight"].sum() == pytest.approx(1.0)


def test_assessment_frame_shows_a_missing_value_and_its_treatment(
    jiangxi_batch: greenscore.BatchResult,
) -> None:
    """A blank water_reuse_rate scores the worst under the rubric's 'missing: worst': 60 points."""
    data = pd.read_csv(JIANGXI / "parks_2016.csv")
    blank = data.loc[data["water_reuse_rate"].isna(), "park_id"]
    assert len(blank), "the example data have parks that do not report water reuse"
    row = jiangxi_batch.assessment(blank.iloc[0]).to_frame().set_index("indicator")
    water = row.loc["water_reuse"]
    assert water["value"] is None
    assert water["score"] == pytest.approx(60.0)
    assert isinstance(water["treatment"], str) and "worst" in water["treatment"]


def numeric_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The frame as float columns: booleans 0/1 and categories as codes, as the baseline wants."""
    columns = {}
    for spec in greenscore.default_rubric().inputs:
        values = frame[spec.id]
        if spec.type == "boolean":
            columns[spec.id] = values.astype(str).str.lower().eq("true").to_numpy(float)
        elif spec.type == "category":
            codes = {c: i for i, c in enumerate(spec.categories or [])}
            columns[spec.id] = values.map(codes).to_numpy(float)
        else:
            columns[spec.id] = pd.to_numeric(values).to_numpy(float)
    return columns


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_batch_frame_is_the_results_table(jiangxi_batch: greenscore.BatchResult, kind: str) -> None:
    """Totals and tiers of the independent baseline; the first rows as docs/annual-assessment.md
    shows them (JX001 89.9 excellent, rank 1, +3.0; JX002 71.4 good, rank 14, +2.9, −2)."""
    got = jiangxi_batch.to_frame(kind=kind)  # type: ignore[arg-type]
    if kind == "arrow":
        assert isinstance(got, pa.Table)
        got = got.to_pandas()
    else:
        assert isinstance(got, pd.DataFrame)
    assert list(got.columns) == list(jiangxi_batch.results.columns)
    data = pd.read_csv(JIANGXI / "parks_2016.csv")
    totals, tiers = baseline.score(numeric_columns(data))
    expected = pd.DataFrame({"park_id": data["park_id"], "total": totals, "tier": tiers})
    merged = got.merge(expected, on="park_id", suffixes=("", "_baseline"))
    assert len(merged) == 94
    np.testing.assert_allclose(merged["total"], merged["total_baseline"], atol=1e-9)
    assert (merged["tier"] == merged["tier_baseline"]).all()
    head = got.set_index("park_id")
    assert head.loc["JX001", ["total", "tier", "rank"]].tolist() == [89.9, "excellent", 1]
    assert head.loc["JX001", "score_change"] == pytest.approx(3.0)
    assert head.loc["JX002", ["total", "tier", "rank", "rank_change"]].tolist() == [
        71.4,
        "good",
        14,
        -2,
    ]


def test_batch_frame_is_a_copy(jiangxi_batch: greenscore.BatchResult) -> None:
    frame = jiangxi_batch.to_frame()
    frame.loc[:, "total"] = -1.0
    assert (jiangxi_batch.results["total"] >= 0).all()


def test_batch_frame_of_a_flagged_run_converts_to_arrow() -> None:
    """New and missing values (NaN changes, nullable ranks) survive the trip to Arrow."""
    batch = greenscore.assess(
        JIANGXI / "parks_2016_bad_cells.csv",
        previous=JIANGXI / "parks_2015.csv",
        errors="flag",
    )
    table = batch.to_frame(kind="arrow")
    assert table.num_rows == 81
    pd.testing.assert_frame_equal(
        table.to_pandas(), batch.results, check_dtype=False, check_column_type=False
    )


def test_an_unknown_frame_kind_is_refused(jiangxi_batch: greenscore.BatchResult) -> None:
    with pytest.raises(ValueError, match="kind must be 'pandas' or 'arrow', not 'polars'"):
        jiangxi_batch.to_frame(kind="polars")  # type: ignore[arg-type]
