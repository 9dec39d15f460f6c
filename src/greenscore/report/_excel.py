"""The Excel workbook for offices: results, indicators, gaps, flagged rows, methodology."""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from greenscore.errors import OptionalDependencyError
from greenscore.io import SheetStyle, ensure_not_input, write_excel
from greenscore.report._data import (
    BatchLike,
    GapOrReason,
    assessments,
    gap_table,
    gaps,
    indicator_table,
    methodology_table,
)
from greenscore.rubric import models as m

SCORE = "0.0"
SHARE = "0.0%"
CHANGE = "+0.0;-0.0;0.0"


def write_workbook(
    batch: BatchLike,
    path: str | os.PathLike[str],
    *,
    gaps_by_entity: Mapping[str, GapOrReason] | None = None,
    with_gaps: bool = True,
) -> Path:
    """Write the workbook atomically: a sheet per table, bold frozen headers, number formats.

    Sheets: results, indicators (park × indicator), next_tier (when gaps are included), tiers,
    transitions (with a previous year), flagged, methodology, provenance.
    """
    if importlib.util.find_spec("openpyxl") is None:
        raise OptionalDependencyError("openpyxl", "report", "the Excel workbook")
    ensure_not_input(path, *batch.provenance.inputs)
    chosen = assessments(batch)
    if gaps_by_entity is None and with_gaps:
        gaps_by_entity = gaps(batch, chosen)
    sheets = _sheets(batch, chosen, gaps_by_entity)
    (written,) = write_excel(
        path,
        {name: frame for name, (frame, _) in sheets.items()},
        batch.provenance,
        styles={name: style for name, (_, style) in sheets.items()},
        autofilter=True,
    )
    return written


def consequence_formats(rubric: m.Rubric) -> dict[str, str]:
    """A number format per ``consequence.<id>`` column with as many decimals as the rubric's
    values of that id need (at most six), so 0.05 shows as 0.05 and -10 as -10."""
    formats = {}
    for spec in rubric.consequence_values:
        values = [
            t.consequence.values[spec.id] for t in rubric.tiers if spec.id in t.consequence.values
        ]
        places = max((_decimals(v) for v in values), default=0)
        formats[f"consequence.{spec.id}"] = "0." + "0" * places if places else "0"
    return formats


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return len(text) - text.index(".") - 1


_WHY = frozenset({"why"})


def track_by_pool(results: pd.DataFrame, entity: str, fired: pd.DataFrame) -> pd.DataFrame:
    """The track rules that fired (titles, stars, escalations, removals), pool by pool: each row
    with its entity's pool, in pool order, then rule order as the track table lists them."""
    table = fired.copy()
    if "pool" in results.columns:
        pools = dict(zip(results[entity].astype(str), results["pool"].astype(str), strict=True))
        table.insert(0, "pool", [pools.get(str(e), "") for e in table["entity"]])
        table = table.sort_values("pool", kind="stable").reset_index(drop=True)
    return table


def _sheets(
    batch: BatchLike, chosen: Mapping[str, Any], found: Mapping[str, GapOrReason] | None
) -> dict[str, tuple[pd.DataFrame, SheetStyle]]:
    rubric = batch.rubric
    results = batch.results
    score_columns = [
        c
        for c in results.columns
        if c in ("total", "raw_total", "deductions", "bonuses", "clamped_from", "previous_total")
        or c.startswith(("dim.", "ind."))
    ]
    value_formats = consequence_formats(rubric)
    result_formats = {c: SCORE for c in score_columns} | {"score_change": CHANGE} | value_formats
    sheets: dict[str, tuple[pd.DataFrame, SheetStyle]] = {
        "results": (results, SheetStyle(result_formats)),
        "indicators": (
            indicator_table(batch, chosen),
            SheetStyle({"score": SCORE, "weight": SHARE, "contribution": "0.00"}),
        ),
    }
    if found is not None:
        table = gap_table(batch, found)
        sheets["next_tier"] = (
            table,
            SheetStyle(
                {"points_needed": SCORE, "plan_effort": "0.000", "total_after_plan": SCORE},
                frozenset({"reason", "plan"}),
            ),
        )
    counts = results["tier"].value_counts()
    bound = "max_score" if rubric.total.better == "lower" else "min_score"
    tiers = pd.DataFrame(
        {
            "tier": [t.id for t in rubric.tiers],
            "label": [t.label for t in rubric.tiers],
            bound: [getattr(t, bound) for t in rubric.tiers],
            "parks": [int(counts.get(t.id, 0)) for t in rubric.tiers],
            "share": [
                counts.get(t.id, 0) / len(results) if len(results) else 0.0 for t in rubric.tiers
            ],
            "consequence_kind": [t.consequence.kind for t in rubric.tiers],
            "consequence": [t.consequence.text for t in rubric.tiers],
        }
    )
    for spec in rubric.consequence_values:
        tiers[f"consequence.{spec.id}"] = [
            t.consequence.values.get(spec.id, math.nan) for t in rubric.tiers
        ]
    sheets["tiers"] = (
        tiers,
        SheetStyle({bound: "0.0", "share": SHARE} | value_formats, frozenset({"consequence"})),
    )
    if batch.transitions is not None:
        sheets["transitions"] = (batch.transitions.reset_index(), SheetStyle())
    track = getattr(batch, "track", None)
    if track is not None:
        sheets["track_record"] = (
            track_by_pool(results, rubric.entity, track.fired),
            SheetStyle(wrap=_WHY),
        )
    sheets["flagged"] = (batch.flagged, SheetStyle(wrap=frozenset({"problem"})))
    sheets["methodology"] = (
        methodology_table(rubric),
        SheetStyle({"weight_in_total": SHARE}, frozenset({"rule"})),
    )
    return sheets
