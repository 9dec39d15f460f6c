"""assess(): hand-computed ranks, changes and transitions, row accounting, calibration, writers."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

import greenscore
from greenscore.batch.assess import assess, lagged_columns
from greenscore.batch.calibrate import calibrate
from greenscore.batch.result import BatchResult
from greenscore.engine.inputs import ColumnCoercer, coerce_column, period_key
from greenscore.engine.places import ranks
from greenscore.errors import CohortRequiredError, InputFileError, ProfileError
from greenscore.io import PROVENANCE_KEY, read_table
from greenscore.io import _write as io_write
from greenscore.rubric.load import load_rubric, rubric_yaml
from greenscore.rubric.models import Input

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"

SMALL = """
name: Small test rubric
version: "1"
rounding: {decimals: 1}
attributes: [city]
inputs:
  - {id: x, min: 0, max: 100}
  - {id: incidents, type: integer, min: 0}
  - {id: mode, type: category, categories: [a, b], required: false}
dimensions:
  - id: main
    indicators:
      - {id: x_score, input: x, method: linear, goalposts: {worst: 0, best: 100}}
vetoes:
  - {id: incident, kind: force_tier, when: incidents > 0, tier: low, reason: an incident}
tiers:
  - {id: top, min_score: 70}
  - {id: mid, min_score: 40}
  - {id: low, min_score: 0}
"""

COHORT = """
name: Cohort test rubric
version: "1"
inputs:
  - {id: x, min: 0}
  - {id: y, min: 0}
  - {id: z}
dimensions:
  - id: main
    indicators:
      - {id: x_minmax, input: x, method: minmax}
      - {id: y_pct, input: y, method: percentile, direction: lower}
      - {id: z_z, input: z, method: zscore, zscore_range: 2}
tiers:
  - {id: top, min_score: 60}
  - {id: rest, min_score: 0}
"""


def frame(rows: list[tuple[str, int, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park_id": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "city": ["N" if r[0] in "ABC" else "S" for r in rows],
            "x": [r[2] for r in rows],
            "incidents": [r[3] for r in rows],
        }
    )


Y2016 = [("A", 2016, 80.0, 0), ("B", 2016, 80.0, 0), ("C", 2016, 50.0, 0), ("F", 2016, 90.0, 1)]
Y2016 += [("D", 2016, 30.0, 0)]
Y2015 = [("A", 2015, 60.0, 0), ("B", 2015, 85.0, 0), ("C", 2015, 50.0, 0), ("E", 2015, 20.0, 0)]
Y2015 += [("F", 2015, 75.0, 0)]


@pytest.fixture(scope="module")
def small() -> greenscore.Rubric:
    return load_rubric(SMALL)


def by_park(result: BatchResult) -> pd.DataFrame:
    return result.results.set_index("park_id")


# --- hand-computed ranks, changes, transitions ---------------------------------------------------


def test_ranks_share_the_minimum_and_order_by_tier_then_total(small: greenscore.Rubric) -> None:
    """A, B tie at 80 (rank 1, 1); C 50 is 3rd; F's 90 is forced to 'low' so it ranks after C."""
    result = assess(frame(Y2016), small)
    r = by_park(result)
    assert r["total"].to_dict() == {"A": 80.0, "B": 80.0, "C": 50.0, "F": 90.0, "D": 30.0}
    assert r["tier"].to_dict() == {"A": "top", "B": "top", "C": "mid", "F": "low", "D": "low"}
    assert r["rank"].to_dict() == {"A": 1, "B": 1, "C": 3, "F": 4, "D": 5}
    assert r.loc["F", "vetoes"] == "incident"
    assert r.loc["A", "vetoes"] == ""
    assert result.transitions is None
    assert "score_change" not in result.results.columns


def test_rank_helper_ties() -> None:
    tier = np.array([0, 0, 1, 0, 1])
    total = np.array([70.0, 90.0, 95.0, 90.0, 95.0])
    assert ranks(tier, total).tolist() == [3, 1, 4, 1, 4]
    assert ranks(np.zeros(0, int), np.zeros(0)).tolist() == []


def test_year_over_year_by_hand(small: greenscore.Rubric) -> None:
    """Previous ranks B1 F2 A3 C4 E5; D is new; E left; F fell from top to low by a veto."""
    result = assess(frame(Y2016), small, previous=frame(Y2015))
    r = by_park(result)
    assert r["previous_total"].to_dict() == pytest.approx(
        {"A": 60.0, "B": 85.0, "C": 50.0, "F": 75.0, "D": math.nan}, nan_ok=True
    )
    assert r["score_change"].drop("D").to_dict() == {"A": 20.0, "B": -5.0, "C": 0.0, "F": 15.0}
    assert math.isnan(r.loc["D", "score_change"])
    assert r["previous_rank"].drop("D").to_dict() == {"A": 3, "B": 1, "C": 4, "F": 2}
    assert r["rank_change"].drop("D").to_dict() == {"A": 2, "B": 0, "C": 1, "F": -2}
    assert r.loc["D", "previous_rank"] is pd.NA and r.loc["D", "rank_change"] is pd.NA
    assert r["previous_tier"].drop("D").to_dict() == {
        "A": "mid",
        "B": "top",
        "C": "mid",
        "F": "top",
    }
    assert pd.isna(r.loc["D", "previous_tier"])
    assert r["new_entity"].to_dict() == {"A": False, "B": False, "C": False, "F": False, "D": True}
    t = result.transitions
    assert t is not None
    assert list(t.columns) == ["top", "mid", "low"]
    assert list(t.index) == ["top", "mid", "low", "(new)", "(not scored)"]
    assert t.to_numpy().tolist() == [[1, 0, 1], [1, 1, 0], [0, 0, 0], [0, 0, 1], [0, 0, 0]]
    assert int(t.to_numpy().sum()) == len(result.results)
    assert result.previous_period == 2015 and result.period == 2016


def test_results_column_order(small: greenscore.Rubric) -> None:
    result = assess(frame(Y2016), small, previous=frame(Y2015))
    assert list(result.results.columns) == [
        "park_id",
        "year",
        "city",
        "total",
        "raw_total",
        "deductions",
        "tier",
        "tier_label",
        "consequence_kind",
        "consequence",
        "vetoes",
        "rank",
        "dim.main",
        "ind.x_score",
        "previous_total",
        "score_change",
        "previous_rank",
        "rank_change",
        "previous_tier",
        "new_entity",
    ]


def test_multi_period_data_supplies_previous_automatically(small: greenscore.Rubric) -> None:
    stacked = frame(Y2015 + Y2016)
    auto = assess(stacked, small)
    given = assess(frame(Y2016), small, previous=frame(Y2015))
    pd.testing.assert_frame_equal(auto.results, given.results)
    assert auto.accounting == {"input_rows": 10, "scored": 5, "flagged": 0, "other_periods": 5}
    assert auto.other_periods == {2015: 5}
    earlier = assess(stacked, small, period="2015")
    assert earlier.period == 2015 and earlier.transitions is None
    assert by_park(earlier)["total"].to_dict()["E"] == 20.0


def test_previous_batch_result_is_reused(small: greenscore.Rubric) -> None:
    last = assess(frame(Y2015), small)
    result = assess(frame(Y2016), small, previous=last)
    assert result.previous is last
    assert by_park(result)["previous_rank"].to_dict()["F"] == 2


def test_previously_flagged_park_is_not_new(small: greenscore.Rubric) -> None:
    before = frame(Y2015)
    before["x"] = before["x"].astype(object)
    before.loc[before["park_id"] == "A", "x"] = "lots"
    result = assess(frame(Y2016), small, previous=before)
    r = by_park(result)
    assert not r.loc["A", "new_entity"]
    assert math.isnan(r.loc["A", "previous_total"])
    assert result.transitions is not None
    assert result.transitions.loc["(not scored)", "top"] == 1


def test_unknown_period_and_missing_period_column(small: greenscore.Rubric) -> None:
    with pytest.raises(ProfileError, match="no rows for period 2017; the data hold periods: 2016"):
        assess(frame(Y2016), small, period=2017)
    no_year = frame(Y2016).drop(columns="year")
    result = assess(no_year, small)
    assert result.period is None and len(result.results) == 5
    with pytest.raises(ProfileError, match="no 'year' column"):
        assess(no_year, small, period=2016)


def test_period_keys() -> None:
    assert period_key("2016") == period_key(2016) == period_key(2016.0) == period_key(" 2016 ")
    assert period_key("2016.0") == 2016
    assert period_key("2016Q1") == "2016Q1"
    assert period_key("") is None and period_key(None) is None


# --- every row accounted for ---------------------------------------------------------------------


def bad_frame() -> pd.DataFrame:
    df = frame(Y2015 + Y2016).astype({"x": object, "incidents": object, "year": object})
    df.loc[6, "x"] = "eighty"  # B 2016
    df.loc[7, "x"] = 150  # C 2016
    df.loc[8, "incidents"] = 0.5  # F 2016
    df.loc[9, "park_id"] = "A"  # D 2016 duplicates A 2016
    df.loc[1, "x"] = "bad but other period"  # B 2015
    df.loc[10] = ["", 2016, "N", 10.0, 0]  # empty id
    df.loc[11] = ["G", "", "S", 10.0, 0]  # empty period
    return df


def test_flag_accounts_for_every_row(small: greenscore.Rubric) -> None:
    df = bad_frame()
    result = assess(df, small, errors="flag")
    a = result.accounting
    assert a == {"input_rows": 12, "scored": 0, "flagged": 7, "other_periods": 5}
    assert a["scored"] + a["flagged"] + a["other_periods"] == a["input_rows"]
    flagged = result.flagged
    assert list(flagged.columns) == ["row", "entity", "field", "value", "problem"]
    got = {(r.row, r.field) for r in flagged.itertuples()}
    assert got == {
        (8, "x"),
        (9, "x"),
        (10, "incidents"),
        (7, "park_id"),
        (11, "park_id"),
        (12, "park_id"),
        (13, "year"),
    }
    assert flagged.set_index("row").loc[9, "problem"] == "expected a value in [0, 100]"
    assert "also on row 11" in flagged.set_index(["row", "field"]).loc[(7, "park_id"), "problem"]
    assert result.previous is not None
    assert result.previous.accounting == {
        "input_rows": 12,
        "scored": 4,
        "flagged": 2,
        "other_periods": 6,
    }


def test_raise_lists_every_problem_once(small: greenscore.Rubric) -> None:
    with pytest.raises(ProfileError) as caught:
        assess(bad_frame(), small)
    problems = caught.value.problems
    assert len(problems) == 7
    assert {(p.row, p.field) for p in problems} == {
        (8, "x"),
        (9, "x"),
        (10, "incidents"),
        (7, "park_id"),
        (11, "park_id"),
        (12, "park_id"),
        (13, "year"),
    }
    table = caught.value.table()
    assert list(table.columns) == ["row", "entity", "field", "value", "problem"]


def test_missing_column_is_reported_once_with_a_hint(small: greenscore.Rubric) -> None:
    df = frame(Y2016).rename(columns={"incidents": "incident"})
    with pytest.raises(ProfileError) as caught:
        assess(df, small)
    (problem,) = caught.value.problems
    assert problem.field == "incidents" and problem.row is None
    assert problem.problem == "required column is missing (did you mean 'incident'?)"
    flagged = assess(df, small, errors="flag")
    assert flagged.accounting["flagged"] == 5 and flagged.accounting["scored"] == 0
    assert set(flagged.flagged["field"]) == {"incidents"}


def test_missing_entity_column(small: greenscore.Rubric) -> None:
    df = frame(Y2016).rename(columns={"park_id": "parkid"})
    with pytest.raises(ProfileError, match="entity id column is missing \\(did you mean 'parkid'"):
        assess(df, small)


def test_scoring_problems_are_flagged_too() -> None:
    text = SMALL.replace(
        "  - {id: mode, type: category, categories: [a, b], required: false}",
        "  - {id: mode, type: category, categories: [a, b], required: false}\n"
        "  - {id: w, required: false}",
    ).replace(
        "      - {id: x_score, input: x, method: linear, goalposts: {worst: 0, best: 100}}",
        "      - {id: x_score, input: x, method: linear, goalposts: {worst: 0, best: 100}}\n"
        "      - {id: w_score, input: w, method: linear, goalposts: {worst: 0, best: 1}}",
    )
    rubric = load_rubric(text)
    df = frame(Y2016)
    df["w"] = [0.5, None, 0.5, 0.5, 0.5]
    with pytest.raises(ProfileError) as caught:
        assess(df, rubric)
    (problem,) = caught.value.problems
    assert problem.row == 3 and problem.entity == "B" and problem.field == "w"
    assert "missing-data policy is 'error'" in problem.problem
    result = assess(df, rubric, errors="flag")
    assert result.accounting == {"input_rows": 5, "scored": 4, "flagged": 1, "other_periods": 0}
    with pytest.raises(ProfileError):
        greenscore.evaluate(df.iloc[1], rubric)


def test_csv_row_numbers_skip_blank_lines(tmp_path: Path, small: greenscore.Rubric) -> None:
    path = tmp_path / "parks.csv"
    path.write_text(
        "park_id,year,city,x,incidents\n\nA,2016,N,80,0\n,,,,\nB,2016,N,abc,0\n", encoding="utf-8"
    )
    with pytest.raises(ProfileError) as caught:
        assess(path, small)
    (problem,) = caught.value.problems
    assert (problem.row, problem.entity, problem.field, problem.value) == (5, "B", "x", "abc")


# --- the same path as evaluate -------------------------------------------------------------------


def test_assessment_equals_evaluate_on_jiangxi() -> None:
    source = read_table(JIANGXI / "parks_2016.csv")
    result = assess(source)
    for i in range(0, len(source.frame), 7):
        expected = greenscore.evaluate(source.frame.iloc[i])
        assert result.assessment(expected.entity) == expected
        row = result.results.iloc[i]
        assert (row["total"], row["tier"]) == (expected.total, expected.tier.id)


def test_assessment_of_flagged_or_unknown_entity(small: greenscore.Rubric) -> None:
    result = assess(bad_frame(), small, errors="flag", period=2015)
    with pytest.raises(KeyError, match="flagged, not scored: expected a number"):
        result.assessment("B")
    with pytest.raises(KeyError, match="not among the scored"):
        result.assessment("Z")


def cell_by_cell(coercer: ColumnCoercer, values: np.ndarray) -> tuple[list[float], list[Any]]:
    """The per-cell rule applied to each cell in turn: the reference the column path must equal."""
    results = [coercer.one(v) for v in values]
    floats = [math.nan if isinstance(r, str) else r for r in results]
    return floats, [(i, r) for i, r in enumerate(results) if isinstance(r, str)]


def test_column_coercion_matches_the_cell_by_cell_rule() -> None:
    cells = ["1", " 2.5 ", "1,234.5", "1_000", "", "  ", "nan", "inf", "-1", "abc", None, "7"]
    numbers = np.array([1.0, 2.5, -1.0, math.nan, math.inf, 1500.5, 0.0, 3.0, 7.25])
    for spec in (
        Input(id="n", min=0, max=1500),
        Input(id="i", type="integer", min=0, required=False),
        Input(id="b", type="boolean"),
        Input(id="c", type="category", categories=["1", "abc"]),
    ):
        coercer = ColumnCoercer(spec)
        for values in (np.array(cells, dtype=object), numbers, numbers[:3]):
            fast, fast_problems = coerce_column(coercer, values)
            slow, slow_problems = cell_by_cell(coercer, values)
            np.testing.assert_array_equal(fast, slow)
            assert fast_problems == slow_problems


def test_lagged_columns_leave_gaps_missing(small: greenscore.Rubric) -> None:
    df = frame([("A", 2014, 10.0, 0), ("A", 2016, 30.0, 0), ("A", 2015, 20.0, 1)])
    df.loc[3] = ["B", 2016, "N", 40.0, 0]
    df.loc[4] = ["B", 2014, "N", 5.0, 0]
    lags = lagged_columns(df, small)
    assert lags["x@-1"].tolist() == pytest.approx(
        [math.nan, 20.0, 10.0, math.nan, math.nan], nan_ok=True
    )
    assert lags["x@-2"].tolist() == pytest.approx(
        [math.nan, 10.0, math.nan, 5.0, math.nan], nan_ok=True
    )
    assert lags["incidents@-1"].tolist()[1] == 1.0


def test_lagged_columns_leave_invalid_values_missing(small: greenscore.Rubric) -> None:
    """x is declared in [0, 100]: A's 2015 value 150 is flagged, so it is no one's lag, in a
    numeric column as in a text one."""
    numeric = frame([("A", 2015, 150.0, 0), ("A", 2016, 30.0, 0), ("B", 2015, 20.0, 0)])
    numeric.loc[3] = ["B", 2016, "N", 40.0, 0]
    text = numeric.astype({"x": object})
    text.loc[2, "x"] = "20"
    for df in (numeric, text):
        assert lagged_columns(df, small)["x@-1"].tolist() == pytest.approx(
            [math.nan, math.nan, math.nan, 20.0], nan_ok=True
        )


HISTORY = """
name: History test rubric
version: "1"
inputs:
  - {id: energy_intensity, min: 0}
derived:
  - {id: energy_change, history: {input: energy_intensity, statistic: change}}
dimensions:
  - id: main
    indicators:
      - {id: progress, input: energy_change, method: linear, goalposts: {worst: 0.05, best: -0.1}}
tiers:
  - {id: better, min_score: 50}
  - {id: worse, min_score: 0}
"""


def test_history_inputs_read_the_previous_period() -> None:
    """energy_change = this year's energy intensity − last year's, per park, from either source."""
    rubric = load_rubric(HISTORY)
    both = read_table(JIANGXI / "parks_2015_2016.csv").frame
    stacked = assess(both, rubric)
    separate = assess(JIANGXI / "parks_2016.csv", rubric, previous=JIANGXI / "parks_2015.csv")
    pd.testing.assert_frame_equal(stacked.results, separate.results)
    energy = both.pivot(index="park_id", columns="year", values="energy_intensity").astype(float)
    for park in ("JX001", "JX050", "JX094"):
        expected = energy.loc[park, "2016"] - energy.loc[park, "2015"]
        assert stacked.assessment(park).indicator("progress").value == expected
    assert stacked.previous is not None and stacked.previous.accounting["flagged"] == 94
    alone = assess(JIANGXI / "parks_2016.csv", rubric, errors="flag")
    assert alone.accounting["flagged"] == 94


def test_evaluate_with_history_equals_the_batch_row() -> None:
    """evaluate(profile, history=[last year]) is the batch's assessment of that park."""
    rubric = load_rubric(HISTORY)
    both = read_table(JIANGXI / "parks_2015_2016.csv").frame
    batch = assess(both, rubric)
    for park in ("JX001", "JX050", "JX094"):
        rows = {str(row["year"]): row for _, row in both[both["park_id"] == park].iterrows()}
        single = greenscore.evaluate(rows["2016"], rubric, history=[rows["2015"]])
        assert single == batch.assessment(park)
        assert single.period == batch.period == 2016


# --- calibration ---------------------------------------------------------------------------------


def cohort_frame(seed: int, n: int = 30, year: int = 2015) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "park_id": [f"P{i:02d}" for i in range(n)],
            "year": year,
            "x": rng.uniform(0, 50, n).round(2),
            "y": rng.integers(0, 10, n).astype(float),
            "z": rng.normal(5, 2, n).round(3),
        }
    )


def test_calibrate_freezes_the_base_year() -> None:
    rubric = load_rubric(COHORT)
    base = cohort_frame(1)
    with pytest.raises(CohortRequiredError):
        greenscore.evaluate(base.iloc[0], rubric)
    calibrated = calibrate(rubric, base)
    cohort = calibrated.cohort
    assert cohort is not None
    assert cohort["x_minmax"] == {"min": base["x"].min(), "max": base["x"].max()}
    assert cohort["y_pct"]["reference"] == sorted(base["y"].tolist())
    assert cohort["z_z"]["mean"] == pytest.approx(base["z"].mean())
    assert cohort["z_z"]["std"] == pytest.approx(base["z"].std(ddof=0))
    reloaded = load_rubric(rubric_yaml(calibrated))
    assert reloaded.cohort == cohort
    in_batch = assess(base, rubric)
    frozen = assess(base, calibrated)
    np.testing.assert_array_equal(in_batch.results["total"], frozen.results["total"])
    for i in (0, 7, 29):
        assert greenscore.evaluate(base.iloc[i], calibrated).total == frozen.results["total"][i]
    later = cohort_frame(2, year=2016)
    scored = assess(later, calibrated)
    assert scored.results["total"].tolist() != assess(later, rubric).results["total"].tolist()


def test_calibrate_without_cohort_indicators_is_identity(small: greenscore.Rubric) -> None:
    assert calibrate(small, frame(Y2016)) is small


def test_calibrate_refuses_an_empty_cohort() -> None:
    base = cohort_frame(1)
    base["x"] = np.nan
    rubric = load_rubric(COHORT.replace("{id: x, min: 0}", "{id: x, min: 0, required: false}"))
    with pytest.raises(ProfileError, match="no valid values to calibrate on"):
        calibrate(rubric, base, errors="flag")


# --- summary, writers ----------------------------------------------------------------------------


def test_summary(small: greenscore.Rubric) -> None:
    result = assess(frame(Y2016), small, previous=frame(Y2015))
    summary = result.summary()
    assert summary.tiers["count"].tolist() == [2, 1, 2]
    assert summary.scores["count"] == 5 and summary.scores["max"] == 90.0
    assert summary.scores["50%"] == 80.0
    text = str(summary)
    assert "5 scored + 0 flagged + 0 of other periods" in text
    assert "Tier transitions" in text and "Biggest improvers (by score change)" in text
    up, down = result.movers(2) or (None, None)
    assert up is not None and down is not None
    assert up["park_id"].tolist() == ["A", "F"] and down["park_id"].tolist() == ["B"]
    frame_ = summary.to_frame()
    assert list(frame_.columns) == ["section", "name", "value"]
    by_city = result.tier_counts("city")
    assert by_city.loc["N"].tolist() == [2, 1, 0, 3] and by_city.loc["S"].tolist() == [0, 0, 2, 2]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)


def test_write_folder_round_trip(tmp_path: Path) -> None:
    source = JIANGXI / "parks_2016_bad_cells.csv"
    result = assess(source, previous=JIANGXI / "parks_2015.csv", errors="flag")
    out = tmp_path / "out"
    written = result.write(out, formats=["csv", "xlsx", "parquet", "json"])
    names = sorted(p.name for p in written)
    for table in ("results", "flagged", "transitions", "summary", "rubric"):
        for ext in ("csv", "parquet", "json"):
            assert f"{table}.{ext}" in names
        assert f"{table}.csv.provenance.json" in names
    assert "assessment.xlsx" in names

    csv = read_csv(out / "results.csv")
    assert csv["park_id"].tolist() == result.results["park_id"].tolist()
    assert csv["total"].astype(float).tolist() == result.results["total"].tolist()
    sidecar = json.loads((out / "results.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["rubric_sha256"] == result.provenance.rubric_sha256
    assert sidecar["input_sha256"] == read_table(source).sha256
    assert sidecar["input_path"] == os.fspath(source)
    flagged = read_csv(out / "flagged.csv")
    assert len(flagged) == 13 and flagged["row"].tolist()[0] == "4"

    table = pq.read_table(out / "results.parquet")
    meta = json.loads(table.schema.metadata[PROVENANCE_KEY])
    assert meta["rubric_name"] == result.rubric.name
    back = table.to_pandas()
    np.testing.assert_array_equal(back["total"].to_numpy(), result.results["total"].to_numpy())
    assert pq.read_table(out / "flagged.parquet").num_rows == 13

    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["provenance"]["rubric_version"] == result.rubric.version
    assert len(document["results"]) == result.accounting["scored"]

    book = openpyxl.load_workbook(out / "assessment.xlsx", read_only=True)
    assert book.sheetnames == [
        "results",
        "flagged",
        "transitions",
        "summary",
        "rubric",
        "provenance",
    ]
    rubric_rows = list(book["rubric"].iter_rows(values_only=True))
    assert rubric_rows[0][:3] == ("kind", "id", "label")
    assert {r[0] for r in rubric_rows[1:]} == {"dimension", "indicator", "veto", "tier"}
    book.close()


def test_write_single_files(tmp_path: Path, small: greenscore.Rubric) -> None:
    result = assess(frame(Y2016), small)
    written = result.to_csv(tmp_path / "y2016.csv")
    assert {p.name for p in written} >= {"y2016.csv", "y2016.flagged.csv", "y2016.summary.csv"}
    assert (tmp_path / "y2016.rubric.csv").exists()
    assert not (tmp_path / "y2016.transitions.csv").exists()
    assert [p.name for p in result.to_excel(tmp_path / "y2016.xlsx")] == ["y2016.xlsx"]
    assert (tmp_path / "y2016.parquet") in result.to_parquet(tmp_path / "y2016.parquet")
    assert (tmp_path / "y2016.json") in result.to_json(tmp_path / "y2016.json")
    assert result.write(tmp_path / "one.json")[0].name == "one.json"
    with pytest.raises(ValueError, match="give a folder instead"):
        result.write(tmp_path / "one.csv", formats=["xlsx"])
    with pytest.raises(ValueError, match="unknown format"):
        result.write(tmp_path / "folder", formats=["pdf"])


def test_never_overwrites_the_input(tmp_path: Path, small: greenscore.Rubric) -> None:
    path = tmp_path / "parks.csv"
    frame(Y2016).to_csv(path, index=False)
    before = path.read_bytes()
    result = assess(path, small)
    with pytest.raises(InputFileError, match="it is the input file"):
        result.to_csv(path)
    assert path.read_bytes() == before


def test_interrupted_write_leaves_no_half_file(
    tmp_path: Path, small: greenscore.Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = assess(frame(Y2016), small)
    target = tmp_path / "results.csv"
    target.write_text("the old file\n", encoding="utf-8")

    def half_then_fail(frame: pd.DataFrame) -> Iterator[bytes]:
        yield b"park_id,tot"
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(io_write, "csv_chunks", half_then_fail)
        with pytest.raises(OSError, match="disk full"):
            result.to_csv(target)
    assert target.read_text(encoding="utf-8") == "the old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]

    real_save = openpyxl.Workbook.save

    def broken_save(self: openpyxl.Workbook, filename: str) -> None:
        real_save(self, filename)
        Path(filename).write_bytes(Path(filename).read_bytes()[:100])
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        result.to_excel(tmp_path / "book.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]


def test_progress_bar_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    assess(JIANGXI / "parks_2016.csv", progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "assessing" in captured.err


def test_bad_arguments(small: greenscore.Rubric) -> None:
    with pytest.raises(ValueError, match="errors must be"):
        assess(frame(Y2016), small, errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        assess([1, 2, 3], small)  # type: ignore[arg-type]


@pytest.mark.slow
def test_hundred_thousand_rows_are_all_scored() -> None:
    """1,064 copies of the 94 parks under new ids: every row scored, each copy's totals equal to
    the original's (speed is measured by make bench, not here)."""
    base = read_table(JIANGXI / "parks_2016.csv").frame
    big = pd.concat([base] * 1064, ignore_index=True)
    big["park_id"] = [f"P{i}" for i in range(len(big))]
    result = assess(big)
    assert result.accounting["scored"] == len(big) == 100_016
    one = assess(base).results.set_index("park_id").loc[base["park_id"], "total"].to_numpy()
    totals = result.results.set_index("park_id").loc[big["park_id"], "total"].to_numpy()
    assert (totals.reshape(1064, len(base)) == one).all()


def test_writes_tables_with_empty_columns(tmp_path: Path) -> None:
    """An absent attribute column and an all-flagged batch still write in every format."""
    df = read_table(JIANGXI / "parks_2016.csv").frame.drop(columns=["city"])
    result = assess(df)
    assert result.results["city"].isna().all()
    written = result.write(tmp_path / "a", formats=["csv", "xlsx", "parquet", "json"])
    assert len(written) == 17
    book = openpyxl.load_workbook(tmp_path / "a" / "assessment.xlsx", read_only=True)
    header, first = list(book["results"].iter_rows(min_row=1, max_row=2, values_only=True))
    assert header[3] == "city" and first[3] is None
    book.close()
    flagged = assess(JIANGXI / "parks_2016.csv", load_rubric(HISTORY), errors="flag")
    assert flagged.accounting["scored"] == 0
    assert flagged.write(tmp_path / "b", formats=["csv", "xlsx", "parquet", "json"])
