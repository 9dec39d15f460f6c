"""Read back what the writers wrote: an output file's provenance record and its tables as text.

For audits: two outputs written by the same writer hold the same values exactly when the text
tables read back here are equal, whatever the format.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from greenscore.errors import InputFileError
from greenscore.io._deps import require
from greenscore.io._write import PROVENANCE_KEY, PROVENANCE_SHEET

SIDECAR_SUFFIX = ".provenance.json"
"""Suffix of the provenance file written beside each CSV output."""


def read_output_record(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The provenance stored with an output (.csv sidecar, .parquet metadata, .json key, .xlsx
    sheet) as a plain dict, or None when there is none or it cannot be read as one."""
    target = Path(path)
    kind = target.suffix.lower()
    try:
        if kind == ".csv":
            record = _json_file(target.with_name(target.name + SIDECAR_SUFFIX))
        elif kind == ".json":
            document = _json_file(target)
            record = document.get("provenance") if isinstance(document, dict) else None
        elif kind == ".parquet":
            pq = require("pyarrow.parquet", "reading the provenance of .parquet results")
            metadata = pq.read_schema(target).metadata or {}
            raw = metadata.get(PROVENANCE_KEY)
            record = None if raw is None else json.loads(raw.decode("utf-8"))
        elif kind == ".xlsx":
            record = _workbook_record(target)
        else:
            return None
    except (OSError, ValueError, KeyError):
        return None
    return record if isinstance(record, dict) else None


def read_output_tables(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Every table of an output file, each cell as text ("" for an empty cell), by table name:
    the file's stem for .csv/.parquet/.json, the sheet title for .xlsx (its provenance sheet left
    out). InputFileError when the file cannot be read."""
    target = Path(path)
    kind = target.suffix.lower()
    try:
        if kind == ".csv":
            frame = pd.read_csv(
                target, dtype=str, keep_default_na=False, encoding="utf-8-sig", na_filter=False
            )
            return {target.stem: frame}
        if kind == ".parquet":
            require("pyarrow", "reading .parquet results")
            return {target.stem: _as_text(pd.read_parquet(target))}
        if kind == ".json":
            document = _json_file(target)
            rows = document.get("results") if isinstance(document, dict) else None
            if not isinstance(rows, list):
                raise ValueError("no 'results' list")
            return {target.stem: _as_text(pd.DataFrame.from_records(rows))}
        if kind == ".xlsx":
            return _workbook_tables(target)
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as error:
        raise InputFileError(f"cannot read the results file {target}: {error}") from error
    raise InputFileError(f"cannot read the results file {target}: not a results format")


def cell_text(value: Any) -> str:
    """One cell as text: empty for a missing value, floats in full precision (``repr``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        return "" if math.isnan(number) else repr(number)
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {str(name): [cell_text(v) for v in frame[name].tolist()] for name in frame.columns},
        index=pd.RangeIndex(len(frame)),
        dtype=object,
    )


def _json_file(path: Path) -> Any:
    with path.open("rb") as f:
        return json.load(f)


def _workbook_record(path: Path) -> dict[str, Any] | None:
    openpyxl = require("openpyxl", "reading .xlsx results")
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if PROVENANCE_SHEET not in book.sheetnames:
            return None
        rows = list(book[PROVENANCE_SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    return {str(row[0]): row[1] for row in rows[1:] if len(row) >= 2 and row[0] is not None}


def _workbook_tables(path: Path) -> dict[str, pd.DataFrame]:
    openpyxl = require("openpyxl", "reading .xlsx results")
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    tables: dict[str, pd.DataFrame] = {}
    try:
        for title in book.sheetnames:
            if title == PROVENANCE_SHEET:
                continue
            rows = [[cell_text(v) for v in row] for row in book[title].iter_rows(values_only=True)]
            width = max(map(len, rows), default=0)
            rows = [row + [""] * (width - len(row)) for row in rows]
            header = rows[0] if rows else []
            tables[title] = pd.DataFrame(rows[1:], columns=header, dtype=object)
    finally:
        book.close()
    return tables
