"""The chunks of a streamed assessment: each chunk's rows of the period, assessed with frozen
statistics; rows whose ids repeat across chunks are gathered into one last chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.assess import assess
from greenscore.batch.inputs import column_values, prepare
from greenscore.engine.inputs import PeriodKey, map_unique, period_key
from greenscore.engine.plan import Plan
from greenscore.io import TableSource
from greenscore.rubric import models as m

Chunks = Callable[[], Iterable[TableSource]]
"""A fresh iterator over the table's chunks each time it is called: the table is read thrice."""


def in_period(periods: np.ndarray, chosen: PeriodKey | None) -> np.ndarray:
    """Rows of the chosen period, or with no period (assess() flags those): every row when
    the table has no period."""
    if chosen is None:
        return np.ones(len(periods), dtype=bool)
    missing = np.asarray(pd.isna(periods), dtype=bool)
    same: np.ndarray = missing | np.asarray(periods == chosen, dtype=bool)
    return same


def chunk_periods(chunk: TableSource, plan: Plan) -> np.ndarray:
    """Each row's period key (None when empty or not a period), as prepare() reads them."""
    name = plan.rubric.period
    if name not in chunk.frame.columns:
        return np.full(len(chunk.frame), None, dtype=object)
    try:
        return map_unique(column_values(chunk.frame, name), period_key)
    except (TypeError, ValueError):
        return prepare(chunk, plan).periods


def period_rows(
    plan: Plan, chunks: Chunks, chosen: PeriodKey | None, grouped: set[int]
) -> Iterator[tuple[TableSource, np.ndarray, bool]]:
    """Each chunk's rows of the chosen period (and those with no period), with their positions
    and whether any is of the chosen period; rows in ``grouped`` come last, in one chunk, so
    that repeated ids are checked against each other."""
    start = 0
    wanted = np.fromiter(grouped, dtype=np.int64, count=len(grouped))
    held: list[tuple[pd.DataFrame, np.ndarray, np.ndarray, TableSource, bool]] = []
    for chunk in chunks():
        n = len(chunk.frame)
        periods = chunk_periods(chunk, plan)
        mine = in_period(periods, chosen)
        chosen_rows = mine & np.asarray(pd.notna(periods), dtype=bool)
        positions = np.arange(start, start + n)
        start += n
        together = np.isin(positions, wanted)
        if together.any():
            at = mine & together
            holds = bool(chosen_rows[at].any())
            held.append((chunk.frame[at], chunk.row_numbers[at], positions[at], chunk, holds))
            mine &= ~together
        frame = chunk.frame[mine]
        yield (
            _sub(chunk, frame, chunk.row_numbers[mine]),
            positions[mine],
            bool(chosen_rows[mine].any()),
        )
    if held:
        frame = pd.concat([h[0] for h in held], ignore_index=True)
        numbers = np.concatenate([h[1] for h in held])
        positions = np.concatenate([h[2] for h in held])
        yield _sub(held[0][3], frame, numbers), positions, any(h[4] for h in held)


def _sub(chunk: TableSource, frame: pd.DataFrame, numbers: np.ndarray) -> TableSource:
    return TableSource(
        frame.reset_index(drop=True), numbers, chunk.path, None, chunk.format, chunk.encoding
    )


def assess_chunk(
    source: TableSource, rubric: m.Rubric, chosen: PeriodKey | None, holds: bool
) -> Any:
    """assess() of one chunk's rows of the period, or None for a chunk without any."""
    if len(source.frame) == 0:
        return None
    period = chosen if holds else None
    return assess(source, rubric, period=period, previous=None, errors="flag")


def scored_rows(
    result: Any, source: TableSource, positions: np.ndarray
) -> tuple[np.ndarray, set[int]]:
    """Positions of the scored rows of a chunk, and those of its flagged rows."""
    flagged_rows = {p.row for p in result.problems}
    bad = np.isin(
        source.row_numbers, np.fromiter(flagged_rows, dtype=np.int64, count=len(flagged_rows))
    )
    return positions[~bad], set(positions[bad].tolist())
