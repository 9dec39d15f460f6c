"""Issue 11: the fused kernel scores rows block by block; results must not depend on the blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.engine.aggregate import _sum, segments
from greenscore.engine.kernel import blocks, run_kernel
from greenscore.engine.places import Pools
from greenscore.engine.plan import compile_rubric

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "jiangxi" / "parks_2016.csv"


def _columns(plan, n):
    frame = pd.read_csv(DATA)
    raw = {c: frame[c].to_numpy() for c in frame.columns if c in plan.inputs}
    columns, _ = plan.validator.columns(raw, len(frame))
    picks = np.random.default_rng(11).integers(0, len(frame), n)
    out = {name: values[picks].copy() for name, values in columns.items()}
    holes = np.random.default_rng(12).random(n) < 0.1
    for name in list(out)[::3]:
        out[name][holes] = np.nan
    return out


def test_blocks_cover_every_row_once_and_never_leave_a_sliver():
    assert blocks(0, 4) == [(0, 0)]
    assert blocks(3, 4) == [(0, 3)]
    assert blocks(9, 4) == [(0, 4), (4, 9)]
    assert blocks(12, 4) == [(0, 4), (4, 8), (8, 12)]


@pytest.mark.parametrize("sizes", [[1, 2, 3], [5, 8, 4], [8, 8], [2, 7, 1, 6], [9, 3]])
def test_segment_sums_match_reduceat_bit_for_bit(sizes):
    rng = np.random.default_rng(len(sizes))
    x = rng.random((sum(sizes), 257)) * rng.choice([1e-3, 1.0, 1e5], (sum(sizes), 1))
    starts = np.cumsum([0, *sizes[:-1]])
    children = [np.arange(s, s + k) for s, k in zip(starts, sizes, strict=True)]
    seg = segments(
        "arithmetic",
        list(range(len(sizes))),
        children,
        [np.ones(k) for k in sizes],
        batched=True,
    )
    assert np.array_equal(_sum(x, seg), np.add.reduceat(x, starts, axis=0))


def test_kernel_results_do_not_depend_on_the_block_size():
    plan = compile_rubric(greenscore.default_rubric())
    n = 1000
    values = plan.compute_values(_columns(plan, n), n)
    cohorts = [{}]
    with np.errstate(all="ignore"):
        whole = run_kernel(plan, values, cohorts, n, Pools.single(n), block_rows=n)
        small = run_kernel(plan, values, cohorts, n, Pools.single(n), block_rows=37)
    for name in ("status", "score", "dimension", "total"):
        assert np.array_equal(getattr(whole, name), getattr(small, name), equal_nan=True), name
    for kept, again in zip(whole.normalised(), small.normalised(), strict=True):
        assert np.array_equal(kept, again, equal_nan=True)


def test_scores_of_many_blocks_match_one_row_at_a_time():
    plan = compile_rubric(greenscore.default_rubric())
    n = 40_000
    columns = _columns(plan, n)
    batch = plan.score(columns, n)
    for row in (0, 17, 20_000, n - 1):
        one = plan.score({k: v[row : row + 1] for k, v in columns.items()}, 1)
        assert one.total[0] == batch.total[row] or np.isnan(one.total[0] + batch.total[row])
        assert np.array_equal(one.indicator_u[0], batch.indicator_u[row], equal_nan=True)
        assert np.array_equal(one.indicator_raw[0], batch.indicator_raw[row], equal_nan=True)
        assert np.array_equal(
            one.dimension_local_weight[0], batch.dimension_local_weight[row], equal_nan=True
        )
