"""Generate four years (2019–2022) of synthetic development-zone data for the track-record example.

28 zones in two pools (8 national, 20 provincial) with a lasting quality and yearly noise; zone
P19 enters in 2021 (new), zone P07 has no row for 2020 (a gap year), zones P18 and P20 stay weak.
Usage: ``python examples/track-record/generate.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2022
HERE = Path(__file__).resolve().parent
YEARS = (2019, 2020, 2021, 2022)
CITIES = ("Nanchang", "Jiujiang", "Ganzhou", "Ji'an", "Yichun", "Shangrao", "Fuzhou")


def generate() -> pd.DataFrame:
    """The panel, one row per zone and year, with the fixed seed."""
    rng = np.random.default_rng(SEED)
    zones = [(f"N{i:02d}", "national") for i in range(1, 9)]
    zones += [(f"P{i:02d}", "provincial") for i in range(1, 21)]
    quality = rng.normal(0.0, 1.0, len(zones))
    quality[[i for i, (z, _) in enumerate(zones) if z in ("P18", "P20")]] = -2.6
    trend = rng.normal(0.0, 0.25, len(zones))
    rows = []
    for k, (zone, level) in enumerate(zones):
        city = CITIES[k % len(CITIES)]
        for t, year in enumerate(YEARS):
            if (zone == "P19" and year < 2021) or (zone == "P07" and year == 2020):
                continue
            q = quality[k] + trend[k] * t + rng.normal(0.0, 0.35)
            rows.append(
                {
                    "zone_id": zone,
                    "name": f"{city} {level} zone {zone}",
                    "level": level,
                    "year": year,
                    "tax_per_mu": round(float(np.clip(26 + 7 * q, 1, 60)), 2),
                    "va_per_tce": round(float(np.clip(3.2 + 0.8 * q, 0.2, 8)), 3),
                    "one_stop_rate": round(float(np.clip(90 + 5 * q, 50, 100)), 1),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    generate().to_csv(args.out / "zones_2019_2022.csv", index=False)


if __name__ == "__main__":
    main()
