"""Write result tables atomically, each carrying its provenance, with spreadsheet cells escaped."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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
_EXCEL_MAX_WIDTH = 60
_EXCEL_MIN_WIDTH = 8
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_WIDE_CHARS = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


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
    path: str | os.PathLike[str], sheets: Mapping[str, pd.DataFrame], provenance: Provenance
) -> list[Path]:
    """Write one worksheet per table plus a key/value ``provenance`` sheet.

    Sheet names are made legal for Excel (31 characters, no ``[]:*?/\\``, unique); headers are
    bold and frozen; column widths roughly fit the content; text cells are escaped.
    """
    openpyxl = require("openpyxl", "writing .xlsx files")
    target = Path(path)
    _guard(target, provenance)
    frames = [_flatten(frame) for frame in sheets.values()]
    for name, frame in zip(sheets, frames, strict=True):
        if len(frame) + 1 > _EXCEL_MAX_ROWS or frame.shape[1] > _EXCEL_MAX_COLUMNS:
            raise ValueError(
                f"table {name!r} has {len(frame):,} rows and {frame.shape[1]:,} columns; "
                f"Excel allows {_EXCEL_MAX_ROWS - 1:,} rows and {_EXCEL_MAX_COLUMNS:,} columns"
            )
    titles = sheet_titles(list(sheets), reserved=[PROVENANCE_SHEET])
    meta = pd.DataFrame(
        {"key": list(provenance.as_dict()), "value": list(provenance.as_dict().values())},
        dtype=object,
    )

    def write(tmp: Path) -> None:
        book = openpyxl.Workbook(write_only=True)
        for title, frame in zip(titles, frames, strict=True):
            _write_sheet(book, title, frame)
        _write_sheet(book, PROVENANCE_SHEET, meta)
        book.save(tmp)

    atomic_write(target, write)
    return [target]


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


def _write_sheet(book: Any, title: str, frame: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    headers = [_excel_value(label) for label in frame.columns]
    for i, width in enumerate(_column_widths(frame, headers), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_excel_value(v) for v in row])


def _excel_value(value: Any) -> Any:
    """A value openpyxl stores as data, never as a formula or an illegal character."""
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


def _column_widths(frame: pd.DataFrame, headers: list[Any]) -> list[float]:
    """Display width of each column's longest entry (CJK characters count double), capped."""
    widths = []
    for i, header in enumerate(headers):
        text = frame.iloc[:, i].astype(str).fillna("")
        content = (
            int((text.str.len() + text.str.count(_WIDE_CHARS.pattern)).max()) if len(text) else 0
        )
        head = len(str(header)) + len(_WIDE_CHARS.findall(str(header)))
        widths.append(float(min(max(content, head, _EXCEL_MIN_WIDTH - 2) + 2, _EXCEL_MAX_WIDTH)))
    return widths
