"""The synthetic Jiangxi parks data match the published 2015 aggregates and regenerate exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "examples" / "jiangxi"
GENERATOR = DATA / "generate.py"
FILES = ("parks_2015.csv", "parks_2016.csv", "parks_2015_2016.csv")

PARKS_PER_CITY = {
    "Nanchang": 9,
    "Jingdezhen": 3,
    "Pingxiang": 3,
    "Jiujiang": 14,
    "Xinyu": 2,
    "Yingtan": 3,
    "Ganzhou": 16,
    "Jian": 13,
    "Yichun": 10,
    "Fuzhou": 10,
    "Shangrao": 11,
}
NATIONAL_PER_CITY = {
    "Nanchang": 3,
    "Jingdezhen": 1,
    "Pingxiang": 1,
    "Jiujiang": 1,
    "Xinyu": 1,
    "Yingtan": 1,
    "Ganzhou": 3,
    "Jian": 1,
    "Yichun": 1,
    "Fuzhou": 1,
    "Shangrao": 1,
}
PROVINCIAL_KEY_PER_CITY = {
    "Nanchang": 2,
    "Jingdezhen": 1,
    "Pingxiang": 1,
    "Jiujiang": 2,
    "Xinyu": 1,
    "Yingtan": 2,
    "Ganzhou": 1,
    "Jian": 2,
    "Yichun": 3,
    "Fuzhou": 2,
    "Shangrao": 3,
}
INCOME_BRACKETS = {  # [low, high) in 亿元: parks
    (1000.0, np.inf): 4,
    (500.0, 1000.0): 12,
    (300.0, 500.0): 14,
    (200.0, 300.0): 17,
    (100.0, 200.0): 28,
    (0.0, 100.0): 19,
}
TOTAL_INCOME_2015 = 25_600.0
COASTAL_PLOT_RATIO = 1.19

COLUMNS = [
    "park_id",
    "park_name",
    "city",
    "level",
    "year",
    "main_business_income",
    "tax_revenue",
    "developed_land",
    "leading_enterprises",
    "leading_industries",
    "lead_industry_share",
    "largest_cluster_income",
    "plot_ratio",
    "idle_land_share",
    "industrial_land_share",
    "green_factories",
    "solid_waste_utilisation",
    "water_reuse_rate",
    "energy_intensity",
    "green_plan",
    "central_sewage_treatment",
    "circular_transformation",
    "cleaner_production_audits",
    "integration_index",
    "smart_workshop_share",
    "integration_certified_firms",
    "informatization_stage",
    "large_department_reform",
    "flat_management",
    "enterprise_service_centre",
    "investment_promotion_reform",
    "online_service_rate",
    "standard_land_share",
    "investment_mode",
    "major_incidents",
    "serious_incidents",
    "inspection_findings",
    "falsified_data",
]
RANGES = {
    "lead_industry_share": (20.0, 85.0),
    "plot_ratio": (0.2, 1.4),
    "idle_land_share": (0.0, 40.0),
    "industrial_land_share": (35.0, 80.0),
    "solid_waste_utilisation": (40.0, 100.0),
    "water_reuse_rate": (30.0, 98.0),
    "energy_intensity": (0.25, 1.6),
    "integration_index": (35.0, 110.0),
    "smart_workshop_share": (0.0, 45.0),
    "online_service_rate": (40.0, 100.0),
    "standard_land_share": (0.0, 80.0),
}
COUNT_RANGES = {
    "leading_enterprises": (0, 40),
    "leading_industries": (1, 6),
    "green_factories": (0, 12),
    "integration_certified_firms": (0, 25),
    "inspection_findings": (0, 6),
}
BOOLEANS = [
    "green_plan",
    "central_sewage_treatment",
    "circular_transformation",
    "cleaner_production_audits",
    "large_department_reform",
    "flat_management",
    "enterprise_service_centre",
    "investment_promotion_reform",
    "falsified_data",
]
CITY_CODES = set(PARKS_PER_CITY)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, encoding="utf-8")


@pytest.fixture(scope="module")
def y2015() -> pd.DataFrame:
    return _read("parks_2015.csv")


@pytest.fixture(scope="module")
def y2016() -> pd.DataFrame:
    return _read("parks_2016.csv")


@pytest.fixture(scope="module", params=[2015, 2016])
def year(request: pytest.FixtureRequest) -> pd.DataFrame:
    return _read(f"parks_{request.param}.csv")


def test_parks_per_city_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, Table 2: parks per prefecture-level city, 94 in all."""
    assert y2015["city"].value_counts().to_dict() == PARKS_PER_CITY
    assert len(y2015) == 94


@pytest.mark.parametrize(
    ("level", "expected", "total"),
    [("national", NATIONAL_PER_CITY, 15), ("provincial_key", PROVINCIAL_KEY_PER_CITY, 20)],
)
def test_levels_per_city_2015(
    y2015: pd.DataFrame, level: str, expected: dict[str, int], total: int
) -> None:
    """Lu & Jiao 2018, Table 2: 15 national and 20 provincial key parks, counted per city."""
    counts = y2015.loc[y2015["level"] == level, "city"].value_counts().to_dict()
    assert counts == expected
    assert sum(counts.values()) == total


def test_income_brackets_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, Table 1: parks per main-business-income bracket in 亿元."""
    income = y2015["main_business_income"]
    for (low, high), parks in INCOME_BRACKETS.items():
        assert ((income >= low) & (income < high)).sum() == parks, (low, high)


def test_total_income_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, §3.1: main business income of the parks was 2.56 trillion yuan in 2015."""
    assert y2015["main_business_income"].sum() == pytest.approx(TOTAL_INCOME_2015, rel=0.01)


def test_profits_and_taxes_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, §3.1: profits and taxes of 297.32 billion yuan, 10-13 % per park."""
    assert y2015["tax_revenue"].sum() == pytest.approx(2_973.2, rel=0.01)


def test_leading_industries_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, §3.2: 73 of 94 parks (77.7 %) have more than three leading industries."""
    assert (y2015["leading_industries"] > 3).sum() == 73
    assert y2015["leading_industries"].max() == 6


def test_plot_ratio_half_of_coastal_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, §3.2: the comprehensive plot ratio is about half that of coastal provinces.

    Coastal benchmark: Jiangsu national zones 1.19 (reference assessment-systems.md §4.2).
    """
    plot = y2015["plot_ratio"]
    weighted = np.average(plot, weights=y2015["main_business_income"])
    for mean in (plot.mean(), weighted):
        assert 0.5 <= mean <= 0.65
        assert mean / COASTAL_PLOT_RATIO == pytest.approx(0.5, abs=0.1)


def test_no_cluster_above_100_billion_2015(y2015: pd.DataFrame) -> None:
    """Lu & Jiao 2018, §3.2: no key industrial cluster had income above 100 billion yuan."""
    assert (y2015["largest_cluster_income"] < 1000.0).all()


def test_columns_and_ids(year: pd.DataFrame) -> None:
    """Each year has the documented columns and 94 unique ids JX001..JX094."""
    assert list(year.columns) == COLUMNS
    assert year["park_id"].tolist() == [f"JX{i:03d}" for i in range(1, 95)]
    assert year["park_name"].is_unique
    assert year["year"].nunique() == 1


def test_same_parks_in_both_years(y2015: pd.DataFrame, y2016: pd.DataFrame) -> None:
    """Ids, names, cities and levels are stable across years."""
    fixed = ["park_id", "park_name", "city", "level"]
    pd.testing.assert_frame_equal(y2015[fixed], y2016[fixed])
    assert (y2015["year"] == 2015).all()
    assert (y2016["year"] == 2016).all()


def test_stacked_file(y2015: pd.DataFrame, y2016: pd.DataFrame) -> None:
    """The stacked file is the 2015 rows followed by the 2016 rows."""
    stacked = _read("parks_2015_2016.csv")
    pd.testing.assert_frame_equal(stacked, pd.concat([y2015, y2016], ignore_index=True))


def test_income_growth_2016(y2015: pd.DataFrame, y2016: pd.DataFrame) -> None:
    """Incomes grow 4-14 % per park; Lu & Jiao 2018, §3.1 report +9.5 % value added in 2016."""
    growth = y2016["main_business_income"] / y2015["main_business_income"] - 1.0
    assert growth.between(0.04, 0.14).all()
    total = y2016["main_business_income"].sum() / y2015["main_business_income"].sum() - 1.0
    assert 0.04 <= total <= 0.14
    assert growth.mean() == pytest.approx(0.09, abs=0.01)


def test_year_2016_drift(y2015: pd.DataFrame, y2016: pd.DataFrame) -> None:
    """2016 keeps the leading-industry pattern and never drops an adopted checklist item."""
    assert 70 <= (y2016["leading_industries"] > 3).sum() <= 73
    assert (y2016["leading_industries"] <= y2015["leading_industries"]).all()
    ratio = y2016["plot_ratio"] / y2015["plot_ratio"]
    assert ratio.between(0.98, 1.07).all()
    assert (y2016["integration_index"] >= y2015["integration_index"]).all()
    for column in BOOLEANS[:-1]:
        assert (y2016[column] | ~y2015[column]).all(), column


def test_value_ranges(year: pd.DataFrame) -> None:
    """Each column stays in its documented range."""
    income = year["main_business_income"]
    assert (income > 0).all()
    assert (year["tax_revenue"] / income).between(0.10, 0.13).all()
    per_km2 = income / (year["developed_land"] / 100.0)
    assert per_km2.between(2.0, 25.0).all()
    assert 1 <= (per_km2 >= 15.0).sum() <= 0.15 * len(year)
    cluster = year["largest_cluster_income"]
    assert ((cluster > 0) & (cluster < income) & (cluster < 1000.0)).all()
    for column, (low, high) in RANGES.items():
        assert year[column].dropna().between(low, high).all(), column
    for column, (low, high) in COUNT_RANGES.items():
        assert year[column].dtype == np.int64, column
        assert year[column].between(low, high).all(), column
    assert (year["leading_enterprises"] <= income / 10.0).all()
    assert 5 <= year["water_reuse_rate"].isna().sum() <= 12
    assert set(year["city"]) == CITY_CODES
    assert set(year["level"]) == {"national", "provincial_key", "other"}
    assert set(year["informatization_stage"]) <= {
        "initial",
        "single_coverage",
        "integration",
        "innovation",
    }
    assert set(year["investment_mode"]) <= {"government_led", "mixed", "market_led"}
    assert (year["inspection_findings"] <= 2).mean() >= 0.85


def test_incidents(y2015: pd.DataFrame, y2016: pd.DataFrame) -> None:
    """Major incidents hit 1 park in 2015 and 2 in 2016; falsified data 1 park in 2016 only."""
    for frame, majors, falsified in ((y2015, 1, 0), (y2016, 2, 1)):
        assert (frame["major_incidents"] > 0).sum() == majors
        assert frame["major_incidents"].max() == 1
        serious = frame["serious_incidents"].value_counts().to_dict()
        assert set(serious) <= {0, 1, 2}
        assert 3 <= serious.get(1, 0) <= 7
        assert serious.get(2, 0) == 1
        assert frame["falsified_data"].sum() == falsified


def test_national_parks_lead(year: pd.DataFrame) -> None:
    """National parks are larger and better on average than the other parks."""
    means = year.groupby("level")[
        ["main_business_income", "plot_ratio", "integration_index"]
    ].mean()
    assert (means.loc["national"] > means.loc["provincial_key"]).all()
    assert (means.loc["provincial_key"] > means.loc["other"]).all()


def test_booleans_written_lowercase() -> None:
    """Booleans are written true/false and missing water reuse as an empty field."""
    raw = pd.read_csv(DATA / "parks_2015_2016.csv", dtype=str, keep_default_na=False)
    for column in BOOLEANS:
        assert set(raw[column]) <= {"true", "false"}, column
    assert (raw["water_reuse_rate"] == "").sum() > 0


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    """Running the generator writes the committed CSV files byte for byte."""
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
