"""Parquet files with the column types other programs store: small and unsigned integers, float16,
decimals, dates, timestamps, dictionaries, binary, null columns, nested lists and structs."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fuzz_run import TABLE_RUBRIC, Kind, Outcome, assess_outcome, guarded, strict
from fuzz_tables import ENTITY, Table, example_rows, tables, text_of
from hypothesis import strategies as st

from greenscore.errors import InputFileError
from greenscore.io import read_table


@dataclass
class ParquetCase:
    """A Parquet file's bytes, its column names and row count as written, and its faults."""

    data: bytes
    columns: list[str]
    rows: int
    kinds: set[str] = field(default_factory=set)
    damaged: bool = False


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return float(value) if isinstance(value, bool) else None
    try:
        number = float(text_of(value).strip().replace(",", ""))
    except ValueError:
        return None
    return number


def _integer(value: Any, bits: int, signed: bool) -> int | None:
    number = _number(value)
    if number is None or not math.isfinite(number) or not number.is_integer():
        return None
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    return int(number) if low <= number <= high else None


def _finite(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and abs(number) < 1e30 else None


def _decimal(value: Any) -> decimal.Decimal | None:
    """A Decimal of 18 digits, 4 after the point, where the value fits."""
    number = _finite(value)
    return None if number is None or abs(number) >= 1e13 else decimal.Decimal(f"{number:.4f}")


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    number = _integer(value, 16, False)
    return None if number is None else dt.date(2000, 1, 1) + dt.timedelta(days=number % 9000)


def _timestamp(value: Any) -> dt.datetime | None:
    day = _date(value)
    return None if day is None else dt.datetime(day.year, day.month, day.day, 12, 30)


def _text(value: Any) -> str | None:
    return None if value is None else text_of(value)


def _binary(value: Any) -> bytes | None:
    return None if value is None else text_of(value).encode("utf-8", "surrogatepass")


def _list(value: Any) -> list[float] | None:
    number = _number(value)
    return None if number is None else [number, number]


def _struct(value: Any) -> dict[str, Any] | None:
    return None if value is None else {"value": _number(value), "text": text_of(value)}


TYPES: dict[str, tuple[pa.DataType, Callable[[Any], Any]]] = {
    "string": (pa.string(), _text),
    "large_string": (pa.large_string(), _text),
    "float64": (pa.float64(), _number),
    "float32": (pa.float32(), _finite),
    "float16": (pa.float16(), lambda v: None),
    "int8": (pa.int8(), lambda v: _integer(v, 8, True)),
    "int32": (pa.int32(), lambda v: _integer(v, 32, True)),
    "int64": (pa.int64(), lambda v: _integer(v, 64, True)),
    "uint64": (pa.uint64(), lambda v: _integer(v, 64, False)),
    "bool": (pa.bool_(), lambda v: v if isinstance(v, bool) else None),
    "decimal": (pa.decimal128(18, 4), _decimal),
    "date": (pa.date32(), _date),
    "timestamp": (pa.timestamp("ms"), _timestamp),
    "timestamp_tz": (pa.timestamp("us", tz="Asia/Shanghai"), _timestamp),
    "binary": (pa.binary(), _binary),
    "null": (pa.null(), lambda v: None),
    "list": (pa.list_(pa.float64()), _list),
    "struct": (pa.struct([("value", pa.float64()), ("text", pa.string())]), _struct),
    "duration": (pa.duration("s"), lambda v: None if _integer(v, 32, True) is None else 1),
}
"""Each column type tried and how a cell becomes a value of it (None where it cannot)."""

NESTED = ("list", "struct")
DRAWN = list(TYPES)


def _column(name: str, values: list[Any], type_name: str) -> pa.Array:
    kind, convert = TYPES[type_name]
    if type_name == "string" and name != ENTITY:
        return pa.array([convert(v) for v in values], kind).dictionary_encode()
    return pa.array([convert(v) for v in values], kind)


def _kind_of(type_name: str) -> str:
    if type_name in NESTED:
        return "parquet.nested"
    if type_name == "decimal":
        return "parquet.decimal"
    return "parquet.odd-dtypes"


@st.composite
def parquet_cases(draw: st.DrawFn) -> ParquetCase:
    """A table written as a Parquet file, each column stored as a drawn type."""
    table: Table = draw(tables())
    kinds = set(table.kinds) - {"column.duplicate-header", "column.blank-header"}
    header = [h for h in dict.fromkeys(table.header) if h]
    keep = [table.header.index(h) for h in header]
    rows = [[row[j] for j in keep] if row is not None else [None] * len(keep) for row in table.rows]
    arrays = []
    for j, name in enumerate(header):
        choices = DRAWN
        type_name = draw(st.sampled_from(["string", "float64", *choices]))
        if type_name not in ("string", "float64"):
            kinds.add(_kind_of(type_name))
        arrays.append(_column(name, [row[j] for row in rows], type_name))
    if draw(st.integers(0, 8)) == 0:
        kinds.add("parquet.index-column")
        header.append("__index_level_0__")
        arrays.append(pa.array(range(len(rows)), pa.int64()))
    if draw(st.integers(0, 15)) == 0 and header:
        kinds.add("parquet.duplicate-names")
        header.append(header[0])
        arrays.append(arrays[0])
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=header), buffer)
    data = buffer.getvalue()
    damaged = False
    if draw(st.integers(0, 15)) == 0:
        kinds.add("parquet.damaged")
        damaged = True
        data = data[: draw(st.integers(0, len(data) - 1))]
    return ParquetCase(data, header, len(rows), kinds, damaged)


def check_parquet(folder: Path, case: ParquetCase) -> Outcome:
    """Read the file as greenscore does: every row and named column, then assess it."""
    path = folder / "parks.parquet"
    path.write_bytes(case.data)
    shown = str(path)
    columns = [c.strip() for c in case.columns if c != "__index_level_0__"]
    duplicated = len(set(columns)) < len(columns)
    with strict():
        try:
            source = read_table(path)
        except InputFileError as error:
            message = str(error)
            assert shown in message, message
            assert case.damaged or duplicated, message
            return Outcome("InputFileError", message)
    assert not case.damaged and not duplicated, "a damaged or ambiguous file was read"
    assert list(source.frame.columns) == columns
    assert source.row_numbers.tolist() == list(range(1, case.rows + 1))
    return assess_outcome(source, TABLE_RUBRIC, case.rows, shown=shown)


def _example(
    types: dict[str, str],
    *,
    replace: dict[str, pa.Array] | None = None,
    extra: list[tuple[str, pa.Array]] | None = None,
) -> ParquetCase:
    """The example table with the columns named in ``types`` stored as those types, those in
    ``replace`` replaced as they are, then the ``extra`` columns."""
    table = example_rows()
    rows = [row for row in table.rows if row is not None]
    arrays = [
        _column(name, [row[j] for row in rows], types.get(name, "string"))
        if name in types or name in (ENTITY, "city", "stage")
        else pa.array([row[j] for row in rows])
        for j, name in enumerate(table.header)
    ]
    names = list(table.header)
    for name, array in (replace or {}).items():
        arrays[names.index(name)] = array
    for name, array in extra or []:
        names.append(name)
        arrays.append(array)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), buffer)
    return ParquetCase(buffer.getvalue(), names, len(rows))


def _kind(
    id: str,
    description: str,
    example: str,
    expect: str,
    case: ParquetCase,
    known: str | None = None,
) -> Kind:
    def run(folder: Path) -> Outcome:
        return guarded(lambda: check_parquet(folder, case), None)

    return Kind(id, "Parquet", description, example, expect, run, known)


def _damaged() -> ParquetCase:
    case = _example({})
    case.data = case.data[: len(case.data) // 2]
    case.damaged = True
    return case


_SECOND_REVENUE = pa.array([1.0, 2.0])

# fmt: off
KINDS = [
    _kind("parquet.odd-dtypes", "int8, uint64, float16/32, dates, timestamps, dictionaries, binary, null columns", "revenue as uint64, year as int32", "scored", _example({"revenue": "uint64", "year": "int32"})),
    _kind("parquet.decimal", "decimal columns (how Parquet stores money)", "revenue as decimal128(18, 4)", "scored", _example({"revenue": "decimal"})),
    _kind("parquet.nested", "lists or structs in an input column", "revenue as list<double>", "flagged", _example({"revenue": "list"})),
    _kind("parquet.nested-id", "a list or struct in the id column", "park_id as list<string>", "flagged", _example({}, replace={ENTITY: pa.array([["P001"], ["P002"]])})),
    _kind("parquet.duration", "a duration (timedelta) column", "land as duration[s]", "flagged", _example({"land": "duration"})),
    _kind("parquet.index-column", "a stored pandas index column", "__index_level_0__ beside the table", "scored", _example({}, extra=[("__index_level_0__", pa.array([0, 1]))])),
    _kind("parquet.duplicate-names", "two columns with one name", "two 'revenue' columns", "InputFileError", _example({}, extra=[("revenue", _SECOND_REVENUE)])),
    _kind("parquet.damaged", "a truncated or damaged file", "the first half of a file", "InputFileError", _damaged()),
]
# fmt: on
