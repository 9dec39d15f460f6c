"""Generate the synthetic per-mu efficiency table: about 3,000 industrial firms in the ten counties
and districts of Yichun (Jiangxi), 2023, classified by rubrics/per-mu-efficiency.yaml.

Firm-level averages sit between Tongling's (tax 14.05 万元/亩, 2021) and Huangyan's (tax 26.01,
value added 132.27 万元/亩, 2.54 万元/tce, 2021) from ../shared/reference/assessment-systems.md §2.2;
every row is a random draw. Usage: ``python examples/per-mu/generate.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2023
YEAR = 2023
HERE = Path(__file__).resolve().parent
OUTPUT = "firms_2023.csv"

# county, firms, efficiency effect (log scale)
COUNTIES: tuple[tuple[str, int, float], ...] = (
    ("袁州", 412, 0.15),
    ("丰城", 538, 0.10),
    ("樟树", 377, 0.20),
    ("高安", 455, 0.0),
    ("上高", 268, -0.05),
    ("宜丰", 231, -0.10),
    ("奉新", 246, -0.05),
    ("万载", 219, -0.15),
    ("靖安", 96, -0.25),
    ("铜鼓", 58, -0.30),
)
# industry (Chinese name for the firm name), value added per mu and per tce relative to the mean
INDUSTRIES: tuple[tuple[str, str, float, float], ...] = (
    ("lithium batteries", "锂电", 0.35, 0.2),
    ("building materials", "建材", -0.25, -0.6),
    ("chemicals", "化工", 0.05, -0.4),
    ("food", "食品", -0.05, 0.3),
    ("medicine", "医药", 0.3, 0.4),
    ("machinery", "机械", 0.0, 0.3),
    ("textiles", "纺织", -0.3, 0.0),
    ("electronics", "电子", 0.25, 0.5),
)
TRADE = "华鑫恒泰宏昌盛源丰达隆兴瑞祥和润金银佳成新宇天明光远东方"
BOOLEAN_COLUMNS = (
    "first_year",
    "below_scale",
    "green_factory",
    "high_tech_enterprise",
    "serious_violation",
)
COLUMNS = (
    "firm_id",
    "firm_name",
    "county",
    "industry",
    "year",
    "land_mu",
    "tax",
    "value_added",
    "energy_use",
    *BOOLEAN_COLUMNS[:2],
    *BOOLEAN_COLUMNS[2:4],
    "environmental_penalties",
    "serious_violation",
)


def _firms(rng: np.random.Generator) -> pd.DataFrame:
    """Return the firms: id, a unique Chinese name, county and industry."""
    trade_names = ["".join(pair) for pair in permutations(TRADE, 2)]
    rows = []
    for county, count, _ in COUNTIES:
        industries = rng.integers(0, len(INDUSTRIES), count)
        picked = rng.choice(len(trade_names), size=count, replace=False)
        for industry, trade in zip(industries, picked, strict=True):
            english, chinese, _, _ = INDUSTRIES[industry]
            rows.append((f"{county}{trade_names[trade]}{chinese}有限公司", county, english))
    firms = pd.DataFrame(rows, columns=["firm_name", "county", "industry"])
    firms.insert(0, "firm_id", [f"YC{i:04d}" for i in range(1, len(firms) + 1)])
    if firms["firm_name"].duplicated().any():
        raise ValueError("firm names are not unique")
    return firms


def generate() -> pd.DataFrame:
    """Return the 2023 table, one row per firm."""
    rng = np.random.default_rng(SEED)
    firms = _firms(rng)
    n = len(firms)
    county = dict((name, effect) for name, _, effect in COUNTIES)
    industry = {english: (va, tce) for english, _, va, tce in INDUSTRIES}
    county_effect = firms["county"].map(county).to_numpy()
    va_effect = np.array([industry[i][0] for i in firms["industry"]])
    tce_effect = np.array([industry[i][1] for i in firms["industry"]])
    q = rng.standard_normal(n)
    y = pd.DataFrame(index=firms.index)
    y["year"] = YEAR
    below = rng.random(n) < 0.10
    first = rng.random(n) < 0.05
    land = np.exp(np.where(below, 2.6, 4.0) + 0.8 * rng.standard_normal(n))
    y["land_mu"] = np.round(np.clip(land, 0.5, 3000.0), 1)
    va_per_mu = np.exp(4.35 + county_effect + va_effect + 0.55 * q + 0.3 * rng.standard_normal(n))
    tax_share = np.exp(-1.75 + 0.35 * rng.standard_normal(n))
    va_per_tce = np.exp(0.85 + tce_effect + 0.3 * q + 0.45 * rng.standard_normal(n))
    value_added = va_per_mu * y["land_mu"].to_numpy()
    y["tax"] = np.round(value_added * tax_share, 1)
    y["value_added"] = np.round(value_added, 1)
    y["energy_use"] = np.round(np.maximum(value_added / va_per_tce, 0.1), 1)
    no_accounts = first & (rng.random(n) < 0.5)
    for column in ("tax", "value_added", "energy_use"):
        y[column] = np.where(no_accounts, np.nan, y[column])
    y["first_year"] = first
    y["below_scale"] = below
    y["green_factory"] = rng.random(n) < 0.03 + 0.04 * (q > 1)
    y["high_tech_enterprise"] = rng.random(n) < 0.08 + 0.12 * (q > 0.5)
    y["environmental_penalties"] = rng.poisson(0.08 * np.exp(-0.6 * q))
    y["serious_violation"] = rng.random(n) < 0.004
    return pd.concat([firms, y], axis=1)[list(COLUMNS)]


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for column in BOOLEAN_COLUMNS:
        out[column] = np.where(out[column].to_numpy(dtype=bool), "true", "false")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write(out_dir: Path) -> list[Path]:
    """Write the CSV file into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / OUTPUT
    _to_csv(generate(), path)
    return [path]


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)


if __name__ == "__main__":
    main()
