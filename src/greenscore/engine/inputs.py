"""Input adapters: profiles and table columns to float columns, every problem collected once.

The one coercion (``coerce_column``), validation (``InputValidator``) and history builder
(``lag_columns``) that evaluate() and assess() share; a single profile is a table of one row.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from greenscore.engine.derive import lag_column
from greenscore.engine.numbers import finite_float
from greenscore.errors import DataProblem, ProfileError, closest, did_you_mean
from greenscore.rubric import models as m

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "f"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_INTEGER_TEXT = re.compile(r"^[+-]?\d+(?:\.0*)?$")

PeriodKey = int | str


DURATIONS = (datetime.timedelta, np.timedelta64)
"""Cells that hold a length of time (numpy counts np.timedelta64 as an integer): never a value."""


def profile_mapping(profile: Any) -> Mapping[str, Any]:
    """A dict, pandas Series, dataclass or pydantic model as a read-only mapping of field values."""
    if isinstance(profile, Mapping):
        return profile
    if hasattr(profile, "to_dict") and hasattr(profile, "index"):
        return dict(profile.to_dict())
    if dataclasses.is_dataclass(profile) and not isinstance(profile, type):
        return {f.name: getattr(profile, f.name) for f in dataclasses.fields(profile)}
    if hasattr(profile, "model_dump"):
        return dict(profile.model_dump())
    raise ProfileError(
        [
            DataProblem(
                "<profile>",
                type(profile).__name__,
                "expected a mapping, pandas Series, dataclass or pydantic model",
            )
        ]
    )


def is_missing(value: Any) -> bool:
    """None, NaN, pandas NA and empty or blank strings count as missing."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> float | str:
    """A float, or the reason the value is not a number."""
    if isinstance(value, bool | np.bool_):
        return "expected a number, found a boolean"
    if isinstance(value, DURATIONS):
        return "expected a number, found a duration"
    if isinstance(value, str):
        text = value.strip()
        return finite_float(text.replace(",", "") if _THOUSANDS.match(text) else text)
    if isinstance(value, int | float | np.integer | np.floating):
        return finite_float(value)
    return f"expected a number, found {type(value).__name__}"


def _boolean(value: Any) -> float | str:
    if isinstance(value, DURATIONS):
        return "expected true or false, found a duration"
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return float(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return 1.0
        if word in FALSE_WORDS:
            return 0.0
    return "expected true or false"


class ColumnCoercer:
    """The rule for one input's cells: each raw value to a float, or what is wrong with it."""

    def __init__(self, spec: m.Input) -> None:
        self.spec = spec
        self.codes = {c: float(i) for i, c in enumerate(spec.categories or [])}
        if spec.min is not None and spec.max is not None:
            self.range_text = f"expected a value in [{spec.min:g}, {spec.max:g}]"
        elif spec.min is not None:
            self.range_text = f"expected a value ≥ {spec.min:g}"
        elif spec.max is not None:
            self.range_text = f"expected a value ≤ {spec.max:g}"
        else:
            self.range_text = "expected a finite number"

    def one(self, value: Any) -> float | str:
        """The float for one cell (NaN when missing), or the problem with it."""
        spec = self.spec
        if type(value) is float and spec.type == "number":
            if value != value:
                return "required value is missing" if spec.required else math.nan
            return self._in_range(value)
        if is_missing(value):
            return "required value is missing" if spec.required else math.nan
        if spec.type == "boolean":
            return _boolean(value)
        if spec.type == "category":
            key = value.strip() if isinstance(value, str) else str(value)
            code = self.codes.get(key)
            if code is None:
                did = did_you_mean(key, self.codes)
                return f"unknown category{did}; expected one of {', '.join(self.codes)}"
            return code
        number = _number(value)
        if isinstance(number, str):
            return number
        if spec.type == "integer" and not number.is_integer():
            return "expected a whole number"
        return self._in_range(number)

    def _in_range(self, number: float) -> float | str:
        spec = self.spec
        if not math.isfinite(number):
            return "expected a finite number"
        if (spec.min is not None and number < spec.min) or (
            spec.max is not None and number > spec.max
        ):
            return self.range_text
        return number


# --- the one column coercion ---------------------------------------------------------------------

Coerced = tuple[np.ndarray, list[tuple[int, str]]]
_SMALL = 8
_BOOLEAN_SAFE = ("string", "empty", "boolean", "integer", "floating", "mixed-integer-float")
_CATEGORY_SAFE = ("string", "empty", "boolean", "integer")
_NUMBER_SAFE = ("string", "empty", "floating", "integer", "mixed-integer-float")
_NATIVE_KIND = {"f": "floating", "i": "integer", "u": "integer", "b": "boolean"}


def coerce_column(coercer: ColumnCoercer, values: np.ndarray) -> Coerced:
    """Floats for a whole column and (position, problem) for every bad cell, NaN in its place.

    Every cell either takes a vectorised path whose float equals ``coercer.one(cell)`` by
    construction (the same Python float(), or one call per distinct value where equal values give
    equal results), or goes through ``coercer.one`` itself; every problem text comes from it.
    A few cells (a single profile, its history) go cell by cell: pandas' set-up would cost more.
    """
    spec = coercer.spec
    numeric = spec.type in ("number", "integer")
    if len(values) < _SMALL:
        return _cell_by_cell(coercer, values)
    if values.dtype.kind in "fiu" and numeric:
        return _native_numbers(coercer, values)
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
        return _cell_by_cell(coercer, values)
    try:
        out, ok = _numbers_from_text(values)
    except (ValueError, TypeError, OverflowError):
        return _cell_by_cell(coercer, values)
    check = ~ok | ~np.isfinite(out) | _against_declaration(spec, out)
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


def _against_declaration(spec: m.Input, out: np.ndarray) -> np.ndarray:
    """Numbers a cell-by-cell check must look at: fractions of a whole-number input, and values
    outside the declared min or max."""
    flagged = np.zeros(len(out), dtype=bool)
    if spec.type == "integer":
        flagged |= np.isfinite(out) & (out != np.round(out))
    if spec.min is not None:
        flagged |= out < spec.min
    if spec.max is not None:
        flagged |= out > spec.max
    return flagged


def _cell_by_cell(coercer: ColumnCoercer, values: np.ndarray) -> Coerced:
    out = np.empty(len(values))
    problems: list[tuple[int, str]] = []
    for i, value in enumerate(values):
        result = coercer.one(value)
        if isinstance(result, str):
            problems.append((i, result))
            out[i] = math.nan
        else:
            out[i] = result
    return out, problems


def _native_numbers(coercer: ColumnCoercer, values: np.ndarray) -> Coerced:
    """A numpy number column: one cast, with coercer.one only for the cells the masks flag."""
    spec = coercer.spec
    out = values.astype(float)
    bad = ~np.isfinite(out) & ~np.isnan(out)
    if spec.required:
        bad |= np.isnan(out)
    bad |= _against_declaration(spec, out)
    problems: list[tuple[int, str]] = []
    for i in np.flatnonzero(bad):
        result = coercer.one(values[i])
        if isinstance(result, str):
            problems.append((int(i), result))
            out[i] = math.nan
    return out, problems


def _per_distinct(
    values: np.ndarray, function: Callable[[Any], Any]
) -> tuple[np.ndarray, np.ndarray]:
    """function of each distinct value (missing values share one call, last) and each cell's code."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(u) for u in uniques]
    mapped[-1] = function(None)
    return mapped, np.where(codes < 0, len(uniques), codes)


def map_unique(values: np.ndarray, function: Callable[[Any], Any]) -> np.ndarray:
    """function applied once per distinct value (missing values share one call), as objects."""
    mapped, codes = _per_distinct(values, function)
    out: np.ndarray = mapped[codes]
    return out


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


def _missing_mask(values: np.ndarray) -> np.ndarray:
    """is_missing() for each cell of an object column of text, numbers and missing markers."""
    series = pd.Series(values, dtype=object)
    blank = series.map(lambda v: isinstance(v, str) and not v.strip())
    missing: np.ndarray = np.asarray(series.isna(), dtype=bool) | np.asarray(blank, dtype=bool)
    return missing


def cells(values: Sequence[Any]) -> np.ndarray:
    """Raw values as an object column, each kept as it is (no numpy type guessing)."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


# --- validation of every declared input ----------------------------------------------------------


def absent_input_problem(spec: m.Input, unknown: Sequence[str], *, table: bool) -> str | None:
    """What to say when a declared input is absent (a table's column, a profile's field), or None.

    A profile reports only a missing required field, hinting at a near-miss key; a table also
    warns about an optional column whose near-miss name suggests a typo.
    """
    if not table:
        if not spec.required:
            return None
        close = closest(spec.id, unknown)
        return "required field is missing" + (
            "" if close is None else f" (found {close!r}: a typo?)"
        )
    hint = did_you_mean(spec.id, unknown, ignore_case=True)
    if spec.required:
        return f"required column is missing{hint}"
    if hint:
        return (
            f"optional column is missing{hint}: rename the column, or drop it to leave the "
            "indicator unreported"
        )
    return None


class InputValidator:
    """Validates the inputs of one rubric, for whole columns or a single profile (a column of one)."""

    def __init__(self, rubric: m.Rubric) -> None:
        self.rubric = rubric
        self.coercers = {spec.id: ColumnCoercer(spec) for spec in rubric.inputs}

    def columns(
        self,
        frame_columns: Mapping[str, Sequence[Any] | np.ndarray],
        n: int,
        tick: Callable[[], None] | None = None,
    ) -> tuple[dict[str, np.ndarray], list[tuple[int, str, Any, str]]]:
        """Float columns (NaN for absent ones) plus (position, field, value, problem) per bad cell."""
        out: dict[str, np.ndarray] = {}
        problems: list[tuple[int, str, Any, str]] = []
        for name, coercer in self.coercers.items():
            if name not in frame_columns:
                out[name] = np.full(n, math.nan)
            else:
                raw = np.asarray(frame_columns[name])
                out[name], bad = coerce_column(coercer, raw)
                problems.extend((i, name, raw[i], problem) for i, problem in bad)
            if tick is not None:
                tick()
        return out, problems

    def profile(self, profile: Any) -> dict[str, np.ndarray]:
        """Columns of length one for a single profile; raises ProfileError listing every problem."""
        data = profile_mapping(profile)
        present = {name: cells([data[name]]) for name in self.coercers if name in data}
        columns, bad = self.columns(present, 1)
        found = {name: problem for _, name, _, problem in bad}
        unknown = [key for key in data if isinstance(key, str) and key not in self.coercers]
        entity = entity_key(data.get(self.rubric.entity))
        problems: list[DataProblem] = []
        for name, coercer in self.coercers.items():
            if name in present:
                problem = found.get(name)
            else:
                problem = absent_input_problem(coercer.spec, unknown, table=False)
            if problem is not None:
                problems.append(DataProblem(name, data.get(name), problem, entity=entity))
        if problems:
            raise ProfileError(problems)
        return columns


# --- identity and history ------------------------------------------------------------------------


def entity_key(value: Any) -> str | None:
    """An entity id cell as text, None when missing."""
    return None if is_missing(value) else str(value)


def period_key(value: Any) -> PeriodKey | None:
    """A period cell as a comparable key: whole numbers (2016, "2016", 2016.0) become int.

    None when missing, or when a whole number lies beyond ``PERIOD_LIMIT`` (``period_problem``
    says why), so that no later arithmetic on years can overflow.
    """
    if is_missing(value) or isinstance(value, DURATIONS):
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return _bounded(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return _bounded(int(number)) if number.is_integer() else str(number)
    text = str(value).strip()
    if _INTEGER_TEXT.match(text):
        return _bounded(int(text.partition(".")[0]))
    return text


PERIOD_LIMIT = 999_999_999
"""Largest whole-number period (in absolute value): room for years and yyyymmdd dates alike."""


def _bounded(year: int) -> int | None:
    return year if -PERIOD_LIMIT <= year <= PERIOD_LIMIT else None


def period_problem(value: Any) -> str:
    """Why a period cell has no key: it is empty, or a whole number too large to be a period."""
    if is_missing(value):
        return "period is empty"
    if isinstance(value, DURATIONS):
        return "expected a year such as 2016 or a text label, found a duration"
    return (
        f"period is out of range; expected a whole number from {-PERIOD_LIMIT:,} to "
        f"{PERIOD_LIMIT:,} (a year such as 2016) or a text label"
    )


def period_order(key: PeriodKey) -> tuple[int, Any]:
    """Sort key for periods: numbers in numeric order, before text periods in text order."""
    return (0, key) if isinstance(key, int) else (1, key)


def ordinals(periods: np.ndarray) -> np.ndarray:
    """Period keys as integers along one time line: the year itself, else the sorted position."""
    keys = [k for k in dict.fromkeys(periods.tolist()) if k is not None]
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
    keys, first, counts = np.unique(key[candidates], return_index=True, return_counts=True)
    lookup = keys[counts == 1]
    source_rows = candidates[first[counts == 1]]
    target_ok = usable[rows]
    target_times = {int(t) for t in time[rows][target_ok]}
    all_times = {int(t) for t in time[source_rows]}
    offsets = sorted({t - s for t in target_times for s in all_times if s < t})
    out: dict[str, np.ndarray] = {}
    for k in offsets:
        shifted = time[rows] - k
        valid = target_ok & (shifted >= low)
        wanted = codes[rows].astype(np.int64) * span + shifted - low
        at = np.minimum(np.searchsorted(lookup, wanted), len(lookup) - 1)
        hit = valid & (lookup[at] == wanted)
        index = source_rows[np.where(hit, at, 0)]
        for name, column in values.items():
            out[lag_column(name, k)] = np.where(
                hit, np.asarray(column, dtype=float)[index], math.nan
            )
    return out
