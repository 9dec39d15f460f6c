"""Dask (issue 11 item 5): a Dask DataFrame, partition by partition on a two-worker LocalCluster,
gives the results of assess() on the same table in memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore.cli import main
from greenscore.rubric.load import load_rubric

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from test_stream import POOLED, _table  # noqa: E402

from greenscore.batch.on_dask import assess_dask  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jiangxi" / "parks_2016.csv"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_partitions_on_a_local_cluster_give_the_in_memory_results(client: object) -> None:
    """Dask turns object columns into text unless told not to; a mixed column (numbers and
    'n/a') then shows its flagged cell as text, so the comparison keeps the objects."""
    frame = _table(90, seed=5)
    rubric = load_rubric(POOLED)
    whole = greenscore.assess(frame, rubric, errors="flag")
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(frame, npartitions=4)
    streamed = assess_dask(ddf, rubric, errors="flag", collect=True)
    assert streamed.results is not None
    pd.testing.assert_frame_equal(streamed.results, whole.results)
    pd.testing.assert_frame_equal(streamed.flagged, whole.flagged)
    assert streamed.accounting == whole.accounting


def test_assess_accepts_a_dask_dataframe(client: object) -> None:
    frame = pd.read_csv(EXAMPLE, dtype=str)
    whole = greenscore.assess(frame)
    pd.testing.assert_frame_equal(
        greenscore.assess(dd.from_pandas(frame, npartitions=3)).results, whole.results
    )


def test_cli_engine_dask_writes_partitioned_parquet(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLE, dtype=str)
    (tmp_path / "data").mkdir()
    frame.iloc[:40].to_parquet(tmp_path / "data" / "a.parquet")
    frame.iloc[40:].to_parquet(tmp_path / "data" / "b.parquet")
    out = tmp_path / "out"
    assert (
        main(["assess", str(tmp_path / "data" / "*.parquet"), "--engine", "dask", "-o", str(out)])
        == 0
    )
    parts = sorted((out / "results").glob("part-*.parquet"))
    merged = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    expected = greenscore.assess(frame).results
    assert merged["park_id"].tolist() == expected["park_id"].tolist()
    assert merged["total"].tolist() == expected["total"].tolist()
    assert merged["tier"].tolist() == expected["tier"].tolist()
