"""make bench: greenscore's speed and memory as ratios to the hand-written numpy baseline.

Times one evaluate() and batches through the compiled plan (and assess() when available), each
against benchmarks/baseline.py on the same data in the same run. Then checks the wall-clock limits
that the test suite leaves out, since its timings depend on the machine and its load; exits 1 if
one is exceeded.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
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
from greenscore.rubric.formula import parse_formula  # noqa: E402

DATA = HERE.parent / "examples" / "jiangxi" / "parks_2016.csv"
PREVIOUS = DATA.with_name("parks_2015.csv")


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


def billion_laughs() -> str:
    """A YAML document of nested aliases that would expand to 9**12 nodes if loaded naively."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def refuse(text: str) -> None:
    from greenscore.errors import RubricError
    from greenscore.rubric.safe_yaml import load_located

    try:
        load_located(text)
    except RubricError:
        return
    raise AssertionError("the YAML bomb was loaded")


def html_report(batch: Any) -> None:
    from greenscore.report import write_html

    with tempfile.TemporaryDirectory() as folder:
        write_html(batch, Path(folder) / "report.html")


def time_limits() -> list[tuple[str, float, float]]:
    """(what, seconds taken, limit in seconds) for each timing the test suite does not assert."""
    formula = parse_formula("a / b * 100")
    env = {"a": np.array([3.0]), "b": np.array([2.0])}
    bomb = billion_laughs()
    batch = greenscore.assess(DATA, previous=PREVIOUS)
    return [
        ("formula a / b * 100, one row", best_time(lambda: formula(env), 5, 200), 50e-6),
        ("YAML alias bomb refused", best_time(lambda: refuse(bomb), 1, 1), 5.0),
        ("HTML report, 94 parks with gaps", best_time(lambda: html_report(batch), 1, 1), 60.0),
    ]


def check_limits() -> bool:
    """Print each timed check against its limit; whether all of them hold."""
    print(f"{'limit':<36}{'taken':>12}  {'max':>10}")
    ok = True
    for name, taken, limit in time_limits():
        held = taken < limit
        ok &= held
        print(f"{name:<36}{_seconds(taken):>12}  {_seconds(limit):>10}  {'ok' if held else 'SLOW'}")
    return ok


def _seconds(value: float) -> str:
    return f"{value * 1e6:.1f} µs" if value < 1e-3 else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="batch size (default 1e6)")
    parser.add_argument("--limits-only", action="store_true", help="only the timed checks")
    args = parser.parse_args()
    if not args.limits_only:
        ratios(args.rows)
        print()
    if not check_limits():
        sys.exit(1)


def ratios(n_rows: int) -> None:
    """Print each measure and its ratio to the hand-written numpy baseline."""
    frame = pd.read_csv(DATA)
    rubric = greenscore.default_rubric()
    plan = compile_rubric(rubric)
    profile = frame.iloc[5].to_dict()
    one_row = columns_for(frame.iloc[[5]])

    single = best_time(lambda: greenscore.evaluate(profile), repeat=7, number=400)
    single_score = best_time(lambda: plan.score(one_row, 1), repeat=7, number=400)
    single_base = best_time(lambda: baseline.score(one_row), repeat=7, number=400)

    rng = np.random.default_rng(7)
    picks = rng.integers(0, len(frame), n_rows)
    base_cols = columns_for(frame)
    big = {name: values[picks] for name, values in base_cols.items()}
    batch = best_time(lambda: plan.score(big, n_rows), repeat=3, number=1)
    batch_base = best_time(lambda: baseline.score(big), repeat=3, number=1)
    memory = peak_memory(lambda: plan.score(big, n_rows))
    memory_base = peak_memory(lambda: baseline.score(big))

    rows = [
        ("evaluate(), one profile", single * 1e6, "µs", single / single_base),
        ("plan.score, one row", single_score * 1e6, "µs", single_score / single_base),
        (f"plan.score, {n_rows:,} rows", batch, "s", batch / batch_base),
        (f"peak memory, {n_rows:,} rows", memory / 2**20, "MiB", memory / memory_base),
    ]
    assess = getattr(greenscore, "assess", None)
    if assess is not None:
        big_frame = frame.iloc[picks % len(frame)].reset_index(drop=True)
        big_frame["park_id"] = [f"P{i:07d}" for i in range(len(big_frame))]
        assessed = best_time(lambda: assess(big_frame), repeat=1, number=1)
        rows.append((f"assess(DataFrame), {n_rows:,} rows", assessed, "s", assessed / batch_base))
    print(
        f"baseline: hand-written numpy ({single_base * 1e6:.1f} µs one row, "
        f"{batch_base:.3f} s for {n_rows:,} rows, {memory_base / 2**20:.0f} MiB peak)"
    )
    print(f"{'measure':<36}{'value':>12}  {'unit':<5}{'× baseline':>12}")
    for name, value, unit, ratio in rows:
        print(f"{name:<36}{value:>12.2f}  {unit:<5}{ratio:>12.1f}")


if __name__ == "__main__":
    main()
