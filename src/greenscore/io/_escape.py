"""Defuse spreadsheet formula injection (OWASP "CSV injection") in cells we write."""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

import pandas as pd

T = TypeVar("T")

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def escape_spreadsheet_cell(value: T) -> T:
    """Prefix ``'`` to a string a spreadsheet would run as a formula; leave numbers and others be.

    Strings starting with ``= + - @``, tab or carriage return are escaped unless they are plain
    decimal numbers such as ``"-1.5"`` or ``"+2e3"``.
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return cast(T, "'" + value)
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with text cells (object, string and text-categorical columns) and string
    column labels escaped; numeric, boolean and datetime columns are untouched."""
    out = df.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if not _is_text(dtype.categories.dtype):
                continue
            column = column.astype(object)
        elif not _is_text(dtype):
            continue
        out.isetitem(i, column.map(escape_spreadsheet_cell, na_action="ignore").array)
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.Index([escape_spreadsheet_cell(c) for c in out.columns])
    return out


def _is_text(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
