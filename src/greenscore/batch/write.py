"""Write a BatchResult's tables through the io writers: atomic files, each with provenance."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from greenscore.batch.formats import DEFAULT_FORMATS, FORMATS
from greenscore.engine.describe import rubric_rows
from greenscore.errors import OutputError
from greenscore.io import (
    atomic_folder,
    check_excel_size,
    check_output_path,
    ensure_not_input,
    write_csv,
    write_excel,
    write_json,
    write_parquet,
)
from greenscore.rubric import models as m

if TYPE_CHECKING:
    from greenscore.batch.result import BatchResult

RESULT_TABLES = ("results", "flagged", "transitions", "track", "summary", "rubric")
"""Every table a result can write (BatchResult.tables() holds those it has)."""
_ARROW_SAFE = {"string", "empty", "floating", "integer", "mixed-integer-float", "boolean"}


_RUBRIC_COLUMNS = [
    "kind",
    "id",
    "label",
    "parent",
    "input",
    "unit",
    "method",
    "rule",
    "weight",
    "weight_in_total",
    "required",
    "missing",
    "tier",
    "min_score",
    "consequence_kind",
    "reason",
]


def rubric_table(rubric: m.Rubric) -> pd.DataFrame:
    """The rubric as one table: dimensions, indicators (unit, method, weights), vetoes, tiers.

    Derived inputs are left out (the methodology table lists them) to keep the sheet's rows; a
    rubric declaring consequence values gets a last column wording each tier's numbers.
    """
    rows = [row for row in rubric_rows(rubric) if row.kind != "derived"]
    columns = [*_RUBRIC_COLUMNS, *(["consequence_values"] if rubric.consequence_values else [])]
    return pd.DataFrame(
        [[getattr(row, c) for c in columns] for row in rows],
        columns=columns,
        dtype=object,
    )


def _arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing types become text (missing stays missing), as Parquet needs."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object:
            kind = pd.api.types.infer_dtype(column, skipna=True)
            if kind not in _ARROW_SAFE:
                out[name] = column.map(lambda v: None if v is None or v != v else str(v)).astype(
                    object
                )
    return out


def _excel_safe(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Columns without a single value become empty text, as the result workbook has always had."""
    out = {}
    for name, frame in tables.items():
        empty = [c for c in frame.columns if len(frame) and frame[c].isna().all()]
        blank = pd.Series("", index=frame.index, dtype=object)
        out[name] = frame.assign(**{str(c): blank for c in empty}) if empty else frame
    return out


def _sibling(path: Path, table: str) -> Path:
    return path.with_name(f"{path.stem}.{table}{path.suffix}")


def write_file(
    result: BatchResult, path: Path, fmt: str, tables: dict[str, pd.DataFrame] | None = None
) -> list[Path]:
    """One format at one path: results there, other tables beside it (or as sheets for Excel).

    ``tables`` are the result's tables when the caller has them already.
    """
    tables = result.tables() if tables is None else tables
    provenance = result.provenance
    if fmt == "xlsx":
        return write_excel(path, _excel_safe(tables), provenance)
    targets = {name: path if name == "results" else _sibling(path, name) for name in tables}
    return _write_tables(tables, targets, fmt, result)


def _write_tables(
    tables: dict[str, pd.DataFrame], targets: dict[str, Path], fmt: str, result: BatchResult
) -> list[Path]:
    written: list[Path] = []
    provenance = result.provenance
    for name, frame in tables.items():
        target = targets[name]
        if fmt == "csv":
            written += write_csv(target, frame, provenance)
        elif fmt == "parquet":
            written += write_parquet(target, _arrow_safe(frame), provenance)
        elif fmt == "json":
            written += write_json(target, frame, provenance)
        else:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return written


def _formats(formats: Iterable[str] | None) -> list[str]:
    chosen = list(DEFAULT_FORMATS if formats is None else formats)
    normal = [f.lower().lstrip(".").replace("excel", "xlsx") for f in chosen]
    unknown = [f for f in normal if f not in FORMATS]
    if unknown or not normal:
        raise OutputError(f"unknown format {unknown or chosen!r}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(normal))


def output_formats(
    path_or_dir: str | os.PathLike[str], formats: Iterable[str] | None
) -> tuple[bool, list[str]]:
    """Whether the path names one file, and the formats to write; OutputError if they conflict
    or the path cannot be written as that (a folder name that is an existing file, say).

    Needs no result, so the command line can refuse contradictory options before any work.
    """
    suffix = Path(path_or_dir).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        check_output_path(
            path_or_dir,
            folder=True,
            expected="give a folder to write the results into, or one file ending in "
            f"{', '.join('.' + f for f in FORMATS[:-1])} or .{FORMATS[-1]}",
        )
        return False, _formats(formats)
    wanted = _formats(formats) if formats is not None else [suffix]
    if wanted != [suffix]:
        raise OutputError(
            f"{os.fspath(path_or_dir)} names one .{suffix} file; to write {wanted}, "
            "give a folder instead"
        )
    check_output_path(path_or_dir, folder=False)
    return True, wanted


def write_result(
    result: BatchResult, path_or_dir: str | os.PathLike[str], formats: Iterable[str] | None
) -> list[Path]:
    """A file when the path ends in a known suffix, else a folder of results.<ext>, … files.

    A folder is written as one set (see :func:`greenscore.io.atomic_folder`) after every table
    is checked to fit the formats asked for, so a refused or failed run changes nothing.
    """
    target = Path(path_or_dir)
    one_file, chosen = output_formats(target, formats)
    tables = result.tables()
    if "xlsx" in chosen:
        check_excel_size(tables)
    if one_file:
        return write_file(result, target, chosen[0], tables)
    for name in _folder_files(tables, chosen):
        ensure_not_input(target / name, *result.provenance.inputs)
    with atomic_folder(target, replaces=_folder_files(RESULT_TABLES, list(FORMATS))) as staging:
        written: list[Path] = []
        for fmt in chosen:
            if fmt == "xlsx":
                written += write_excel(
                    staging / "assessment.xlsx", _excel_safe(tables), result.provenance
                )
            else:
                targets = {name: staging / f"{name}.{fmt}" for name in tables}
                written += _write_tables(tables, targets, fmt, result)
    return [target / path.relative_to(staging) for path in written]


def _folder_files(tables: Collection[str], formats: list[str]) -> list[str]:
    """The names a folder of results receives for these tables and formats."""
    names = ["assessment.xlsx"] if "xlsx" in formats else []
    for fmt in (f for f in formats if f != "xlsx"):
        names += [f"{name}.{fmt}" for name in tables]
        if fmt == "csv":
            names += [f"{name}.csv.provenance.json" for name in tables]
    return names
