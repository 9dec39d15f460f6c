"""The fused scoring kernel: normalise, scale and aggregate rows in cache-sized blocks.

Each block runs every per-row stage on a slice of rows small enough to stay in cache and writes
into preallocated nodes × rows outputs. Every element goes through the same arithmetic as a
whole-batch call, so results do not depend on the block size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from greenscore.engine.aggregate import aggregate, aggregate_block
from greenscore.engine.normalise import IndicatorFault, Normalising
from greenscore.engine.places import Pools

if TYPE_CHECKING:
    from greenscore.engine.plan import Plan

BLOCK_ROWS = 16384
"""Rows per block: a few nodes × rows matrices of this width fit in a core's L2 cache."""


def blocks(n: int, size: int = BLOCK_ROWS) -> list[tuple[int, int]]:
    """Row ranges of `size` rows, the last one taking the remainder too: never a block of a few
    rows, whose reductions numpy may order differently."""
    count = max(1, n // size)
    edges = [k * size for k in range(count)] + [n]
    return list(pairwise(edges))


@dataclass(frozen=True)
class Kernel:
    """What the kernel computes: statuses, scores and dimension scores (nodes × rows), the
    weighted totals, the indicators' faults, and the raw and normalised values (indicators ×
    rows) through ``normalised``: kept from a batch of one block, worked out again on first
    use from a larger one, whose later stages do not need them. A batch of one block keeps the
    nodes' local weights and contributions too (``local``), as explanations of it read them."""

    status: np.ndarray
    score: np.ndarray
    dimension: np.ndarray
    total: np.ndarray
    faults: tuple[IndicatorFault, ...]
    normalised: Callable[[], tuple[np.ndarray, np.ndarray]]
    local: tuple[np.ndarray, np.ndarray] | None


def run_kernel(
    plan: Plan,
    values: Mapping[str, np.ndarray],
    cohorts: Sequence[Mapping[str, Any]],
    n: int,
    pools: Pools,
    block_rows: int = BLOCK_ROWS,
) -> Kernel:
    """Statuses, scores, dimension scores and weighted totals of n rows, block by block.

    Callers hold np.errstate(all="ignore").
    """
    normalising = Normalising(plan.normaliser, values, cohorts, n, pools)
    n_dim, n_ind = len(plan.dimensions), len(plan.indicators)
    node = np.empty((n_dim + n_ind, n))
    total = np.empty(n)
    span = (plan.high - plan.low)[:, None]
    low = plan.low[:, None]
    spans = blocks(n, block_rows)
    width = max(hi - lo for lo, hi in spans)
    raw, u = np.empty((n_ind, width)), np.empty((n_ind, width))
    local = None
    for lo, hi in spans:
        block_u = u[:, : hi - lo]
        exact = normalising.block(lo, hi, raw[:, : hi - lo], block_u)
        score = node[n_dim:, lo:hi]
        np.multiply(span, block_u, out=score)
        score += low
        for position, given in exact.items():
            score[position] = np.where(np.isnan(given), score[position], given)
        if len(spans) == 1:
            node[:n_dim], total[...], *weights = aggregate(plan, score, n)
            local = weights[0], weights[1]
        else:
            aggregate_block(plan, node[:, lo:hi], total[lo:hi])
    if len(spans) == 1:
        kept = raw, u
        normalised: Callable[[], tuple[np.ndarray, np.ndarray]] = lambda: kept  # noqa: E731
    else:
        normalised = partial(_normalised, normalising, spans)
    return Kernel(
        normalising.status,
        node[n_dim:],
        node[:n_dim],
        total,
        normalising.faults,
        normalised,
        local,
    )


def _normalised(
    normalising: Normalising, spans: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Raw and normalised values of every row (indicators × rows), block by block as the kernel
    worked them out."""
    n_ind = len(normalising.normaliser.steps)
    raw, u = np.empty((n_ind, normalising.n)), np.empty((n_ind, normalising.n))
    with np.errstate(all="ignore"):
        for lo, hi in spans:
            normalising.block(lo, hi, raw[:, lo:hi], u[:, lo:hi])
    return raw, u
