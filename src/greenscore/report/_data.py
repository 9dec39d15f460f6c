"""What every report format reads from a BatchResult: profiles, assessments, gaps, methodology."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import pandas as pd

from greenscore.engine.describe import rubric_rows, title
from greenscore.engine.result import Assessment
from greenscore.errors import GreenscoreError
from greenscore.explain.gap import next_tier_gap
from greenscore.explain.types import TierGap
from greenscore.io import Provenance
from greenscore.rubric import models as m

GapOrReason = TierGap | str


class BatchLike(Protocol):
    """The parts of greenscore's BatchResult the reports read."""

    @property
    def results(self) -> pd.DataFrame: ...
    @property
    def flagged(self) -> pd.DataFrame: ...
    @property
    def transitions(self) -> pd.DataFrame | None: ...
    @property
    def provenance(self) -> Provenance: ...
    @property
    def rubric(self) -> m.Rubric: ...

    def assessment(self, entity_id: Any) -> Assessment: ...
    def profile(self, entity_id: Any) -> dict[str, Any]: ...


def entities(batch: BatchLike) -> list[str]:
    """Entity ids in ranking order (pool by pool when the rubric has pools; best first, ties by
    id; units outside the ranking last)."""
    results = batch.results
    column = batch.rubric.entity
    keys = ["pool", "rank", column] if "pool" in results.columns else ["rank", column]
    ordered = results.sort_values(keys, kind="stable", na_position="last")
    return [str(e) for e in ordered[column]]


def rank_of(row: Any) -> int | None:
    """A results row's rank, None for a unit outside the ranking."""
    rank = row["rank"]
    return None if pd.isna(rank) else int(rank)


def pool_sizes(results: pd.DataFrame) -> dict[Any, int]:
    """Ranked rows per pool (one pool, keyed None, without pool columns)."""
    ranked = results[results["rank"].notna()]
    if "pool" not in results.columns:
        return {None: len(ranked)}
    return {k: int(v) for k, v in ranked["pool"].value_counts().items()}


def assessments(batch: BatchLike) -> dict[str, Assessment]:
    """Every scored park's Assessment, in ranking order."""
    return {e: batch.assessment(e) for e in entities(batch)}


def gaps(
    batch: BatchLike, chosen: Mapping[str, Assessment] | None = None
) -> dict[str, GapOrReason]:
    """The gap to the next tier for every park, or the reason it could not be computed."""
    found: dict[str, GapOrReason] = {}
    for entity, assessment in (chosen or assessments(batch)).items():
        try:
            found[entity] = next_tier_gap(assessment, batch.profile(entity), batch.rubric)
        except (GreenscoreError, ValueError, KeyError) as e:
            found[entity] = f"gap not available: {e}"
    return found


def group_column(batch: BatchLike, group_by: str | None = None) -> str | None:
    """The column to count tiers by: the one asked for, or the first attribute with 2–40 groups
    that is not unique per park (e.g. city rather than park name)."""
    results = batch.results
    if group_by is not None:
        if group_by not in results.columns:
            raise GreenscoreError(
                f"cannot group by {group_by!r}: the results have no such column; "
                f"attributes: {', '.join(batch.rubric.attributes) or 'none'}"
            )
        return group_by
    if "pool" in results.columns and results["pool"].nunique() >= 2:
        return "pool"
    for name in batch.rubric.attributes:
        if name in results.columns:
            count = results[name].nunique(dropna=True)
            if 2 <= count <= 40 and count < len(results):
                return name
    return None


def dimension_floor(rubric: m.Rubric) -> tuple[str, float] | None:
    """The top tier's minimum dimension score, if it has one (drawn on the dimension charts)."""
    for cond in rubric.tiers[0].conditions:
        if isinstance(cond, m.DimensionMin):
            return title(rubric.tiers[0]), cond.score
    return None


def indicator_table(batch: BatchLike, chosen: Mapping[str, Assessment]) -> pd.DataFrame:
    """One row per park × indicator: raw value, score, weight and contribution."""
    rubric = batch.rubric
    names = {d.id: title(d) for _, d in rubric.iter_dimensions()}
    attributes = _attributes(batch)
    rows = []
    for entity, a in chosen.items():
        extra = attributes.get(entity, {})
        for ind in a.indicators:
            value = ind.value
            rows.append(
                {
                    rubric.entity: entity,
                    **extra,
                    "dimension": names.get(ind.dimension, ind.dimension),
                    "indicator": ind.id,
                    "label": ind.label,
                    "method": ind.method,
                    "value": value,
                    "unit": ind.unit,
                    "score": ind.score,
                    "weight": ind.weight,
                    "contribution": ind.contribution,
                    "treatment": ind.treatment or "",
                }
            )
    return pd.DataFrame(rows)


def _attributes(batch: BatchLike) -> dict[str, dict[str, Any]]:
    rubric = batch.rubric
    keep = [rubric.period] if rubric.period in batch.results.columns else []
    keep += [a for a in rubric.attributes if a in batch.results.columns][:2]
    return {
        str(row[rubric.entity]): {a: row[a] for a in keep}
        for row in batch.results[[rubric.entity, *keep]].to_dict(orient="records")
    }


def methodology_table(rubric: m.Rubric) -> pd.DataFrame:
    """The rubric as one table: dimensions, indicators, derived inputs, vetoes and tiers."""
    rows = [
        (r.kind, r.path if r.kind == "dimension" else r.id, r.label, r.summary, r.weight_in_total)
        for r in rubric_rows(rubric)
    ]
    return pd.DataFrame(rows, columns=["item", "id", "label", "rule", "weight_in_total"])


def gap_table(batch: BatchLike, found: Mapping[str, GapOrReason]) -> pd.DataFrame:
    """One row per park: next tier, points short, status and the combined plan in words."""
    rubric = batch.rubric
    rows: list[dict[str, Any]] = []
    for entity, gap in found.items():
        if isinstance(gap, str):
            rows.append({rubric.entity: entity, "status": "error", "reason": gap})
            continue
        path = gap.path
        rows.append(
            {
                rubric.entity: entity,
                "tier": gap.tier,
                "next_tier": gap.target,
                "points_needed": gap.points_needed,
                "status": gap.status,
                "reason": gap.reason,
                "plan": "\n".join(s.text for s in path.steps) if path else "",
                "plan_effort": path.effort if path else None,
                "total_after_plan": path.total_after if path else None,
                "single_indicator_options": sum(1 for g in gap.indicators if g.reachable),
            }
        )
    columns = [
        rubric.entity,
        "tier",
        "next_tier",
        "points_needed",
        "status",
        "reason",
        "plan",
        "plan_effort",
        "total_after_plan",
        "single_indicator_options",
    ]
    return pd.DataFrame(rows, columns=columns)


def number(value: Any, digits: int = 1) -> str:
    """A number to fixed decimals for tables; '—' when missing."""
    if value is None or value is pd.NA:
        return "—"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "—"
    return f"{x:.{digits}f}"


def plain(values: Iterable[Any]) -> list[Any]:
    """Values without numpy scalar types or NaN (None instead)."""
    out: list[Any] = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif hasattr(v, "item"):
            out.append(v.item())
        else:
            out.append(v)
    return out
