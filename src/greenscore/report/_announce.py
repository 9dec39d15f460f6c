"""What an office announces, for every report format: the rewarded, penalised and failing parks
with their consequences, the parks dropped since last year, and averages and ranks by group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from greenscore.engine.describe import consequence_text, consequence_values_text, title
from greenscore.report._data import BatchLike

MISSING_GROUP = "—"


@dataclass(frozen=True)
class Announced:
    """The parks of one tier an office names publicly, with the tier's consequence in words.

    ``kind`` is "reward", "penalty", or "failing" for a bottom tier that carries no penalty.
    ``rows`` holds entity, name, total, rank, in ranking order.
    """

    kind: str
    tier: str
    label: str
    consequence: str
    rows: list[dict[str, Any]]


def name_column(batch: BatchLike) -> str | None:
    """The attribute holding park names (the first whose id contains 'name'), if any."""
    return next((a for a in batch.rubric.attributes if "name" in a.lower()), None)


def announced(batch: BatchLike) -> list[Announced]:
    """One list per rewarded or penalised tier (best tier first), then the bottom tier as
    "failing" when it carries no penalty; tiers with nobody in them are listed empty."""
    rubric = batch.rubric
    results = batch.results.sort_values(["rank", rubric.entity], kind="stable")
    name = name_column(batch)
    lists = []
    for position, tier in enumerate(rubric.tiers):
        kind: str = tier.consequence.kind
        if kind == "none" and position == len(rubric.tiers) - 1 and position > 0:
            kind = "failing"
        if kind == "none":
            continue
        members = results[results["tier"] == tier.id]
        rows = [
            {
                "entity": str(r[rubric.entity]),
                "name": _cell(r[name]) if name else None,
                "total": float(r["total"]),
                "rank": int(r["rank"]),
            }
            for _, r in members.iterrows()
        ]
        worded = consequence_text(
            tier.consequence.kind,
            tier.consequence.text,
            consequence_values_text(rubric, tier.consequence.values),
        )
        lists.append(Announced(kind, tier.id, title(tier), worded, rows))
    return lists


def dropped(batch: BatchLike) -> pd.DataFrame | None:
    """Parks scored last year but not this year: absent from this year's data, or flagged in it
    (with the problems). None without a previous year's assessment."""
    prior = getattr(batch, "previous", None)
    if prior is None:
        return None
    entity = batch.rubric.entity
    name = name_column(batch)
    scored_now = set(batch.results[entity].astype(str))
    problems: dict[str, list[str]] = {}
    flagged = batch.flagged
    for e, field, problem in zip(
        flagged["entity"], flagged["field"], flagged["problem"], strict=True
    ):
        if e is not None and not pd.isna(e):
            problems.setdefault(str(e), []).append(f"{field}: {problem}")
    before = prior.results.sort_values(["rank", prior.rubric.entity], kind="stable")
    labels = {t.id: title(t) for t in batch.rubric.tiers}
    rows = []
    for _, r in before.iterrows():
        key = str(r[prior.rubric.entity])
        if key in scored_now:
            continue
        reasons = problems.get(key)
        rows.append(
            {
                entity: key,
                "name": _cell(r[name]) if name and name in before.columns else None,
                "previous_total": float(r["total"]),
                "previous_tier": labels.get(str(r["tier"]), str(r["tier"])),
                "previous_rank": int(r["rank"]),
                "status": "flagged" if reasons else "absent",
                "problems": "; ".join(reasons) if reasons else "",
            }
        )
    columns = [entity, "name", "previous_total", "previous_tier", "previous_rank"]
    return pd.DataFrame(rows, columns=[*columns, "status", "problems"])


def group_table(batch: BatchLike, group: str) -> pd.DataFrame:
    """Per value of ``group`` (missing values as '—'): parks, mean total, parks per tier, and the
    group's rank by mean total (1 = highest, or lowest where a lower total is better; equal
    means share the better rank)."""
    results = batch.results
    ids = [t.id for t in batch.rubric.tiers]
    labels = results[group].astype(object).where(results[group].notna(), MISSING_GROUP)
    frame = pd.DataFrame(
        {
            "group": labels.astype(str).to_numpy(),
            "total": results["total"].astype(float).to_numpy(),
            "tier": results["tier"].to_numpy(),
        }
    )
    table = frame.groupby("group", sort=True).agg(
        count=("total", "size"), mean_total=("total", "mean")
    )
    tiers = pd.crosstab(frame["group"], pd.Categorical(frame["tier"], categories=ids))
    tiers = tiers.reindex(columns=ids, fill_value=0)
    for tier_id in ids:
        table[tier_id] = tiers[tier_id].reindex(table.index, fill_value=0).astype(int)
    higher = batch.rubric.total.better == "higher"
    table["rank"] = table["mean_total"].rank(method="min", ascending=not higher).astype(int)
    table = table.reset_index().rename(columns={"group": group})
    return table.sort_values(["rank", group], kind="stable").reset_index(drop=True)


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
