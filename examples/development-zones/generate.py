"""Generate the synthetic development-zone table: 103 zones of Jiangxi (19 national, 84
provincial), assessed for 2022 by rubrics/development-zones.yaml.

The counts of zones and the indicator levels follow ../shared/reference/assessment-systems.md §1
and §6; every row is a random draw. Usage: ``python examples/development-zones/generate.py
[--out DIR]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2022
YEAR = 2022
HERE = Path(__file__).resolve().parent
OUTPUT = "zones_2022.csv"

HTZ, ETDZ, IZ = "高新技术产业开发区", "经济技术开发区", "工业园区"

# city, Chinese name, national zones, provincial zones, counties: one per national zone beyond the
# city's high-tech and economic-technological zones, then one per provincial zone
CITIES: tuple[tuple[str, str, int, int, str], ...] = (
    ("Nanchang", "南昌", 4, 6, "小蓝 桑海 新建 进贤 安义 青山湖 南昌县 湾里"),
    ("Jingdezhen", "景德镇", 1, 3, "乐平 浮梁 昌江"),
    ("Pingxiang", "萍乡", 1, 4, "湘东 芦溪 上栗 莲花"),
    ("Jiujiang", "九江", 2, 12, "瑞昌 湖口 彭泽 永修 德安 共青城 武宁 修水 都昌 庐山 柴桑 濂溪"),
    ("Xinyu", "新余", 1, 2, "分宜 渝水"),
    ("Yingtan", "鹰潭", 1, 3, "贵溪 余江 月湖"),
    (
        "Ganzhou",
        "赣州",
        3,
        16,
        "龙南 瑞金 南康 信丰 于都 兴国 会昌 宁都 赣县 大余 上犹 崇义 安远 定南 全南 寻乌 石城",
    ),
    ("Jian", "吉安", 2, 11, "井冈山 吉水 泰和 万安 遂川 永丰 新干 峡江 安福 永新 青原"),
    ("Yichun", "宜春", 1, 10, "丰城 樟树 高安 上高 宜丰 奉新 万载 靖安 铜鼓 袁州"),
    ("Fuzhou", "抚州", 1, 9, "东乡 南城 崇仁 金溪 乐安 宜黄 南丰 黎川 资溪"),
    ("Shangrao", "上饶", 2, 8, "玉山 德兴 广丰 铅山 弋阳 横峰 万年 鄱阳"),
)
BOOLEAN_COLUMNS = ("serious_violation", "national_green_park")
COLUMNS = (
    "zone_id",
    "zone_name",
    "city",
    "level",
    "year",
    "revenue_growth",
    "major_projects",
    "lead_industry_share",
    "high_tech_share",
    "rd_intensity",
    "innovation_platforms",
    "foreign_capital",
    "export_share",
    "tax_revenue",
    "industrial_land",
    "plot_ratio",
    "energy_intensity",
    "solid_waste_utilisation",
    "online_service_rate",
    "standard_land_share",
    "central_findings",
    "provincial_findings",
    "central_cases",
    "provincial_cases",
    "larger_accidents",
    "serious_violation",
    "national_designations",
    "national_green_park",
)


def _zones() -> pd.DataFrame:
    """Return the 103 zones: id, a unique Chinese name, city and level (national first)."""
    rows = []
    for city, zh, national, provincial, counties in CITIES:
        free = counties.split()
        if len(free) != max(national - 2, 0) + provincial:
            raise ValueError(f"{city}: the counties do not match the zones")
        names = [zh + HTZ, zh + ETDZ][:national]
        names += [zh + free.pop(0) + ETDZ for _ in range(national - len(names))]
        rows += [(city, name, "national") for name in names]
        rows += [(city, zh + county + IZ, "provincial") for county in free]
    zones = pd.DataFrame(rows, columns=["city", "zone_name", "level"])
    zones = zones.sort_values("level", kind="stable").reset_index(drop=True)
    zones.insert(0, "zone_id", [f"KF{i:03d}" for i in range(1, len(zones) + 1)])
    if zones["zone_name"].duplicated().any():
        raise ValueError("zone names are not unique")
    return zones


def _mix(rng: np.random.Generator, q: np.ndarray, loading: float) -> np.ndarray:
    """A standard-normal variable correlated ``loading`` with the quality score ``q``."""
    return loading * q + np.sqrt(1.0 - loading**2) * rng.standard_normal(q.size)


def _spread(
    rng: np.random.Generator, q: np.ndarray, centre: float, sd: float, low: float, high: float
) -> np.ndarray:
    """A figure around ``centre`` that rises with quality, held within ``[low, high]``."""
    return np.clip(centre + sd * _mix(rng, q, 0.6), low, high)


def generate() -> pd.DataFrame:
    """Return the 2022 table, one row per zone."""
    rng = np.random.default_rng(SEED)
    zones = _zones()
    n = len(zones)
    national = (zones["level"] == "national").to_numpy()
    q = rng.standard_normal(n) + 0.8 * national
    y = pd.DataFrame(index=zones.index)
    y["year"] = YEAR
    y["revenue_growth"] = np.round(_spread(rng, q, 8.0, 5.0, -12.0, 30.0), 1)
    y["major_projects"] = rng.poisson(np.exp(1.0 + 0.45 * _mix(rng, q, 0.6) + 0.5 * national))
    y["lead_industry_share"] = np.round(_spread(rng, q, 54.0, 11.0, 22.0, 88.0), 1)
    # 2020: 39.37 % on average, 86.21 % at the highest
    y["high_tech_share"] = np.round(_spread(rng, q, 39.0, 15.0, 4.0, 86.2), 1)
    y["rd_intensity"] = np.round(_spread(rng, q, 1.6, 0.7, 0.2, 4.5), 2)
    y["innovation_platforms"] = rng.poisson(np.exp(1.3 + 0.5 * _mix(rng, q, 0.6) + 0.9 * national))
    capital = np.exp(7.4 + 1.1 * _mix(rng, q, 0.6) + 1.2 * national)
    y["foreign_capital"] = np.round(capital.clip(50.0, 150_000.0)).astype(int)
    y["export_share"] = np.round(_spread(rng, q, 11.0, 7.0, 0.0, 45.0), 1)
    land = np.round(np.exp(8.6 + 0.5 * rng.standard_normal(n) + 0.9 * national), -1)
    y["industrial_land"] = land.astype(int)
    tax_per_mu = np.clip(np.exp(2.6 + 0.45 * _mix(rng, q, 0.6)), 2.0, 60.0)
    y["tax_revenue"] = np.round(tax_per_mu * land / 10_000.0, 2)
    # Jiangxi's parks were about half the coastal level (1.19)
    y["plot_ratio"] = np.round(_spread(rng, q, 0.7, 0.18, 0.3, 1.4), 2)
    y["energy_intensity"] = np.round(np.clip(0.6 - 0.15 * _mix(rng, q, 0.6), 0.2, 1.6), 3)
    y["solid_waste_utilisation"] = np.round(_spread(rng, q, 82.0, 8.0, 50.0, 99.5), 1)
    # 95.24 % of services online across Jiangxi's zones in 2020
    y["online_service_rate"] = np.round(_spread(rng, q, 92.0, 4.0, 70.0, 100.0), 1)
    y["standard_land_share"] = np.round(_spread(rng, q, 45.0, 15.0, 0.0, 90.0), 1)
    weak = np.exp(-0.5 * q)
    y["central_findings"] = rng.poisson(0.3 * weak)
    y["provincial_findings"] = rng.poisson(0.6 * weak)
    y["central_cases"] = rng.poisson(0.04 * weak)
    y["provincial_cases"] = rng.poisson(0.15 * weak)
    y["larger_accidents"] = rng.poisson(0.05 * weak)
    y["serious_violation"] = rng.random(n) < 0.02
    y["national_designations"] = rng.poisson(0.25 + 0.35 * national)
    y["national_green_park"] = rng.random(n) < 0.03 + 0.07 * national
    _plant_cases(y, q, national)
    return pd.concat([zones, y], axis=1)[list(COLUMNS)]


def _plant_cases(y: pd.DataFrame, q: np.ndarray, national: np.ndarray) -> None:
    """Cases the docs walk through: the best national zone with a serious violation, and the
    provincial zone with the most findings over the 3-point cap on inspection deductions."""
    best_national = int(np.argmax(np.where(national, q, -np.inf)))
    y.loc[best_national, "serious_violation"] = True
    worst_provincial = int(np.argmin(np.where(national, np.inf, q)))
    y.loc[worst_provincial, ["central_findings", "provincial_findings"]] = [8, 6]


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
