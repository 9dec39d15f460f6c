"""Profile adapters and input validation: turn user values into float columns, collecting every problem."""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from greenscore.rubric import models as m
from greenscore.errors import DataProblem, ProfileError

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "f"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


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
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return "expected a number"
    else:
        return f"expected a number, found {type(value).__name__}"
    if not math.isfinite(number):
        return "expected a finite number"
    return number


def _boolean(value: Any) -> float | str:
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating) and float(value) in (0.0, 1.0):
        return float(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return 1.0
        if word in FALSE_WORDS:
            return 0.0
    return "expected true or false"


class ColumnCoercer:
    """Converts one input's raw values to floats and says what is wrong with each bad cell."""

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
                hint = difflib.get_close_matches(key, list(self.codes), n=1)
                did = f" (did you mean {hint[0]!r}?)" if hint else ""
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

    def column(self, values: np.ndarray) -> tuple[np.ndarray, list[tuple[int, str]]]:
        """Floats for a whole column, and (position, problem) for every bad cell."""
        spec = self.spec
        if values.dtype.kind in "fiu" and spec.type in ("number", "integer"):
            out = values.astype(float)
            bad = ~np.isfinite(out) & ~np.isnan(out)
            if spec.required:
                bad |= np.isnan(out)
            if spec.type == "integer":
                bad |= np.isfinite(out) & (out != np.round(out))
            if spec.min is not None:
                bad |= out < spec.min
            if spec.max is not None:
                bad |= out > spec.max
            problems = [(int(i), self.one(values[i])) for i in np.flatnonzero(bad)]
            return out, [(i, p) for i, p in problems if isinstance(p, str)]
        out = np.empty(len(values))
        problems_list: list[tuple[int, str]] = []
        for i, value in enumerate(values):
            result = self.one(value)
            if isinstance(result, str):
                problems_list.append((i, result))
                out[i] = math.nan
            else:
                out[i] = result
        return out, problems_list


class InputValidator:
    """Validates inputs of one rubric, for a single profile or whole columns."""

    def __init__(self, rubric: m.Rubric) -> None:
        self.rubric = rubric
        self.coercers = {spec.id: ColumnCoercer(spec) for spec in rubric.inputs}

    def profile(self, profile: Any) -> dict[str, np.ndarray]:
        """Columns of length one for a single profile; raises ProfileError listing every problem."""
        data = profile_mapping(profile)
        columns: dict[str, np.ndarray] = {}
        problems: list[DataProblem] = []
        entity = data.get(self.rubric.entity)
        entity_text = None if is_missing(entity) else str(entity)
        for name, coercer in self.coercers.items():
            value = data.get(name)
            result = coercer.one(value)
            if isinstance(result, str):
                if name not in data and coercer.spec.required:
                    result = f"required field is missing{self._hint(name, data)}"
                problems.append(DataProblem(name, value, result, entity=entity_text))
                columns[name] = np.array([math.nan])
            else:
                columns[name] = np.array([result])
        if problems:
            raise ProfileError(problems)
        return columns

    def _hint(self, name: str, data: Mapping[str, Any]) -> str:
        unknown = [key for key in data if isinstance(key, str) and key not in self.coercers]
        close = difflib.get_close_matches(name, unknown, n=1)
        return f" (found {close[0]!r}: a typo?)" if close else ""

    def columns(
        self, frame_columns: Mapping[str, Sequence[Any] | np.ndarray], n: int
    ) -> tuple[dict[str, np.ndarray], list[tuple[int, str, Any, str]]]:
        """Float columns plus (position, field, value, problem) for every bad cell."""
        out: dict[str, np.ndarray] = {}
        problems: list[tuple[int, str, Any, str]] = []
        for name, coercer in self.coercers.items():
            if name not in frame_columns:
                out[name] = np.full(n, math.nan)
                continue
            raw = np.asarray(frame_columns[name])
            values, bad = coercer.column(raw)
            out[name] = values
            problems.extend((i, name, raw[i], problem) for i, problem in bad)
        return out, problems
