"""Assessing a Dask DataFrame: its partitions are the chunks of assess_stream.

Dask reads and computes each partition where it runs (a LocalCluster, or the workers of a real
cluster); the three reads of assess_stream then take the partitions one at a time, so the
client holds one partition plus a few bytes per row, and results equal those of assess().
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.assess import Errors
from greenscore.batch.stream import StreamResult, assess_stream
from greenscore.errors import OptionalDependencyError
from greenscore.io import TableSource, from_frame
from greenscore.rubric.load import RubricLike


def is_dask_frame(data: object) -> bool:
    """Whether data is a Dask DataFrame (told without importing dask)."""
    kind = type(data)
    return kind.__module__.split(".")[0] == "dask" and kind.__name__ == "DataFrame"


def require_dask() -> Any:
    """dask.dataframe, or an OptionalDependencyError with the install hint."""
    try:
        import dask.dataframe as dd
    except ImportError as e:
        raise OptionalDependencyError("dask", "dask", "assessing Dask DataFrames") from e
    return dd


def partition_chunks(frame: Any, first: int = 2) -> Callable[[], Iterator[TableSource]]:
    """The frame's partitions as chunks, each computed by Dask when it is reached; rows are
    numbered from ``first`` (2: as from_frame numbers a whole frame; 1: as Parquet rows are)."""

    def chunks() -> Iterator[TableSource]:
        start = first
        for i in range(frame.npartitions):
            part = from_frame(frame.get_partition(i).compute())
            numbers = np.arange(start, start + len(part.frame), dtype=np.int64)
            start += len(part.frame)
            yield TableSource(part.frame, numbers, None, None, "frame")

    return chunks


def assess_dask(
    frame: Any,
    rubric: RubricLike = None,
    *,
    period: Any = None,
    errors: Errors = "raise",
    sink: Callable[[pd.DataFrame], None] | None = None,
    collect: bool = False,
) -> StreamResult:
    """Assess a Dask DataFrame partition by partition (see assess_stream)."""
    require_dask()
    return assess_stream(
        partition_chunks(frame),
        rubric,
        period=period,
        errors=errors,
        sink=sink,
        collect=collect,
        name="<Dask DataFrame>",
    )


def dask_client(scheduler: str | None) -> Any:
    """A client of the scheduler at this address, or of a LocalCluster of two threaded workers."""
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError as e:
        raise OptionalDependencyError("distributed", "dask", "running on a Dask cluster") from e
    if scheduler:
        return distributed.Client(scheduler)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    return distributed.Client(cluster)


def read_parquet_frame(pattern: str, columns: list[str] | None) -> Any:
    """The Parquet files of a glob pattern, a folder or a file as one Dask DataFrame."""
    dd = require_dask()
    target = Path(pattern)
    return dd.read_parquet(str(target) if target.exists() else pattern, columns=columns)


def parquet_columns(frame: Any, needed: list[str], optional: list[str]) -> list[str] | None:
    """The columns to read: those assessing needs when the files hold them all, else None
    (all, so that a message about a missing column can name a lookalike)."""
    present = [str(c) for c in frame.columns]
    if not all(name in present for name in needed):
        return None
    return [c for c in present if c in {*needed, *optional}]
