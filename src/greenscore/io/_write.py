"""Write result tables atomically, each carrying its provenance, with spreadsheet cells escaped."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from greenscore.errors import OutputError
from greenscore.io._atomic import atomic_write, atomic_write_text, ensure_not_input
from greenscore.io._deps import require
from greenscore.io._escape import escape_frame, escape_spreadsheet_cell
from greenscore.io._hash import sha256_file
from greenscore.io._provenance import Provenance

OUTPUT_SUFFIXES = (".csv", ".xlsx", ".parquet", ".json")
"""Suffixes :func:`write_table` understands."""

PROVENANCE_KEY = b"greenscore.provenance"
"""Parquet schema-metadata key holding the provenance JSON."""

PROVENANCE_SHEET = "provenance"

_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLUMNS = 16_384
_EXCEL_MAX_TEXT = 32_767
_INSTEAD = "write this result as csv or parquet instead (--format csv parquet)"
_EXCEL_MAX_WIDTH = 60
_EXCEL_MIN_WIDTH = 8
_EXCEL_WRAP_WIDTH = 70
_EXCEL_NUMBER_WIDTH = 9
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_WIDE_CHARS = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


@dataclass(frozen=True)
class SheetStyle:
    """How to dress one sheet: number formats and wrapped (top-aligned) text, by column header."""

    formats: Mapping[str, str] = field(default_factory=dict)
    wrap: frozenset[str] = frozenset()


def write_csv(
    path: str | os.PathLike[str], frame: pd.DataFrame, provenance: Provenance
) -> list[Path]:
    """Write UTF-8-with-BOM CSV (so Excel shows Chinese correctly) plus ``<path>.provenance.json``.

    The sidecar holds the provenance and the output's own SHA-256. Returns both paths.
    """
    target = Path(path)
    sidecar = target.with_name(target.name + ".provenance.json")
    _guard(target, provenance)
    _guard(sidecar, provenance)
    safe = escape_frame(_flatten(frame))
    digest: dict[str, str] = {}

    def write(tmp: Path) -> None:
        safe.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        digest["sha256"] = sha256_file(tmp)

    atomic_write(target, write)
    record = {**provenance.as_dict(), "output_file": target.name, "output_sha256": digest["sha256"]}
    atomic_write_text(sidecar, _dump_json(record))
    return [target, sidecar]


def write_excel(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    provenance: Provenance,
    *,
    styles: Mapping[str, SheetStyle] | None = None,
    autofilter: bool = False,
) -> list[Path]:
    """Write one worksheet per table plus a key/value ``provenance`` sheet.

    Sheet names are made legal for Excel (31 characters, no ``[]:*?/\\``, unique); headers are
    bold and frozen; column widths roughly fit the content; text cells are escaped. ``styles``
    gives a table's number formats and wrapped columns, keyed like ``sheets``; ``autofilter``
    puts a filter on every sheet's header row.
    """
    openpyxl = require("openpyxl", "writing .xlsx files")
    target = Path(path)
    _guard(target, provenance)
    frames = [_flatten(frame) for frame in sheets.values()]
    check_excel_size(dict(zip(sheets, frames, strict=True)))
    titles = sheet_titles(list(sheets), reserved=[PROVENANCE_SHEET])
    meta = pd.DataFrame(
        {"key": list(provenance.as_dict()), "value": list(provenance.as_dict().values())},
        dtype=object,
    )

    def write(tmp: Path) -> None:
        book = openpyxl.Workbook(write_only=True)
        for name, title, frame in zip(sheets, titles, frames, strict=True):
            write_sheet(book, title, frame, (styles or {}).get(name), autofilter=autofilter)
        write_sheet(book, PROVENANCE_SHEET, meta, autofilter=autofilter)
        book.save(tmp)

    atomic_write(target, write)
    return [target]


def check_excel_size(sheets: Mapping[str, pd.DataFrame]) -> None:
    """Raise OutputError if a table has more rows or columns than an Excel sheet holds, or text
    longer than an Excel cell holds (which Excel would cut short).

    Called before anything is written, so that a too-big table never leaves a partial output.
    """
    for name, frame in sheets.items():
        rows, columns = len(frame), len(frame.columns) + frame.index.nlevels * _named(frame)
        if rows + 1 > _EXCEL_MAX_ROWS or columns > _EXCEL_MAX_COLUMNS:
            raise OutputError(
                f"table {name!r} has {rows:,} rows and {columns:,} columns; an Excel sheet holds "
                f"{_EXCEL_MAX_ROWS - 1:,} rows below its header and {_EXCEL_MAX_COLUMNS:,} "
                f"columns; {_INSTEAD}"
            )
        _check_text_length(name, _flatten(frame))


def _excel_length(value: Any) -> int:
    """The length Excel counts of the text a value is written as (UTF-16 units), else 0."""
    cell = excel_cell(value)
    return len(cell.encode("utf-16-le", "surrogatepass")) // 2 if isinstance(cell, str) else 0


def _check_text_length(name: str, frame: pd.DataFrame) -> None:
    """Raise OutputError naming the first header or text cell whose text, as written, is too
    long. A character counts at most two UTF-16 units and escaping adds one, so only text of more
    than half the limit is measured exactly."""
    shortest = _EXCEL_MAX_TEXT // 2
    for j, label in enumerate(frame.columns):
        if len(label) > shortest and _excel_length(label) > _EXCEL_MAX_TEXT:
            _too_long(name, 1, f"the header of column {j + 1}", _excel_length(label))
        column = frame.iloc[:, j]
        if column.dtype.kind not in "OSU":
            continue
        try:
            raw = column.str.len().to_numpy(dtype=float, na_value=0.0)
        except AttributeError:
            continue
        for i in np.flatnonzero(raw > shortest):
            length = _excel_length(column.iloc[i])
            if length > _EXCEL_MAX_TEXT:
                _too_long(name, int(i) + 2, f"column {label!r}", length)


def _too_long(name: str, row: int, where: str, length: int) -> NoReturn:
    raise OutputError(
        f"table {name!r}, row {row} of its sheet, {where}: text of {length:,} characters; an "
        f"Excel cell holds at most {_EXCEL_MAX_TEXT:,} and Excel would cut it short; {_INSTEAD}"
    )


def _named(frame: pd.DataFrame) -> int:
    return int(any(name is not None for name in frame.index.names))


def write_parquet(
    path: str | os.PathLike[str], frame: pd.DataFrame, provenance: Provenance
) -> list[Path]:
    """Write Parquet with the provenance JSON in the schema metadata under ``PROVENANCE_KEY``."""
    pa = require("pyarrow", "writing .parquet files")
    pq = require("pyarrow.parquet", "writing .parquet files")
    target = Path(path)
    _guard(target, provenance)
    table = pa.Table.from_pandas(_flatten(frame), preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY] = json.dumps(provenance.as_dict(), ensure_ascii=False).encode()
    table = table.replace_schema_metadata(metadata)
    atomic_write(target, lambda tmp: pq.write_table(table, tmp))
    return [target]


def write_json(
    path: str | os.PathLike[str],
    records_or_frame: pd.DataFrame | Iterable[Mapping[str, Any]],
    provenance: Provenance,
) -> list[Path]:
    """Write ``{"provenance": {...}, "results": [...]}`` as UTF-8 JSON, one record per line.

    NaN, infinities, None, pd.NA and NaT become ``null``; datetimes become ISO-8601 strings.
    """
    target = Path(path)
    _guard(target, provenance)
    if isinstance(records_or_frame, pd.DataFrame):
        records: list[Any] = _flatten(records_or_frame).to_dict(orient="records")
    else:
        records = [dict(r) for r in records_or_frame]
    rows = [_compact_json(record) for record in _jsonable(records)]
    text = (
        '{\n  "provenance": '
        + _dump_json(provenance.as_dict()).rstrip("\n").replace("\n", "\n  ")
        + ',\n  "results": ['
        + ",".join(f"\n    {row}" for row in rows)
        + ("\n  ]\n}\n" if rows else "]\n}\n")
    )
    atomic_write_text(target, text)
    return [target]


def write_table(
    path: str | os.PathLike[str], frame: pd.DataFrame, provenance: Provenance
) -> list[Path]:
    """Write ``frame`` in the format named by the suffix (.csv, .xlsx, .parquet, .json)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return write_csv(path, frame, provenance)
    if suffix == ".xlsx":
        return write_excel(path, {"results": frame}, provenance)
    if suffix == ".parquet":
        return write_parquet(path, frame, provenance)
    if suffix == ".json":
        return write_json(path, frame, provenance)
    raise ValueError(
        f"cannot write {os.fspath(path)}: unsupported output type {suffix or '(no suffix)'!r}; "
        f"supported: {', '.join(OUTPUT_SUFFIXES)}"
    )


def sheet_titles(names: Iterable[object], reserved: Iterable[str] = ()) -> list[str]:
    """Legal, unique Excel sheet titles for ``names``, avoiding ``reserved`` ones.

    Forbidden characters become ``_``; titles are cut to 31 characters, may not start or end
    with ``'``, and clashes (compared case-insensitively, as Excel does) get `` (2)``, `` (3)``...
    """
    used = {r.casefold() for r in reserved}
    titles = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'")[:31].rstrip("' ")
        if not base:
            base = "Sheet"
        if base.casefold() == "history":
            base = "History_"
        title = base
        counter = 2
        while title.casefold() in used:
            suffix = f" ({counter})"
            title = base[: 31 - len(suffix)].rstrip("' ") + suffix
            counter += 1
        used.add(title.casefold())
        titles.append(title)
    return titles


def _guard(target: Path, provenance: Provenance) -> None:
    ensure_not_input(target, *provenance.inputs)


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """Frame ready to write: a named index becomes leading columns (an unnamed one is dropped) and
    labels become unique strings."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    named = any(name is not None for name in frame.index.names)
    flat = frame.reset_index(drop=not named)
    labels = [str(c) for c in flat.columns]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"cannot write a table with duplicate column names: {duplicates}")
    flat.columns = pd.Index(labels)
    return flat


def _dump_json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _jsonable(value: Any) -> Any:
    """Plain-JSON form of a value from a DataFrame or record (missing values become None)."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, Decimal):
        return _jsonable(float(value))
    raise TypeError(f"cannot write a {type(value).__name__} value to JSON: {value!r}")


def write_sheet(
    book: Any,
    title: str,
    frame: pd.DataFrame,
    style: SheetStyle | None = None,
    *,
    autofilter: bool = False,
) -> None:
    """Append one sheet to a write-only openpyxl workbook: bold frozen headers, cells cleaned by
    :func:`excel_cell`, widths that fit the content, and the style's formats and wrapping."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    style = style or SheetStyle()
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    labels = [str(c) for c in frame.columns]
    headers = [excel_cell(label) for label in labels]
    columns = [[excel_cell(v) for v in frame.iloc[:, j].tolist()] for j in range(len(labels))]
    top = Alignment(vertical="top", wrap_text=True)
    dressed: dict[int, tuple[str | None, bool]] = {}
    for j, label in enumerate(labels):
        number_format, wrapped = style.formats.get(label), label in style.wrap
        if number_format or wrapped:
            dressed[j] = (number_format, wrapped)
        width = _column_width(headers[j], columns[j], number_format, wrapped)
        sheet.column_dimensions[get_column_letter(j + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = _text_kept(WriteOnlyCell(sheet, value=header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    error_like = _error_like(
        {j: columns[j] for j in range(len(labels)) if frame.iloc[:, j].dtype.kind in "OSU"}
    )
    for i, values in enumerate(zip(*columns, strict=True)):
        row: list[Any] = list(values)
        for j, (number_format, wrapped) in dressed.items():
            cell = WriteOnlyCell(sheet, value=row[j])
            if number_format:
                cell.number_format = number_format
            if wrapped:
                cell.alignment = top
            row[j] = cell
        for j in error_like.get(i, ()):
            row[j] = _text_kept(row[j] if j in dressed else WriteOnlyCell(sheet, value=row[j]))
        sheet.append(row)
    if autofilter and len(frame) and labels:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{len(frame) + 1}"


def _error_like(columns: dict[int, list[Any]]) -> dict[int, list[int]]:
    """Row → columns of the text cells spelt like an Excel error (``#N/A``), by position, among
    the columns given (those that can hold text)."""
    from openpyxl.cell.cell import ERROR_CODES

    codes = frozenset(ERROR_CODES)
    found: dict[int, list[int]] = {}
    for j, column in columns.items():
        if codes.isdisjoint(column):
            continue
        for i, value in enumerate(column):
            if isinstance(value, str) and value in codes:
                found.setdefault(i, []).append(j)
    return found


def _text_kept(cell: Any) -> Any:
    """The cell stored as the text it holds: openpyxl stores text spelt like an error as one."""
    if cell.data_type == "e":
        cell.data_type = "s"
    return cell


def excel_cell(value: Any) -> Any:
    """A value openpyxl stores as data, never as a formula or an illegal character.

    Missing values (None, NaN, pd.NA, NaT) become empty cells; numbers, booleans, naive dates and
    times stay typed; infinities, aware datetimes and everything else become text, and text a
    spreadsheet would run as a formula is escaped by :func:`escape_spreadsheet_cell`.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return escape_spreadsheet_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return None
        return number if math.isfinite(number) else escape_spreadsheet_cell(str(number))
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.isoformat()
        return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if isinstance(value, (dt.date, dt.time, dt.timedelta, Decimal)):
        return value
    return escape_spreadsheet_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _column_width(header: Any, cells: list[Any], number_format: str | None, wrapped: bool) -> float:
    """Fit the widest line of the column (CJK characters count double), within bounds; a
    number-formatted column is as wide as its header."""
    head = _text_width(header)
    if number_format:
        return float(max(head + 2, _EXCEL_NUMBER_WIDTH))
    content = max(map(_text_width, cells), default=0)
    limit = _EXCEL_WRAP_WIDTH if wrapped else _EXCEL_MAX_WIDTH
    return float(min(max(content, head, _EXCEL_MIN_WIDTH - 2) + 2, limit))


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    if text.isascii():
        return max(map(len, text.split("\n")))
    return max(len(line) + len(_WIDE_CHARS.findall(line)) for line in text.split("\n"))
