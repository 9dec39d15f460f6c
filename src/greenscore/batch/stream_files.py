"""assess_files(): a CSV/Parquet file (or a folder of them) assessed in chunks into a folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from greenscore.batch.assess import Errors
from greenscore.batch.columns import table_columns
from greenscore.batch.stream import StreamResult, assess_stream
from greenscore.engine.plan import compile_rubric
from greenscore.io import atomic_folder, check_output_path, make_provenance, write_csv
from greenscore.io._append import ChunkedTable
from greenscore.io._chunks import chunk_files, file_sha256, read_chunks
from greenscore.rubric.load import RubricLike, load_rubric

STREAM_FORMATS = ("csv", "parquet")
_REPLACED = (
    "results.csv",
    "results.csv.provenance.json",
    "results",
    "flagged.csv",
    "flagged.csv.provenance.json",
)
DEFAULT_CHUNK_ROWS = 500_000
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
    plan = compile_rubric(loaded)
    needed, optional = table_columns(loaded)
    encodings: list[str | None] = []

    def chunks() -> Any:
        for path in files:
            for chunk in read_chunks(
                path, chunk_rows, columns=needed, optional=optional, encoding=encoding
            ):
                encodings.append(chunk.encoding)
                yield chunk

    if output is None:
        return assess_stream(chunks, loaded, period=period, errors=errors, name=shown), []
    unknown = [f for f in formats if f not in STREAM_FORMATS]
    if unknown:
        raise ValueError(f"a streamed assessment writes csv or parquet, not {', '.join(unknown)}")
    target = Path(output)
    check_output_path(target, folder=True)
    with atomic_folder(target, replaces=_REPLACED) as staging:
        table = ChunkedTable(staging, "results", formats)
        result = assess_stream(
            chunks, loaded, period=period, errors=errors, sink=table.add, name=shown
        )
        rubric_file = loaded.source_file if loaded.source_file else None
        provenance = make_provenance(
            rubric_name=loaded.name,
            rubric_version=loaded.version,
            rubric_sha256=plan.sha256,
            input_sha256=file_sha256(files[0]) if len(files) == 1 else None,
            input_path=shown,
            other_inputs=(rubric_file,),
            rubric_path=rubric_file,
            period=result.period,
            input_encoding=encodings[0] if encodings else None,
        )
        written = table.close(provenance)
        written += write_csv(staging / "flagged.csv", result.flagged, provenance)
    return result, [target / p.relative_to(staging) for p in written]
