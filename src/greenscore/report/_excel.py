"""The Excel workbook for offices: results, indicators, gaps, flagged rows, methodology."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from greenscore.errors import OptionalDependencyError
from greenscore.io import atomic_write, ensure_not_input, escape_spreadsheet_cell, sheet_titles
from greenscore.report._data import (
    BatchLike,
    GapOrReason,
    assessments,
    gap_table,
    gaps,
    indicator_table,
    methodology_table,
)

SCORE = "0.0"
SHARE = "0.0%"
CHANGE = "+0.0;-0.0;0.0"
_MAX_WIDTH = 60
_WRAP_WIDTH = 70


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
    try:
        import openpyxl
    except ImportError as e:
        raise OptionalDependencyError("openpyxl", "report", "the Excel workbook") from e
    ensure_not_input(path, *batch.provenance.inputs)
    chosen = assessments(batch)
    if gaps_by_entity is None and with_gaps:
        gaps_by_entity = gaps(batch, chosen)
    sheets = _sheets(batch, chosen, gaps_by_entity)
    titles = sheet_titles(list(sheets))

    def write(tmp: Path) -> None:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, (frame, formats, wrap) in zip(titles, sheets.values(), strict=True):
            _write_sheet(book, title, frame, formats, wrap)
        book.save(tmp)

    return atomic_write(path, write)


def _sheets(
    batch: BatchLike, chosen: Mapping[str, Any], found: Mapping[str, GapOrReason] | None
) -> dict[str, tuple[pd.DataFrame, dict[str, str], set[str]]]:
    rubric = batch.rubric
    results = batch.results
    score_columns = [
        c
        for c in results.columns
        if c in ("total", "raw_total", "deductions", "previous_total")
        or c.startswith(("dim.", "ind."))
    ]
    result_formats = {c: SCORE for c in score_columns} | {"score_change": CHANGE}
    sheets: dict[str, tuple[pd.DataFrame, dict[str, str], set[str]]] = {
        "results": (results, result_formats, set()),
        "indicators": (
            indicator_table(batch, chosen),
            {"score": SCORE, "weight": SHARE, "contribution": "0.00"},
            set(),
        ),
    }
    if found is not None:
        table = gap_table(batch, found)
        sheets["next_tier"] = (
            table,
            {"points_needed": SCORE, "plan_effort": "0.000", "total_after_plan": SCORE},
            {"reason", "plan"},
        )
    counts = results["tier"].value_counts()
    tiers = pd.DataFrame(
        {
            "tier": [t.id for t in rubric.tiers],
            "label": [t.label for t in rubric.tiers],
            "min_score": [t.min_score for t in rubric.tiers],
            "parks": [int(counts.get(t.id, 0)) for t in rubric.tiers],
            "share": [
                counts.get(t.id, 0) / len(results) if len(results) else 0.0 for t in rubric.tiers
            ],
            "consequence_kind": [t.consequence.kind for t in rubric.tiers],
            "consequence": [t.consequence.text for t in rubric.tiers],
        }
    )
    sheets["tiers"] = (tiers, {"min_score": "0.0", "share": SHARE}, {"consequence"})
    if batch.transitions is not None:
        sheets["transitions"] = (batch.transitions.reset_index(), {}, set())
    sheets["flagged"] = (batch.flagged, {}, {"problem"})
    sheets["methodology"] = (methodology_table(rubric), {"weight_in_total": SHARE}, {"rule"})
    prov = batch.provenance.as_dict()
    sheets["provenance"] = (
        pd.DataFrame({"key": list(prov), "value": list(prov.values())}, dtype=object),
        {},
        set(),
    )
    return sheets


def _cell(value: Any) -> Any:
    """A value openpyxl stores as data: never a formula, NaN or an illegal character."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    return escape_spreadsheet_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _width(value: Any) -> float:
    text = "" if value is None else str(value)
    longest = max((len(line) for line in text.split("\n")), default=0)
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    return float(longest + wide)


def _write_sheet(
    book: Any, title: str, frame: pd.DataFrame, formats: Mapping[str, str], wrap: set[str]
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    headers = [str(c) for c in frame.columns]
    sheet.append([_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    top = Alignment(vertical="top", wrap_text=True)
    for j, header in enumerate(headers, start=1):
        letter = get_column_letter(j)
        fmt = formats.get(header)
        wrapped = header in wrap
        if fmt or wrapped:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                if fmt:
                    cell.number_format = fmt
                if wrapped:
                    cell.alignment = top
        content = max([_width(r[j - 1]) for r in rows] or [0.0])
        width = min(max(content, _width(header), 6.0) + 2, _WRAP_WIDTH if wrapped else _MAX_WIDTH)
        if fmt:
            width = max(_width(header) + 2, 9.0)
        sheet.column_dimensions[letter].width = width
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
