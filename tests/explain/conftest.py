"""Shared data for the gap tests: the 2016 Jiangxi parks with their gaps (computed once per
run), and two small rubrics whose gaps can be computed by hand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore import load_rubric
from greenscore.explain.gap import next_tier_gap
from greenscore.explain.types import TierGap

ROOT = Path(__file__).resolve().parents[2]
PARKS_2016 = ROOT / "examples" / "jiangxi" / "parks_2016.csv"

TWO_LINEAR = """
name: two linear indicators
version: "1"
rounding: {decimals: 1}
inputs:
  - {id: a, min: 0, max: 100}
  - {id: b, min: 0, max: 100}
dimensions:
  - id: d
    indicators:
      - {id: ia, input: a, method: linear, goalposts: {worst: 0, best: 100}, weight: 3}
      - {id: ib, input: b, method: linear, goalposts: {worst: 0, best: 100}, weight: 1}
tiers:
  - {id: top, min_score: 80}
  - {id: mid, min_score: 60}
  - {id: low, min_score: 0}
"""

MIXED = """
name: mixed methods
version: "1"
rounding: {decimals: 1}
inputs:
  - {id: income, min: 0}
  - {id: land, min: 0}
  - {id: firms, type: integer, min: 0, max: 50}
  - {id: industries, type: integer, min: 1, max: 20}
  - {id: stage, type: category, categories: [low, mid, high]}
  - {id: plan, type: boolean}
  - {id: audit, type: boolean}
  - {id: share, min: 0, max: 100}
  - {id: incidents, type: integer, min: 0}
derived:
  - {id: density, formula: "income * 100 / land"}
  - {id: mixed_ratio, formula: "(income + land) / land"}
dimensions:
  - id: d
    indicators:
      - {id: dens, input: density, method: linear, goalposts: {worst: 0, best: 50}, weight: 3}
      - {id: ratio, input: mixed_ratio, method: linear, goalposts: {worst: 1, best: 3}}
      - {id: firm_count, input: firms, method: linear, goalposts: {worst: 0, best: 10}}
      - id: focus
        input: industries
        method: bands
        direction: lower
        bands:
          - {to: 3, points: 100}
          - {from: 3, to: 5, points: 60}
          - {from: 5, points: 20}
      - id: stage
        input: stage
        method: categorical
        points: {low: 0, mid: 60, high: 100}
      - id: basics
        method: checklist
        at_least: 2
        items: [{input: plan}, {input: audit}]
      - {id: mix, input: share, method: target, target: 50, tolerance: 5, worst_distance: 30}
vetoes:
  - {id: major, kind: force_tier, when: incidents > 0, tier: low, reason: Major incident}
tiers:
  - {id: top, min_score: 90}
  - {id: mid, min_score: 40}
  - {id: low, min_score: 0}
"""


MIXED_PROFILE = {
    "income": 30.0,
    "land": 100.0,
    "firms": 5,
    "industries": 6,
    "stage": "low",
    "plan": True,
    "audit": False,
    "share": 35.0,
    "incidents": 0,
}


Row = tuple[dict[str, object], greenscore.Assessment, TierGap]


def _profiles() -> list[dict[str, object]]:
    frame = pd.read_csv(PARKS_2016, dtype=str, keep_default_na=False)
    return frame.to_dict(orient="records")


@pytest.fixture
def profiles() -> list[dict[str, object]]:
    """The 94 parks of 2016 as raw profiles (fresh copies for each test)."""
    return _profiles()


@pytest.fixture(scope="session")
def jiangxi(
    jiangxi_batch: greenscore.BatchResult, jiangxi_gaps: Mapping[str, TierGap | str]
) -> list[Row]:
    """Every 2016 park with its assessment and its gap, from the session's shared assessment."""
    parks = jiangxi_batch.results["park_id"].astype(str)
    return [
        (jiangxi_batch.profile(park), jiangxi_batch.assessment(park), jiangxi_gaps[park])
        for park in parks
    ]


@pytest.fixture(scope="session")
def tier_index() -> Callable[[str], int]:
    """The position of a tier of the bundled rubric, best first."""
    ids = [t.id for t in greenscore.default_rubric().tiers]
    return ids.index


@pytest.fixture(scope="session")
def two_linear() -> greenscore.Rubric:
    return load_rubric(TWO_LINEAR)


@pytest.fixture(scope="session")
def mixed_rubric() -> greenscore.Rubric:
    return load_rubric(MIXED)


@pytest.fixture(scope="session")
def mixed(mixed_rubric: greenscore.Rubric) -> TierGap:
    """The gap of MIXED_PROFILE under the mixed-methods rubric."""
    return next_tier_gap(MIXED_PROFILE, rubric=mixed_rubric)


@pytest.fixture
def mixed_profile() -> dict[str, object]:
    return dict(MIXED_PROFILE)
