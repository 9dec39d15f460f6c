"""The engine agrees with an independent hand-written numpy version of the bundled rubric."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import greenscore

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("baseline", ROOT / "benchmarks" / "baseline.py")
assert _spec is not None and _spec.loader is not None
baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline)


def numeric_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The frame as float columns: booleans 0/1 and categories as codes, as the baseline wants."""
    rubric = greenscore.default_rubric()
    columns = {}
    for spec in rubric.inputs:
        values = frame[spec.id]
        if spec.type == "boolean":
            columns[spec.id] = values.astype(str).str.lower().eq("true").to_numpy(float)
        elif spec.type == "category":
            codes = {c: i for i, c in enumerate(spec.categories or [])}
            columns[spec.id] = values.map(codes).to_numpy(float)
        else:
            columns[spec.id] = pd.to_numeric(values).to_numpy(float)
    return columns


@pytest.mark.parametrize("year", [2015, 2016])
def test_totals_and_tiers_match_the_hand_written_baseline(year: int) -> None:
    frame = pd.read_csv(ROOT / "examples" / "jiangxi" / f"parks_{year}.csv")
    totals, tiers = baseline.score(numeric_columns(frame))
    for i in range(len(frame)):
        result = greenscore.evaluate(frame.iloc[i])
        assert result.total == pytest.approx(totals[i], abs=1e-9), frame.park_id[i]
        assert result.tier.id == tiers[i], frame.park_id[i]
