"""Batch input preparation: a table's columns through the shared coercion, id and period checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from greenscore.engine.inputs import (
    PeriodKey,
    absent_input_problem,
    entity_key,
    map_unique,
    period_key,
    period_order,
    period_problem,
)
from greenscore.engine.places import Pools, pool_label, pool_text
from greenscore.engine.plan import Plan
from greenscore.errors import OptionalDependencyError, did_you_mean
from greenscore.io import TableSource
from greenscore.rubric import models as m


@runtime_checkable
class ArrowTabular(Protocol):
    """Tabular data that export an Arrow stream (the Arrow PyCapsule interface): a pyarrow
    Table or RecordBatch, a polars DataFrame, a DuckDB relation…"""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...


def arrow_frame(data: ArrowTabular) -> pd.DataFrame:
    """Arrow tabular data as a pandas DataFrame, read through pyarrow with its default types:
    integer columns with nulls become floats with NaN, as in a DataFrame read from CSV."""
    try:
        import pyarrow as pa
    except ImportError as e:
        raise OptionalDependencyError("pyarrow", "io", "reading Arrow tables") from e
    frame: pd.DataFrame = pa.table(data).to_pandas()
    return frame


def column_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A frame column as a numpy array; nullable numeric columns become float with NaN."""
    column = frame[name]
    dtype = column.dtype
    if (
        isinstance(dtype, pd.api.extensions.ExtensionDtype)
        and pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
    ):
        return column.to_numpy(dtype=float, na_value=math.nan)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and not pd.api.types.is_string_dtype(
        dtype
    ):
        values = column.to_numpy(dtype=object)
        values[np.asarray(pd.isna(values), dtype=bool)] = None
        return values
    return np.asarray(column)


@dataclass(frozen=True, eq=False)
class Prepared:
    """A table checked and coerced once, for every period it holds."""

    source: TableSource
    rubric: m.Rubric
    entities: np.ndarray
    periods: np.ndarray
    has_period: bool
    columns: dict[str, np.ndarray]
    cell_problems: dict[int, list[tuple[str, Any, str]]]
    column_problems: tuple[tuple[str, str], ...]
    pools: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.source.frame)

    def period_keys(self) -> list[PeriodKey]:
        """The distinct periods present, earliest first."""
        keys = {k for k in self.periods if k is not None}
        return sorted(keys, key=period_order)

    def pools_of(self, positions: np.ndarray) -> Pools | None:
        """The pools of these rows (None for a rubric without pools: one pool)."""
        if self.pools is None:
            return None
        return Pools.of(self.pools[positions], len(positions))

    def cell(self, position: int, name: str) -> Any:
        """The raw cell at a frame position, or None when the column is absent."""
        frame = self.source.frame
        return frame[name].iloc[position] if name in frame.columns else None


def prepare(source: TableSource, plan: Plan, tick: Callable[[], None] | None = None) -> Prepared:
    """Coerce every declared input of every row and collect each problem with its position."""
    rubric = plan.rubric
    frame = source.frame
    n = len(frame)
    present = [str(c) for c in frame.columns]
    known = {rubric.entity, rubric.period, *rubric.attributes, *rubric.pools, *plan.inputs}
    unknown = [c for c in present if c not in known]
    column_problems: list[tuple[str, str]] = []
    cells: dict[int, list[tuple[str, Any, str]]] = {}

    def add(position: int, field: str, value: Any, problem: str) -> None:
        cells.setdefault(position, []).append((field, value, problem))

    if rubric.entity in frame.columns:
        raw_ids = column_values(frame, rubric.entity)
        entities, odd = _keys(raw_ids, entity_key, rubric.entity, add)
        for at in np.flatnonzero(pd.isna(entities) & ~odd):
            add(int(at), rubric.entity, raw_ids[at], "entity id is empty")
    else:
        entities = np.full(n, None, dtype=object)
        column_problems.append(
            (
                rubric.entity,
                f"entity id column is missing{did_you_mean(rubric.entity, unknown, ignore_case=True)}",
            )
        )
    has_period = rubric.period in frame.columns
    if has_period:
        raw_periods = column_values(frame, rubric.period)
        periods, odd = _keys(raw_periods, period_key, rubric.period, add)
        for at in np.flatnonzero(pd.isna(periods) & ~odd):
            add(int(at), rubric.period, raw_periods[at], period_problem(raw_periods[at]))
    else:
        periods = np.full(n, None, dtype=object)
    _duplicates(entities, periods, has_period, rubric, source.row_numbers, add)
    for name in rubric.attributes:
        hint = did_you_mean(name, unknown, ignore_case=True)
        if name not in frame.columns and hint:
            column_problems.append((name, f"attribute column is missing{hint}"))

    pools = _pools(frame, rubric, unknown, column_problems, add)
    raw = {name: column_values(frame, name) for name in plan.inputs if name in frame.columns}
    columns, bad = plan.validator.columns(raw, n, tick)
    for i, name, value, problem in bad:
        add(i, name, value, problem)
    for name, spec in plan.inputs.items():
        absent = None if name in raw else absent_input_problem(spec, unknown, table=True)
        if absent is not None:
            column_problems.append((name, absent))
    return Prepared(
        source,
        rubric,
        entities,
        periods,
        has_period,
        columns,
        cells,
        tuple(column_problems),
        pools,
    )


def _pools(
    frame: pd.DataFrame,
    rubric: m.Rubric,
    unknown: list[str],
    column_problems: list[tuple[str, str]],
    add: Callable[[int, str, Any, str], None],
) -> np.ndarray | None:
    """Each row's pool label from the pool columns; a missing column or an empty cell is a
    problem, since the row could not be ranked among its peers."""
    if not rubric.pools:
        return None
    n = len(frame)
    parts: list[np.ndarray] = []
    for name in rubric.pools:
        if name not in frame.columns:
            hint = did_you_mean(name, unknown, ignore_case=True)
            column_problems.append((name, f"pool column is missing{hint}"))
            parts.append(np.full(n, "", dtype=object))
            continue
        raw = column_values(frame, name)
        text, odd = _keys(raw, pool_text, name, add)
        for at in np.flatnonzero(pd.isna(text) & ~odd):
            add(
                int(at),
                name,
                raw[at],
                "the pool column is empty: the rubric ranks within pools, so say which one "
                "the entity belongs to",
            )
        parts.append(text)
    return np.array(
        [pool_label([str(p) for p in row]) for row in zip(*parts, strict=True)], dtype=object
    )


_NOT_KEYS = (list, dict, set, np.ndarray)


def _keys(
    raw: np.ndarray,
    key: Callable[[Any], Any],
    field: str,
    add: Callable[[int, str, Any, str], None],
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's key, and the cells that cannot be one (a list, a mapping, an array: as Parquet
    and JSON can hold), each added as a problem; no cell is checked unless such a cell is there."""
    try:
        if key is entity_key:
            found = _text_keys(raw)
            if found is not None:
                return found, np.zeros(len(raw), dtype=bool)
        return map_unique(raw, key), np.zeros(len(raw), dtype=bool)
    except TypeError:
        odd = np.fromiter((isinstance(v, _NOT_KEYS) for v in raw), dtype=bool, count=len(raw))
    keys = np.full(len(raw), None, dtype=object)
    keys[~odd] = map_unique(raw[~odd], key)
    for at in np.flatnonzero(odd):
        add(int(at), field, raw[at], f"expected text or a number, found a {type(raw[at]).__name__}")
    return keys, odd


def _text_keys(raw: np.ndarray) -> np.ndarray | None:
    """entity_key of every cell of a column of text and missing cells, without a Python call per
    distinct id (None for any other column): a blank id is missing, any other text its own key."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(distinct, skipna=False) not in ("string", "empty"):
        return None
    mapped = np.empty(len(distinct) + 1, dtype=object)
    mapped[:-1] = distinct
    blank = np.fromiter((not x or x.isspace() for x in distinct), dtype=bool, count=len(distinct))
    mapped[:-1][blank] = None
    mapped[-1] = None
    out: np.ndarray = mapped[np.where(codes < 0, len(distinct), codes)]
    return out


def _duplicates(
    entities: np.ndarray,
    periods: np.ndarray,
    has_period: bool,
    rubric: m.Rubric,
    row_numbers: np.ndarray,
    add: Callable[[int, str, Any, str], None],
) -> None:
    keyed = pd.DataFrame({"e": entities, "p": periods}, dtype=object)
    complete = keyed["e"].notna() & (keyed["p"].notna() | (not has_period))
    dup = np.asarray(keyed.duplicated(keep=False)) & np.asarray(complete)
    if not dup.any():
        return
    groups: dict[tuple[Any, Any], list[int]] = {}
    for at in np.flatnonzero(dup):
        groups.setdefault((entities[at], periods[at]), []).append(int(at))
    for (entity, period), positions in groups.items():
        for i in positions:
            others = ", ".join(str(row_numbers[j]) for j in positions if j != i)
            what = f"{rubric.entity} {entity}" + (
                f" in {rubric.period} {period}" if has_period else ""
            )
            add(i, rubric.entity, entity, f"duplicate {what}: also on row {others}")
