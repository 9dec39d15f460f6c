"""The bundled Jiangxi rubric written out by hand in numpy: the benchmarks' yardstick.

An independent implementation: it shares no code with greenscore, so tests also use it to check
the engine's totals and tiers on the example data.
"""

from __future__ import annotations

import numpy as np

TIERS = np.array(["excellent", "good", "pass", "fail"])


def _lin(x: np.ndarray, worst: float, best: float) -> np.ndarray:
    return np.clip((x - worst) / (best - worst), 0.0, 1.0)


def _steps(x: np.ndarray, edges: list[float], points: list[float]) -> np.ndarray:
    return np.asarray(points, dtype=float)[np.searchsorted(edges, x, side="right")]


def _checklist(items: list[np.ndarray], at_least: int) -> np.ndarray:
    count = np.sum(items, axis=0)
    return np.where(count >= at_least, count / len(items) * 100.0, 0.0)


def score(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Totals (rounded half up to one decimal) and tier ids for columns of the Jiangxi data."""
    leading = (
        3 * 100 * _lin(c["leading_enterprises"], 0, 10)
        + 2 * 100 * _lin(c["lead_industry_share"], 25, 70)
        + 2 * _steps(c["leading_industries"], [3, 4, 5, 6], [100, 80, 50, 30, 10])
        + 2 * 100 * _lin(np.log10(np.maximum(c["largest_cluster_income"], 1e-300)), 1, 3)
    ) / 9
    with np.errstate(divide="ignore", invalid="ignore"):
        per_km2 = c["main_business_income"] / (c["developed_land"] / 100)
        tax_per_ha = c["tax_revenue"] * 10000 / c["developed_land"]
    mix = 1 - np.clip((np.abs(c["industrial_land_share"] - 55) - 10) / 20, 0, 1)
    land = (
        3 * _steps(c["plot_ratio"], [0.4, 0.6, 0.8, 1.0, 1.2], [20, 45, 65, 80, 90, 100])
        + 2 * 100 * _lin(c["idle_land_share"], 30, 0)
        + 2 * 100 * _lin(per_km2, 2, 15)
        + 2 * 100 * _lin(tax_per_ha, 50, 400)
        + 1 * 100 * mix
    ) / 10
    waste = 60 + 40 * _lin(c["solid_waste_utilisation"], 50, 95)
    energy = 60 + 40 * _lin(c["energy_intensity"], 1.2, 0.35)
    water = np.where(
        np.isnan(c["water_reuse_rate"]), 60.0, 60 + 40 * _lin(c["water_reuse_rate"], 40, 90)
    )
    resources = np.cbrt(waste * energy * water)
    management = (
        100 * _lin(c["green_factories"], 0, 5)
        + _checklist(
            [
                c["green_plan"],
                c["central_sewage_treatment"],
                c["circular_transformation"],
                c["cleaner_production_audits"],
            ],
            2,
        )
    ) / 2
    green = (3 * resources + 2 * management) / 5
    stage = np.array([25.0, 50.0, 80.0, 100.0])[c["informatization_stage"].astype(int)]
    informatization = (
        3 * 100 * _lin(c["integration_index"], 35, 85)
        + 2 * 100 * _lin(c["smart_workshop_share"], 0, 30)
        + 1 * 100 * _lin(c["integration_certified_firms"], 0, 10)
        + stage
    ) / 7
    mode = np.array([40.0, 70.0, 100.0])[c["investment_mode"].astype(int)]
    reform = (
        2
        * _checklist(
            [
                c["large_department_reform"],
                c["flat_management"],
                c["enterprise_service_centre"],
                c["investment_promotion_reform"],
            ],
            2,
        )
        + 100 * _lin(c["online_service_rate"], 50, 95)
        + 100 * _lin(c["standard_land_share"], 0, 60)
        + mode
    ) / 5
    weighted = (20 * leading + 25 * land + 25 * green + 15 * informatization + 15 * reform) / 100
    deductions = c["serious_incidents"] * 1.0 + c["inspection_findings"] * 0.3
    total = np.clip(weighted - deductions, 0, 100)
    total = np.floor(np.round(total * 10, 6) + 0.5) / 10
    dims_ok = np.min([leading, land, green, informatization, reform], axis=0) >= 60
    tier = np.where(
        (total >= 80) & dims_ok, 0, np.where(total >= 65, 1, np.where(total >= 35, 2, 3))
    )
    tier = np.where(c["serious_incidents"] > 0, np.maximum(tier, 1), tier)
    tier = np.where((c["major_incidents"] > 0) | (c["falsified_data"] > 0), 3, tier)
    return total, TIERS[tier]


def score_blocked(c: dict[str, np.ndarray], block: int = 65_536) -> tuple[np.ndarray, np.ndarray]:
    """The tuned baseline: score() on cache-sized row blocks into preallocated outputs, so the
    temporaries stay a block long whatever the table's size."""
    n = len(next(iter(c.values())))
    total = np.empty(n)
    tier = np.empty(n, dtype=TIERS.dtype)
    for start in range(0, n, block):
        part = {k: v[start : start + block] for k, v in c.items()}
        total[start : start + block], tier[start : start + block] = score(part)
    return total, tier
