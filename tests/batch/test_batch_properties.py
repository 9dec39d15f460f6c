"""Properties of assess(): row i equals evaluate(row i) exactly; every bad cell is accounted for."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenscore
from greenscore.batch.assess import assess
from greenscore.errors import ProfileError
from greenscore.io import read_table
from greenscore.rubric.load import default_rubric, load_rubric
from greenscore.rubric.models import Rubric

JIANGXI = Path(__file__).resolve().parents[2] / "examples" / "jiangxi"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LINEAR_BANDS_TARGET = """
name: linear, bands and target
version: "1"
rounding: {decimals: 2}
inputs:
  - {id: a, min: 0, max: 100}
  - {id: b, min: 1, max: 1000}
  - {id: c, type: integer, min: 0, max: 10}
  - {id: d, required: false, min: -50, max: 50}
dimensions:
  - id: one
    weight: 2
    indicators:
      - {id: a_lin, input: a, method: linear, goalposts: {worst: 10, best: 90}}
      - {id: b_log, input: b, method: linear, goalposts: {worst: 1, best: 1000}, log: true,
         weight: 2}
      - {id: a_free, input: a, method: linear, direction: lower, goalposts: {worst: 80, best: 20},
         cap: false, onto: [20, 80]}
  - id: two
    indicators:
      - id: c_bands
        input: c
        method: bands
        bands: [{to: 3, points: 10}, {from: 3, to: 7, points: 60}, {from: 7, points: 100}]
      - {id: d_target, input: d, method: target, target: 0, tolerance: 5, worst_distance: 40,
         missing: drop}
tiers:
  - {id: gold, min_score: 75, conditions: [{type: dimension_min, score: 50}]}
  - {id: silver, min_score: 50, conditions: [{type: indicator_min, indicator: c_bands, score: 60}]}
  - {id: bronze, min_score: 0}
"""

CHECKLIST_CATEGORICAL_VETOES = """
name: checklist, categorical, derived and vetoes
version: "1"
missing: worst
aggregation: geometric
inputs:
  - {id: p1, type: boolean}
  - {id: p2, type: boolean}
  - {id: p3, type: boolean}
  - {id: kind, type: category, categories: [low, mid, high]}
  - {id: n, type: integer, min: 0, max: 5}
  - {id: share, min: 0, max: 100, required: false}
derived:
  - {id: share_frac, formula: share / 100}
dimensions:
  - id: practice
    aggregation: geometric
    indicators:
      - id: checks
        method: checklist
        at_least: 2
        items: [{input: p1, points: 2}, {input: p2}, {input: p3}]
        onto: [10, 100]
      - {id: kind_pts, input: kind, method: categorical, points: {low: 20, mid: 60, high: 100}}
  - id: outcome
    aggregation: minimum
    indicators:
      - {id: frac, input: share_frac, method: linear, goalposts: {worst: 0, best: 1},
         onto: [5, 100]}
      - {id: n_score, input: n, method: linear, direction: lower, goalposts: {worst: 5, best: 0},
         onto: [5, 100]}
vetoes:
  - {id: many, kind: cap_tier, when: n >= 4, tier: mid, reason: too many}
  - {id: none_done, kind: force_tier, when: "not p1 and not p2", tier: low, reason: nothing done}
  - {id: penalty, kind: deduct, points: 2 * n, reason: points off}
tiers:
  - {id: high, min_score: 70, conditions: [{type: no_veto, kinds: [deduct]}]}
  - {id: mid, min_score: 40}
  - {id: low, min_score: 0}
"""

NESTED_MINIMUM_DROP = """
name: nested minimum with dropped inputs
version: "1"
scale: {min: 0, max: 1}
missing: drop
inputs:
  - {id: u, min: 0, max: 1}
  - {id: v, min: 0, max: 1, required: false}
  - {id: w, min: 0, max: 1, required: false}
derived:
  - {id: uv, formula: "u * 0.5 + 0.5"}
dimensions:
  - id: outer
    aggregation: minimum
    dimensions:
      - id: inner
        indicators:
          - {id: u_i, input: u, method: linear, goalposts: {worst: 0, best: 1}}
          - {id: v_i, input: v, method: linear, goalposts: {worst: 0, best: 1}, required: false}
    indicators:
      - {id: uv_i, input: uv, method: target, target: 0.75, tolerance: 0.05, worst_distance: 0.5}
  - id: side
    weight: 0.5
    indicators:
      - {id: w_i, input: w, method: bands, bands: [{to: 0.5, points: 0.2}, {from: 0.5, points: 0.9}]}
tiers:
  - {id: a, min_score: 0.6}
  - {id: b, min_score: 0}
"""

MISSING_IS_AN_ERROR = """
name: missing values are errors
version: "1"
inputs:
  - {id: x, min: 0, max: 10, required: false}
  - {id: y, type: boolean}
dimensions:
  - id: main
    indicators:
      - {id: x_i, input: x, method: linear, goalposts: {worst: 0, best: 10}}
      - id: y_i
        method: checklist
        items: [{input: y}]
tiers:
  - {id: pass, min_score: 50}
  - {id: fail, min_score: 0}
"""

BASE_2016 = read_table(JIANGXI / "parks_2016.csv").frame
BASE_2015 = read_table(JIANGXI / "parks_2015.csv").frame
DEFAULT = default_rubric()

RUBRICS: dict[str, Rubric] = {
    "jiangxi": DEFAULT,
    "linear": load_rubric(LINEAR_BANDS_TARGET),
    "checklist": load_rubric(CHECKLIST_CATEGORICAL_VETOES),
    "nested": load_rubric(NESTED_MINIMUM_DROP),
    "errors": load_rubric(MISSING_IS_AN_ERROR),
}


def _number_text(value: float) -> str:
    return repr(float(value))


def _cells(draw: st.DrawFn, spec: Any, n: int, text: bool) -> list[Any]:
    """n valid cells for one input, drawn from its declared type and bounds."""
    if spec.type == "boolean":
        cells: list[Any] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        if text:
            cells = [draw(st.sampled_from(["true", "yes", "1"])) if c else "false" for c in cells]
    elif spec.type == "category":
        cells = draw(st.lists(st.sampled_from(spec.categories or []), min_size=n, max_size=n))
    elif spec.type == "integer":
        low = int(spec.min) if spec.min is not None else -1000
        high = int(spec.max) if spec.max is not None else low + 5
        cells = draw(st.lists(st.integers(low, high), min_size=n, max_size=n))
        if text:
            cells = [str(c) for c in cells]
    else:
        low = spec.min if spec.min is not None else -1e6
        high = spec.max if spec.max is not None else low + 1e4
        values = st.floats(low, high, allow_nan=False, allow_infinity=False)
        cells = draw(st.lists(values, min_size=n, max_size=n))
        if text:
            cells = [_number_text(c) for c in cells]
    if not spec.required:
        blanks = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        missing: Any = "" if text else (math.nan if spec.type != "category" else None)
        cells = [missing if blank else c for c, blank in zip(cells, blanks, strict=True)]
    return cells


@st.composite
def frames(draw: st.DrawFn, rubric: Rubric) -> pd.DataFrame:
    """A frame of valid rows for the rubric, as native dtypes or as the text a CSV holds."""
    n = draw(st.integers(1, 12))
    text = draw(st.booleans())
    columns: dict[str, Any] = {
        rubric.entity: [f"P{i}" for i in range(n)],
        rubric.period: ["2016"] * n if text else [2016] * n,
    }
    for spec in rubric.inputs:
        columns[spec.id] = _cells(draw, spec, n, text)
    return pd.DataFrame(columns, dtype=str if text else None)


@st.composite
def jiangxi_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Real 2016 Jiangxi rows with a few cells redrawn, as text or with native dtypes."""
    picks = draw(st.lists(st.integers(0, 93), min_size=1, max_size=12, unique=True))
    text = draw(st.booleans())
    df = BASE_2016.iloc[picks].reset_index(drop=True).astype(object)
    for name in draw(st.lists(st.sampled_from([s.id for s in DEFAULT.inputs]), max_size=4)):
        df[name] = _cells(draw, DEFAULT.input(name), len(df), True)
    if text:
        return df.astype(str)
    for spec in DEFAULT.inputs:
        column = df[spec.id].replace("", np.nan)
        if spec.type == "boolean":
            df[spec.id] = column.isin(["true", "yes", "1"])
        elif spec.type in ("number", "integer"):
            df[spec.id] = pd.to_numeric(column)
    df["year"] = 2016
    return df


def _same(batch_value: float, single: float | None) -> bool:
    if single is None:
        return math.isnan(batch_value)
    return batch_value == single


@pytest.mark.parametrize("name", list(RUBRICS))
@SETTINGS
@given(data=st.data())
def test_batch_row_equals_evaluate(name: str, data: st.DataObject) -> None:
    """For every row: evaluate() and assess() agree exactly, or evaluate raises and assess flags."""
    rubric = RUBRICS[name]
    df = data.draw(jiangxi_frames() if name == "jiangxi" else frames(rubric))
    result = assess(df, rubric, errors="flag")
    flagged_entities = set(result.flagged["entity"])
    rows = result.results.set_index(rubric.entity)
    for i in range(len(df)):
        entity = df[rubric.entity].iloc[i]
        try:
            expected = greenscore.evaluate(df.iloc[i], rubric)
        except ProfileError:
            assert entity in flagged_entities
            assert entity not in rows.index
            continue
        row = rows.loc[entity]
        assert row["total"] == expected.total
        assert row["raw_total"] == expected.raw_total
        assert row["tier"] == expected.tier.id
        for dim in expected.dimensions:
            assert _same(row[f"dim.{dim.id}"], dim.score)
        for ind in expected.indicators:
            assert _same(row[f"ind.{ind.id}"], ind.score)
        assert row["vetoes"] == ";".join(v.id for v in expected.vetoes)
        assert result.assessment(entity) == expected
    a = result.accounting
    assert a["scored"] + a["flagged"] == a["input_rows"] == len(df)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUBRICS))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_row_equals_evaluate_deep(name: str, data: st.DataObject) -> None:
    test_batch_row_equals_evaluate.hypothesis.inner_test(name=name, data=data)  # type: ignore[attr-defined]


@SETTINGS
@given(data=st.data())
def test_row_order_does_not_change_results(data: st.DataObject) -> None:
    rubric = RUBRICS["checklist"]
    df = data.draw(frames(rubric))
    order = data.draw(st.permutations(range(len(df))))
    forward = assess(df, rubric).results.set_index(rubric.entity).sort_index()
    shuffled = assess(df.iloc[list(order)], rubric).results.set_index(rubric.entity).sort_index()
    pd.testing.assert_frame_equal(forward.drop(columns="rank"), shuffled.drop(columns="rank"))
    pd.testing.assert_series_equal(forward["rank"], shuffled["rank"])


# --- injected bad cells --------------------------------------------------------------------------

KINDS = ("type", "range", "category", "boolean", "blank", "integer", "duplicate", "empty_id")


def _columns_for(kind: str) -> list[str]:
    specs = DEFAULT.inputs
    if kind == "type":
        return [s.id for s in specs if s.type in ("number", "integer")]
    if kind == "range":
        return [s.id for s in specs if s.max is not None or s.min is not None]
    if kind == "category":
        return [s.id for s in specs if s.type == "category"]
    if kind == "boolean":
        return [s.id for s in specs if s.type == "boolean"]
    if kind == "blank":
        return [s.id for s in specs if s.required]
    if kind == "integer":
        return [s.id for s in specs if s.type == "integer" and (s.max or 10) >= 3]
    return [DEFAULT.entity]


def _bad_value(kind: str, column: str) -> str:
    if kind == "type":
        return "abc"
    if kind == "range":
        spec = DEFAULT.input(column)
        return repr(spec.max + 1) if spec.max is not None else repr((spec.min or 0) - 1)
    if kind == "category":
        return "zzz"
    if kind == "boolean":
        return "maybe"
    if kind == "integer":
        return "2.5"
    return ""


@st.composite
def damaged(draw: st.DrawFn) -> tuple[pd.DataFrame, set[tuple[int, str]], int]:
    """Jiangxi rows (2016, plus some 2015) with injected bad cells; the expected (row, field)."""
    current = draw(st.lists(st.integers(0, 93), min_size=3, max_size=25, unique=True))
    earlier = draw(st.lists(st.integers(0, 93), max_size=10, unique=True))
    df = pd.concat([BASE_2016.iloc[current], BASE_2015.iloc[earlier]], ignore_index=True).astype(
        object
    )
    order = draw(st.permutations(range(len(df))))
    df = df.iloc[list(order)].reset_index(drop=True)
    in_2016 = [i for i in range(len(df)) if df.loc[i, "year"] == "2016"]
    injections = draw(
        st.lists(
            st.tuples(st.sampled_from(KINDS), st.sampled_from(in_2016)), min_size=1, max_size=8
        )
    )
    expected: set[tuple[int, str]] = set()
    used_cells: set[tuple[int, str]] = set()
    id_rows: set[int] = set()
    for kind, row in injections:
        if kind in ("duplicate", "empty_id"):
            if row in id_rows:
                continue
            if kind == "empty_id":
                df.loc[row, DEFAULT.entity] = ""
                id_rows.add(row)
                expected.add((row + 2, DEFAULT.entity))
                continue
            sources = [r for r in in_2016 if r not in id_rows and r != row]
            if not sources:
                continue
            source = draw(st.sampled_from(sources))
            df.loc[row, DEFAULT.entity] = df.loc[source, DEFAULT.entity]
            id_rows |= {row, source}
            expected |= {(row + 2, DEFAULT.entity), (source + 2, DEFAULT.entity)}
            continue
        column = draw(st.sampled_from(_columns_for(kind)))
        if (row, column) in used_cells:
            continue
        used_cells.add((row, column))
        df.loc[row, column] = _bad_value(kind, column)
        expected.add((row + 2, column))
    return df, expected, len(earlier)


@SETTINGS
@given(case=damaged())
def test_every_injected_cell_is_flagged(
    case: tuple[pd.DataFrame, set[tuple[int, str]], int],
) -> None:
    df, expected, other = case
    result = assess(df, errors="flag")
    a = result.accounting
    flagged = {
        (int(r), str(f))
        for r, f in zip(result.flagged["row"], result.flagged["field"], strict=True)
    }
    assert flagged == expected
    assert a["flagged"] == len({row for row, _ in expected})
    assert a["other_periods"] == other
    assert a["scored"] + a["flagged"] + a["other_periods"] == a["input_rows"] == len(df)
    assert len(result.results) == a["scored"]
    for row, column in expected:
        if column != DEFAULT.entity:
            cell = result.flagged[
                (result.flagged["row"] == row) & (result.flagged["field"] == column)
            ]
            assert cell["value"].tolist() == [df.loc[row - 2, column]]
    with pytest.raises(ProfileError) as caught:
        assess(df)
    assert {(p.row, p.field) for p in caught.value.problems} == expected


@SETTINGS
@given(case=damaged())
def test_scored_rows_of_damaged_tables_match_evaluate(
    case: tuple[pd.DataFrame, set[tuple[int, str]], int],
) -> None:
    """Scored rows of a damaged table still equal evaluate() on the same row."""
    df, _, _ = case
    result = assess(df, errors="flag")
    rows = result.results.set_index(DEFAULT.entity)
    for i in np.flatnonzero(df["year"].to_numpy() == "2016")[:5]:
        entity = df.loc[i, DEFAULT.entity]
        if entity in rows.index:
            expected = greenscore.evaluate(df.iloc[i])
            assert rows.loc[entity, "total"] == expected.total
            assert result.assessment(entity) == expected
