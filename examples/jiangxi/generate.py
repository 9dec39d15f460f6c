"""Generate the synthetic Jiangxi industrial-park panel: 94 parks, 2015 and 2016.

The 2015 aggregates follow Lu & Jiao (2018), Chemical Engineering Transactions 66, 1441-1446.
Usage: ``python examples/jiangxi/generate.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2018
HERE = Path(__file__).resolve().parent

HTZ, ETDZ, IP = "高新技术产业开发区", "经济技术开发区", "工业园区"

# city, Chinese name, parks, national, provincial key (Table 2), type of first park, counties
CITIES: tuple[tuple[str, str, int, int, int, str, str], ...] = (
    ("Nanchang", "南昌", 9, 3, 2, HTZ, "小蓝 新建 进贤 安义 青山湖 桑海 湾里"),
    ("Jingdezhen", "景德镇", 3, 1, 1, HTZ, "乐平 浮梁"),
    ("Pingxiang", "萍乡", 3, 1, 1, ETDZ, "湘东 芦溪"),
    (
        "Jiujiang",
        "九江",
        14,
        1,
        2,
        ETDZ,
        "瑞昌 湖口 彭泽 永修 德安 共青城 武宁 修水 都昌 星子 城西 柴桑 濂溪",
    ),
    ("Xinyu", "新余", 2, 1, 1, HTZ, "分宜"),
    ("Yingtan", "鹰潭", 3, 1, 2, HTZ, "贵溪 余江"),
    (
        "Ganzhou",
        "赣州",
        16,
        3,
        1,
        ETDZ,
        "龙南 瑞金 南康 信丰 于都 兴国 会昌 宁都 赣县 大余 上犹 崇义 安远 定南",
    ),
    (
        "Jian",
        "吉安",
        13,
        1,
        2,
        ETDZ,
        "井冈山 吉水 泰和 万安 遂川 永丰 新干 峡江 安福 永新 青原 吉州",
    ),
    ("Yichun", "宜春", 10, 1, 3, ETDZ, "丰城 樟树 高安 上高 宜丰 奉新 万载 靖安 铜鼓"),
    ("Fuzhou", "抚州", 10, 1, 2, HTZ, "东乡 南城 崇仁 金溪 乐安 宜黄 南丰 黎川 资溪"),
    ("Shangrao", "上饶", 11, 1, 3, ETDZ, "玉山 德兴 广丰 铅山 弋阳 横峰 万年 余干 鄱阳 婺源"),
)
CITY_EFFECT = {
    "Nanchang": 0.5,
    "Jiujiang": 0.25,
    "Xinyu": 0.2,
    "Yingtan": 0.2,
    "Ganzhou": 0.1,
    "Shangrao": 0.1,
    "Yichun": 0.1,
    "Fuzhou": -0.1,
}
LEVEL_EFFECT = {"national": 1.9, "provincial_key": 0.9, "other": 0.0}

# main business income brackets in 亿元 with their 2015 park counts (Table 1), largest first
INCOME_BRACKETS = (
    (1000.0, 1600.0, 4),
    (500.0, 1000.0, 12),
    (300.0, 500.0, 14),
    (200.0, 300.0, 17),
    (100.0, 200.0, 28),
    (15.0, 100.0, 19),
)
INCOME_TOTAL_2015 = 25_600.0
PROFITS_TAXES_2015 = 2_973.2
LEADING_INDUSTRY_COUNTS = {1: 2, 2: 6, 3: 13, 4: 31, 5: 27, 6: 15}
CLUSTER_CAP = 980.0
STAGES = ("initial", "single_coverage", "integration", "innovation")
MODES = ("government_led", "mixed", "market_led")
GREEN_ITEMS = {
    "green_plan": -0.3,
    "central_sewage_treatment": 1.3,
    "circular_transformation": -1.2,
    "cleaner_production_audits": -0.4,
}
REFORM_ITEMS = {
    "large_department_reform": -0.5,
    "flat_management": 0.0,
    "enterprise_service_centre": 1.1,
    "investment_promotion_reform": -0.7,
}
BOOLEAN_COLUMNS = (*GREEN_ITEMS, *REFORM_ITEMS, "falsified_data")

COLUMNS = (
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
)
OUTPUTS = ("parks_2015.csv", "parks_2016.csv", "parks_2015_2016.csv")


def _parks() -> pd.DataFrame:
    """Return the 94 parks: id, a unique Chinese name, city and level."""
    rows = []
    for city, zh, n, n_national, n_key, first, counties in CITIES:
        levels = ["national"] * n_national + ["provincial_key"] * n_key
        levels += ["other"] * (n - len(levels))
        free = iter(counties.split())
        for k, level in enumerate(levels):
            if k == 0:
                name = zh + first
            elif k == 1 and level == "national":
                name = zh + (ETDZ if first == HTZ else HTZ)
            elif level == "national":
                name = zh + next(free) + ETDZ
            elif level == "provincial_key":
                name = zh + next(free) + (ETDZ if (k - n_national) % 2 == 0 else HTZ)
            else:
                name = zh + next(free) + IP
            rows.append((city, name, level))
    parks = pd.DataFrame(rows, columns=["city", "park_name", "level"])
    parks.insert(0, "park_id", [f"JX{i:03d}" for i in range(1, len(parks) + 1)])
    if parks["park_name"].duplicated().any():
        raise ValueError("park names are not unique")
    return parks[["park_id", "park_name", "city", "level"]]


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _mix(rng: np.random.Generator, q: np.ndarray, loading: float) -> np.ndarray:
    """Return a standard-normal variable correlated ``loading`` with the quality score ``q``."""
    return loading * q + np.sqrt(1.0 - loading**2) * rng.standard_normal(q.size)


def _bisect(f: Callable[[float], float], target: float, lo: float, hi: float) -> float:
    """Solve ``f(x) = target`` for a monotone ``f`` on ``[lo, hi]``."""
    rising = f(hi) > f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if (f(mid) < target) == rising:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _incomes(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Place parks into the Table 1 brackets by size rank and hit the published total."""
    order = np.argsort(-size, kind="stable")
    lows, highs, u = np.empty(size.size), np.empty(size.size), np.empty(size.size)
    start = 0
    for low, high, count in INCOME_BRACKETS:
        members = order[start : start + count]
        lows[members], highs[members] = low, high
        u[members] = np.sort(rng.beta(1.3, 1.8, count))[::-1]
        start += count

    def total(p: float) -> float:
        return float(np.sum(lows + u**p * (highs - lows)))

    p = _bisect(total, INCOME_TOTAL_2015, 0.05, 20.0)
    income = np.round(lows + u**p * (highs - lows), 2)
    return np.clip(income, lows, highs - 0.01)


def _soft_cap(x: np.ndarray, cap: float) -> np.ndarray:
    return x / (1.0 + (x / cap) ** 4) ** 0.25


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _pick(rng: np.random.Generator, weight: np.ndarray, k: int) -> np.ndarray:
    return rng.choice(weight.size, size=k, replace=False, p=weight / weight.sum())


def _incidents(rng: np.random.Generator, q: np.ndarray, majors: int) -> dict[str, np.ndarray]:
    n = q.size
    risk = np.exp(-0.8 * q)
    major = np.zeros(n, dtype=np.int64)
    major[_pick(rng, risk, majors)] = 1
    serious = np.zeros(n, dtype=np.int64)
    hit = _pick(rng, risk, 6)
    serious[hit[:5]], serious[hit[5]] = 1, 2
    findings = np.minimum(rng.poisson(0.75 * np.exp(-0.45 * q)), 6)
    return {"major_incidents": major, "serious_incidents": serious, "inspection_findings": findings}


def _stage(index: np.ndarray, noise: np.ndarray) -> np.ndarray:
    return np.digitize(index + noise, [48.0, 66.0, 80.0])


def _year_2015(
    rng: np.random.Generator, parks: pd.DataFrame, size: np.ndarray, q: np.ndarray
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Draw the 2015 cross-section; also return the latent draws that 2016 reuses."""
    n = q.size
    national = (parks["level"] == "national").to_numpy()
    income = _incomes(rng, size)

    rate = 0.115 + 0.009 * _mix(rng, q, 0.5)
    shift = _bisect(
        lambda s: float(np.sum(income * np.clip(rate + s, 0.101, 0.129))),
        PROFITS_TAXES_2015,
        -0.03,
        0.03,
    )
    rate = np.clip(rate + shift, 0.101, 0.129)

    density = np.maximum(_soft_cap(7.3 * np.exp(0.5 * _mix(rng, q, 0.8)), 21.0), 2.1)
    land = np.round(income / density * 100.0, 1)

    leaders = np.minimum(rng.poisson(income / 55.0 * np.exp(0.2 * q)), 40)
    leaders = np.minimum(leaders, np.floor(income / 10.0).astype(np.int64))

    focus = np.argsort(-(0.5 * q + rng.standard_normal(n)), kind="stable")
    industries = np.empty(n, dtype=np.int64)
    industries[focus] = np.repeat(
        list(LEADING_INDUSTRY_COUNTS), list(LEADING_INDUSTRY_COUNTS.values())
    )
    share = np.clip(52.0 + 4.0 * (4 - industries) + 9.0 * _mix(rng, q, 0.5), 20.0, 85.0)
    cluster_fraction = rng.uniform(0.65, 0.95, n)

    plot = np.clip(0.56 * np.exp(0.26 * _mix(rng, q, 0.6)), 0.2, 1.4)
    plot *= 0.56 / plot.mean()

    water_missing = np.zeros(n, dtype=bool)
    water_missing[_pick(rng, np.where(national, 0.0, np.exp(-1.2 * q)), 10)] = True
    water = np.clip(64.0 + 12.0 * _mix(rng, q, 0.62), 30.0, 98.0)

    integration = np.clip(62.0 + 12.0 * _mix(rng, q, 0.75), 35.0, 110.0)
    stage_noise = rng.normal(0.0, 4.0, n)

    latent = {
        "rate": rate,
        "density": density,
        "cluster_fraction": cluster_fraction,
        "water_missing": water_missing,
        "stage_noise": stage_noise,
    }
    columns: dict[str, object] = {
        "year": 2015,
        "main_business_income": income,
        "tax_revenue": np.round(income * rate, 2),
        "developed_land": land,
        "leading_enterprises": leaders,
        "leading_industries": industries,
        "lead_industry_share": np.round(share, 1),
        "largest_cluster_income": np.round(
            _soft_cap(income * share / 100.0 * cluster_fraction, CLUSTER_CAP), 2
        ),
        "plot_ratio": np.round(plot, 2),
        "idle_land_share": np.round(np.clip(14.0 - 7.0 * _mix(rng, q, 0.62), 0.0, 40.0), 1),
        "industrial_land_share": np.round(np.clip(60.0 + 8.0 * _mix(rng, q, 0.3), 35.0, 80.0), 1),
        "green_factories": np.minimum(
            rng.poisson(0.6 * np.exp(0.8 * q + 0.25 * np.log(income / 200.0))), 12
        ),
        "solid_waste_utilisation": np.round(
            np.clip(78.0 + 9.0 * _mix(rng, q, 0.62), 40.0, 100.0), 1
        ),
        "water_reuse_rate": np.where(water_missing, np.nan, np.round(water, 1)),
        "energy_intensity": np.round(
            np.clip(0.7 * np.exp(-0.3 * _mix(rng, q, 0.62)), 0.25, 1.6), 3
        ),
    }
    for item, base in GREEN_ITEMS.items():
        columns[item] = rng.random(n) < _logistic(base + 1.1 * q)
    columns["integration_index"] = np.round(integration, 1)
    columns["smart_workshop_share"] = np.round(
        np.clip(8.0 * np.exp(0.5 * _mix(rng, q, 0.62)), 0.0, 45.0), 1
    )
    columns["integration_certified_firms"] = np.minimum(
        rng.poisson(1.2 * np.exp(0.7 * q + 0.3 * np.log(income / 200.0))), 25
    )
    columns["informatization_stage"] = _stage(integration, stage_noise)
    for item, base in REFORM_ITEMS.items():
        columns[item] = rng.random(n) < _logistic(base + 1.0 * q)
    columns["online_service_rate"] = np.round(
        np.clip(66.0 + 10.0 * _mix(rng, q, 0.62), 40.0, 100.0), 1
    )
    columns["standard_land_share"] = np.round(
        np.clip(8.0 + 11.0 * _mix(rng, q, 0.62), 0.0, 80.0), 1
    )
    columns["investment_mode"] = np.digitize(_mix(rng, q, 0.62), [-0.3, 0.9])
    columns.update(_incidents(rng, q, majors=1))
    columns["falsified_data"] = np.zeros(n, dtype=bool)
    return pd.DataFrame(columns), latent


def _drift(x: pd.Series, step: np.ndarray, low: float, high: float, digits: int) -> np.ndarray:
    return np.round(np.clip(x.to_numpy() + step, low, high), digits)


def _year_2016(
    rng: np.random.Generator, y15: pd.DataFrame, q: np.ndarray, latent: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Grow the 2015 cross-section by one plausible year."""
    n = q.size
    y = y15.copy()
    y["year"] = 2016
    growth = np.clip(0.092 + 0.018 * _mix(rng, q, 0.5), 0.04, 0.14)
    income = np.round(y15["main_business_income"].to_numpy() * (1.0 + growth), 2)
    y["main_business_income"] = income
    rate = np.clip(latent["rate"] + rng.normal(0.0, 0.001, n), 0.101, 0.129)
    y["tax_revenue"] = np.round(income * rate, 2)
    y["developed_land"] = np.round(
        y15["developed_land"].to_numpy() * (1.0 + rng.uniform(0.0, 0.05, n)), 1
    )
    y["leading_enterprises"] = np.minimum(
        y15["leading_enterprises"].to_numpy()
        + rng.poisson(0.08 * y15["leading_enterprises"].to_numpy() + 0.05),
        np.minimum(40, np.floor(income / 10.0).astype(np.int64)),
    )
    fours = np.flatnonzero(y15["leading_industries"].to_numpy() == 4)
    consolidate = _pick(rng, np.exp(q[fours]), 2)
    y.loc[fours[consolidate], "leading_industries"] = 3
    share = _drift(y15["lead_industry_share"], rng.normal(0.6, 1.5, n), 20.0, 85.0, 1)
    share[fours[consolidate]] = np.minimum(share[fours[consolidate]] + 4.0, 85.0)
    y["lead_industry_share"] = share
    y["largest_cluster_income"] = np.round(
        _soft_cap(income * share / 100.0 * latent["cluster_fraction"], CLUSTER_CAP), 2
    )
    y["plot_ratio"] = np.round(
        np.clip(y15["plot_ratio"].to_numpy() * rng.uniform(1.0, 1.05, n), 0.2, 1.4), 2
    )
    y["idle_land_share"] = _drift(y15["idle_land_share"], -rng.uniform(0.0, 2.0, n), 0, 40, 1)
    y["industrial_land_share"] = _drift(
        y15["industrial_land_share"], rng.normal(0.0, 1.0, n), 35.0, 80.0, 1
    )
    y["green_factories"] = np.minimum(
        y15["green_factories"].to_numpy() + rng.poisson(0.35 * np.exp(0.5 * q)), 12
    )
    y["solid_waste_utilisation"] = _drift(
        y15["solid_waste_utilisation"], rng.normal(1.0, 1.0, n), 40.0, 100.0, 1
    )
    water = _drift(y15["water_reuse_rate"], rng.normal(1.0, 1.5, n), 30.0, 98.0, 1)
    missing = latent["water_missing"].copy()
    missing[_pick(rng, missing.astype(float), 2)] = False
    fill = np.round(np.clip(55.0 + 8.0 * rng.standard_normal(n), 30.0, 98.0), 1)
    y["water_reuse_rate"] = np.where(missing, np.nan, np.where(np.isnan(water), fill, water))
    y["energy_intensity"] = np.round(
        np.clip(y15["energy_intensity"].to_numpy() * (1.0 - rng.uniform(0.01, 0.06, n)), 0.25, 1.6),
        3,
    )
    for item in (*GREEN_ITEMS, *REFORM_ITEMS):
        y[item] = y15[item].to_numpy() | (rng.random(n) < _logistic(-2.2 + 0.8 * q))
    integration = _drift(y15["integration_index"], rng.uniform(1.0, 4.0, n), 35.0, 110.0, 1)
    y["integration_index"] = integration
    y["smart_workshop_share"] = _drift(
        y15["smart_workshop_share"], rng.uniform(0.0, 3.0, n), 0.0, 45.0, 1
    )
    y["integration_certified_firms"] = np.minimum(
        y15["integration_certified_firms"].to_numpy() + rng.poisson(0.5, n), 25
    )
    y["informatization_stage"] = np.maximum(
        y15["informatization_stage"].to_numpy(), _stage(integration, latent["stage_noise"])
    )
    y["online_service_rate"] = _drift(
        y15["online_service_rate"], rng.uniform(2.0, 8.0, n), 40.0, 100.0, 1
    )
    standard = y15["standard_land_share"].to_numpy()
    step = np.where(standard > 0, rng.uniform(0.0, 5.0, n), rng.uniform(-8.0, 4.0, n))
    y["standard_land_share"] = np.round(np.clip(standard + step, 0.0, 80.0), 1)
    y["investment_mode"] = np.minimum(
        y15["investment_mode"].to_numpy() + (rng.random(n) < 0.08), len(MODES) - 1
    )
    for column, values in _incidents(rng, q, majors=2).items():
        y[column] = values
    falsified = np.zeros(n, dtype=bool)
    falsified[_pick(rng, np.exp(-1.0 * q), 1)] = True
    y["falsified_data"] = falsified
    return y


def generate() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the 2015 and 2016 tables, one row per park."""
    rng = np.random.default_rng(SEED)
    parks = _parks()
    city_effect = parks["city"].map(CITY_EFFECT).fillna(0.0).to_numpy()
    size = parks["level"].map(LEVEL_EFFECT).to_numpy() + city_effect
    size = size + rng.normal(0.0, 0.6, len(parks))
    q = _standardise(0.8 * _standardise(size) + 0.6 * rng.standard_normal(len(parks)))
    y15, latent = _year_2015(rng, parks, size, q)
    y16 = _year_2016(rng, y15, q, latent)
    return _finish(parks, y15), _finish(parks, y16)


def _finish(parks: pd.DataFrame, year: pd.DataFrame) -> pd.DataFrame:
    out = pd.concat([parks, year], axis=1)
    out["informatization_stage"] = np.asarray(STAGES)[out["informatization_stage"].to_numpy()]
    out["investment_mode"] = np.asarray(MODES)[out["investment_mode"].to_numpy()]
    return out[list(COLUMNS)]


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for column in BOOLEAN_COLUMNS:
        out[column] = np.where(out[column].to_numpy(dtype=bool), "true", "false")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write(out_dir: Path) -> list[Path]:
    """Write the three CSV files into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    y15, y16 = generate()
    frames = (y15, y16, pd.concat([y15, y16], ignore_index=True))
    paths = [out_dir / name for name in OUTPUTS]
    for frame, path in zip(frames, paths, strict=True):
        _to_csv(frame, path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)


if __name__ == "__main__":
    main()
