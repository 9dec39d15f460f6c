"""Year-over-year comparison: each park's previous total, rank and tier, and the transition matrix."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.result import BatchResult
from greenscore.rubric import models as m

NEW = "(new)"
NOT_SCORED = "(not scored)"


def _pick(values: np.ndarray, index: np.ndarray, fill: Any, dtype: Any) -> np.ndarray:
    """values[index] where index ≥ 0, fill elsewhere."""
    out = np.full(len(index), fill, dtype=dtype)
    hit = index >= 0
    out[hit] = values[index[hit]]
    return out


def compare_periods(results: pd.DataFrame, prior: BatchResult, rubric: m.Rubric) -> pd.DataFrame:
    """Add previous_total, score_change, previous_rank, rank_change, previous_tier, new_entity."""
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
    results["rank_change"] = (previous_rank - results["rank"].astype("Int64").to_numpy()).array
    results["previous_tier"] = previous_tier
    results["new_entity"] = new

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
