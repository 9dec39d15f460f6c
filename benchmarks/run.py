"""make bench: one table of greenscore's speed and memory beside two numpy baselines (issue 11).

The baselines (benchmarks/baseline.py, single-threaded BLAS) score the bundled rubric by hand,
straightforwardly and in cache-sized row blocks. Then assess() at 1%, 10% and all of --rows, the
scoring stage, peak memory against the input, evaluate() median and p95, the CLI on CSV and
Parquet, Dask on a two-worker LocalCluster, and a streamed Parquet file of
GREENSCORE_BENCH_STREAM_ROWS rows (default 10 × --rows). Then the wall-clock limits the test
suite leaves out; exits 1 if one is exceeded.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
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
    parser.add_argument("--rows", type=int, default=1_000_000, help="largest batch (default 1e6)")
    parser.add_argument("--limits-only", action="store_true", help="only the timed checks")
    args = parser.parse_args()
    if not args.limits_only:
        print_table(
            measure(args.rows, int(os.environ.get("GREENSCORE_BENCH_STREAM_ROWS", 10 * args.rows)))
        )
        print()
    if not check_limits():
        sys.exit(1)


def big_frame(frame: pd.DataFrame, n: int, seed: int = 7) -> pd.DataFrame:
    """n rows drawn from the example parks, each with its own id."""
    picks = np.random.default_rng(seed).integers(0, len(frame), n)
    out = frame.iloc[picks].reset_index(drop=True)
    out["park_id"] = [f"P{i:08d}" for i in range(n)]
    return out


def write_parquet_rows(frame: pd.DataFrame, n: int, path: Path, block: int = 1_000_000) -> None:
    """A Parquet file of n rows written a block at a time, so the file can exceed memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    for start in range(0, n, block):
        part = big_frame(frame, min(block, n - start), seed=start)
        part["park_id"] = [f"P{i:08d}" for i in range(start, start + len(part))]
        table = pa.Table.from_pandas(part, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table.cast(writer.schema))
    assert writer is not None
    writer.close()


def cli(args: list[str]) -> tuple[float, float]:
    """Seconds and peak resident MiB of one greenscore command in a fresh process."""
    code = (
        "import resource, sys\n"
        "from greenscore.cli import main\n"
        f"rc = main({args!r})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    taken = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"greenscore {' '.join(args)} failed: {done.stderr[-2000:]}")
    return taken, int(done.stderr.strip().splitlines()[-1]) / 1024


Row = tuple[str, str, str]


def measure(n_rows: int, stream_rows: int) -> list[Row]:
    """Every measure of issue 11 as (what, value, against what)."""
    frame = pd.read_csv(DATA)
    rubric = greenscore.default_rubric()
    plan = compile_rubric(rubric)
    rows: list[Row] = []
    big = big_frame(frame, n_rows)
    cols = columns_for(big)
    plain = best_time(lambda: baseline.score(cols), repeat=3, number=1)
    tuned = best_time(lambda: baseline.score_blocked(cols), repeat=3, number=1)
    plain_mem = peak_memory(lambda: baseline.score(cols))
    tuned_mem = peak_memory(lambda: baseline.score_blocked(cols))
    rows.append((f"numpy straightforward, {n_rows:,}", f"{plain:.3f} s", f"{_mib(plain_mem)} peak"))
    rows.append(
        (f"numpy tuned (row blocks), {n_rows:,}", f"{tuned:.3f} s", f"{_mib(tuned_mem)} peak")
    )
    stage = best_time(lambda: plan.score(cols, n_rows), repeat=3, number=1)
    rows.append(
        (f"scoring stage plan.score, {n_rows:,}", f"{stage:.3f} s", f"{stage / tuned:.1f}× tuned")
    )
    timings = {}
    for n in (n_rows // 100, n_rows // 10, n_rows):
        part = big.iloc[:n].reset_index(drop=True)
        timings[n] = best_time(lambda part=part: greenscore.assess(part), repeat=1, number=1)
        rows.append(
            (
                f"assess(DataFrame), {n:,}",
                f"{timings[n]:.3f} s",
                f"{timings[n] / tuned * n_rows / n:.1f}× tuned, {timings[n] / plain * n_rows / n:.1f}× straightforward",
            )
        )
    growth = timings[n_rows] / timings[n_rows // 10]
    rows.append((f"growth {n_rows // 10:,} → {n_rows:,}", f"×{growth:.1f}", "×10 is linear"))
    size = int(big.memory_usage(deep=True).sum())
    peak = peak_memory(lambda: greenscore.assess(big))
    rows.append(
        (
            f"assess peak extra memory, {n_rows:,}",
            _mib(peak),
            f"{peak / size:.1f}× the {_mib(size)} input",
        )
    )
    profile = frame.iloc[5].to_dict()
    calls = []
    for _ in range(2000):
        start = time.perf_counter()
        greenscore.evaluate(profile)
        calls.append(time.perf_counter() - start)
    calls.sort()
    rows.append(
        (
            "evaluate() one profile, median",
            f"{statistics.median(calls) * 1e6:.0f} µs",
            f"p95 {calls[int(0.95 * len(calls))] * 1e6:.0f} µs",
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        big.to_csv(here / "big.csv", index=False)
        big.to_parquet(here / "big.parquet")
        taken, rss = cli(
            ["assess", str(here / "big.csv"), "-o", str(here / "o1"), "--format", "csv"]
        )
        rows.append((f"CLI CSV → CSV, {n_rows:,}", f"{taken:.1f} s", f"{rss:.0f} MiB peak RSS"))
        taken, rss = cli(
            ["assess", str(here / "big.parquet"), "-o", str(here / "o2"), "--format", "parquet"]
        )
        rows.append(
            (f"CLI Parquet → Parquet, {n_rows:,}", f"{taken:.1f} s", f"{rss:.0f} MiB peak RSS")
        )
        (here / "parts").mkdir()
        for i, start in enumerate(range(0, n_rows, max(n_rows // 4, 1))):
            big.iloc[start : start + n_rows // 4].to_parquet(here / "parts" / f"p{i}.parquet")
        taken, rss = cli(
            [
                "assess",
                str(here / "parts" / "*.parquet"),
                "--engine",
                "dask",
                "-o",
                str(here / "o3"),
            ]
        )
        same = pd.concat(
            pd.read_parquet(p) for p in sorted((here / "o3" / "results").glob("part-*.parquet"))
        )
        rows.append(
            (
                f"Dask 2-worker LocalCluster, {n_rows:,}",
                f"{taken:.1f} s",
                f"{rss:.0f} MiB; totals {'identical' if same['total'].tolist() == greenscore.assess(big).results['total'].tolist() else 'DIFFER'}",
            )
        )
        write_parquet_rows(frame, stream_rows, here / "huge.parquet")
        on_disk = (here / "huge.parquet").stat().st_size
        taken, rss = cli(
            [
                "assess",
                str(here / "huge.parquet"),
                "--chunk-rows",
                "100000",
                "-o",
                str(here / "o4"),
                "--format",
                "parquet",
            ]
        )
        rows.append(
            (
                f"streaming Parquet, {stream_rows:,}",
                f"{taken:.1f} s",
                f"{rss:.0f} MiB peak RSS ({_mib(on_disk)} file)",
            )
        )
    return rows


def _mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def print_table(rows: list[Row]) -> None:
    """The one table of issue 11: measure, value, and what it compares with."""
    print(f"| {'measure':<40} | {'value':>12} | compared with |")
    print(f"|{'-' * 42}|{'-' * 14}|---------------|")
    for name, value, against in rows:
        print(f"| {name:<40} | {value:>12} | {against} |")


if __name__ == "__main__":
    main()
