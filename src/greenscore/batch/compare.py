"""Year-over-year comparison: each park's previous total, rank and tier, and the transition matrix."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.result import BatchResult
from greenscore.engine.places import ranks
from greenscore.rubric import models as m

NEW = "(new)"
NOT_SCORED = "(not scored)"


def _pick(values: np.ndarray, index: np.ndarray, fill: Any, dtype: Any) -> np.ndarray:
    """values[index] where index ≥ 0, fill elsewhere."""
    out = np.full(len(index), fill, dtype=dtype)
    hit = index >= 0
    out[hit] = values[index[hit]]
    return out


def _fair_ranks(
    frame: pd.DataFrame, rows: np.ndarray, rubric: m.Rubric, pools: np.ndarray
) -> np.ndarray:
    """Ranks of these rows of a results table among themselves, within each pool: better tier,
    then the better total (as the rubric reads it), ties sharing the best rank."""
    index = {t.id: i for i, t in enumerate(rubric.tiers)}
    tiers = np.array([index.get(t, len(index)) for t in frame["tier"].to_numpy()[rows]])
    merit = rubric.total.sign * frame["total"].to_numpy(dtype=float)[rows]
    _, code = np.unique(pools.astype(str), return_inverse=True)
    return ranks(tiers, merit, np.asarray(code, dtype=np.intp).reshape(len(rows)))


def _pool_column(frame: pd.DataFrame) -> np.ndarray:
    if "pool" in frame.columns:
        return frame["pool"].astype(object).to_numpy()
    return np.full(len(frame), "", dtype=object)


def fair_rank_change(
    results: pd.DataFrame, prior: BatchResult, index: np.ndarray, rubric: m.Rubric
) -> tuple[np.ndarray, np.ndarray]:
    """Places climbed by each entity, compared fairly: both years' ranks are worked out again
    over the entities ranked in both years and in the same pool in both, so that entities
    joining or leaving move no one. NaN where there is no such comparison; with the note per
    row of an entity whose pool changed ('' elsewhere)."""
    now_rank = results["rank"].astype("Float64").to_numpy(dtype=float, na_value=math.nan)
    before = prior.results
    before_rank = before["rank"].astype("Float64").to_numpy(dtype=float, na_value=math.nan)
    pool_now, pool_before = _pool_column(results), _pool_column(before)
    was_ranked = ~np.isnan(_pick(before_rank, index, math.nan, float))
    moved_pool = was_ranked & (pool_now != _pick(pool_before, index, None, object))
    common = np.flatnonzero(~np.isnan(now_rank) & was_ranked & ~moved_pool)
    change = np.full(len(results), math.nan)
    if common.size:
        now = _fair_ranks(results, common, rubric, pool_now[common])
        then = _fair_ranks(before, index[common], prior.rubric, pool_before[index[common]])
        change[common] = then - now
    notes = np.full(len(results), "", dtype=object)
    for row in np.flatnonzero(moved_pool & ~np.isnan(now_rank)).tolist():
        notes[row] = f"pool changed ({pool_before[index[row]]} → {pool_now[row]}): no rank change"
    return change, notes


def compare_periods(results: pd.DataFrame, prior: BatchResult, rubric: m.Rubric) -> pd.DataFrame:
    """Add previous_total, score_change, previous_rank, rank_change, previous_tier, new_entity
    (and, with pools, rank_note). rank_change is the places climbed among the entities ranked
    in both years within the same pool (see fair_rank_change); previous_rank is last year's
    rank as published."""
    entity = results[rubric.entity].to_numpy(dtype=object)
    before = prior.results.set_index(prior.rubric.entity)
    index = before.index.get_indexer(pd.Index(entity, dtype=object))
    hit = index >= 0
    previous_total = _pick(before["total"].to_numpy(dtype=float), index, math.nan, float)
    change = results["total"].to_numpy(dtype=float) - previous_total
    if rubric.rounding is not None:
        change = np.round(change, rubric.rounding.decimals)
    ranks_before = before["rank"].astype("Int64").to_numpy(dtype=float, na_value=math.nan)
    previous_rank = pd.Series(_pick(ranks_before, index, math.nan, float)).astype("Int64")
    previous_tier = _pick(before["tier"].to_numpy(dtype=object), index, None, object)
    known = set(before.index) | prior.assessed_entities | set(prior.flagged["entity"].dropna())
    new = np.array([e not in known for e in entity], dtype=bool)
    results["previous_total"] = previous_total
    results["score_change"] = change
    results["previous_rank"] = previous_rank.array
    change, notes = fair_rank_change(results, prior, index, rubric)
    results["rank_change"] = pd.Series(change).round().astype("Int64").array
    results["previous_tier"] = previous_tier
    results["new_entity"] = new
    if rubric.pools:
        results["rank_note"] = notes

    ids = [t.id for t in rubric.tiers]
    rows = ids + [t for t in dict.fromkeys(previous_tier[hit].tolist()) if t not in ids]
    rows += [NEW, NOT_SCORED]
    came_from = np.where(hit, previous_tier, np.where(new, NEW, NOT_SCORED))
    r = {t: i for i, t in enumerate(rows)}
    c = {t: i for i, t in enumerate(ids)}
    counts = np.zeros((len(rows), len(ids)), dtype=np.int64)
    for before_tier, now_tier in zip(came_from.tolist(), results["tier"].tolist(), strict=True):
        counts[r[before_tier], c[now_tier]] += 1
    return pd.DataFrame(
        counts,
        index=pd.Index(rows, name="previous_tier"),
        columns=pd.Index(ids, name="tier"),
    )
