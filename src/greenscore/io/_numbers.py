"""Numbers handed over as Python objects (Decimals from Parquet money columns, integers too large
for a float) made plain: a float where one holds the value, else text the input checks refuse."""

from __future__ import annotations

import math
import sys
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

_FLOAT_MAX = sys.float_info.max
_MAY_HOLD_OBJECTS = frozenset(
    {"decimal", "integer", "mixed", "mixed-integer", "mixed-integer-float"}
)


def plain_number(value: Any) -> Any:
    """A Decimal or int as a float (correctly rounded) when a float holds it; a NaN, infinite or
    out-of-range one as its text ("NaN", "Infinity", "1E+400"), which reads as not finite rather
    than as missing; any other value unchanged."""
    if isinstance(value, Decimal):
        if value.is_finite():
            number = float(value)
            if math.isfinite(number):
                return number
        return "NaN" if value.is_nan() else str(value)
    if type(value) is int and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
        return _int_text(value)
    return value


def _int_text(value: int) -> str:
    """The digits of a huge integer, or its order of magnitude past Python's digit limit."""
    try:
        return str(value)
    except ValueError:
        digits = int(abs(value).bit_length() * math.log10(2))
        return f"{'-' if value < 0 else ''}1e{digits}"


def plain_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`plain_number` applied to the cells of its object and Arrow decimal
    columns: a new frame when a cell changes, else ``frame`` itself."""
    out = frame
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if column.dtype.kind != "O":
            continue
        values = column.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) not in _MAY_HOLD_OBJECTS:
            continue
        plain = np.empty(len(values), dtype=object)
        plain[:] = [plain_number(v) for v in values]
        if any(a is not b for a, b in zip(plain, values, strict=True)):
            out = frame.copy(deep=False) if out is frame else out
            out.isetitem(j, plain)
    return out
