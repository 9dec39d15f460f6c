"""assess_files(): a CSV/Parquet file (or a folder of them) assessed in chunks into a folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from greenscore.batch.assess import Errors
from greenscore.batch.columns import table_columns
from greenscore.batch.stream import StreamResult, assess_stream
from greenscore.batch.stream_chunks import Chunks
from greenscore.engine.plan import compile_rubric
from greenscore.io import TableSource, atomic_folder, check_output_path, make_provenance, write_csv
from greenscore.io._append import ChunkedTable
from greenscore.io._chunks import chunk_files, file_sha256, read_chunks
from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric

STREAM_FORMATS = ("csv", "parquet")
_REPLACED = (
    "results.csv",
    "results.csv.provenance.json",
    "results",
    "flagged.csv",
    "flagged.csv.provenance.json",
)
DEFAULT_CHUNK_ROWS = 100_000
"""Rows a chunk holds unless told: assessing costs a few KiB a row while it runs, so a chunk
of this size keeps a run within a few hundred MiB."""
STREAM_ABOVE_BYTES = 500_000_000
"""Files larger than this (the whole-file read limit) are assessed in chunks unasked."""


def should_stream(data: str | os.PathLike[str]) -> bool:
    """Whether ``greenscore assess`` streams this input unasked: a folder, or a CSV/Parquet file
    over STREAM_ABOVE_BYTES."""
    p = Path(data)
    if p.is_dir():
        return True
    try:
        big = p.stat().st_size > STREAM_ABOVE_BYTES
    except OSError:
        return False
    return big and p.suffix.lower() in (".csv", ".tsv", ".parquet")


def assess_files(
    data: str | os.PathLike[str],
    rubric: RubricLike = None,
    *,
    output: str | os.PathLike[str] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    formats: tuple[str, ...] = ("csv",),
    period: Any = None,
    errors: Errors = "raise",
    encoding: str | None = None,
) -> tuple[StreamResult, list[Path]]:
    """Assess a file or a folder of files in chunks of ``chunk_rows`` (see assess_stream),
    writing ``results.csv`` and/or ``results/part-*.parquet`` and ``flagged.csv`` into
    ``output`` as one set; the files written (none without ``output``)."""
    shown = os.fspath(data)
    files = chunk_files(shown)
    loaded = load_rubric(rubric)
    needed, optional = table_columns(loaded)
    encodings: list[str | None] = []

    def chunks() -> Iterator[TableSource]:
        for path in files:
            for chunk in read_chunks(
                path, chunk_rows, columns=needed, optional=optional, encoding=encoding
            ):
                encodings.append(chunk.encoding)
                yield chunk

    return write_streamed(
        chunks,
        loaded,
        output,
        formats=formats,
        period=period,
        errors=errors,
        name=shown,
        input_sha256=(lambda: file_sha256(files[0])) if len(files) == 1 else None,
        encoding=lambda: encodings[0] if encodings else None,
    )


def write_streamed(
    chunks: Chunks,
    rubric: m.Rubric,
    output: str | os.PathLike[str] | None,
    *,
    formats: tuple[str, ...],
    period: Any,
    errors: Errors,
    name: str,
    input_sha256: Callable[[], str] | None = None,
    encoding: Callable[[], str | None] = lambda: None,
) -> tuple[StreamResult, list[Path]]:
    """assess_stream over these chunks, its results and flagged rows written into ``output``
    as one set with their provenance (nothing written without ``output``)."""
    if output is None:
        return assess_stream(chunks, rubric, period=period, errors=errors, name=name), []
    unknown = [f for f in formats if f not in STREAM_FORMATS]
    if unknown:
        raise ValueError(f"a streamed assessment writes csv or parquet, not {', '.join(unknown)}")
    plan = compile_rubric(rubric)
    target = Path(output)
    check_output_path(target, folder=True)
    with atomic_folder(target, replaces=_REPLACED) as staging:
        table = ChunkedTable(staging, "results", formats)
        result = assess_stream(
            chunks, rubric, period=period, errors=errors, sink=table.add, name=name
        )
        rubric_file = rubric.source_file if rubric.source_file else None
        provenance = make_provenance(
            rubric_name=rubric.name,
            rubric_version=rubric.version,
            rubric_sha256=plan.sha256,
            input_sha256=input_sha256() if input_sha256 is not None else None,
            input_path=name,
            other_inputs=(rubric_file,),
            rubric_path=rubric_file,
            period=result.period,
            input_encoding=encoding(),
        )
        written = table.close(provenance)
        written += write_csv(staging / "flagged.csv", result.flagged, provenance)
    return result, [target / p.relative_to(staging) for p in written]


def assess_on_dask(
    pattern: str,
    rubric: RubricLike = None,
    *,
    output: str | os.PathLike[str] | None,
    scheduler: str | None = None,
    period: Any = None,
    errors: Errors = "raise",
) -> tuple[StreamResult, list[Path]]:
    """Parquet files (a glob pattern, folder or file) read by Dask on the scheduler at this
    address (default: a LocalCluster), assessed partition by partition into partitioned Parquet."""
    from greenscore.batch.on_dask import (
        dask_client,
        parquet_columns,
        partition_chunks,
        read_parquet_frame,
    )

    loaded = load_rubric(rubric)
    needed, optional = table_columns(loaded)
    with dask_client(scheduler):
        frame = read_parquet_frame(pattern, None)
        columns = parquet_columns(frame, needed, optional)
        if columns is not None:
            frame = frame[columns]
        return write_streamed(
            partition_chunks(frame, first=1),
            loaded,
            output,
            formats=("parquet",),
            period=period,
            errors=errors,
            name=pattern,
        )
