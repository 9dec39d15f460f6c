"""Read an assessment table from a stranger's file, keeping raw cells and visible row numbers."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from greenscore.errors import InputFileError
from greenscore.io._csv import decode_text, parse_delimited, text_encoding
from greenscore.io._csv_fast import parse_plain
from greenscore.io._deps import require
from greenscore.io._hash import sha256_bytes
from greenscore.io._jsonl import parse_jsonl
from greenscore.io._numbers import plain_numbers
from greenscore.io._table import check_duplicates, error, fail
from greenscore.io._xlsx import parse_xlsx

INPUT_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
"""Supported input suffixes (lower case) and the ``TableSource.format`` each yields."""

_PARQUET_INDEX_COLUMN = re.compile(r"__index_level_\d+__")


@dataclass(frozen=True, eq=False)
class TableSource:
    """A table as read from its source, with each row's number as the user sees it in the file.

    ``row_numbers[i]`` is the row of ``frame.iloc[i]``: the spreadsheet row for CSV/TSV/Excel
    (header normally row 1, so data start at 2), the line number for JSON Lines and the 1-based
    position for Parquet. Blank rows are skipped, so the numbers may have gaps. ``notes`` say
    what was read although the user may not see it (hidden Excel sheets, rows and columns).
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray
    path: str | None
    sha256: str | None
    format: str
    encoding: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        numbers = np.array(self.row_numbers, dtype=np.int64)
        if numbers.shape != (len(self.frame),):
            raise ValueError(
                f"row_numbers has shape {numbers.shape}, expected ({len(self.frame)},) "
                "to match the frame"
            )
        numbers.flags.writeable = False
        object.__setattr__(self, "row_numbers", numbers)

    @property
    def name(self) -> str:
        """The path, or a placeholder for an in-memory frame; for use in messages."""
        return self.path if self.path is not None else "<in-memory frame>"


def from_frame(df: pd.DataFrame) -> TableSource:
    """Wrap an in-memory DataFrame as a TableSource.

    Row numbers are ``position + 2``, as if the frame had been read from a CSV whose header is
    row 1, so messages about in-memory data read the same as for files. Decimal cells become
    floats (see :func:`greenscore.io.plain_number`).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_frame expects a pandas DataFrame, got {type(df).__name__}")
    names = [c.strip() if isinstance(c, str) else c for c in df.columns]
    check_duplicates(names, "<in-memory frame>")
    frame = plain_numbers(df.reset_index(drop=True))
    frame.columns = pd.Index(names)
    numbers = np.arange(2, len(frame) + 2, dtype=np.int64)
    return TableSource(frame, numbers, None, None, "frame")


def read_table(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = 500_000_000,
    sheet: str | int | None = None,
    encoding: str | None = None,
    columns: Collection[str] | None = None,
    optional: Collection[str] = (),
) -> TableSource:
    """Read a .csv, .tsv, .xlsx, .parquet or .jsonl/.ndjson file into a TableSource.

    CSV cells are kept exactly as typed (strings, ``""`` for empty); Excel and JSON cells keep
    their types (object columns, ``None`` for empty). The header is the first non-blank row and
    all-blank rows are skipped. ``sheet`` picks an Excel sheet by name or 0-based index, hidden
    or not (default: the first visible one). ``encoding`` names a CSV/TSV file's text encoding
    (default: told by evidence; see :func:`greenscore.io.text_encoding`). ``sha256`` is of
    exactly the bytes parsed. Any problem with the file raises InputFileError naming it.

    ``columns`` projects a Parquet file: when it holds every one of them, only they (and those
    of ``optional`` it holds) are read; otherwise the whole file is, so that a message about a
    missing column can still name a lookalike. Other formats are always read whole.
    """
    shown = os.fspath(path)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive integer, got {max_bytes!r}")
    named = None if encoding is None else text_encoding(encoding)
    data = _read_bytes(Path(shown), shown, max_bytes)
    suffix = Path(shown).suffix.lower()
    kind = INPUT_SUFFIXES.get(suffix)
    if kind is None:
        supported = ", ".join(INPUT_SUFFIXES)
        fail(shown, f"unsupported file type {suffix or '(no suffix)'!r}; supported: {supported}")
    if sheet is not None and kind != "xlsx":
        fail(shown, "a sheet can only be chosen for .xlsx files")
    if named is not None and kind != "csv":
        fail(shown, "an encoding can only be named for .csv and .tsv files")
    digest = sha256_bytes(data)
    read: str | None = None
    notes: tuple[str, ...] = ()
    if kind == "csv":
        text, read = decode_text(data, shown, named)
        sep = "\t" if suffix == ".tsv" else ","
        plain = parse_plain(text, sep, shown)
        frame, numbers = plain if plain is not None else parse_delimited(text, sep, shown)
    elif kind == "xlsx":
        frame, numbers, notes = parse_xlsx(data, shown, sheet, max_bytes)
    elif kind == "parquet":
        wanted = None if columns is None else (list(columns), list(optional))
        frame, numbers = _parse_parquet(data, shown, wanted)
    else:
        frame, numbers = parse_jsonl(data, shown)
        read = "utf-8"
    rows = np.asarray(numbers, dtype=np.int64)
    return TableSource(frame, rows, shown, digest, kind, read, notes)


def _read_bytes(p: Path, shown: str, max_bytes: int) -> bytes:
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            fail(shown, "it is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            fail(shown, "it is not a regular file")
        if info.st_size > max_bytes:
            fail(shown, f"file is {info.st_size:,} bytes, over the limit of {max_bytes:,}")
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError as e:
        raise error(shown, "file not found") from e
    except PermissionError as e:
        raise error(shown, "permission denied") from e
    except InputFileError:
        raise
    except OSError as e:
        raise error(shown, str(e.strerror or e)) from e
    if len(data) > max_bytes:
        fail(shown, f"file is over the limit of {max_bytes:,} bytes")
    if not data:
        fail(shown, "file is empty")
    return data


def _parse_parquet(
    data: bytes, shown: str, wanted: tuple[list[str], list[str]] | None = None
) -> tuple[pd.DataFrame, list[int]]:
    pa = require("pyarrow", "reading .parquet files")
    pq = require("pyarrow.parquet", "reading .parquet files")
    if len(data) < 12 or not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        fail(shown, "it is not a Parquet file (missing PAR1 markers)")
    try:
        with pq.ParquetFile(pa.BufferReader(data)) as parquet:
            stored = parquet.schema_arrow.names
            names = [n for n in stored if not _PARQUET_INDEX_COLUMN.fullmatch(n)]
            check_duplicates([n.strip() for n in names], shown)
            names = _projection(names, wanted)
            table = parquet.read(columns=names) if len(names) < len(stored) else parquet.read()
        frame = table.to_pandas(ignore_metadata=True)
    except InputFileError:
        raise
    except Exception as e:
        raise error(shown, f"the Parquet file is damaged ({type(e).__name__}: {e})") from e
    frame.columns = pd.Index([n.strip() for n in names])
    return plain_numbers(frame.reset_index(drop=True)), list(range(1, len(frame) + 1))


def _projection(names: list[str], wanted: tuple[list[str], list[str]] | None) -> list[str]:
    """The stored names to read: those wanted, when every required one is there; else all."""
    if wanted is None:
        return names
    required, optional = wanted
    by_name = {n.strip(): n for n in names}
    if not all(name in by_name for name in required):
        return names
    keep = {*required, *(name for name in optional if name in by_name)}
    return [n for n in names if n.strip() in keep]
