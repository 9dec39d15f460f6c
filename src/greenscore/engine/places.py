"""Places in tiers within pools: ranks, place limits and minimums, and their frozen cut-offs.

Every relative decision happens within a pool (the rows sharing the values of the rubric's pool
columns; one pool when it has none) among its ranked rows (units outside the ranking excluded).
The rules, best tier first for limits and worst tier first for minimums:

* a limit (``top``, ``max_share``, a quantile band ``share``) keeps the best-ranked rows; the
  others drop to the next tier they qualify for;
* a minimum (``bottom``, ``min_share``) pulls the worst-ranked rows of better tiers into the tier;
* rows tied on total at a cut-off are never split: they all take the worse side, so a limit may
  be under-filled and a minimum over-filled, never the other way round;
* a tier forced by a veto is final; forced rows take up places of their tier;
* "better" reads the rubric's way round: where a lower total is better (``total: {better:
  lower}``) the functions here see the merit, minus the total, and frozen cut-offs are kept in
  totals (the highest total a limited tier kept, the lowest a minimum pulled in).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from greenscore.engine.inputs import is_missing
from greenscore.rubric.places import DEFAULT_POOL, for_pool, unnamed_pool

if TYPE_CHECKING:
    from greenscore.engine.plan import Plan
    from greenscore.engine.scores import Scores

QUOTA_KEY = "@tiers"
"""Frozen cut-offs of limited tiers: the lowest total each kept in the base year."""
MINIMUM_KEY = "@tiers_minimum"
"""Frozen cut-offs of tiers with a minimum: the highest total each pulled in the base year."""
POOL_SEPARATOR = " / "
SLACK = 1e-9


def pool_text(value: Any) -> str | None:
    """A pool cell as text (3601.0 reads as 3601), None when empty."""
    if is_missing(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def pool_label(parts: Sequence[str]) -> str:
    """The label of the pool of these pool-column values, e.g. 'national / 南昌'."""
    return POOL_SEPARATOR.join(parts)


@dataclass(frozen=True, eq=False)
class Pools:
    """Which pool each row belongs to: a code per row into the pool labels."""

    labels: tuple[str, ...]
    code: np.ndarray

    @classmethod
    def single(cls, n: int, label: str = "") -> Pools:
        """Every row in one pool."""
        return cls((label,), np.zeros(n, dtype=np.intp))

    @classmethod
    def of(cls, labels: Sequence[str] | np.ndarray | None, n: int) -> Pools:
        """Pools from one label per row (None: every row in one pool)."""
        if labels is None or n == 0:
            return cls.single(n)
        found, code = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
        return cls(tuple(str(x) for x in found), np.asarray(code, dtype=np.intp).reshape(n))

    @cached_property
    def members(self) -> list[np.ndarray]:
        """The rows of each pool, by code."""
        order = np.argsort(self.code, kind="stable")
        bounds = np.searchsorted(self.code[order], np.arange(len(self.labels) + 1))
        return [order[bounds[p] : bounds[p + 1]] for p in range(len(self.labels))]

    def rows(self, index: np.ndarray) -> Pools:
        """The pools of a subset of rows."""
        return Pools(self.labels, self.code[index])


def ranks(tier: np.ndarray, total: np.ndarray, code: np.ndarray | None = None) -> np.ndarray:
    """1 = best within each pool: better tier first, then higher total (pass the merit, minus
    the total, where a lower total is better); equal (tier, total) share the lowest rank
    (1, 1, 3). Rows with a negative pool code are not ranked (0)."""
    n = len(total)
    out = np.zeros(n, dtype=np.int64)
    code = np.zeros(n, dtype=np.intp) if code is None else np.asarray(code)
    keep = np.flatnonzero(code >= 0)
    if keep.size == 0:
        return out
    order = keep[np.lexsort((-total[keep], tier[keep], code[keep]))]
    c, t, s = code[order], tier[order], total[order]
    at = np.arange(len(order))
    new_pool = np.ones(len(order), dtype=bool)
    new_pool[1:] = c[1:] != c[:-1]
    starts = new_pool.copy()
    starts[1:] |= (t[1:] != t[:-1]) | (s[1:] != s[:-1])
    pool_start = np.maximum.accumulate(np.where(new_pool, at, 0))
    first = np.maximum.accumulate(np.where(starts, at, 0))
    out[order] = first - pool_start + 1
    return out


def limits(plan: Plan, n: int, pool: str = "") -> dict[int, int]:
    """The most rows each limited tier holds in a pool of n ranked rows (a quantile band's
    places are the difference of its cumulative share's floors; the band that completes the
    scheme has no limit). Counts and shares given per pool are read for this pool's label."""
    out: dict[int, int] = {}
    cumulative = 0.0
    for t, tier in enumerate(plan.rubric.tiers):
        caps = []
        top, max_share = for_pool(tier.top, pool), for_pool(tier.max_share, pool)
        if top is not None:
            caps.append(top)
        if max_share is not None:
            caps.append(math.floor(max_share * n + SLACK))
        if tier.share is not None:
            before = math.floor(cumulative * n + SLACK)
            cumulative += tier.share
            if cumulative < 1 - SLACK:
                caps.append(math.floor(cumulative * n + SLACK) - before)
        if caps:
            out[t] = min(caps)
    return out


def minimums(plan: Plan, n: int, pool: str = "") -> dict[int, int]:
    """The fewest rows each tier with a minimum holds in a pool of n ranked rows (at most n),
    counts and shares given per pool read for this pool's label."""
    out: dict[int, int] = {}
    for t, tier in enumerate(plan.rubric.tiers):
        needs = []
        bottom, min_share = for_pool(tier.bottom, pool), for_pool(tier.min_share, pool)
        if bottom is not None:
            needs.append(bottom)
        if min_share is not None:
            needs.append(math.ceil(min_share * n - SLACK))
        if needs:
            out[t] = min(max(needs), n)
    return out


def _keep_best(total: np.ndarray, room: int) -> np.ndarray:
    """The rows among these that keep `room` places: the best totals, ties at the cut-off out."""
    if room <= 0:
        return np.zeros(len(total), dtype=bool)
    if len(total) <= room:
        return np.ones(len(total), dtype=bool)
    threshold = np.sort(total)[::-1][room - 1]
    keep = total > threshold if (total >= threshold).sum() > room else total >= threshold
    return np.asarray(keep, dtype=bool)


def _worst(tier: np.ndarray, total: np.ndarray, count: int) -> np.ndarray:
    """The `count` worst-ranked rows among these (worse tier, then lower total), with every row
    tied with the last of them."""
    order = np.lexsort((total, -tier))
    last = order[count - 1]
    return np.asarray((tier > tier[last]) | ((tier == tier[last]) & (total <= total[last])))


def _next_tier(eligible: np.ndarray, after: int) -> np.ndarray:
    """For each row, the first tier after `after` it qualifies for (the fallback always does)."""
    return np.asarray(np.argmax(eligible[:, after + 1 :], axis=1) + after + 1, dtype=np.intp)


def place(
    plan: Plan,
    tier: np.ndarray,
    total: np.ndarray,
    eligible: np.ndarray,
    fixed: np.ndarray,
    pools: Pools,
    ranked: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Tiers after place limits and minimums, pool by pool (see the module docstring), and
    which rows a minimum pulled into their tier.

    ``eligible`` says which tiers each row qualifies for by score and conditions; ``fixed``
    rows (forced by a veto) keep their tier but count in it; rows not ``ranked`` take no part.
    A calibrated rubric applies each pool's frozen cut-offs instead of counting places.
    """
    pulled = np.zeros(len(tier), dtype=bool)
    if not plan.place_tiers:
        return tier, pulled
    tier = tier.copy()
    for p, members in enumerate(pools.members):
        rows = members[ranked[members]]
        if rows.size == 0:
            continue
        frozen = plan.frozen_places(pools.labels[p])
        sub = tier[rows]
        args = (sub, total[rows], eligible[rows], fixed[rows])
        if frozen is None:
            moved = _count_places(plan, *args, pools.labels[p])
        else:
            moved = _frozen_places(plan, *args, frozen, pools.labels[p])
        tier[rows] = sub
        pulled[rows] = moved
    return tier, pulled


def _count_places(
    plan: Plan,
    tier: np.ndarray,
    total: np.ndarray,
    eligible: np.ndarray,
    fixed: np.ndarray,
    pool: str,
) -> np.ndarray:
    n = len(tier)
    for t, cap in sorted(limits(plan, n, pool).items()):
        inside = tier == t
        movable = np.flatnonzero(inside & ~fixed)
        room = cap - int((inside & fixed).sum())
        drop = movable[~_keep_best(total[movable], room)]
        tier[drop] = _next_tier(eligible[drop], t)
    moved = np.zeros(n, dtype=bool)
    for t, need in sorted(minimums(plan, n, pool).items(), reverse=True):
        short = need - int((tier == t).sum())
        candidates = np.flatnonzero((tier < t) & ~fixed)
        if short <= 0 or candidates.size == 0:
            continue
        count = min(short, candidates.size)
        pulled = candidates[_worst(tier[candidates], total[candidates], count)]
        tier[pulled] = t
        moved[pulled] = True
    return moved


def _frozen_places(
    plan: Plan,
    tier: np.ndarray,
    total: np.ndarray,
    eligible: np.ndarray,
    fixed: np.ndarray,
    frozen: Mapping[str, Any],
    pool: str,
) -> np.ndarray:
    moved = np.zeros(len(tier), dtype=bool)
    kept = frozen.get(QUOTA_KEY) or {}
    pulled = frozen.get(MINIMUM_KEY) or {}
    for t in sorted(limits(plan, len(tier), pool)):
        cutoff = kept.get(plan.tier_ids[t])
        least = math.inf if cutoff is None else plan.sign * cutoff
        drop = np.flatnonzero((tier == t) & ~fixed & ~(total >= least))
        tier[drop] = _next_tier(eligible[drop], t)
    for t in sorted(minimums(plan, len(tier), pool), reverse=True):
        ceiling = pulled.get(plan.tier_ids[t])
        if ceiling is not None:
            pulled = (tier < t) & ~fixed & (total <= plan.sign * ceiling)
            tier[pulled] = t
            moved |= pulled
    return moved


def cutoffs(plan: Plan, s: Scores) -> dict[str, dict[str, dict[str, float]]]:
    """Each pool's place cut-offs in these scores, to freeze by calibration: the worst total
    each limited tier kept, and the best total each minimum pulled in (by pool label)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    limited = [t for t, tier in enumerate(plan.rubric.tiers) if tier.limited]
    guaranteed = [t for t, tier in enumerate(plan.rubric.tiers) if tier.guaranteed]
    for p, members in enumerate(s.pools.members):
        rows = members[s.ranked[members]]
        if rows.size == 0:
            continue
        tier, total, free = s.tier[rows], plan.sign * s.total[rows], ~s.fixed[rows]
        kept: dict[str, float] = {}
        for t in limited:
            inside = total[(tier == t) & free]
            if inside.size:
                kept[plan.tier_ids[t]] = plan.sign * float(inside.min())
                continue
            dropped = total[(s.score_tier[rows] <= t) & (tier > t) & free]
            top = dropped.max() if dropped.size else total.max()
            kept[plan.tier_ids[t]] = plan.sign * float(np.nextafter(top, np.inf))
        floors: dict[str, float] = {}
        for t in guaranteed:
            moved = total[(tier == t) & s.pulled[rows]]
            if moved.size:
                floors[plan.tier_ids[t]] = plan.sign * float(moved.max())
        entry: dict[str, dict[str, float]] = {QUOTA_KEY: kept}
        if floors:
            entry[MINIMUM_KEY] = floors
        out[s.pools.labels[p]] = entry
    return out


def unnamed_pools(plan: Plan, pools: Pools, ranked: np.ndarray) -> dict[int, str]:
    """Pools with ranked rows that a tier's per-pool places neither name nor cover by a
    ``default`` entry, with why: their rows have no count to be placed by."""
    faults: dict[int, str] = {}
    for p, members in enumerate(pools.members):
        if not ranked[members].any():
            continue
        label = pools.labels[p]
        for tier in plan.rubric.tiers:
            key = unnamed_pool(tier, label)
            if key is not None:
                named = ", ".join(repr(k) for k in getattr(tier, key))
                faults[p] = (
                    f"pool {label!r} has no {key} for tier {tier.id!r}, which gives it per pool "
                    f"({named}) without a {DEFAULT_POOL!r} entry: add the pool to the rubric "
                    "or correct the pool value"
                )
                break
    return faults


def unrated(plan: Plan, values: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the class outside the ranking an unrated veto places it in (-1: ranked;
    the first veto listed wins), and whether each unrated veto fired (rows × unrated vetoes).

    A condition that cannot be worked out does not unrate a row: missing data never takes a
    unit out of the ranking (it is rated, and its missing values are dealt with as usual).
    """
    outside = np.full(n, -1, dtype=np.intp)
    fired = np.zeros((n, len(plan.unrated_vetoes)), dtype=bool)
    for k, v in enumerate(plan.unrated_vetoes):
        veto = plan.rubric.vetoes[v]
        condition = plan.veto_conditions[v]
        if veto.tier is None or condition is None:
            continue
        truth = np.asarray(condition(values), dtype=float)
        truth = truth if truth.shape == (n,) else np.full(n, truth)
        fired[:, k] = ~np.isnan(truth) & (truth != 0)
        outside = np.where(fired[:, k] & (outside < 0), plan.tier_index[veto.tier], outside)
    return outside, fired


MIN_COHORT = 2
"""The fewest valid values of a pool a cohort statistic is taken from."""


def thin_pools(plan: Plan, s: Scores) -> dict[int, list[tuple[str, str]]]:
    """Rows whose value a cohort statistic would compare with fewer than MIN_COHORT valid
    values of their pool (itself included), with why: a lone value has nothing to be ranked
    against. Only statistics taken from the batch count; frozen ones do not."""
    found: dict[int, list[tuple[str, str]]] = {}
    for step in plan.counted_steps:
        name = step.spec.inputs[0]
        valid = ~np.isnan(s.values[name]) & s.ranked
        for p, members in enumerate(s.pools.members):
            rows = members[valid[members]]
            if not 0 < rows.size < MIN_COHORT:
                continue
            where = f"pool {s.pools.labels[p]!r}" if plan.pooled else "the cohort"
            problem = (
                f"indicator {step.id!r} ({step.spec.method}) compares each value of {name!r} "
                f"with the others of {where}, which has only {rows.size} valid value: a cohort "
                f"statistic needs at least {MIN_COHORT}"
            )
            for row in rows.tolist():
                found.setdefault(int(row), []).append((name, problem))
    return found
