"""The bundled development-zone rubric and its example data (issue 9 item 12).

Expected values are worked out by hand (a small table of zones at the worst goalposts) or by an
oracle written here from the rubric's text, independently of the engine.
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
from greenscore.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "development-zones.yaml"
DATA = ROOT / "examples" / "development-zones"
GENERATOR = DATA / "generate.py"
FILES = ("zones_2022.csv",)

# indicator: (column, worst, best, log, weight within its dimension, dimension)
LINEAR = {
    "growth": ("revenue_growth", 0, 15, False, 2, "economy"),
    "projects": ("major_projects", 0, 10, False, 1, "economy"),
    "lead_industry": ("lead_industry_share", 30, 70, False, 2, "economy"),
    "high_tech": ("high_tech_share", 10, 70, False, 2, "innovation"),
    "rd": ("rd_intensity", 0.5, 3, False, 2, "innovation"),
    "platforms": ("innovation_platforms", 0, 20, False, 1, "innovation"),
    "foreign_capital": ("foreign_capital", 100, 50000, True, 1, "opening"),
    "exports": ("export_share", 0, 30, False, 1, "opening"),
    "tax_per_mu": ("tax_per_mu", 5, 30, False, 2, "efficiency"),
    "plot_ratio": ("plot_ratio", 0.5, 1.2, False, 1, "efficiency"),
    "energy": ("energy_intensity", 1.2, 0.35, False, 1, "ecology"),
    "solid_waste": ("solid_waste_utilisation", 60, 96, False, 1, "ecology"),
    "online": ("online_service_rate", 50, 95, False, 1, "business"),
    "standard_land": ("standard_land_share", 0, 60, False, 1, "business"),
}
DIMENSIONS = {
    "economy": 25,
    "innovation": 20,
    "opening": 20,
    "efficiency": 15,
    "ecology": 10,
    "business": 10,
}
TOP = {"national": 5, "provincial": 15}
BOTTOM = {"national": 2, "provincial": 5}
"""Commended and called-in places per level: Jiangxi's 2020 round (assessment-systems.md §1)."""
WORST = {column: worst for column, worst, *_ in LINEAR.values() if column != "tax_per_mu"}


def half_up(value: float, decimals: int = 2) -> float:
    """Round half up, as the rubric's `rounding` does."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def oracle(frame: pd.DataFrame) -> pd.DataFrame:
    """Totals and tiers of every zone, worked out from the rubric's text alone."""
    data = frame.assign(tax_per_mu=frame["tax_revenue"] * 10000 / frame["industrial_land"])
    weighted = np.zeros(len(data))
    for dimension, weight in DIMENSIONS.items():
        members = [spec for spec in LINEAR.values() if spec[5] == dimension]
        score = np.zeros(len(data))
        for column, worst, best, log, w, _ in members:
            x = data[column].to_numpy(dtype=float)
            if log:
                x, worst, best = np.log10(x), math.log10(worst), math.log10(best)
            u = np.clip((x - worst) / (best - worst), 0, 1)
            score += w * (60 + 40 * u)
        weighted += weight * score / sum(spec[4] for spec in members)
    weighted /= sum(DIMENSIONS.values())
    inspection = np.minimum(0.3 * data["central_findings"] + 0.2 * data["provincial_findings"], 3)
    deductions = (
        inspection
        + 1.5 * data["central_cases"]
        + 0.5 * data["provincial_cases"]
        + data["larger_accidents"]
    )
    bonuses = np.minimum(0.5 * data["national_designations"], 1.5) + data["national_green_park"]
    out = pd.DataFrame(
        {
            "zone_id": data["zone_id"],
            "pool": data["level"],
            "weighted": weighted,
            "total": [half_up(t) for t in weighted - deductions + bonuses],
            "barred": data["serious_violation"].astype(bool),
        }
    )
    out["tier"] = "ranked"
    for level, pool in out.groupby("pool"):
        top, bottom = TOP[str(level)], BOTTOM[str(level)]
        eligible = pool[~pool["barred"]].sort_values("total", ascending=False)
        if len(eligible) > top:
            cut = eligible["total"].iloc[top - 1 : top + 1]
            assert cut.iloc[0] != cut.iloc[1], f"tie at the top-{top} cut-off"
        out.loc[eligible.index[:top], "tier"] = "commended"
        ranked = pool.sort_values("total")
        if len(ranked) > bottom:
            cut = ranked["total"].iloc[bottom - 1 : bottom + 1]
            assert cut.iloc[0] != cut.iloc[1], f"tie at the bottom-{bottom} cut-off"
        out.loc[ranked.index[:bottom], "tier"] = "talk"
    return out.set_index("zone_id")


@pytest.fixture(scope="module")
def zones() -> pd.DataFrame:
    return pd.read_csv(DATA / "zones_2022.csv")


@pytest.fixture(scope="module")
def result(zones: pd.DataFrame) -> Any:
    return greenscore.assess(zones, RUBRIC)


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    """Running the generator writes the committed CSV file byte for byte."""
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True, capture_output=True
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_the_example_has_jiangxi_zone_counts(zones: pd.DataFrame) -> None:
    """19 national and 84 provincial zones, as Jiangxi had in 2022."""
    assert zones["level"].value_counts().to_dict() == {"provincial": 84, "national": 19}
    assert zones["zone_id"].is_unique and zones["zone_name"].is_unique


def test_every_zone_scores_as_the_oracle_says(zones: pd.DataFrame, result: Any) -> None:
    expected = oracle(zones)
    got = result.results.set_index("zone_id")
    assert result.flagged.empty
    np.testing.assert_allclose(got["raw_total"], expected.loc[got.index, "weighted"], rtol=1e-12)
    assert got["total"].tolist() == expected.loc[got.index, "total"].tolist()
    assert got["tier"].to_dict() == expected.loc[got.index, "tier"].to_dict()
    assert got["pool"].to_dict() == expected.loc[got.index, "pool"].to_dict()


def test_places_per_pool(result: Any) -> None:
    """Five commended and two called in of the 19 national zones (19 − 7 = 12 ranked); fifteen
    commended and five called in of the 84 provincial ones (84 − 20 = 64 ranked)."""
    counts = result.results.groupby(["pool", "tier"]).size().to_dict()
    assert counts == {
        ("national", "commended"): 5,
        ("national", "ranked"): 12,
        ("national", "talk"): 2,
        ("provincial", "commended"): 15,
        ("provincial", "ranked"): 64,
        ("provincial", "talk"): 5,
    }


def _zone(zone_id: str, level: str, **changes: Any) -> dict[str, Any]:
    """A zone at every worst goalpost (each indicator scores 60), changed as given."""
    row: dict[str, Any] = {"zone_id": zone_id, "zone_name": zone_id, "city": "X", "level": level}
    row |= {"year": 2022, **WORST, "tax_revenue": 5.0, "industrial_land": 10000}
    row |= dict.fromkeys(
        (
            "central_findings",
            "provincial_findings",
            "central_cases",
            "provincial_cases",
            "larger_accidents",
            "national_designations",
        ),
        0,
    )
    row |= {"serious_violation": False, "national_green_park": False}
    return row | changes


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """Nine national and three provincial zones worked by hand.

    At the worst goalposts every indicator scores 60, so a zone totals 60. Income growth g lifts
    its indicator by 40 g / 15 points, and it weighs 2/5 of economy, which weighs 25/100: the
    total gains 0.1 × 40 g / 15 = 4 g / 15 points (g = 15: 64; g = 7.5: 62).
    """
    rows = [
        _zone("N1", "national", revenue_growth=15.0, serious_violation=True),  # 64
        _zone("N2", "national", revenue_growth=13.5),  # 63.6
        _zone("N3", "national", revenue_growth=12.0),  # 63.2
        _zone("N4", "national", revenue_growth=10.5),  # 62.8
        _zone("N5", "national", revenue_growth=9.0),  # 62.4
        _zone("N6", "national", revenue_growth=7.5),  # 62
        _zone("N7", "national", revenue_growth=6.0),  # 61.6
        _zone("N8", "national", central_findings=8, provincial_findings=6),  # 60 − 3
        _zone("N9", "national"),  # 60
        _zone("P1", "provincial", revenue_growth=3.0, national_designations=3),
        _zone("P2", "provincial", national_designations=5, national_green_park=True),
        _zone("P3", "provincial"),
    ]
    return greenscore.assess(pd.DataFrame(rows), RUBRIC).results.set_index("zone_id")


def test_inspection_deductions_stop_at_3_points(small: pd.DataFrame) -> None:
    """8 central and 6 provincial findings: 0.3 × 8 + 0.2 × 6 = 3.6 points, capped at 3."""
    assert small.loc["N8", "deductions"] == 3.0
    assert small.loc["N8", "total"] == 57.0
    assert small.loc["N8", "tier"] == "talk"


def test_totals_by_hand(small: pd.DataFrame) -> None:
    expected = {"N1": 64.0, "N2": 63.6, "N3": 63.2, "N4": 62.8, "N5": 62.4, "N6": 62.0}
    expected |= {"N7": 61.6, "N8": 57.0, "N9": 60.0}
    # P1: 60 + 4 × 3 / 15 + 0.5 × 3; P2: 60 + min(0.5 × 5, 1.5) + 1 for the green park
    expected |= {"P1": 62.3, "P2": 62.5, "P3": 60.0}
    assert small["total"].to_dict() == pytest.approx(expected, abs=1e-9)
    assert small.loc["P2", "bonuses"] == 2.5


def test_a_serious_violation_bars_commendation(small: pd.DataFrame) -> None:
    """N1 has the best total but is barred: the next five are commended, and N1 ranks after
    them (better tier first), ahead of N7 in the same tier."""
    national = small[small["pool"] == "national"]
    assert national["tier"].to_dict() == {
        "N1": "ranked",
        "N2": "commended",
        "N3": "commended",
        "N4": "commended",
        "N5": "commended",
        "N6": "commended",
        "N7": "ranked",
        "N8": "talk",
        "N9": "talk",
    }
    assert national["rank"].to_dict() == {
        "N1": 6,
        "N2": 1,
        "N3": 2,
        "N4": 3,
        "N5": 4,
        "N6": 5,
        "N7": 7,
        "N8": 9,
        "N9": 8,
    }


def test_a_pool_smaller_than_its_places(small: pd.DataFrame) -> None:
    """Three provincial zones: top 15 admits all three, then the bottom-5 minimum, applied after
    the limit and held at the pool's size, calls in all three."""
    provincial = small[small["pool"] == "provincial"]
    assert provincial["tier"].to_dict() == {"P1": "talk", "P2": "talk", "P3": "talk"}


def test_the_rubric_loads_with_its_pools_and_places() -> None:
    rubric = load_rubric(RUBRIC)
    assert rubric.pools == ["level"]
    assert [(t.id, t.top, t.bottom) for t in rubric.tiers] == [
        ("commended", {"national": 5, "provincial": 15}, None),
        ("ranked", None, None),
        ("talk", None, {"national": 2, "provincial": 5}),
    ]


def test_defect_explain_blamed_vetoes_for_places(result: Any) -> None:
    """KF064 is called in by the provincial pool's bottom-5 minimum, not by a veto (its deduction
    only lowers the total): explain() said 'vetoes changed it'. KF001 is kept from commendation
    by its veto."""
    pulled = result.assessment("KF064")
    assert pulled.tier_change_cause == "the places of its pool"
    assert (
        "the score alone reaches tier 'commended'; the places of its pool changed it"
        in pulled.explain()
    )
    barred = result.assessment("KF001")
    assert "the score alone reaches tier 'commended'; vetoes changed it" in barred.explain()
    assert "vetoes changed it" in barred._repr_html_()
