"""Stage 4, aggregate: child scores to dimension scores and the total, one implementation for all.

Every parent, whatever its level and aggregation, is a segment of a children × rows matrix,
aggregated by aggregate_segments. The arithmetic dimensions of one level go in one call; the
others and the total one parent a call, summed with ndarray.sum, whose rounding differs from
np.add.reduceat in the last bit: so results stay bit-identical to earlier releases. A child that
is NaN has dropped out and its weight is re-spread over its siblings, row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from greenscore.engine.compile import DimensionStep

if TYPE_CHECKING:
    from greenscore.engine.plan import Plan
    from greenscore.engine.scores import Scores


@dataclass(frozen=True)
class Segments:
    """Parents aggregated in one call: their children's rows, weights, and each parent's span."""

    how: str
    batched: bool
    parents: np.ndarray
    children: np.ndarray
    weights: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray

    @cached_property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """(first child, number of children) of each parent, as Python ints."""
        return tuple(zip(self.starts.tolist(), self.sizes.tolist(), strict=True))

    @cached_property
    def longest(self) -> int:
        """The most children any parent has."""
        return int(self.sizes.max(initial=0))


def segments(
    how: str,
    parents: list[int],
    children: list[np.ndarray],
    weights: list[np.ndarray],
    *,
    batched: bool = False,
) -> Segments:
    """Pack parents (with their children's node rows and normalised weights) into one call.

    Unbatched calls take exactly one parent.
    """
    sizes = np.array([len(c) for c in children], dtype=np.intp)
    return Segments(
        how,
        batched,
        np.array(parents, dtype=np.intp),
        np.concatenate(children),
        np.concatenate(weights),
        np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp),
        sizes,
    )


def compile_levels(
    dimensions: list[DimensionStep], children: list[np.ndarray]
) -> list[list[Segments]]:
    """Dimensions by depth, deepest first, each level split by aggregation kind."""
    depth = max(len(d.path) for d in dimensions)
    levels = []
    for level in range(depth, 0, -1):
        dims = [i for i, d in enumerate(dimensions) if len(d.path) == level]
        arithmetic = [i for i in dims if dimensions[i].spec.aggregation == "arithmetic"]
        calls = [[i] for i in dims if i not in arithmetic]
        calls = ([arithmetic] if arithmetic else []) + calls
        levels.append(
            [
                segments(
                    dimensions[chosen[0]].spec.aggregation,
                    chosen,
                    [children[i] for i in chosen],
                    [dimensions[i].weights for i in chosen],
                    batched=chosen is arithmetic,
                )
                for chosen in calls
            ]
        )
    return levels


REDUCEAT_RUN = 8
"""The most children whose sum np.add.reduceat adds in plain order (see _sum)."""


def _sum(x: np.ndarray, seg: Segments) -> np.ndarray:
    """Each segment's sum over its children (segments × rows).

    Batched segments of at most REDUCEAT_RUN children are added row by row in the order
    np.add.reduceat adds them (the first child + (0 + the second + the third …)), bit for bit,
    several times faster than it over axis 0; longer ones go through np.add.reduceat itself.
    """
    if not seg.batched:
        return np.asarray(x.sum(axis=0, keepdims=True))
    if seg.longest > REDUCEAT_RUN:
        return np.add.reduceat(x, seg.starts, axis=0)
    out = np.empty((len(seg.spans), x.shape[1]))
    for p, (start, size) in enumerate(seg.spans):
        row = out[p]
        if size == 1:
            row[...] = x[start]
            continue
        np.add(0.0, x[start + 1], out=row)
        for child in range(start + 2, start + size):
            row += x[child]
        np.add(x[start], row, out=row)
    return out


def _first_minimum(
    masked: np.ndarray, value: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """1.0 at the first child holding its segment's minimum (as argmin picks), 0.0 elsewhere."""
    hit = masked == np.repeat(value, sizes, axis=0)
    seen = np.cumsum(hit, axis=0)
    before = np.repeat(seen[starts] - hit[starts], sizes, axis=0)
    return np.asarray((hit & (seen - before == 1)).astype(float))


def aggregate_segments(
    kids: np.ndarray, seg: Segments, scale_min: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aggregate child scores (children × rows, NaN = dropped) segment by segment.

    Returns each parent's score (NaN when no child with weight is left), each child's row-wise
    normalised weight, and each child's additive contribution to (score − scale minimum).
    Callers hold np.errstate(all="ignore").
    """
    starts, sizes = seg.starts, seg.sizes
    present = ~np.isnan(kids)
    w = seg.weights[:, None] * present
    total_w = _sum(w, seg)
    empty = total_w <= 0
    w /= np.repeat(np.where(empty, 1.0, total_w), sizes, axis=0)
    contrib = np.where(present, kids - scale_min, 0.0)
    contrib *= w
    if seg.how == "arithmetic":
        value = _sum(contrib, seg)
    else:
        above = np.where(present, kids - scale_min, 0.0)
        base = _sum(contrib, seg)
        if seg.how == "geometric":
            logs = np.where(w > 0, np.log(above) * w, 0.0)
            value = np.exp(_sum(logs, seg))
        else:
            masked = np.where(w > 0, above, np.inf)
            value = np.minimum.reduceat(masked, starts, axis=0)
            contrib = _first_minimum(masked, value, starts, sizes)
            base = np.ones_like(value)
        scale = np.repeat(value / base, sizes, axis=0)
        contrib = np.where(np.repeat(base > 0, sizes, axis=0), contrib * scale, 0.0)
        contrib = np.where(np.repeat(empty, sizes, axis=0), 0.0, contrib)
    return np.where(empty, np.nan, value + scale_min), w, contrib


def segment_values(kids: np.ndarray, seg: Segments, scale_min: float) -> np.ndarray:
    """Each parent's score alone, by the same arithmetic as aggregate_segments (bit for bit),
    without the children's weights and contributions. Callers hold np.errstate(all="ignore")."""
    present = ~np.isnan(kids)
    w = seg.weights[:, None] * present
    total_w = _sum(w, seg)
    empty = total_w <= 0
    w /= np.repeat(np.where(empty, 1.0, total_w), seg.sizes, axis=0)
    above = np.where(present, kids - scale_min, 0.0)
    if seg.how == "arithmetic":
        above *= w
        value = _sum(above, seg)
    elif seg.how == "geometric":
        value = np.exp(_sum(np.where(w > 0, np.log(above) * w, 0.0), seg))
    else:
        value = np.minimum.reduceat(np.where(w > 0, above, np.inf), seg.starts, axis=0)
    value += scale_min
    value[empty] = np.nan
    return value


def aggregate_block(plan: Plan, node_score: np.ndarray, total: np.ndarray) -> None:
    """Dimension scores and the weighted total of a block of rows, in place: node_score is
    nodes × rows with the indicator scores filled in; total receives the weighted total."""
    for level in plan.levels:
        for seg in level:
            node_score[seg.parents] = segment_values(node_score[seg.children], seg, plan.scale_min)
    root = plan.root
    total[...] = segment_values(node_score[root.children], root, plan.scale_min)[0]


def aggregate(
    plan: Plan, indicator_score: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dimension scores, the weighted total, and every node's local weight and contribution.

    indicator_score is indicators × rows; the other arrays are nodes × rows (dimensions first).
    """
    n_dim, n_ind = len(plan.dimensions), len(plan.indicators)
    node_score = np.empty((n_dim + n_ind, n))
    node_score[n_dim:] = indicator_score
    local_w = np.zeros((n_dim + n_ind, n))
    local_contrib = np.zeros((n_dim + n_ind, n))
    for level in plan.levels:
        for seg in level:
            value, local_w[seg.children], local_contrib[seg.children] = aggregate_segments(
                node_score[seg.children], seg, plan.scale_min
            )
            node_score[seg.parents] = value
    root = plan.root
    value, local_w[root.children], local_contrib[root.children] = aggregate_segments(
        node_score[root.children], root, plan.scale_min
    )
    return node_score[:n_dim], value[0], local_w, local_contrib


def attribute(plan: Plan, s: Scores) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Effective weights and contributions of dimensions and indicators (each rows × items)."""
    n, n_dim = s.n, len(plan.dimensions)
    local_w, local_contrib = s.local_w, s.local_contrib
    dim_score = s.dimension_exact.T
    dim_weight = np.empty((n_dim, n))
    dim_contribution = np.empty((n_dim, n))
    factor = np.empty((n_dim, n))
    with np.errstate(all="ignore"):
        for d, step_d in enumerate(plan.dimensions):
            if step_d.parent is None:
                dim_weight[d] = local_w[d]
                dim_contribution[d] = local_contrib[d]
            else:
                dim_weight[d] = dim_weight[step_d.parent] * local_w[d]
                dim_contribution[d] = local_contrib[d] * factor[step_d.parent]
            above = dim_score[d] - plan.scale_min
            factor[d] = np.where(above > 0, dim_contribution[d] / above, 0.0)
    ind_weight = dim_weight[plan.indicator_parent] * local_w[n_dim:]
    ind_contribution = local_contrib[n_dim:] * factor[plan.indicator_parent]
    return dim_weight.T, dim_contribution.T, ind_weight.T, ind_contribution.T
