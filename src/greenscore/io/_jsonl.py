"""JSON Lines: one flat object per line, each read as strict JSON (see :mod:`._json`)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from greenscore.io._json import parse_json
from greenscore.io._table import error, fail


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


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
        obj = parse_json(line, shown, line=number)
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
