"""JSON Lines: one flat object per line; duplicate keys, huge numbers and deep nesting refused."""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

import pandas as pd

from greenscore.io._table import error, fail


class _HugeNumberError(ValueError):
    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} characters)"
        super().__init__(
            f"the number {shown} overflows (beyond ±{sys.float_info.max:.4g}, the largest "
            "number a cell can hold)"
        )
        self.text = text


_MAX_INT_DIGITS = len(str(int(sys.float_info.max)))


def _bounded_int(text: str) -> int:
    """A JSON integer that a float can hold; longer ones are refused before they are converted."""
    if len(text.lstrip("-")) > _MAX_INT_DIGITS or abs(value := int(text)) > sys.float_info.max:
        raise _HugeNumberError(text)
    return value


def _bounded_float(text: str) -> float:
    """A JSON fraction or exponent number that stays finite (1e400 would read as infinity)."""
    value = float(text)
    if not math.isfinite(value):
        raise _HugeNumberError(text)
    return value


def _column_of(line: str, text: str) -> str:
    """', column N' where the number literal stands in the line, when it can be found."""
    match = re.search(rf"(?<![\w.+-]){re.escape(text)}(?![\w.])", line)
    return "" if match is None else f", column {match.start() + 1}"


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKeyError(key)
        obj[key] = value
    return obj


def parse_jsonl(data: bytes, shown: str) -> tuple[pd.DataFrame, list[int]]:
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    keys: dict[str, None] = {}
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise error(shown, f"line {number} is not valid UTF-8") from e
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            obj = json.loads(
                line,
                object_pairs_hook=_unique_pairs,
                parse_int=_bounded_int,
                parse_float=_bounded_float,
            )
        except _DuplicateKeyError as e:
            raise error(shown, f"line {number}: duplicate key {e.key!r}") from e
        except _HugeNumberError as e:
            raise error(shown, f"line {number}{_column_of(line, e.text)}: {e}") from e
        except json.JSONDecodeError as e:
            reason = f"line {number} is not valid JSON ({e.msg} at column {e.colno})"
            raise error(shown, reason) from e
        except RecursionError as e:
            reason = (
                f"line {number} nests arrays or objects too deeply; a record is one flat object"
            )
            raise error(shown, reason) from e
        if not isinstance(obj, dict):
            fail(shown, f"line {number}: expected a JSON object {{...}}, got {_json_kind(obj)}")
        record: dict[str, Any] = {}
        for key, value in obj.items():
            name = key.strip()
            if not name:
                fail(shown, f"line {number}: a key is empty")
            if name in record:
                fail(shown, f"line {number}: duplicate key {name!r} (after trimming spaces)")
            record[name] = value
            keys.setdefault(name)
        records.append(record)
        numbers.append(number)
    if not records:
        fail(shown, "it contains no JSON records (every line is blank)")
    columns = {key: [r.get(key) for r in records] for key in keys}
    return pd.DataFrame(columns, dtype=object), numbers
