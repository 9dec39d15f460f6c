"""Time writing a results CSV of N rows: greenscore's write_csv against pandas' to_csv of the same
escaped table (what write_csv did before issue 11), and check that both write the same bytes.

The table is the Jiangxi 2016 results, repeated to N rows with every float column jittered so
that its numbers are not the same 94 values again. Usage: python benchmarks/csv_write.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import greenscore
from greenscore.io import escape_frame, make_provenance, write_csv

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jiangxi"


def results_table(rows: int) -> pd.DataFrame:
    """The Jiangxi results repeated to ``rows`` rows, float columns jittered."""
    batch = greenscore.assess(EXAMPLES / "parks_2016.csv", previous=EXAMPLES / "parks_2015.csv")
    base = batch.results.reset_index()
    frame = base.iloc[np.arange(rows) % len(base)].reset_index(drop=True)
    rng = np.random.default_rng(0)
    for name in frame.columns:
        if frame[name].dtype == np.float64:
            noise = np.round(rng.normal(0, 5, rows), 1)
            frame[name] = frame[name].to_numpy() + noise
    return frame


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    frame = results_table(rows)
    prov = make_provenance(
        rubric_name="bench", rubric_version="1", rubric_sha256="0" * 64, now=datetime.now(UTC)
    )
    with tempfile.TemporaryDirectory() as folder:
        fast, slow = Path(folder) / "fast.csv", Path(folder) / "pandas.csv"
        start, cpu = time.perf_counter(), time.process_time()
        write_csv(fast, frame, prov)
        fast_s, fast_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        escape_frame(frame).to_csv(slow, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        slow_s, slow_cpu = time.perf_counter() - start, time.process_time() - cpu
        same = fast.read_bytes() == slow.read_bytes()
        size = fast.stat().st_size
    print(f"{rows:,} rows x {frame.shape[1]} columns, {size / 2**20:.0f} MiB")
    print(f"write_csv (pyarrow, with provenance): {fast_s:.2f} s wall, {fast_cpu:.2f} s CPU")
    print(f"pandas to_csv of the escaped table:   {slow_s:.2f} s wall, {slow_cpu:.2f} s CPU")
    print(f"identical bytes: {same}")


if __name__ == "__main__":
    main()
