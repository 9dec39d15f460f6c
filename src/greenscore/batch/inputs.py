"""Batch input preparation: whole-column coercion, id and period checks, lagged history columns."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from greenscore.rubric import models as m
from greenscore.engine.inputs import ColumnCoercer, is_missing
from greenscore.engine.plan import Plan
from greenscore.io import TableSource

PeriodKey = int | str

_INTEGER_TEXT = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def period_key(value: Any) -> PeriodKey | None:
    """A period cell as a comparable key: whole numbers (2016, "2016", 2016.0) become int."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return int(number) if number.is_integer() else str(number)
    text = str(value).strip()
    if _INTEGER_TEXT.match(text):
        return int(float(text)) if "." in text else int(text)
    return text


def period_order(key: PeriodKey) -> tuple[int, Any]:
    """Sort key for periods: numbers in numeric order, before text periods in text order."""
    return (0, key) if isinstance(key, int) else (1, key)


def _per_distinct(
    values: np.ndarray, function: Callable[[Any], Any]
) -> tuple[np.ndarray, np.ndarray]:
    """function of each distinct value (missing values share one call, last) and each cell's code."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(u) for u in uniques]
    mapped[-1] = function(None)
    return mapped, np.where(codes < 0, len(uniques), codes)


def _map_unique(values: np.ndarray, function: Callable[[Any], Any]) -> np.ndarray:
    """function applied once per distinct value (missing values share one call), as objects."""
    mapped, codes = _per_distinct(values, function)
    return mapped[codes]


def _numbers_from_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Python float() of each text cell where it parses (ok mask), NaN elsewhere; C speed."""
    try:
        return values.astype(float), np.ones(len(values), dtype=bool)
    except (ValueError, TypeError):
        pass
    out = np.full(len(values), math.nan)
    candidates = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").notna())
    ok = np.zeros(len(values), dtype=bool)
    try:
        out[candidates] = values[candidates].astype(float)
        ok[candidates] = True
    except (ValueError, TypeError):
        for i in np.flatnonzero(candidates):
            try:
                out[i] = float(values[i])
                ok[i] = True
            except (ValueError, TypeError):
                continue
    return out, ok


_BOOLEAN_SAFE = ("string", "empty", "boolean", "integer", "floating", "mixed-integer-float")
_CATEGORY_SAFE = ("string", "empty", "boolean", "integer")
_NUMBER_SAFE = ("string", "empty", "floating", "integer", "mixed-integer-float")
_NATIVE_KIND = {"f": "floating", "i": "integer", "u": "integer", "b": "boolean"}


def _missing_mask(values: np.ndarray) -> np.ndarray:
    """is_missing() for each cell of an object column of text, numbers and missing markers."""
    series = pd.Series(values, dtype=object)
    blank = series.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    return np.asarray(series.isna(), dtype=bool) | blank


def coerce_column(
    coercer: ColumnCoercer, values: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """ColumnCoercer.column, cell for cell, at C speed for text, boolean and category cells.

    Every cell either takes a vectorised path whose float equals ``coercer.one(cell)`` by
    construction (the same Python float(), or one call per distinct value where equal values give
    equal results), or goes through ``coercer.one`` itself; every problem text comes from it.
    """
    spec = coercer.spec
    numeric = spec.type in ("number", "integer")
    if values.dtype.kind in "fiu" and numeric:
        return coercer.column(values)
    if values.dtype.kind == "b" and spec.type == "boolean":
        return values.astype(float), []
    if values.dtype.kind in _NATIVE_KIND:
        kind = _NATIVE_KIND[values.dtype.kind]
    else:
        values = values.astype(object, copy=False)
        kind = pd.api.types.infer_dtype(values, skipna=True)
    if (spec.type == "boolean" and kind in _BOOLEAN_SAFE) or (
        spec.type == "category" and kind in _CATEGORY_SAFE
    ):
        mapped, codes = _per_distinct(values, coercer.one)
        bad = np.array([isinstance(v, str) for v in mapped], dtype=bool)
        out = np.where(bad, math.nan, mapped).astype(float)[codes]
        return out, [(int(i), str(mapped[codes[i]])) for i in np.flatnonzero(bad[codes])]
    if not (numeric and kind in _NUMBER_SAFE) or values.dtype != object:
        return coercer.column(values)
    try:
        out, ok = _numbers_from_text(values)
    except (ValueError, TypeError):
        return coercer.column(values)
    check = ~ok | ~np.isfinite(out)
    if spec.type == "integer":
        check |= np.isfinite(out) & (out != np.round(out))
    if spec.min is not None:
        check |= out < spec.min
    if spec.max is not None:
        check |= out > spec.max
    positions = np.flatnonzero(check)
    if positions.size == 0:
        return out, []
    blank = _missing_mask(values[positions])
    when_missing = coercer.one(None)
    problems: list[tuple[int, str]] = []
    for i, missing in zip(positions, blank, strict=True):
        result = when_missing if missing else coercer.one(values[i])
        if isinstance(result, str):
            problems.append((int(i), result))
            out[i] = math.nan
        else:
            out[i] = result
    return out, problems


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


def did_you_mean(name: str, candidates: Sequence[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower().strip(): c for c in candidates}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""


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

    @property
    def n(self) -> int:
        return len(self.source.frame)

    def period_keys(self) -> list[PeriodKey]:
        """The distinct periods present, earliest first."""
        keys = {k for k in self.periods if k is not None}
        return sorted(keys, key=period_order)

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
    known = {rubric.entity, rubric.period, *rubric.attributes, *plan.inputs}
    unknown = [c for c in present if c not in known]
    column_problems: list[tuple[str, str]] = []
    cells: dict[int, list[tuple[str, Any, str]]] = {}

    def add(position: int, field: str, value: Any, problem: str) -> None:
        cells.setdefault(position, []).append((field, value, problem))

    if rubric.entity in frame.columns:
        raw_ids = column_values(frame, rubric.entity)
        entities = _map_unique(raw_ids, lambda v: None if is_missing(v) else str(v))
        for at in np.flatnonzero(pd.isna(entities)):
            add(int(at), rubric.entity, raw_ids[at], "entity id is empty")
    else:
        entities = np.full(n, None, dtype=object)
        column_problems.append(
            (rubric.entity, f"entity id column is missing{did_you_mean(rubric.entity, unknown)}")
        )
    has_period = rubric.period in frame.columns
    if has_period:
        raw_periods = column_values(frame, rubric.period)
        periods = _map_unique(raw_periods, period_key)
        for at in np.flatnonzero(pd.isna(periods)):
            add(int(at), rubric.period, raw_periods[at], "period is empty")
    else:
        periods = np.full(n, None, dtype=object)
    _duplicates(entities, periods, has_period, rubric, source.row_numbers, add)
    for name in rubric.attributes:
        hint = did_you_mean(name, unknown)
        if name not in frame.columns and hint:
            column_problems.append((name, f"attribute column is missing{hint}"))

    columns: dict[str, np.ndarray] = {}
    for name, coercer in plan.validator.coercers.items():
        if name not in frame.columns:
            columns[name] = np.full(n, math.nan)
            if coercer.spec.required:
                column_problems.append(
                    (name, f"required column is missing{did_you_mean(name, unknown)}")
                )
            elif did_you_mean(name, unknown):
                column_problems.append(
                    (
                        name,
                        f"optional column is missing{did_you_mean(name, unknown)}: rename the "
                        "column, or drop it to leave the indicator unreported",
                    )
                )
        else:
            raw = column_values(frame, name)
            columns[name], bad = coerce_column(coercer, raw)
            for i, problem in bad:
                add(i, name, raw[i], problem)
        if tick is not None:
            tick()
    return Prepared(
        source, rubric, entities, periods, has_period, columns, cells, tuple(column_problems)
    )


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


def ordinals(periods: np.ndarray) -> np.ndarray:
    """Period keys as integers along one time line: the year itself, else the sorted position."""
    keys = [k for k in pd.unique(periods) if k is not None]
    out = np.full(len(periods), -1, dtype=np.int64)
    present = np.array([k is not None for k in periods], dtype=bool)
    if not keys:
        return out
    if all(isinstance(k, int) for k in keys):
        out[present] = np.array([periods[i] for i in np.flatnonzero(present)], dtype=np.int64)
        return out
    position = {k: i for i, k in enumerate(sorted(keys, key=period_order))}
    out[present] = [position[periods[i]] for i in np.flatnonzero(present)]
    return out


def lag_columns(
    entities: np.ndarray,
    periods: np.ndarray,
    values: Mapping[str, np.ndarray],
    rows: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Columns ``f"{name}@-{k}"``: the same entity's value k periods earlier, for the given rows.

    Periods are ordered as years when they are whole numbers (a gap in years leaves the lag
    missing), else by their sorted position. Entity–period pairs that occur twice are ambiguous
    and never serve as a lag. Only lags that some earlier period can fill are built.
    """
    rows = np.arange(len(entities)) if rows is None else np.asarray(rows, dtype=np.intp)
    time = ordinals(periods)
    codes, _ = pd.factorize(entities, use_na_sentinel=True)
    usable = (codes >= 0) & (time >= 0)
    if rows.size == 0 or not usable.any():
        return {}
    low = int(time[usable].min())
    span = int(time[usable].max()) - low + 1
    key = codes.astype(np.int64) * span + (time - low)
    candidates = np.flatnonzero(usable)
    unique = ~pd.Series(key[candidates]).duplicated(keep=False).to_numpy()
    source_rows = candidates[unique]
    lookup = pd.Index(key[source_rows])
    target_ok = usable[rows]
    target_times = {int(t) for t in time[rows][target_ok]}
    all_times = {int(t) for t in time[source_rows]}
    offsets = sorted({t - s for t in target_times for s in all_times if s < t})
    out: dict[str, np.ndarray] = {}
    for k in offsets:
        shifted = time[rows] - k
        valid = target_ok & (shifted >= low)
        found = lookup.get_indexer(
            np.where(valid, codes[rows].astype(np.int64) * span + shifted - low, -1)
        )
        hit = valid & (found >= 0)
        index = source_rows[np.where(hit, found, 0)]
        for name, column in values.items():
            out[f"{name}@-{k}"] = np.where(hit, np.asarray(column, dtype=float)[index], math.nan)
    return out
