"""Plain-text tables for terminals: columns aligned by display width, CJK characters counted double."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from greenscore.errors import DataProblem
from greenscore.io import escape_terminal
from greenscore.methods.base import fmt

FLAGGED_COLUMNS = ["row", "entity", "field", "value", "problem"]


def display_width(text: str) -> int:
    """Terminal columns the text takes: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def cell_text(value: Any, digits: int = 2) -> str:
    """A cell for people: numbers without trailing zeros, '—' for missing values, text with
    every control character (line breaks too) shown as a visible escape."""
    if value is None or value is pd.NA:
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "—" if math.isnan(value) else fmt(float(value), digits)
    return escape_terminal(str(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, indent: str = "", digits: int = 2
) -> str:
    """An aligned text table: numbers right-aligned, everything else left-aligned."""
    heads = [escape_terminal(h) for h in headers]
    texts = [[cell_text(v, digits) for v in row] for row in rows]
    right = [
        bool(rows) and all(_is_number(row[j]) or row[j] is None for row in rows)
        for j in range(len(heads))
    ]
    widths = [
        max([display_width(h)] + [display_width(r[j]) for r in texts]) for j, h in enumerate(heads)
    ]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for j, text in enumerate(cells):
            pad = " " * (widths[j] - display_width(text))
            parts.append(pad + text if right[j] else text + pad)
        return (indent + "  ".join(parts)).rstrip()

    rule = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(heads), rule, *(line(r) for r in texts)])


def problem_table(problems: Sequence[DataProblem], limit: int | None = None) -> str:
    """The problems as an aligned text table (row, entity, field, value, problem).

    With a limit, a column missing on every row is listed once and the table is cut after
    `limit` rows with a count of the rest.
    """
    shown = list(problems)
    if limit is not None:
        seen: set[tuple[str, str]] = set()
        shown = []
        for p in problems:
            if p.problem == "required column is missing":
                if (p.field, p.problem) in seen:
                    continue
                seen.add((p.field, p.problem))
                p = DataProblem(p.field, None, "required column is missing (every row)")
            shown.append(p)
    table = render_table(
        FLAGGED_COLUMNS,
        [
            [p.row, p.entity, p.field, None if p.value is None else repr(p.value), p.problem]
            for p in (shown if limit is None else shown[:limit])
        ],
    )
    if limit is not None and len(shown) > limit:
        table += f"\n… and {len(shown) - limit} more (all of them in the flagged table)"
    return table
