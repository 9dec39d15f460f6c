"""make bench: greenscore's speed and memory as ratios to the hand-written numpy baseline.

Times one evaluate() and batches through the compiled plan (and assess() when available), each
against benchmarks/baseline.py on the same data in the same run.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402

import greenscore  # noqa: E402
from greenscore.engine.plan import compile_rubric  # noqa: E402

DATA = HERE.parent / "examples" / "jiangxi" / "parks_2016.csv"


def best_time(fn: Callable[[], Any], repeat: int, number: int) -> float:
    """Median seconds per call over `repeat` rounds of `number` calls."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def peak_memory(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def columns_for(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    rubric = greenscore.default_rubric()
    validator = compile_rubric(rubric).validator
    columns, problems = validator.columns(
        {c: frame[c].to_numpy() for c in frame.columns}, len(frame)
    )
    assert not problems, problems[:3]
    return columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="batch size (default 1e6)")
    args = parser.parse_args()

    frame = pd.read_csv(DATA)
    rubric = greenscore.default_rubric()
    plan = compile_rubric(rubric)
    profile = frame.iloc[5].to_dict()
    one_row = columns_for(frame.iloc[[5]])

    single = best_time(lambda: greenscore.evaluate(profile), repeat=7, number=400)
    single_score = best_time(lambda: plan.score(one_row, 1), repeat=7, number=400)
    single_base = best_time(lambda: baseline.score(one_row), repeat=7, number=400)

    rng = np.random.default_rng(7)
    picks = rng.integers(0, len(frame), args.rows)
    base_cols = columns_for(frame)
    big = {name: values[picks] for name, values in base_cols.items()}
    batch = best_time(lambda: plan.score(big, args.rows), repeat=3, number=1)
    batch_base = best_time(lambda: baseline.score(big), repeat=3, number=1)
    memory = peak_memory(lambda: plan.score(big, args.rows))
    memory_base = peak_memory(lambda: baseline.score(big))

    rows = [
        ("evaluate(), one profile", single * 1e6, "µs", single / single_base),
        ("plan.score, one row", single_score * 1e6, "µs", single_score / single_base),
        (f"plan.score, {args.rows:,} rows", batch, "s", batch / batch_base),
        (f"peak memory, {args.rows:,} rows", memory / 2**20, "MiB", memory / memory_base),
    ]
    assess = getattr(greenscore, "assess", None)
    if assess is not None:
        big_frame = frame.iloc[picks % len(frame)].reset_index(drop=True)
        big_frame["park_id"] = [f"P{i:07d}" for i in range(len(big_frame))]
        assessed = best_time(lambda: assess(big_frame), repeat=1, number=1)
        rows.append(
            (f"assess(DataFrame), {args.rows:,} rows", assessed, "s", assessed / batch_base)
        )
    print(
        f"baseline: hand-written numpy ({single_base * 1e6:.1f} µs one row, "
        f"{batch_base:.3f} s for {args.rows:,} rows, {memory_base / 2**20:.0f} MiB peak)"
    )
    print(f"{'measure':<36}{'value':>12}  {'unit':<5}{'× baseline':>12}")
    for name, value, unit, ratio in rows:
        print(f"{name:<36}{value:>12.2f}  {unit:<5}{ratio:>12.1f}")


if __name__ == "__main__":
    main()
