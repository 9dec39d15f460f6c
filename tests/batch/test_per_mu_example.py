"""The bundled per-mu efficiency rubric and its example data (issue 9 item 12).

Expected values are worked out by hand (one county of twenty firms) or by an oracle written here
from the rubric's text, independently of the engine.
"""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import greenscore

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "per-mu-efficiency.yaml"
DATA = ROOT / "examples" / "per-mu"
GENERATOR = DATA / "generate.py"
FILES = ("firms_2023.csv",)
# ratio: (numerator, denominator, weight in the total: land 80 × 45/80, 80 × 35/80, energy 20)
RATIOS = {
    "tax_per_mu": ("tax", "land_mu", 0.45),
    "value_added_per_mu": ("value_added", "land_mu", 0.35),
    "value_added_per_tce": ("value_added", "energy_use", 0.20),
}


def half_up(value: float, decimals: int = 2) -> float:
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def oracle(frame: pd.DataFrame) -> pd.DataFrame:
    """Totals of the rated firms, worked out from the rubric's text alone."""
    rated = frame[~(frame["first_year"] | frame["below_scale"])].copy()
    weighted = np.zeros(len(rated))
    for numerator, denominator, weight in RATIOS.values():
        ratio = rated[numerator] / rated[denominator]
        benchmark = 2 * ratio.groupby(rated["county"]).transform("mean")
        weighted += weight * 100 * np.minimum(ratio / benchmark, 1).to_numpy()
    bonuses = np.minimum(3 * rated["green_factory"] + 2 * rated["high_tech_enterprise"], 5)
    deductions = np.minimum(2 * rated["environmental_penalties"], 6)
    rated["weighted"] = weighted
    rated["total"] = [half_up(t) for t in weighted + bonuses - deductions]
    return rated.set_index("firm_id")


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    return pd.read_csv(DATA / "firms_2023.csv")


@pytest.fixture(scope="module")
def result(firms: pd.DataFrame) -> Any:
    return greenscore.assess(firms, RUBRIC)


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    """Running the generator writes the committed CSV file byte for byte."""
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True, capture_output=True
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_the_example_has_thousands_of_firms_in_ten_counties(firms: pd.DataFrame) -> None:
    assert len(firms) == 2900 and firms["county"].nunique() == 10
    assert firms["firm_id"].is_unique and firms["firm_name"].is_unique
    no_accounts = firms["tax"].isna()
    assert no_accounts.any() and firms.loc[no_accounts, "first_year"].all()


def test_every_rated_firm_scores_as_the_oracle_says(firms: pd.DataFrame, result: Any) -> None:
    expected = oracle(firms)
    got = result.results.set_index("firm_id")
    assert result.flagged.empty
    rated = got[got["tier"] != "T"]
    assert sorted(rated.index) == sorted(expected.index)
    np.testing.assert_allclose(rated["raw_total"], expected.loc[rated.index, "weighted"], rtol=1e-9)
    assert rated["total"].tolist() == expected.loc[rated.index, "total"].tolist()


def test_class_counts_per_county(firms: pd.DataFrame, result: Any) -> None:
    """In each county of n rated firms: A ⌊0.2 n⌋, B ⌊0.6 n⌋ − ⌊0.2 n⌋, D ⌈0.05 n⌉ (forced
    firms included), C the rest; checked where no tie sits at a cut-off."""
    expected = oracle(firms)
    got = result.results
    checked = 0
    for county, pool in expected.groupby("county"):
        n = len(pool)
        totals = pool.loc[~pool["serious_violation"], "total"].sort_values(ascending=False)
        a, b, d = math.floor(0.2 * n), math.floor(0.6 * n), math.ceil(0.05 * n)
        forced = int(pool["serious_violation"].sum())
        cuts = [(a - 1, a), (b - 1, b), (n - forced - (d - forced) - 1, n - forced - (d - forced))]
        if forced > d or any(totals.iloc[i] == totals.iloc[j] for i, j in cuts):
            continue
        counts = got[got["pool"] == county]["tier"].value_counts().to_dict()
        assert counts == {"A": a, "B": b - a, "C": n - b - d, "D": d, "T": counts["T"]}, county
        checked += 1
    assert checked >= 8


def test_consequence_values(result: Any) -> None:
    by_tier = result.results.groupby("tier")["consequence.electricity_surcharge"]
    assert by_tier.max().dropna().to_dict() == {"A": 0, "B": 0, "C": 0, "D": 0.05}
    assert by_tier.min().dropna().to_dict() == {"A": 0, "B": 0, "C": 0, "D": 0.05}
    gas = result.results.groupby("tier")["consequence.gas_surcharge"].max()
    assert gas["D"] == 1
    assert (
        result.results.loc[result.results["tier"] == "T", "consequence.gas_surcharge"].isna().all()
    )


def _firm(firm_id: str, tax: float, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"firm_id": firm_id, "firm_name": firm_id, "county": "甲"}
    row |= {"industry": "x", "year": 2023, "land_mu": 1.0, "tax": tax, "value_added": 100.0}
    row |= {"energy_use": 10.0, "first_year": False, "below_scale": False}
    row |= {"green_factory": False, "high_tech_enterprise": False}
    row |= {"environmental_penalties": 0, "serious_violation": False}
    return row | changes


@pytest.fixture(scope="module")
def county() -> pd.DataFrame:
    """One county worked by hand: twenty rated firms paying t = 1 … 20 万元 tax on 1 mu, each
    with 100 万元 value added on 10 tce; and one first-year firm paying 1,000.

    The rated mean tax per mu is 10.5, so the benchmark (twice it) is 21 and tax scores
    100 t / 21; value added per mu (100 against 200) and per tce (10 against 20) score 50. The
    total is 0.45 × 100 t / 21 + 0.35 × 50 + 0.2 × 50 = 45 t / 21 + 27.5.
    """
    rows = [_firm(f"F{t:02d}", float(t)) for t in range(1, 21)]
    rows[19] = _firm("F20", 20.0, environmental_penalties=4)
    rows.append(_firm("NEW", 1000.0, first_year=True))
    return greenscore.assess(pd.DataFrame(rows), RUBRIC).results.set_index("firm_id")


def test_totals_by_hand(county: pd.DataFrame) -> None:
    assert county.loc["F01", "total"] == 29.64  # 45 / 21 + 27.5 = 29.6429
    assert county.loc["F10", "total"] == 48.93  # 450 / 21 + 27.5 = 48.9286
    # 900 / 21 + 27.5 = 70.357, less 2 × 4 = 8 malus points capped at 6
    assert county.loc["F20", "deductions"] == 6.0
    assert county.loc["F20", "total"] == 64.36


def test_classes_by_hand(county: pd.DataFrame) -> None:
    """n = 20 rated: A holds ⌊0.2 n⌋ = 4, B ⌊0.6 n⌋ − 4 = 8, D ⌈0.05 n⌉ = 1, C the other 7.
    F20 (64.36 after its malus) still ranks third, above F17 (63.93)."""
    tiers = county["tier"].to_dict()
    assert {f for f, t in tiers.items() if t == "A"} == {"F17", "F18", "F19", "F20"}
    assert {f for f, t in tiers.items() if t == "B"} == {f"F{t:02d}" for t in range(9, 17)}
    assert {f for f, t in tiers.items() if t == "C"} == {f"F{t:02d}" for t in range(2, 9)}
    assert county.loc["F20", "rank"] == 3


def test_a_firm_in_class_d_by_the_5_percent_minimum(county: pd.DataFrame) -> None:
    """C takes every firm below B; D's minimum, ⌈0.05 × 20⌉ = 1, pulls the worst one down."""
    assert county.loc["F01", "tier"] == "D"
    assert county.loc["F01", "consequence.electricity_surcharge"] == 0.05
    assert county.loc["F01", "consequence.gas_surcharge"] == 1


def test_a_not_rated_firm_outside_the_shares(county: pd.DataFrame) -> None:
    """The first-year firm is class T, with no total or rank, and counts in no denominator: with
    it, n would be 21 and D would need ⌈1.05⌉ = 2 firms; nor in the county mean (with its 1,000
    the benchmark would be 115.2 and F01 would score far lower)."""
    assert county.loc["NEW", "tier"] == "T"
    assert pd.isna(county.loc["NEW", "total"]) and pd.isna(county.loc["NEW", "rank"])
    assert (county["tier"] == "D").sum() == 1
    assert pd.isna(county.loc["NEW", "consequence.electricity_surcharge"])
